"""Model configuration in TOML: the user's file, and a workspace file that can only narrow it.

User file (`$XDG_CONFIG_HOME/flambeau/models.toml`, default `~/.config/flambeau/models.toml`):

    default = "work"                  # the profile `flambeau run` uses without --model
    local_only = false                # true: cloud profiles are refused
    never_to_cloud = ["secrets/**"]   # files never placed in a request to a cloud model
    escalate_to = "work"              # offered (with approval) when a local model keeps failing

    [roles]                           # main / summarise / commit may each use their own profile
    commit = "local"

    [profiles.work]
    model = "anthropic/claude-sonnet-4-5"
    api_key_name = "anthropic"        # the keyring entry; keys never live in this file

The workspace file (`.flambeau/models.toml` in the project) may only set `local_only = true`, add
`never_to_cloud` globs and restrict `allowed_profiles`: a cloned repository can ask for more
caution, never for less.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast

from agent.errors import ConfigError
from agent.models.profile import ModelProfile, derive_locality

ROLES = ("main", "summarise", "commit")
WORKSPACE_FILE = Path(".flambeau") / "models.toml"
PROFILE_KEYS = {f.name for f in fields(ModelProfile)} - {"name"}
FORBIDDEN_KEYS = {"api_key", "key", "token", "password", "secret"}
TOOL_MODES = ("native", "text", "constrained")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flambeau" / "models.toml"


@dataclass
class ProfileEntry:
    profile: ModelProfile
    """The profile as configured."""
    card: dict[str, Any] = field(default_factory=dict)
    """Openness card fields that override the curated card."""


@dataclass
class Restrictions:
    """What may leave the machine. Each source can only add restrictions."""

    local_only: bool = False
    """Refuse every cloud profile."""
    local_only_source: str = ""
    """Which flag or file turned local-only mode on (for the refusal message)."""
    never_to_cloud: list[str] = field(default_factory=list)
    """Globs (workspace-relative, gitignore style) of files never sent to a cloud model."""
    allowed_profiles: list[str] | None = None
    """When set, only these profiles may be used."""

    def require_local(self, source: str) -> None:
        if not self.local_only:
            self.local_only = True
            self.local_only_source = source


@dataclass
class ModelsConfig:
    profiles: dict[str, ProfileEntry] = field(default_factory=dict)
    """Profiles by name, from the user file."""
    default: str | None = None
    """The profile used when none is named; None means the embedded `local` profile."""
    roles: dict[str, str] = field(default_factory=dict)
    """Role (main, summarise, commit) -> profile name."""
    escalate_to: str | None = None
    """A profile the agent may offer to switch to, with approval, when a local model keeps failing."""
    restrictions: Restrictions = field(default_factory=Restrictions)
    """Local-only mode, never-to-cloud globs, allowed profiles."""
    sources: list[str] = field(default_factory=list)
    """The files this configuration was read from."""


def load_config(workspace: Path | None = None, user_file: Path | None = None) -> ModelsConfig:
    """The user's configuration, narrowed by the workspace's file when `workspace` is given."""
    path = user_file or user_config_path()
    config = ModelsConfig()
    raw = read_toml(path)
    if raw:
        config.sources.append(str(path))
        _apply_user(config, raw, path)
    if workspace is not None:
        ws_path = workspace / WORKSPACE_FILE
        ws_raw = read_toml(ws_path)
        if ws_raw:
            config.sources.append(str(ws_path))
            _apply_workspace(config, ws_raw, ws_path)
    return config


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML ({error}); fix or remove it") from error


def check_user_text(text: str, path: Path) -> None:
    """Raise `ConfigError` unless `text` is a valid user models.toml (checked before the file is replaced)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"the edit would make {path} invalid TOML ({error}); nothing was written") from error
    _apply_user(ModelsConfig(), raw, path)


def _apply_user(config: ModelsConfig, raw: dict[str, Any], path: Path) -> None:
    known = {"default", "local_only", "never_to_cloud", "allowed_profiles", "escalate_to", "roles", "profiles"}
    _reject_unknown(raw, known, str(path))
    config.default = _opt_str(raw, "default", path)
    config.escalate_to = _opt_str(raw, "escalate_to", path)
    if _bool(raw, "local_only", path):
        config.restrictions.require_local(str(path))
    config.restrictions.never_to_cloud = _str_list(raw, "never_to_cloud", path)
    allowed = raw.get("allowed_profiles")
    if allowed is not None:
        config.restrictions.allowed_profiles = _str_list(raw, "allowed_profiles", path)
    roles = raw.get("roles", {})
    if not isinstance(roles, dict):
        raise ConfigError(f"{path}: [roles] must be a table of role = \"profile\"")
    for role, name in roles.items():
        if role not in ROLES or not isinstance(name, str):
            raise ConfigError(f"{path}: roles.{role} — the roles are {', '.join(ROLES)}, each naming a profile")
        config.roles[role] = name
    profiles = raw.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles.NAME] tables expected")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: profiles.{name} must be a table")
        config.profiles[name] = profile_from_table(name, table, str(path))


def _apply_workspace(config: ModelsConfig, raw: dict[str, Any], path: Path) -> None:
    """Only narrowing keys are accepted; anything that could loosen the user's choices is an error."""
    narrowing = {"local_only", "never_to_cloud", "allowed_profiles"}
    loosening = set(raw) - narrowing
    if loosening:
        raise ConfigError(
            f"{path} sets {', '.join(sorted(loosening))}, but a workspace file may only narrow the user's model "
            f"choices ({', '.join(sorted(narrowing))}); move those settings to {user_config_path()}"
        )
    if _bool(raw, "local_only", path):
        config.restrictions.require_local(str(path))
    config.restrictions.never_to_cloud += [
        g for g in _str_list(raw, "never_to_cloud", path) if g not in config.restrictions.never_to_cloud
    ]
    if "allowed_profiles" in raw:
        allowed = _str_list(raw, "allowed_profiles", path)
        current = config.restrictions.allowed_profiles
        config.restrictions.allowed_profiles = allowed if current is None else [p for p in current if p in allowed]


def profile_from_table(name: str, table: dict[str, Any], where: str) -> ProfileEntry:
    secrets = FORBIDDEN_KEYS & set(table)
    if secrets:
        raise ConfigError(
            f"{where}: profiles.{name} has {', '.join(sorted(secrets))}; keys never live in config files. "
            f"Remove it and store the key with 'flambeau keys set PROVIDER' (then api_key_name = \"PROVIDER\")"
        )
    _reject_unknown(table, PROFILE_KEYS | {"card"}, f"{where}: profiles.{name}")
    model = table.get("model")
    if not isinstance(model, str) or "/" not in model:
        raise ConfigError(f"{where}: profiles.{name}.model must be a litellm model id such as \"openai/gpt-4o\"")
    tool_mode = table.get("tool_mode", "native")
    if tool_mode not in TOOL_MODES:
        raise ConfigError(f"{where}: profiles.{name}.tool_mode must be one of {', '.join(TOOL_MODES)}")
    api_base = table.get("api_base")
    locality = table.get("locality")
    if locality not in (None, "local", "cloud"):
        raise ConfigError(f"{where}: profiles.{name}.locality must be \"local\" or \"cloud\"")
    if locality == "local" and derive_locality(model, api_base) == "cloud":
        raise ConfigError(
            f"{where}: profiles.{name} sets locality = \"local\" but its endpoint ({api_base or model}) is not on "
            "this machine; locality can only be overridden towards \"cloud\""
        )
    values = {k: v for k, v in table.items() if k in PROFILE_KEYS}
    card = table.get("card", {})
    if not isinstance(card, dict):
        raise ConfigError(f"{where}: profiles.{name}.card must be a table")
    try:
        profile = ModelProfile(name=name, **values)
    except TypeError as error:
        raise ConfigError(f"{where}: profiles.{name}: {error}") from error
    for key, kind in (("context_window", int), ("max_output_tokens", int)):
        value = getattr(profile, key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool) or value <= 0):
            raise ConfigError(f"{where}: profiles.{name}.{key} must be a positive integer")
    if not isinstance(profile.vision, bool):
        raise ConfigError(f"{where}: profiles.{name}.vision must be true or false")
    for key in ("input_cost_per_token", "output_cost_per_token"):
        value = getattr(profile, key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool) or value < 0):
            raise ConfigError(f"{where}: profiles.{name}.{key} must be a price in USD per token (a number ≥ 0)")
    return ProfileEntry(profile=profile, card=cast(dict[str, Any], card))


def profile_to_table(entry: ProfileEntry) -> dict[str, Any]:
    """The TOML table for a profile: only fields that differ from the defaults."""
    defaults = ModelProfile(name="", model="")
    table: dict[str, Any] = {"model": entry.profile.model}
    for f in fields(ModelProfile):
        if f.name in ("name", "model"):
            continue
        value = getattr(entry.profile, f.name)
        if value is not None and value != getattr(defaults, f.name):
            table[f.name] = value
    if entry.card:
        table["card"] = dict(entry.card)
    return table


def _reject_unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    unknown = set(table) - known
    if unknown:
        names, allowed = ", ".join(sorted(unknown)), ", ".join(sorted(known))
        raise ConfigError(f"{where}: unknown setting(s) {names}; known: {allowed}")


def _opt_str(raw: dict[str, Any], key: str, path: Path) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{path}: {key} must be a string")
    return value


def _bool(raw: dict[str, Any], key: str, path: Path) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be true or false")
    return value


def _str_list(raw: dict[str, Any], key: str, path: Path) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return list(value)
