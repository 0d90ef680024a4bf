"""Resolving the model a user named — a profile, a litellm model id, or the embedded `local` default —
into a ready profile with its openness card, provenance and key, refusing what the restrictions forbid
before anything is sent or started."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from agent.errors import ConfigError
from agent.models.config import ModelsConfig, ProfileEntry, Restrictions, load_config
from agent.models.openness import OpennessCard, card_for
from agent.models.profile import ModelProfile, ToolMode, derive_locality

EMBEDDED_NAME = "local"
OLLAMA_PROVIDERS = ("ollama", "ollama_chat")
OLLAMA_DEFAULT_BASE = "http://localhost:11434"


@dataclass
class ResolvedModel:
    profile: ModelProfile
    """The profile to use, with its real window when a local server reported one."""
    card: OpennessCard
    """Licence and openness of the model."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """Which weights answer (GGUF SHA-256, Ollama digest); cloud calls add model version and fingerprint."""
    api_key: str | None = None
    """The key from keyring; None lets litellm read its usual environment variables."""
    restrictions: Restrictions = field(default_factory=Restrictions)
    """Local-only mode and never-to-cloud globs that apply to this task."""
    notices: list[str] = field(default_factory=list)
    """What the user should know about how the model was started (e.g. a crashed start retried)."""


def chosen_name(config: ModelsConfig, explicit: str | None, role: str = "main") -> str:
    """An explicit --model wins; then the role's profile; then the default; then the embedded model."""
    return explicit or config.roles.get(role) or config.default or EMBEDDED_NAME


def configured_profile(config: ModelsConfig, name: str) -> ProfileEntry:
    """The profile named `name`: configured, or a litellm model id used as is."""
    allowed = config.restrictions.allowed_profiles
    if allowed is not None and name not in allowed:
        raise ConfigError(
            f"profile {name!r} is not allowed here; the workspace allows only: {', '.join(allowed) or '(none)'}"
        )
    if name in config.profiles:
        return copy.deepcopy(config.profiles[name])
    if "/" in name:
        return ProfileEntry(profile=ModelProfile(name=name, model=name))
    known = ", ".join([EMBEDDED_NAME, *config.profiles])
    raise ConfigError(
        f"no model profile named {name!r}; the profiles are: {known}. Add one with "
        "'flambeau models add NAME --model PROVIDER/MODEL', or pass a litellm id such as openai/gpt-4o"
    )


def refuse_if_cloud(profile: ModelProfile, restrictions: Restrictions) -> None:
    """In local-only mode a cloud profile is refused before a single byte leaves the machine."""
    if not restrictions.local_only or profile.effective_locality() == "local":
        return
    if derive_locality(profile.model, profile.api_base) == "cloud":
        why = f"its endpoint {profile.api_base or f'(the {profile.provider} API)'} is not on this machine"
    else:
        why = 'its locality is set to "cloud"'
    raise ConfigError(
        f"refused: profile {profile.name!r} ({profile.model}) is a cloud model — {why} — and local-only mode is on "
        f"(set by {restrictions.local_only_source}). Nothing was sent. Choose a local profile "
        "(see 'flambeau models list')."
    )


def resolve_profile(
    name: str | None,
    *,
    api_base: str | None = None,
    tool_mode: ToolMode | None = None,
    context_window: int | None = None,
    config: ModelsConfig | None = None,
) -> ModelProfile:
    """A configured profile or litellm id, with overrides; the embedded model needs `open_model`."""
    config = config if config is not None else load_config()
    chosen = chosen_name(config, name)
    if chosen == EMBEDDED_NAME and EMBEDDED_NAME not in config.profiles:
        raise ConfigError(
            "the embedded 'local' model is started by open_model(); pass a profile name or a litellm id such as "
            "--model openai/NAME --api-base http://127.0.0.1:8080/v1"
        )
    profile = configured_profile(config, chosen).profile
    _override(profile, api_base, tool_mode, context_window)
    return profile


@contextmanager
def open_model(
    name: str | None,
    *,
    config: ModelsConfig,
    api_base: str | None = None,
    tool_mode: ToolMode | None = None,
    context_window: int | None = None,
    role: str = "main",
    local_only_flag: bool = False,
) -> Iterator[ResolvedModel]:
    """The ready model for one task; the embedded server (if used) runs until the block ends."""
    restrictions = copy.deepcopy(config.restrictions)
    if local_only_flag:
        restrictions.require_local("--local-only")
    chosen = chosen_name(config, name, role)
    with ExitStack() as stack:
        if chosen == EMBEDDED_NAME and EMBEDDED_NAME not in config.profiles:
            allowed = restrictions.allowed_profiles
            if allowed is not None and EMBEDDED_NAME not in allowed:
                listed = ", ".join(allowed) or "(none)"
                raise ConfigError(f"profile 'local' is not allowed here; the workspace allows only: {listed}")
            from agent.models.embedded import EmbeddedServer
            from agent.models.provenance import gguf_provenance

            server = stack.enter_context(EmbeddedServer())
            profile = server.profile()
            _override(profile, None, tool_mode, context_window)
            assert server.model_path is not None
            provenance = {**gguf_provenance(server.model_path), "runtime": server.runtime}
            yield ResolvedModel(profile, card_for(profile.model), provenance, None, restrictions, server.notices)
            return
        entry = configured_profile(config, chosen)
        profile = entry.profile
        _override(profile, api_base, tool_mode, context_window)
        refuse_if_cloud(profile, restrictions)
        provenance = _probe_local(profile)
        yield ResolvedModel(profile, card_for(profile.model, entry.card), provenance, _key_for(profile), restrictions)


def _override(
    profile: ModelProfile, api_base: str | None, tool_mode: ToolMode | None, context_window: int | None
) -> None:
    if api_base is not None:
        profile.api_base = api_base
    if tool_mode is not None:
        profile.tool_mode = tool_mode
    if context_window is not None:
        profile.context_window = context_window


def _probe_local(profile: ModelProfile) -> dict[str, Any]:
    """For a local server: its real window (sent to Ollama as num_ctx) and the model's digest."""
    if profile.effective_locality() != "local":
        return {}
    from agent.models.local_probe import llama_server_window, ollama_window

    if profile.provider in OLLAMA_PROVIDERS:
        from agent.models.provenance import ollama_provenance

        base = profile.api_base or OLLAMA_DEFAULT_BASE
        window = profile.context_window or ollama_window(base, profile.model)
        if window:
            profile.context_window = window
            profile.extra.setdefault("num_ctx", window)
        return ollama_provenance(base, profile.model)
    if not profile.api_base:
        return {}
    if profile.context_window is None:
        profile.context_window = llama_server_window(profile.api_base)
    return {}


def _key_for(profile: ModelProfile) -> str | None:
    """The keyring entry named by the profile, else the one named after its provider."""
    from agent.secret_store import SecretStoreError, get_secret

    name = profile.api_key_name or profile.provider
    if profile.effective_locality() == "local" and profile.api_key_name is None:
        return None
    try:
        return get_secret(name)
    except SecretStoreError:
        return None
