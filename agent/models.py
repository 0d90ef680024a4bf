"""Resolving the model a user named: a profile name or a litellm model id."""

from __future__ import annotations

from agent.errors import ConfigError
from agent.profile import ModelProfile, ToolMode


def resolve_profile(
    name: str | None,
    *,
    api_base: str | None = None,
    tool_mode: ToolMode | None = None,
    context_window: int | None = None,
) -> ModelProfile:
    """A profile for `name`; a name with a `/` is taken as a litellm model id."""
    if name is None or "/" not in name:
        raise ConfigError(
            f"no model profile named {name or 'local'!r}; pass a litellm model id such as "
            "--model openai/NAME --api-base http://127.0.0.1:8080/v1"
        )
    profile = ModelProfile(name=name, model=name, api_base=api_base)
    if tool_mode is not None:
        profile.tool_mode = tool_mode
    if context_window is not None:
        profile.context_window = context_window
    return profile
