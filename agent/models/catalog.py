"""Cloud providers and their models, as litellm knows them (its bundled model map: no network).

A provider's list is what litellm's local cost map holds for it; a model it does not list can still
be typed by hand (`provider/model`), which is what the panel offers next to the list.
"""

from __future__ import annotations

from typing import Any

from agent.models.gateway import import_litellm
from agent.models.profile import LOCAL_PROVIDERS

FIRST = ("anthropic", "openai", "gemini", "mistral", "openrouter", "groq", "deepseek", "xai", "azure", "bedrock")
"""Shown first: the providers most people bring a key for."""


def _name(provider: Any) -> str:
    return str(getattr(provider, "value", provider))


def cloud_providers() -> list[str]:
    """Every litellm provider that is not a local engine, the common ones first."""
    litellm = import_litellm()
    names = {_name(p) for p in litellm.provider_list} - set(LOCAL_PROVIDERS) - {"custom", "custom_openai", "ollama"}
    first = [p for p in FIRST if p in names]
    return first + sorted(names - set(first))


def provider_models(provider: str) -> list[str]:
    """The litellm model ids (`provider/model`) litellm lists for `provider`, sorted; empty when it lists none."""
    litellm = import_litellm()
    listed = litellm.models_by_provider.get(provider) or []
    ids = {name if name.startswith(f"{provider}/") else f"{provider}/{name}" for name in listed}
    return sorted(ids)
