"""A trace as OpenTelemetry spans with the GenAI semantic conventions, in the OTLP JSON encoding.

One `invoke_agent flambeau` span for the task, a `chat <model>` span per model call (request to
response) and an `execute_tool <tool>` span per tool call. Attribute names and values follow the
GenAI conventions (gen-ai-spans.md, gen-ai-agent-spans.md): `gen_ai.request.model` is the model named
in the request sent (litellm's route is `flambeau.model_route`), `gen_ai.provider.name` a well-known
provider value, success leaves the status unset, a failure sets status ERROR and `error.type`.
Encoding: opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding" (lowerCamelCase, hex
ids, enums as integers, 64-bit integers as decimal strings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

SPAN_KIND_INTERNAL = 1
SPAN_KIND_CLIENT = 3
STATUS_ERROR = 2
SCOPE_NAME = "flambeau.trace"
# litellm provider -> gen_ai.provider.name (the conventions' well-known values); others keep litellm's name.
PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "sagemaker": "aws.sagemaker",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "watsonx": "ibm.watsonx.ai",
    "perplexity": "perplexity",
    "xai": "x_ai",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral": "mistral_ai",
}


def provider_name(litellm_provider: str) -> str:
    return PROVIDERS.get(litellm_provider, litellm_provider or "_OTHER")


def _nanos(iso: Any) -> str:
    if not isinstance(iso, str):
        return "0"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return str(int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000)


def _id(seed: str, size: int) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[: size * 2]


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _attributes(pairs: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in pairs.items() if v is not None and v != []]


def _usd(value: Any) -> float | None:
    """Always a double (a cost of 0 is 0.0, not an integer)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _server(provenance: Mapping[str, Any]) -> tuple[str | None, int | None]:
    base = provenance.get("api_base")
    if not isinstance(base, str) or not base:
        return None, None
    parts = urlsplit(base if "//" in base else f"//{base}")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80 if parts.scheme == "http" else None)


def to_otlp(records: list[dict[str, Any]], tool_descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The spans of a trace's records; `tool_descriptions` fill `gen_ai.tool.description`."""
    header = records[0] if records else {}
    task_id = str(header.get("task_id", "unknown"))
    trace = _Spans(task_id, tool_descriptions or {})
    spans = [trace.agent(records), *trace.chats(records), *trace.tools(records)]
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes({"service.name": "flambeau"})},
                "scopeSpans": [{"scope": {"name": SCOPE_NAME, "version": "2"}, "spans": spans}],
            }
        ]
    }


class _Spans:
    def __init__(self, task_id: str, descriptions: Mapping[str, str]) -> None:
        self.task_id = task_id
        self.trace_id = _id(f"trace:{task_id}", 16)
        self.root_id = _id(f"span:{task_id}:agent", 8)
        self.descriptions = descriptions

    def span(
        self,
        span_id: str,
        name: str,
        kind: int,
        times: tuple[Any, Any],
        attributes: dict[str, Any],
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """`error`: (error.type, message); None leaves the status unset, as the conventions ask on success."""
        if error is not None:
            attributes = {**attributes, "error.type": error[0]}
        span: dict[str, Any] = {
            "traceId": self.trace_id,
            "spanId": span_id,
            "name": name,
            "kind": kind,
            "startTimeUnixNano": _nanos(times[0]),
            "endTimeUnixNano": _nanos(times[1] if times[1] is not None else times[0]),
            "attributes": _attributes(attributes),
        }
        if error is not None:
            span["status"] = {"code": STATUS_ERROR, "message": error[1]}
        if span_id != self.root_id:
            span["parentSpanId"] = self.root_id
        return span

    def agent(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        none: dict[str, Any] = {}
        start = next((r for r in records if r.get("kind") == "task_start"), none)
        end = next((r for r in reversed(records) if r.get("kind") == "task_end"), None)
        request = next((r for r in records if r.get("kind") == "model_request"), none)
        response = next((r for r in reversed(records) if r.get("kind") == "model_response"), none)
        outcome = str(end.get("outcome")) if end else "interrupted"
        error = None
        if outcome != "completed":
            error = (outcome, str(end.get("result", "")) if end else "the trace ends before the task did")
        last_time = (end or (records[-1] if records else {})).get("time")
        return self.span(
            self.root_id,
            "invoke_agent flambeau",
            SPAN_KIND_INTERNAL,
            (start.get("time") or (records[0].get("time") if records else None), last_time),
            {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": "flambeau",
                "gen_ai.conversation.id": self.task_id,
                "gen_ai.provider.name": provider_name(str((response.get("provenance") or {}).get("provider", ""))),
                "gen_ai.request.model": request.get("request_model") or start.get("model"),
                "gen_ai.usage.input_tokens": response.get("total_prompt_tokens"),
                "gen_ai.usage.output_tokens": response.get("total_completion_tokens"),
                "flambeau.model_route": start.get("model"),
                "flambeau.locality": start.get("locality"),
                "flambeau.outcome": outcome,
                "flambeau.cost_usd": _usd(response.get("total_cost_usd")),
            },
            error,
        )

    def chats(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        spans = []
        request: dict[str, Any] = {}
        for record in records:
            if record.get("kind") == "model_request":
                request = record
            elif record.get("kind") == "model_response":
                spans.append(self._chat(request or record, record))
                request = {}
        return spans

    def _chat(self, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        provenance = response.get("provenance") or {}
        model = request.get("request_model") or response.get("model")
        address, port = _server(provenance)
        reasons = provenance.get("finish_reasons")
        return self.span(
            _id(f"span:{self.task_id}:chat:{response.get('seq')}", 8),
            f"chat {model}",
            SPAN_KIND_CLIENT,
            (request.get("time"), response.get("time")),
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider_name(str(provenance.get("provider", ""))),
                "gen_ai.conversation.id": self.task_id,
                "gen_ai.request.model": model,
                "gen_ai.request.stream": request.get("stream"),
                "gen_ai.request.max_tokens": request.get("max_tokens"),
                "gen_ai.response.model": response.get("response_model") or None,
                "gen_ai.response.id": provenance.get("response_id"),
                "gen_ai.response.finish_reasons": [str(r) for r in reasons] if isinstance(reasons, list) else None,
                "gen_ai.usage.input_tokens": response.get("prompt_tokens"),
                "gen_ai.usage.output_tokens": response.get("completion_tokens"),
                "server.address": address,
                "server.port": port,
                "flambeau.model_route": response.get("model"),
                "flambeau.locality": response.get("locality"),
                "flambeau.cost_usd": _usd(response.get("cost_usd")),
                "flambeau.request_sha256": request.get("body_sha256") or request.get("body_blob"),
            },
        )

    def tools(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        calls = {r.get("call_id"): r for r in records if r.get("kind") == "tool_call"}
        approvals = {r.get("call_id"): r for r in records if r.get("kind") == "approval"}
        results = {r.get("call_id"): r for r in records if r.get("kind") == "tool_result"}
        spans = []
        for call_id, call in calls.items():
            result, approval = results.get(call_id), approvals.get(call_id, {})
            error = None
            if result is None:
                error = ("not_approved", "not approved: " + str(approval.get("reason", "")))
            elif not result.get("ok"):
                error = ("tool_error", str(result.get("output_preview", "the tool failed"))[:200])
            tool = str(call.get("tool"))
            spans.append(
                self.span(
                    _id(f"span:{self.task_id}:tool:{call_id}", 8),
                    f"execute_tool {tool}",
                    SPAN_KIND_INTERNAL,
                    (call.get("time"), (result or approval or call).get("time")),
                    {
                        "gen_ai.operation.name": "execute_tool",
                        "gen_ai.conversation.id": self.task_id,
                        "gen_ai.tool.name": tool,
                        "gen_ai.tool.call.id": call_id,
                        "gen_ai.tool.type": "function",
                        "gen_ai.tool.description": self.descriptions.get(tool),
                        "flambeau.tool.category": call.get("category"),
                        "flambeau.approved_by": approval.get("by"),
                    },
                    error,
                )
            )
        return spans
