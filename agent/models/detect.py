"""Local model engines already running on this machine, found on their usual loopback ports.

Only 127.0.0.1 is probed, each engine on its own default port: Ollama (11434, `/api/tags`),
LM Studio (1234), a llama.cpp server (8080) and vLLM (8000), the last three OpenAI-shaped
(`/v1/models`). `FLAMBEAU_ENGINE_PORTS` (for example `ollama=11500,llamacpp=8081`) moves an engine to
another loopback port; no other host is ever asked.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.errors import ConfigError

HOST = "127.0.0.1"
PORTS_VARIABLE = "FLAMBEAU_ENGINE_PORTS"
PROBE_TIMEOUT_S = 1.0
PROFILE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class EngineKind:
    kind: str
    label: str
    port: int
    shape: str
    """`ollama` (its own API) or `openai` (an OpenAI-compatible `/v1/models`)."""


KINDS = (
    EngineKind("ollama", "Ollama", 11434, "ollama"),
    EngineKind("lmstudio", "LM Studio", 1234, "openai"),
    EngineKind("llamacpp", "llama.cpp server", 8080, "openai"),
    EngineKind("vllm", "vLLM", 8000, "openai"),
)


@dataclass
class EngineModel:
    id: str
    """The engine's own name for the model."""
    model: str
    """The litellm model id a profile uses for it."""
    digest: str = ""
    """The engine's digest of the weights, when it reports one (Ollama)."""


@dataclass
class Engine:
    kind: str
    label: str
    api_base: str
    models: list[EngineModel] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def profile_table(self, model_id: str) -> dict[str, Any]:
        """The models.toml table of a profile for one of this engine's models."""
        for entry in self.models:
            if entry.id == model_id:
                return {"model": entry.model, "api_base": self.api_base}
        raise ConfigError(f"{self.label} at {self.api_base} does not serve a model named {model_id!r}")


def suggested_name(engine: str, model_id: str) -> str:
    """A profile name for a detected model, e.g. `ollama-qwen2.5-coder-7b`."""
    return PROFILE_NAME.sub("-", f"{engine}-{model_id}").strip("-").lower()[:64]


def engine_ports() -> dict[str, int]:
    """Each engine's port: its default, unless `FLAMBEAU_ENGINE_PORTS` moves it."""
    ports = {kind.kind: kind.port for kind in KINDS}
    raw = os.environ.get(PORTS_VARIABLE, "").strip()
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, value = item.partition("=")
        if name not in ports or not value.isdigit() or not 0 < int(value) < 65536:
            known = ", ".join(ports)
            raise ConfigError(f"{PORTS_VARIABLE}: {item!r} is not ENGINE=PORT (engines: {known})")
        ports[name] = int(value)
    return ports


async def detect_engines(timeout_s: float = PROBE_TIMEOUT_S) -> list[Engine]:
    """Every engine that answers on its loopback port, with the models it serves, probed concurrently."""
    import httpx

    ports = engine_ports()
    async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client:
        found = await asyncio.gather(*(_probe(client, kind, ports[kind.kind]) for kind in KINDS))
    return [engine for engine in found if engine is not None]


async def _probe(client: Any, kind: EngineKind, port: int) -> Engine | None:
    import httpx

    root = f"http://{HOST}:{port}"
    try:
        if kind.shape == "ollama":
            response = await client.get(f"{root}/api/tags")
            response.raise_for_status()
            return Engine(kind.kind, kind.label, root, _ollama_models(response.json()))
        response = await client.get(f"{root}/v1/models")
        response.raise_for_status()
        return Engine(kind.kind, kind.label, f"{root}/v1", _openai_models(response.json()))
    except (httpx.HTTPError, ValueError, TypeError, AttributeError):
        return None  # nothing there, or something that is not this engine


def _ollama_models(body: dict[str, Any]) -> list[EngineModel]:
    listed = body["models"]
    return [
        EngineModel(id=str(m["name"]), model=f"ollama_chat/{m['name']}", digest=str(m.get("digest") or ""))
        for m in listed
        if isinstance(m, dict) and m.get("name")
    ]


def _openai_models(body: dict[str, Any]) -> list[EngineModel]:
    listed = body["data"]
    return [
        EngineModel(id=str(m["id"]), model=f"openai/{m['id']}") for m in listed if isinstance(m, dict) and m.get("id")
    ]
