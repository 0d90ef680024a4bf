"""Mentions and images through the language server: the editor's context resolves `@selection`,
`@problems` and `@terminal`; a pasted image reaches a model that declares vision as a content part and
the trace as a blob; what cannot be attached fails `flambeau/startTask` before any task starts."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from agent.trace import list_traces, verify
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace
from tests.lsp_harness import Editor
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
CONTEXT = {
    "selection": {"path": "app.py", "startLine": 2, "endLine": 2, "text": "    return 'hello'"},
    "problems": [{"path": "app.py", "line": 1, "severity": "warning", "message": "missing docstring"}],
    "terminal": {"commandLine": "pytest -q", "output": "1 failed, 2 passed\n", "exitCode": 1},
}


def _profiles(home: Path, server: ScriptedModelServer) -> None:
    config = home / ".config" / "flambeau"
    config.mkdir(parents=True, exist_ok=True)
    (config / "models.toml").write_text(
        f'[profiles.seeing]\nmodel = "openai/scripted"\napi_base = "{server.base_url}"\nvision = true\n'
        f'[profiles.blind]\nmodel = "openai/scripted"\napi_base = "{server.base_url}"\n'
    )


def test_editor_context_and_an_image_reach_the_first_request_and_the_trace(
    workspace: Path, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    _profiles(tmp_path / "home", model_server)
    (workspace / "app.py").write_text("def greet():\n    return 'hello'\n")
    model_server.add(call("attempt_completion", result="explained"))

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task(
            "Why does @selection fail? See @problems, @terminal and the screenshot.",
            model="seeing",
            context=CONTEXT,
            images=[{"name": "screenshot.png", "data": base64.b64encode(PNG).decode()}],
        )
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end
        [attached] = editor.events_of(task_id, "context_attached")
        assert [(i["kind"], i["label"]) for i in attached["items"]] == [
            ("selection", "selection app.py:2"),
            ("problems", "problems (1)"),
            ("terminal", "terminal: pytest -q"),
            ("image", "screenshot.png"),
        ]

    run_editor(workspace, model_server, scenario)
    user = next(m for m in model_server.chat_requests[0].body["messages"] if m["role"] == "user")
    text_part, image_part = user["content"]
    assert "[app.py:2]\n    return 'hello'" in text_part["text"]
    assert "app.py:1: warning: missing docstring" in text_part["text"]
    assert "$ pytest -q (exit code 1)\n1 failed, 2 passed" in text_part["text"]
    assert image_part == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
    }

    [trace] = list_traces(workspace)
    assert verify(trace.path, replay=True).status == "intact"
    record = next(r for r in read_trace(trace.path).records if r is not None and r["kind"] == "context_attached")
    image = record["items"][-1]
    assert image["kind"] == "image" and TraceBlobs(trace.path).get(image["content_blob"]) == PNG


def test_an_image_for_a_profile_without_vision_is_refused_with_the_fix(
    workspace: Path, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    _profiles(tmp_path / "home", model_server)

    async def scenario(editor: Editor) -> None:
        images = [{"name": "shot.png", "data": base64.b64encode(PNG).decode()}]
        task_id = await editor.start_task("What is in the picture?", model="blind", images=images)
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_failed"
        assert "does not declare vision" in end["error"] and "vision = true" in end["error"]
        assert "[profiles.blind]" in end["error"]

    run_editor(workspace, model_server, scenario)
    assert model_server.chat_requests == []


def test_an_unresolvable_mention_fails_start_task_and_no_task_starts(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    async def scenario(editor: Editor) -> None:
        with pytest.raises(JsonRpcException) as error:
            await editor.start_task("Explain @nowhere/missing.py and @terminal", context={})
        assert "the task was not started" in str(error.value)
        assert "@nowhere/missing.py: nowhere/missing.py does not exist" in str(error.value)
        assert "@terminal: the editor sent no terminal output" in str(error.value)
        assert editor.events == []

    run_editor(workspace, model_server, scenario)
    assert model_server.chat_requests == []


def test_a_follow_up_message_attaches_its_mentions_too(workspace: Path, model_server: ScriptedModelServer) -> None:
    (workspace / "app.py").write_text("def greet():\n    return 'hello'\n")
    model_server.add(call("attempt_completion", result="first"), call("attempt_completion", result="second"))

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("Say hi")
        await editor.wait_for_end(task_id)
        with pytest.raises(JsonRpcException, match=r"the message was not sent: could not attach @gone\.py"):
            await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "and @gone.py"})
        await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "Now explain @app.py"})
        await editor.wait_until(lambda: len(editor.events_of(task_id, "task_finished")) == 2)
        [attached] = editor.events_of(task_id, "context_attached")
        assert [i["label"] for i in attached["items"]] == ["app.py"]

    run_editor(workspace, model_server, scenario)
    last = model_server.chat_requests[1].body["messages"][-1]
    assert last["role"] == "user" and last["content"].startswith("Now explain @app.py\n\n<attachment mention=")
    assert "return 'hello'" in last["content"]
