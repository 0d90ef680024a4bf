"""A model profile: which model, where it lives, how big its window is, how it calls tools."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlparse

from agent.events import Locality

ToolMode = Literal["native", "text", "constrained"]

LOCAL_PROVIDERS = frozenset({"ollama", "ollama_chat", "lm_studio", "llamafile", "hosted_vllm", "vllm", "llamacpp"})
LOCAL_HOSTNAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "host.docker.internal"})


@dataclass
class ModelProfile:
    name: str
    """The profile's own name (e.g. `local`, `work-claude`)."""
    model: str
    """The litellm model id, `provider/name` (e.g. `openai/gpt-4o`, `ollama_chat/qwen2.5-coder`)."""
    api_base: str | None = None
    """Endpoint URL; None means the provider's default."""
    context_window: int | None = None
    """Tokens the model accepts in one request; None asks litellm's model info, then assumes 8,192."""
    max_output_tokens: int = 2048
    """Tokens reserved for the answer."""
    tool_mode: ToolMode = "native"
    """native: the API's tool calling; text: a validated text protocol; constrained: schema-constrained output."""
    locality: Locality | None = None
    """Derived from the endpoint when None; a profile may only override it towards `cloud`."""
    stream: bool = True
    timeout_s: float = 120.0
    compact_prompt: bool | None = None
    """None: the compact prompt is chosen when the window is small."""
    api_key_name: str | None = None
    """The keyring entry (provider name) that holds this profile's key."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra litellm parameters (temperature, headers, ...), never secrets."""
    input_cost_per_token: float | None = None
    """USD per prompt token, for a cloud model litellm has no price for (else its cost is unknown)."""
    output_cost_per_token: float | None = None
    """USD per completion token, likewise."""
    vision: bool = False
    """The model accepts images (sent as litellm image content parts)."""

    @property
    def configured_price(self) -> dict[str, float] | None:
        """The profile's own price, as litellm's `custom_cost_per_token` wants it; None when not set."""
        if self.input_cost_per_token is None or self.output_cost_per_token is None:
            return None
        return {"input_cost_per_token": self.input_cost_per_token, "output_cost_per_token": self.output_cost_per_token}

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0] if "/" in self.model else "openai"

    def effective_locality(self) -> Locality:
        derived = derive_locality(self.model, self.api_base)
        if self.locality == "cloud" or derived == "cloud":
            return "cloud"
        return "local"


def host_is_local(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOCAL_HOSTNAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback


def derive_locality(model: str, api_base: str | None) -> Locality:
    """Local only when the endpoint is on this machine; anything else counts as cloud."""
    if api_base:
        host = urlparse(api_base).hostname or ""
        return "local" if host_is_local(host) else "cloud"
    provider = model.split("/", 1)[0] if "/" in model else ""
    return "local" if provider in LOCAL_PROVIDERS else "cloud"
