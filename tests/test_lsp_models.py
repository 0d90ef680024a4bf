"""Model profiles and keys through the language server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcInvalidParams

from agent.secret_store import get_secret
from tests.lsp_harness import Editor
from tests.scripted_server import ScriptedModelServer
from tests.test_lsp_tasks import run_editor

MODELS_TOML = """
[profiles.work]
model = "anthropic/claude-sonnet-4-5"
api_key_name = "anthropic"
"""


def write_user_models() -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau"
    folder.mkdir(parents=True)
    (folder / "models.toml").write_text(MODELS_TOML)


def test_models_are_listed_and_selected(workspace: Path, model_server: ScriptedModelServer) -> None:
    write_user_models()

    async def scenario(editor: Editor) -> None:
        listed = await editor.request("flambeau/listModels", {})
        assert listed["current"] == "openai/scripted"
        by_name = {p["name"]: p for p in listed["profiles"]}
        assert by_name["openai/scripted"]["locality"] == "local"
        assert by_name["work"]["model"] == "anthropic/claude-sonnet-4-5" and by_name["work"]["locality"] == "cloud"
        assert by_name["work"]["openness"]["category"] == "proprietary"

        assert await editor.request("flambeau/selectModel", {"name": "work"}) == {
            "current": "work",
            "locality": "cloud",
        }
        assert (await editor.request("flambeau/listModels", {}))["current"] == "work"
        with pytest.raises(JsonRpcInvalidParams, match="no model profile named 'nope'"):
            await editor.request("flambeau/selectModel", {"name": "nope"})
        assert (await editor.request("flambeau/listModels", {}))["current"] == "work"

    run_editor(workspace, model_server, scenario)


def test_a_key_goes_to_the_keyring_and_never_comes_back(workspace: Path, model_server: ScriptedModelServer) -> None:
    key = "sk-ant-test-0123456789abcdef"

    async def scenario(editor: Editor) -> None:
        assert await editor.request("flambeau/setKey", {"provider": "anthropic", "key": key}) == {"stored": True}
        with pytest.raises(JsonRpcInvalidParams, match="provider"):
            await editor.request("flambeau/setKey", {"provider": "../etc", "key": key})
        with pytest.raises(JsonRpcInvalidParams, match="'key'"):
            await editor.request("flambeau/setKey", {"provider": "openai", "key": ""})
        assert all(key not in str(n) for n in editor.events)

    run_editor(workspace, model_server, scenario)
    assert get_secret("anthropic") == key
    assert key not in (workspace.parent / "server.log").read_text()


def test_a_task_with_an_unknown_model_fails_with_a_message_that_names_the_fix(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("anything", model="nope")
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_failed"
        assert "no model profile named 'nope'" in end["error"] and "flambeau models add" in end["error"]
        assert model_server.chat_requests == []

    run_editor(workspace, model_server, scenario)
