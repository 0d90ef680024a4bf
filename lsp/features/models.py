"""flambeau/listModels, selectModel, setKey. The key goes to the keyring and never comes back out."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from lsp.features import LIST_MODELS, SELECT_MODEL, SET_KEY
from lsp.params import Params
from lsp.server import FlambeauServer

PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def profile_entry(profile: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": profile.name,
        "model": profile.model,
        "locality": profile.effective_locality(),
    }
    return entry


def _resolve(ls: FlambeauServer, name: str) -> Any:
    from agent.errors import ConfigError
    from agent.models import resolve_profile

    api_base = ls.settings.api_base if "/" in name else None
    try:
        return resolve_profile(name, api_base=api_base)
    except ConfigError as error:
        raise JsonRpcInvalidParams(str(error)) from error


def _listing(ls: FlambeauServer) -> dict[str, Any]:
    current = ls.settings.model
    profiles = [profile_entry(_resolve(ls, current))] if current else []
    return {"current": current, "profiles": profiles}


async def list_models(ls: FlambeauServer, params: Any) -> dict[str, Any]:
    Params(LIST_MODELS, params)
    return await asyncio.to_thread(_listing, ls)


async def select_model(ls: FlambeauServer, params: Any) -> dict[str, Any]:
    name = Params(SELECT_MODEL, params).text("name")
    profile = await asyncio.to_thread(_resolve, ls, name)
    ls.settings.model = name
    return {"current": name, "locality": profile.effective_locality()}


async def set_key(ls: FlambeauServer, params: Any) -> dict[str, Any]:
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
