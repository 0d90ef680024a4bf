"""Setting models up through the language server, as the Models view does: first run, engines found on
loopback, a cloud profile with its key (found nowhere on disk but the keyring backend), roles, local-only,
the fitness check with progress, the choice surviving a restart, a switch mid-task, escalation consent."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcInvalidParams

from agent.secret_store import get_secret
from agent.trace.layout import traces_dir
from tests.lsp_harness import Editor, start_editor, stop_editor
from tests.provider_servers import OLLAMA_DIGEST, OllamaServer
from tests.scripted_server import Reply, ScriptedModelServer, call

Scenario = Any


def trace_records(workspace: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for path in traces_dir(workspace).glob("*.jsonl") for line in path.read_text().splitlines()
    ]


def user_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "models.toml"


def write_user_file(text: str) -> None:
    user_file().parent.mkdir(parents=True, exist_ok=True)
    user_file().write_text(text)


def run(workspace: Path, scenario: Scenario, init: dict[str, Any] | None = None) -> None:
    async def main() -> None:
        editor, _ = await start_editor(workspace, workspace.parent / "server.log", init_options=init or {})
        try:
            await scenario(editor)
        finally:
            await stop_editor(editor)

    asyncio.run(main())


@pytest.fixture
def ollama() -> Iterator[OllamaServer]:
    with OllamaServer() as server:
        yield server


def test_first_run_finds_a_local_engine_and_a_task_runs_on_it(
    workspace: Path, ollama: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAMBEAU_ENGINE_PORTS", f"ollama={ollama.port},lmstudio=9,llamacpp=9,vllm=9")
    ollama.add(call("attempt_completion", result="hello from ollama"))

    async def scenario(editor: Editor) -> None:
        listed = await editor.request("flambeau/listModels", {})
        assert listed["firstRun"] is True and listed["current"] == "local"
        assert listed["profiles"][0]["name"] == "local" and listed["profiles"][0]["locality"] == "local"
        engines = (await editor.request("flambeau/detectEngines", {}))["engines"]
        assert [e["kind"] for e in engines] == ["ollama"]
        found = engines[0]["models"][0]
        assert found["digest"] == OLLAMA_DIGEST and found["suggestedName"] == "ollama-qwen2.5-coder-7b"
        saved = await editor.request(
            "flambeau/saveProfile",
            {"name": found["suggestedName"], "model": found["model"], "apiBase": engines[0]["api_base"]},
        )
        assert saved["locality"] == "local" and saved["provenance"]["digest"] == OLLAMA_DIGEST
        await editor.request("flambeau/selectModel", {"name": found["suggestedName"]})
        task_id = await editor.start_task("say hello")
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_finished" and end["outcome"] == "completed"

    run(workspace, scenario)
    assert "/api/chat" in [r.path for r in ollama.requests]
    assert 'default = "ollama-qwen2.5-coder-7b"' in user_file().read_text()


def test_a_cloud_profile_is_added_with_its_key_which_lives_only_in_the_keyring(workspace: Path) -> None:
    key = "sk-ant-view-0123456789abcdefXYZ"
    write_user_file('# my own notes stay\n[profiles.keep]\nmodel = "openai/gpt-4o"  # a comment\n')

    async def scenario(editor: Editor) -> None:
        providers = (await editor.request("flambeau/listProviders", {}))["providers"]
        assert providers[:2] == ["anthropic", "openai"] and "ollama_chat" not in providers
        listed = await editor.request("flambeau/providerModels", {"provider": "anthropic"})
        assert listed["keyStored"] is False and any(m.startswith("anthropic/claude") for m in listed["models"])
        with pytest.raises(JsonRpcInvalidParams, match="'provider'"):
            await editor.request("flambeau/providerModels", {"provider": "../x"})
        model = listed["models"][0]
        saved = await editor.request("flambeau/saveProfile", {"name": "work", "model": model, "key": key})
        assert saved["locality"] == "cloud" and saved["keyStored"] is True and saved["keyName"] == "anthropic"
        assert (await editor.request("flambeau/providerModels", {"provider": "anthropic"}))["keyStored"] is True
        with pytest.raises(JsonRpcInvalidParams, match=r"'name' must be a new name"):
            await editor.request("flambeau/saveProfile", {"name": "local", "model": model})
        roles = await editor.request("flambeau/assignRole", {"role": "commit", "name": "work"})
        assert roles["roles"] == {"commit": "work"}
        with pytest.raises(JsonRpcInvalidParams, match="no model profile named 'ghost'"):
            await editor.request("flambeau/assignRole", {"role": "summarise", "name": "ghost"})
        by_name = {p["name"]: p for p in (await editor.request("flambeau/listModels", {}))["profiles"]}
        assert by_name["work"]["roles"] == ["commit"] and by_name["keep"]["roles"] == []
        assert (await editor.request("flambeau/removeProfile", {"name": "keep"})) == {"removed": "keep"}
        assert all(e.get("event", {}).get("type") != "error" for e in editor.events)
        assert key not in json.dumps(editor.events)

    run(workspace, scenario)
    text = user_file().read_text()
    assert "# my own notes stay" in text and "[profiles.keep]" not in text and 'commit = "work"' in text
    assert get_secret("anthropic") == key
    forms = (key.encode(), base64.b64encode(key.encode()))  # keyrings.alt's file backend stores base64
    holding = [p for p in workspace.parent.rglob("*") if p.is_file() and any(f in p.read_bytes() for f in forms)]
    keyring_dir = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring"
    assert holding and all(keyring_dir in p.parents for p in holding), holding


def test_local_only_is_the_users_switch_and_a_workspace_can_only_turn_it_on(workspace: Path) -> None:
    write_user_file('[profiles.work]\nmodel = "anthropic/claude-sonnet-4-5"\n')

    async def scenario(editor: Editor) -> None:
        for unclear in ({"enabled": None}, {}, {"enabled": "yes"}):
            with pytest.raises(JsonRpcInvalidParams, match="'enabled' is required and must be true or false"):
                await editor.request("flambeau/setLocalOnly", unclear)
        assert "local_only" not in (user_file().read_text() if user_file().exists() else "")
        on = await editor.request("flambeau/setLocalOnly", {"enabled": True})
        assert on["localOnly"] is True
        listed = await editor.request("flambeau/listModels", {})
        assert listed["restrictions"]["userLocalOnly"] is True and listed["restrictions"]["localOnlyLocked"] is False
        assert {p["name"]: p["usable"] for p in listed["profiles"]}["work"] is False
        (workspace / ".flambeau").mkdir()
        (workspace / ".flambeau" / "models.toml").write_text("local_only = true\n")
        off = await editor.request("flambeau/setLocalOnly", {"enabled": False})
        assert off["localOnly"] is True and off["source"].endswith(".flambeau/models.toml")
        listed = await editor.request("flambeau/listModels", {})
        assert listed["restrictions"]["localOnlyLocked"] is True and listed["restrictions"]["userLocalOnly"] is False

    run(workspace, scenario)
    assert "local_only" not in user_file().read_text()


def test_the_fitness_check_runs_from_the_view_with_progress_and_is_remembered(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    write_user_file(f'[profiles.small]\nmodel = "openai/scripted"\napi_base = "{model_server.base_url}"\n')
    model_server.add(
        Reply(text="OK"),
        call("run_command", command="echo fitness-check-ok"),
        call("attempt_completion", result="ran"),
        call("write_file", path="hello.txt", content="Hello\n"),
        call("attempt_completion", result="created"),
        Reply(text="I am not sure what to do."),
        Reply(text="Still unsure."),
        Reply(text="Giving up."),
    )

    async def scenario(editor: Editor) -> None:
        progress: list[dict[str, Any]] = []

        @editor.client.feature("flambeau/modelTestProgress")
        def on_progress(params: Any) -> None:
            progress.append(params)

        summary = await editor.request("flambeau/testModel", {"name": "small"})
        assert summary["reachable"] is True and summary["correctEdits"] == 1 and summary["edits"] == 2
        assert [t["name"] for t in summary["tasks"]] == ["run", "create", "edit"]
        await editor.wait_until(lambda: any(p["step"] == "done" for p in progress))
        assert [p["step"] for p in progress] == ["reach", "run", "create", "edit", "done"]
        entry = next(p for p in (await editor.request("flambeau/listModels", {}))["profiles"] if p["name"] == "small")
        assert entry["fitness"]["correctEdits"] == 1 and entry["fitness"]["wellFormed"] >= 3

    run(workspace, scenario)


def test_the_chosen_profile_survives_a_server_restart(workspace: Path, model_server: ScriptedModelServer) -> None:
    write_user_file(f'[profiles.a]\nmodel = "openai/scripted"\napi_base = "{model_server.base_url}"\n')

    async def choose(editor: Editor) -> None:
        assert (await editor.request("flambeau/selectModel", {"name": "a"}))["current"] == "a"

    async def after_restart(editor: Editor) -> None:
        assert (await editor.request("flambeau/listModels", {}))["current"] == "a"

    run(workspace, choose)
    run(workspace, after_restart)


def test_switching_during_a_task_applies_from_the_next_step_and_is_in_the_trace(workspace: Path) -> None:
    with ScriptedModelServer() as first, ScriptedModelServer() as second:
        write_user_file(
            f'[profiles.a]\nmodel = "openai/first"\napi_base = "{first.base_url}"\n'
            f'[profiles.b]\nmodel = "openai/second"\napi_base = "{second.base_url}"\n'
        )
        first.add(call("run_command", command="echo step-one"))
        second.add(call("attempt_completion", result="finished on b"))

        async def scenario(editor: Editor) -> None:
            held = asyncio.Event()  # the step waits for its approval while the model is switched
            editor.approval_answers.append(held)
            task_id = await editor.start_task("two steps", model="a", approvalMode="ask")
            await editor.wait_until(lambda: bool(editor.approval_requests))
            switched = await editor.request("flambeau/selectModel", {"name": "b", "taskId": task_id})
            assert switched["switchedTask"] == task_id
            held.set()
            end = await editor.wait_for_end(task_id)
            assert end["type"] == "task_finished" and end["result"] == "finished on b", end
            changed = editor.events_of(task_id, "model_changed")
            assert changed and changed[0]["previous_profile"] == "a" and changed[0]["profile"] == "b"

        run(workspace, scenario)
        assert len(first.chat_requests) == 1 and len(second.chat_requests) == 1
        tool_turns = [m for m in second.chat_requests[0].body["messages"] if m["role"] == "tool"]
        assert any(
            "answered late" in m["content"] for m in tool_turns
        )  # the step begun on a, finished, then b took over
    changes = [r["data"] for r in trace_records(workspace) if r.get("event_type") == "model_changed"]
    assert [(c["previous_profile"], c["profile"], c["model"]) for c in changes] == [("a", "b", "openai/second")]


@pytest.mark.parametrize("answer", ["approve", "deny"])
def test_escalation_is_offered_in_the_editor_and_honoured_both_ways(workspace: Path, answer: str) -> None:
    with ScriptedModelServer() as small, ScriptedModelServer() as cloud:
        write_user_file(
            'escalate_to = "work"\n'
            f'[profiles.small]\nmodel = "openai/small"\napi_base = "{small.base_url}"\ntool_mode = "text"\n'
            f'[profiles.work]\nmodel = "openai/big"\napi_base = "{cloud.base_url}"\nlocality = "cloud"\n'
        )
        small.add(*[Reply(text="hmm, maybe?") for _ in range(3)])
        # After a refusal a follow-up carries on locally, with a fresh count of unusable calls.
        done = json.dumps({"name": "attempt_completion", "arguments": {"result": "carried on locally"}})
        small.add(Reply(text="still unsure"), Reply(text=f"<tool_call>{done}</tool_call>"))
        cloud.add(call("attempt_completion", result="done by the cloud model"))

        async def scenario(editor: Editor) -> None:
            editor.approval_answers.append({"decision": answer})
            task_id = await editor.start_task("fix it", model="small", approvalMode="auto-all")
            await editor.wait_until(lambda: editor.ended(task_id) and bool(editor.approval_requests))
            asked = editor.approval_requests[0]["event"]
            assert asked["category"] == "model" and asked["arguments"]["to"] == "work"
            assert "sent to openai" in asked["preview"]
            if answer == "approve":
                await editor.wait_until(lambda: bool(editor.events_of(task_id, "task_finished")))
                finished = editor.events_of(task_id, "task_finished")[-1]
                assert finished["result"] == "done by the cloud model"
            await editor.wait_until(
                lambda: any(e["tool"] == "escalate_model" for e in editor.events_of(task_id, "approval_decided"))
            )
            decided = [e for e in editor.events_of(task_id, "approval_decided") if e["tool"] == "escalate_model"]
            assert len(decided) == 1 and decided[0]["approved"] is (answer == "approve")
            if answer == "deny":
                await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "carry on here"})
                results = lambda: [e["result"] for e in editor.events_of(task_id, "task_finished")]  # noqa: E731
                await editor.wait_until(lambda: "carried on locally" in results())

        run(workspace, scenario)
        assert len(cloud.chat_requests) == (1 if answer == "approve" else 0)
    records = trace_records(workspace)
    offer = next(r for r in records if r["kind"] == "approval_request" and r["tool"] == "escalate_model")
    assert "sent to openai" in offer["preview"]
    decision = next(r for r in records if r["kind"] == "approval" and r["tool"] == "escalate_model")
    assert decision["approved"] is (answer == "approve") and decision["by"] == "user"


def test_the_server_exits_when_told_even_with_a_fitness_check_blocked_on_its_model(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    """A worker thread blocked on a model that does not answer (here: the fitness check's first request,
    held) must not keep the server alive after `exit`: the editor restarts it, or the window closes."""
    import threading

    write_user_file(f'[profiles.slow]\nmodel = "openai/scripted"\napi_base = "{model_server.base_url}"\n')
    held = threading.Event()
    model_server.add(Reply(text="OK", wait_for=held))

    async def scenario(editor: Editor) -> None:
        check = asyncio.ensure_future(editor.request("flambeau/testModel", {"name": "slow"}))
        assert await asyncio.to_thread(model_server.wait_for_requests, 1, 600.0)  # the worker thread now waits
        await stop_editor(editor)  # shutdown, exit, and the process must end: held is never set before
        check.cancel()

    try:
        run(workspace, scenario)
    finally:
        held.set()


def test_escalation_is_chosen_from_the_view_and_an_edit_keeps_what_the_form_does_not_show(workspace: Path) -> None:
    write_user_file(
        '# mine\n[profiles.work]\nmodel = "anthropic/claude-sonnet-4-5"\nvision = true\napi_key_name = "team"\n'
        '[profiles.work.card]\nlicence = "my notes"\n'
    )

    async def scenario(editor: Editor) -> None:
        assert await editor.request("flambeau/setEscalation", {"name": "work"}) == {"escalateTo": "work"}
        assert (await editor.request("flambeau/listModels", {}))["escalateTo"] == "work"
        with pytest.raises(JsonRpcInvalidParams, match="no model profile named 'ghost'"):
            await editor.request("flambeau/setEscalation", {"name": "ghost"})
        edited = await editor.request(
            "flambeau/saveProfile", {"name": "work", "model": "anthropic/claude-haiku-4-5", "toolMode": "text"}
        )
        assert edited["model"] == "anthropic/claude-haiku-4-5" and edited["toolMode"] == "text"
        assert edited["openness"]["licence"] == "my notes"
        assert await editor.request("flambeau/setEscalation", {"name": None}) == {"escalateTo": None}

    run(workspace, scenario)
    text = user_file().read_text()
    assert "# mine" in text and "escalate_to" not in text and "vision = true" in text
    assert 'tool_mode = "text"' in text and 'licence = "my notes"' in text and 'api_key_name = "team"' in text
