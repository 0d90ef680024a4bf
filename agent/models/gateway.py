"""The model gateway: the only way to a model is litellm, imported on first use."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from agent.errors import ModelError
from agent.events import Locality
from agent.models.crash_report import ServerDiedMidTask
from agent.models.profile import ModelProfile
from agent.models.server_process import death_at

TextCallback = Callable[[str], None]
PLACEHOLDER_KEY = "sk-no-key-needed"


def import_litellm() -> ModuleType:
    """Import litellm without letting it fetch anything from the network."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_TELEMETRY", "False")
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    return litellm


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str
    """The raw JSON text the model produced."""


@dataclass(frozen=True)
class CallStats:
    model: str
    locality: Locality
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    """USD; None when the model is cloud and no price is known for it (litellm's map or the profile)."""
    latency_s: float
    response_model: str = ""
    system_fingerprint: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelReply:
    text: str
    tool_calls: list[ToolCall]
    stats: CallStats
    finish_reason: str | None
    request_body: dict[str, Any]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0

    def delay(self, attempt: int) -> float:
        capped: float = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        return capped * (0.5 + random.random() / 2)


def _transient_errors(litellm: ModuleType) -> tuple[type[BaseException], ...]:
    return (
        litellm.RateLimitError,
        litellm.InternalServerError,
        litellm.ServiceUnavailableError,
        litellm.APIConnectionError,
        litellm.Timeout,
    )


class ModelGateway:
    """Sends a conversation to one model profile and returns text, tool calls and call statistics."""

    def __init__(
        self,
        profile: ModelProfile,
        *,
        api_key: str | None = None,
        retry: RetryPolicy | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> None:
        self.profile = profile
        self._api_key = api_key
        self.retry = retry or RetryPolicy()
        self.provenance = provenance or {}
        self.locality = profile.effective_locality()

    def _params(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.profile.model,
            "messages": messages,
            "timeout": self.profile.timeout_s,
            "max_tokens": self.profile.max_output_tokens,
            "num_retries": 0,
            **self.profile.extra,
        }
        if self.profile.api_base:
            params["api_base"] = self.profile.api_base
        api_key = self._api_key
        if api_key is None and self.profile.api_base and self.profile.provider == "openai":
            # OpenAI-compatible servers often need no key, but the client insists on one.
            api_key = os.environ.get("OPENAI_API_KEY") or PLACEHOLDER_KEY
        if api_key is not None:
            params["api_key"] = api_key
        if tools:
            params["tools"] = tools
        if self.profile.stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    async def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        on_text: TextCallback | None = None,
        extra_params: dict[str, Any] | None = None,
        on_request: Callable[[dict[str, Any]], None] | None = None,
    ) -> ModelReply:
        """`on_request` sees each exact request body just before it is sent (once per attempt)."""
        litellm = import_litellm()
        transient = _transient_errors(litellm)
        params = self._params(messages, tools)
        if extra_params:
            params.update(extra_params)
        last_error: BaseException | None = None
        for attempt in range(self.retry.attempts):
            captured: dict[str, Any] = {}
            params["logger_fn"] = _body_catcher(captured, on_request)
            started = time.monotonic()
            try:
                return await self._call_once(litellm, params, captured, started, on_text)
            except transient as error:
                last_error = error
                self._raise_if_server_died()
                if attempt + 1 < self.retry.attempts:
                    await asyncio.sleep(self.retry.delay(attempt))
            except litellm.AuthenticationError as error:
                raise ModelError(
                    f"{self._where()} refused the key ({_short(error)}); "
                    f"store a valid one with 'flambeau keys set {self.profile.api_key_name or self.profile.provider}'"
                ) from error
            except (litellm.BadRequestError, litellm.NotFoundError) as error:
                raise ModelError(f"{self._where()} rejected the request: {_short(error)}") from error
        raise ModelError(
            f"{self._where()} did not answer after {self.retry.attempts} attempts: {_short(last_error)}. "
            "Check that the server is running and the URL is right, or choose another model with --model."
        ) from last_error

    def _raise_if_server_died(self) -> None:
        """A local server we started that died is reported as such (signal, log), not retried."""
        if self.locality != "local":
            return
        death = death_at(self.profile.api_base)
        if death is not None:
            raise ServerDiedMidTask(*death)

    def _where(self) -> str:
        base = self.profile.api_base or f"the {self.profile.provider} API"
        return f"model {self.profile.model} at {base}"

    async def _call_once(
        self,
        litellm: ModuleType,
        params: dict[str, Any],
        captured: dict[str, Any],
        started: float,
        on_text: TextCallback | None,
    ) -> ModelReply:
        response = await litellm.acompletion(**params)
        if params.get("stream"):
            chunks = []
            served = ""
            async for chunk in response:
                chunks.append(chunk)
                served = _served_model(chunk) or served
                choices = getattr(chunk, "choices", None) or []
                delta = getattr(choices[0], "delta", None) if choices else None
                content = getattr(delta, "content", None) if delta is not None else None
                if content and on_text is not None:
                    on_text(content)
            response = litellm.stream_chunk_builder(chunks, messages=params["messages"])
            if response is None:
                raise ModelError(f"{self._where()} sent an empty stream")
            if served:
                response.model = served  # litellm reports the requested name on streams; keep the served one
        elif on_text is not None:
            text = response.choices[0].message.content
            if text:
                on_text(text)
        latency = time.monotonic() - started
        return self._reply(litellm, response, captured, latency)

    def _reply(self, litellm: ModuleType, response: Any, captured: dict[str, Any], latency: float) -> ModelReply:
        choice = response.choices[0]
        message = choice.message
        calls = [
            ToolCall(id=tc.id or f"call_{i}", name=tc.function.name or "", arguments=tc.function.arguments or "")
            for i, tc in enumerate(getattr(message, "tool_calls", None) or [])
        ]
        usage = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self._cost(litellm, response)
        stats = CallStats(
            model=self.profile.model,
            locality=self.locality,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost,
            latency_s=latency,
            response_model=str(getattr(response, "model", "") or ""),
            system_fingerprint=getattr(response, "system_fingerprint", None),
            provenance=self._provenance(litellm, response, getattr(choice, "finish_reason", None)),
        )
        body = captured.get("body") or {"model": self.profile.model, "messages": captured.get("messages", [])}
        return ModelReply(
            text=message.content or "",
            tool_calls=calls,
            stats=stats,
            finish_reason=getattr(choice, "finish_reason", None),
            request_body=body,
        )

    def _cost(self, litellm: ModuleType, response: Any) -> float | None:
        """Local models cost nothing; a cloud model's cost is litellm's price (or the profile's), else unknown."""
        if self.locality == "local":
            return 0.0
        price = self.profile.configured_price
        try:
            if price is not None:
                return float(litellm.completion_cost(completion_response=response, custom_cost_per_token=price))
            return float(litellm.completion_cost(completion_response=response))
        except Exception:  # litellm raises for a model it has no price for: the cost is unknown, not zero
            return None

    def _provenance(self, litellm: ModuleType, response: Any, finish_reason: str | None) -> dict[str, Any]:
        """Which weights answered: the profile's (GGUF SHA-256, Ollama digest) plus, as the server
        reported it, the model version and system fingerprint; and for telemetry the response id, the
        finish reasons, litellm's provider for the route and the server's URL."""
        provider, api_base = self._provider(litellm)
        answered = {
            "response_model": str(getattr(response, "model", "") or ""),
            "system_fingerprint": getattr(response, "system_fingerprint", None),
            "response_id": str(getattr(response, "id", "") or ""),
            "finish_reasons": [finish_reason] if finish_reason else None,
            "provider": provider,
            "api_base": api_base,
        }
        return {**self.provenance, **{k: v for k, v in answered.items() if v}}

    def _provider(self, litellm: ModuleType) -> tuple[str, str]:
        """litellm's provider for the route (an unprefixed Claude model is anthropic) and the base URL."""
        try:
            _, provider, _, base = litellm.get_llm_provider(model=self.profile.model, api_base=self.profile.api_base)
        except Exception:  # litellm raises for a route it cannot place: fall back to the prefix
            return self.profile.provider, self.profile.api_base or ""
        return str(provider or self.profile.provider), str(self.profile.api_base or base or "")


def price_known(profile: ModelProfile) -> bool:
    """Whether a call's cost can be computed: local models are free; a cloud one needs a price from litellm's
    map or from the profile (input_cost_per_token / output_cost_per_token)."""
    if profile.effective_locality() == "local" or profile.configured_price is not None:
        return True
    litellm = import_litellm()
    try:
        info = litellm.get_model_info(profile.model)
    except Exception:  # litellm raises for models it does not know
        return False
    return info.get("input_cost_per_token") is not None and info.get("output_cost_per_token") is not None


def _served_model(chunk: Any) -> str:
    """The model name the provider put in a stream chunk (litellm keeps it in the chunk's hidden params)."""
    hidden = getattr(chunk, "_hidden_params", None)
    value = hidden.get("provider_response_model") if isinstance(hidden, dict) else None
    return value if isinstance(value, str) else ""


def _body_catcher(
    captured: dict[str, Any], on_request: Callable[[dict[str, Any]], None] | None
) -> Callable[[dict[str, Any]], None]:
    """A litellm `logger_fn`: litellm calls it with the exact body just before sending it."""

    def catch(details: dict[str, Any]) -> None:
        additional = details.get("additional_args") or {}
        body = additional.get("complete_input_dict")
        if isinstance(body, dict) and body and "body" not in captured:
            captured["body"] = _plain(body)
            if on_request is not None:
                on_request(captured["body"])

    return catch


def _plain(value: Any) -> Any:
    """A JSON-safe deep copy of what litellm hands the provider."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    return str(value)


def _short(error: BaseException | None) -> str:
    text = str(error) if error is not None else "no error recorded"
    return text if len(text) < 400 else text[:400] + "…"
