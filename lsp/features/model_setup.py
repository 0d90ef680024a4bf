"""Setting models up from the editor: local engines found on this machine, cloud providers and their
models, profiles saved and removed (the user's TOML keeps its comments), roles, local-only mode, and the
fitness check run with progress. Keys go to the keyring through `store_key`, never into a file."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

from lsp.client_requests import notify_client
from lsp.features import (
    ASSIGN_ROLE,
    DETECT_ENGINES,
    LIST_PROVIDERS,
    MODEL_TEST_PROGRESS,
    PROVIDER_MODELS,
    REMOVE_PROFILE,
    SAVE_PROFILE,
    SET_ESCALATION,
    SET_LOCAL_ONLY,
    TEST_MODEL,
)
from lsp.features.models import EMBEDDED, PROVIDER, config_of, entry_of, key_stored, store_key
from lsp.features.task_methods import require_initialized
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from lsp.protocol import (
        AssignRoleResult,
        DetectEnginesResult,
        FitnessSummary,
        ListProvidersResult,
        ModelEntry,
        ProviderModelsResult,
        RemoveProfileResult,
        SetEscalationResult,
        SetLocalOnlyResult,
    )

PROFILE_FIELDS = {"apiBase": "api_base", "apiKeyName": "api_key_name", "toolMode": "tool_mode", "locality": "locality"}
EDITED = {"model", "context_window", "api_base", "tool_mode", "locality"}
"""What the Models view's form sets; an edited profile keeps the rest of its table (its key name unless a new
one is given, card, vision, prices)."""


def _config_error(error: Exception) -> JsonRpcInvalidParams:
    return JsonRpcInvalidParams(str(error))


async def detect_engines(ls: FlambeauServer, params: Any) -> DetectEnginesResult:
    from agent.errors import ConfigError
    from agent.models.detect import detect_engines as detect
    from agent.models.detect import suggested_name

    Params(DETECT_ENGINES, params)
    require_initialized(ls)
    try:
        engines = await detect()
    except ConfigError as error:
        raise _config_error(error) from None
    found = []
    for engine in engines:
        listed = engine.to_dict()
        for model in listed["models"]:
            model["suggestedName"] = suggested_name(engine.kind, model["id"])
        found.append(listed)
    return {"engines": found}  # type: ignore[typeddict-item]  # Engine.to_dict plus suggestedName


async def list_providers(ls: FlambeauServer, params: Any) -> ListProvidersResult:
    from agent.models.catalog import cloud_providers

    Params(LIST_PROVIDERS, params)
    require_initialized(ls)
    return {"providers": await asyncio.to_thread(cloud_providers)}


async def provider_models(ls: FlambeauServer, params: Any) -> ProviderModelsResult:
    from agent.models.catalog import provider_models as models_of

    provider = Params(PROVIDER_MODELS, params).text("provider")
    if not PROVIDER.match(provider):
        raise JsonRpcInvalidParams(f"{PROVIDER_MODELS}: 'provider' must be a name such as openai or anthropic")
    require_initialized(ls)
    models, stored = await asyncio.gather(
        asyncio.to_thread(models_of, provider), asyncio.to_thread(key_stored, provider)
    )
    return {"provider": provider, "models": models, "keyStored": stored}


def _profile_table(p: Params) -> dict[str, Any]:
    table: dict[str, Any] = {"model": p.text("model")}
    for key, field in PROFILE_FIELDS.items():
        value = p.optional_text(key)
        if value is not None:
            table[field] = value
    window = p.raw.get("contextWindow")
    if window is not None:
        if not isinstance(window, int) or isinstance(window, bool) or window <= 0:
            raise JsonRpcInvalidParams(f"{p.method}: 'contextWindow' must be a positive integer")
        table["context_window"] = window
    return table


async def save_profile(ls: FlambeauServer, params: Any) -> ModelEntry:
    """Add a profile, or edit one (the form's fields are replaced, the rest of its table is kept); a given `key`
    goes to the keyring under the profile's key name first."""
    p = Params(SAVE_PROFILE, params)
    name = p.text("name")
    if name == EMBEDDED or not PROVIDER.match(name):
        raise JsonRpcInvalidParams(f"{SAVE_PROFILE}: 'name' must be a new name of letters, digits, '.', '_' or '-'")
    table = _profile_table(p)
    key = p.optional_text("key")

    def save() -> ModelEntry:
        from agent.errors import ConfigError
        from agent.models.config import profile_from_table, profile_to_table, user_config_path
        from agent.models.config_edit import set_profile

        try:
            existing = config_of(ls).profiles.get(name)
            kept = {k: v for k, v in profile_to_table(existing).items() if k not in EDITED} if existing else {}
            entry = profile_from_table(name, {**kept, **table}, SAVE_PROFILE)
            if key is not None:
                store_key(entry.profile.api_key_name or entry.profile.provider, key.strip())
            set_profile(user_config_path(), name, profile_to_table(entry))
        except ConfigError as error:
            raise _config_error(error) from None
        return entry_of(ls, config_of(ls), name)

    return await asyncio.to_thread(save)


async def remove_profile(ls: FlambeauServer, params: Any) -> RemoveProfileResult:
    name = Params(REMOVE_PROFILE, params).text("name")

    def remove() -> RemoveProfileResult:
        from agent.errors import ConfigError
        from agent.models.config import user_config_path
        from agent.models.config_edit import remove_profile as remove_from

        require_initialized(ls)
        try:
            remove_from(user_config_path(), name)
        except ConfigError as error:
            raise _config_error(error) from None
        if ls.settings.model == name:
            ls.settings.model = None
        return {"removed": name}

    return await asyncio.to_thread(remove)


async def assign_role(ls: FlambeauServer, params: Any) -> AssignRoleResult:
    from agent.models.config import ROLES

    p = Params(ASSIGN_ROLE, params)
    role = p.choice("role", ROLES)
    name = p.text("name")

    def assign() -> AssignRoleResult:
        from agent.models.config import user_config_path
        from agent.models.config_edit import set_role

        config = config_of(ls)
        entry_of(ls, config, name)
        assert role is not None
        set_role(user_config_path(), role, name)
        return {"roles": {**config.roles, role: name}}

    return await asyncio.to_thread(assign)


async def set_local_only(ls: FlambeauServer, params: Any) -> SetLocalOnlyResult:
    """The user's own switch; a workspace that asks for local-only keeps it on whatever the user file says."""
    enabled = Params(SET_LOCAL_ONLY, params).required_flag("enabled")

    def apply() -> SetLocalOnlyResult:
        from agent.models.config import user_config_path
        from agent.models.config_edit import set_local_only as write

        require_initialized(ls)
        write(user_config_path(), enabled)
        restrictions = config_of(ls).restrictions
        return {"localOnly": restrictions.local_only, "source": restrictions.local_only_source}

    return await asyncio.to_thread(apply)


async def set_escalation(ls: FlambeauServer, params: Any) -> SetEscalationResult:
    """`escalate_to` in the user's file: the profile offered, with consent, when a local model keeps failing."""
    p = Params(SET_ESCALATION, params)
    name = p.raw.get("name")
    if name is not None:
        name = p.text("name")

    def apply() -> SetEscalationResult:
        from agent.errors import ConfigError
        from agent.models.config import user_config_path
        from agent.models.config_edit import set_escalation as write

        config = config_of(ls)
        if name is not None:
            entry_of(ls, config, name)
        try:
            write(user_config_path(), name)
        except ConfigError as error:
            raise _config_error(error) from None
        return {"escalateTo": name}

    return await asyncio.to_thread(apply)


async def test_model(ls: FlambeauServer, params: Any) -> FitnessSummary:
    """Run the fitness check of a profile, reporting each step as `flambeau/modelTestProgress`."""
    from agent.errors import ConfigError
    from agent.models.fitness import run_fitness_check
    from agent.models.fitness_record import summary_of

    name = Params(TEST_MODEL, params).text("name")
    config = await asyncio.to_thread(config_of, ls)
    await asyncio.to_thread(entry_of, ls, config, name)
    loop = asyncio.get_running_loop()

    def progress(step: str, done: int, total: int) -> None:
        payload = {"name": name, "step": step, "done": done, "total": total}
        loop.call_soon_threadsafe(notify_client, ls.protocol, MODEL_TEST_PROGRESS, payload)

    try:  # in a worker thread with its own loop: opening a model (the embedded server) blocks
        report = await asyncio.to_thread(asyncio.run, run_fitness_check(name, config, on_progress=progress))
    except ConfigError as error:
        raise _config_error(error) from None
    summary: FitnessSummary = summary_of(report)  # type: ignore[assignment]
    return summary
