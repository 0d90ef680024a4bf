"""flambeau/listModels, selectModel, setKey. The key goes to the keyring and never comes back out."""

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


def _config(ls: FlambeauServer) -> Any:
    from agent.models.config import load_config

    require_initialized(ls)
    return load_config(ls.settings.workspace)


def _current(ls: FlambeauServer, config: Any) -> str:
    from agent.models.resolve import chosen_name

    name: str = chosen_name(config, ls.settings.model)
    return name


def _entry(ls: FlambeauServer, config: Any, name: str) -> ModelEntry:
    """One profile as the editor lists it; raises `JsonRpcInvalidParams` for a name that is no profile."""
    from agent.errors import ConfigError
    from agent.models.openness import card_for
    from agent.models.resolve import configured_profile

    if name == EMBEDDED and name not in config.profiles:
        return {"name": name, "model": "embedded (llama.cpp)", "locality": "local"}
    try:
        entry = configured_profile(config, name)
    except ConfigError as error:
        raise JsonRpcInvalidParams(str(error)) from error
    profile = entry.profile
    if "/" in name and ls.settings.api_base and profile.api_base is None:
        profile.api_base = ls.settings.api_base
    return {
        "name": name,
        "model": profile.model,
        "locality": profile.effective_locality(),
        "openness": card_for(profile.model, entry.card).to_dict(),
    }


def _listing(ls: FlambeauServer) -> ListModelsResult:
    config = _config(ls)
    current = _current(ls, config)
    names = [*config.profiles]
    if current not in names:
        names.insert(0, current)
    return {"current": current, "profiles": [_entry(ls, config, name) for name in names]}


def _select(ls: FlambeauServer, name: str) -> SelectModelResult:
    entry = _entry(ls, _config(ls), name)
    ls.settings.model = name
    return {"current": name, "locality": entry["locality"]}


async def list_models(ls: FlambeauServer, params: Any) -> ListModelsResult:
    Params(LIST_MODELS, params)
    return await asyncio.to_thread(_listing, ls)


async def select_model(ls: FlambeauServer, params: Any) -> SelectModelResult:
    name = Params(SELECT_MODEL, params).text("name")
    return await asyncio.to_thread(_select, ls, name)


async def set_key(ls: FlambeauServer, params: Any) -> SetKeyResult:
    p = Params(SET_KEY, params)
    provider = p.text("provider")
    if not PROVIDER.match(provider):
        raise JsonRpcInvalidParams(f"{SET_KEY}: 'provider' must be a name such as openai or anthropic")
    key = p.text("key")

    def store() -> None:
        from agent.secret_store import SecretStoreError, set_secret

        try:
            set_secret(provider, key)
        except SecretStoreError as error:
            raise JsonRpcInternalError(f"the key for {provider} was not stored: {error}") from None

    await asyncio.to_thread(store)
    return {"stored": True}
