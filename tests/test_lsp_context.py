"""Context and commit messages over LSP, by a real client over stdio: Condense now (flambeau/condense and the
flambeau.condense command) with the `summarise` role on its own scripted server, `context_usage` events, and
flambeau/generateCommitMessage over a real git repository with the `commit` role on its own server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from agent.trace import find_trace, read_trace, verify
from tests.lsp_harness import Editor
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.test_condensation import SUMMARY_SYSTEM, call_ids, write_roles
from tests.test_lsp_tasks import run_editor


@pytest.fixture
def second_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


def git(workspace: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    done = subprocess.run(["git", "-C", str(workspace), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def repository(workspace: Path) -> None:
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "config", "user.name", "t")
    git(workspace, "config", "user.email", "t@example.invalid")
    (workspace / "hello.txt").write_text("hello\n")
    (workspace / ".gitignore").write_text(".flambeau/\n")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "first")


async def command(editor: Editor, name: str, *arguments: object) -> object:
    params = types.ExecuteCommandParams(command=name, arguments=list(arguments))
    return await editor.request(types.WORKSPACE_EXECUTE_COMMAND, params)


def test_condense_now_on_a_task_uses_the_summarise_role_and_the_follow_up_sends_the_summary(
    workspace: Path, model_server: ScriptedModelServer, second_server: ScriptedModelServer
) -> None:
    write_roles(second_server.base_url)
    second_server.add(Reply(text="NOW-SUMMARY: notes.txt and todo.txt were read."))
    (workspace / "notes.txt").write_text("the notes\n")
    (workspace / "todo.txt").write_text("the todo\n")
    model_server.add(
        call("read_file", path="notes.txt"),
        call("read_file", path="todo.txt"),
        call("attempt_completion", result="Read both."),
    )

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("Read the notes and the todo", approvalMode="auto-all")
        assert (await editor.wait_for_end(task_id))["outcome"] == "completed"
        usages = editor.events_of(task_id, "context_usage")
        assert len(usages) == 3 and all(u["window"] > 0 and u["used_tokens"] > 0 for u in usages)
        assert usages[0]["used_tokens"] < usages[-1]["used_tokens"]
        assert set(usages[-1]["parts"]) == {
            "system",
            "tool_schemas",
            "conversation",
            "tool_results",
            "attachments",
            "summary",
        }
        assert sum(usages[-1]["parts"].values()) == usages[-1]["used_tokens"]
        before = [i for r in model_server.chat_requests for i in call_ids(r.body)]

        done = await editor.request("flambeau/condense", {"taskId": task_id})
        assert done["taskId"] == task_id and (done["firstTurn"], done["lastTurn"]) == (1, 2)
        assert done["profile"] == "summ" and done["summary"] == "NOW-SUMMARY: notes.txt and todo.txt were read."
        assert done["tokensAfter"] < done["tokensBefore"]
        await editor.wait_until(lambda: bool(editor.events_of(task_id, "context_condensed")))
        card = editor.events_of(task_id, "context_condensed")[0]
        assert card["trigger"] == "manual" and card["summary"] == done["summary"]
        summarised = second_server.chat_requests[0].body["messages"]
        assert SUMMARY_SYSTEM in summarised[0]["content"] and "the notes" in summarised[1]["content"]
        trace = find_trace(workspace, task_id)
        report = verify(trace)
        assert report.status == "intact", report.message  # sealed again after a condensation between runs
        assert [r["kind"] for r in read_trace(trace).valid_records()].count("condensation") == 1

        with pytest.raises(JsonRpcInvalidParams, match="nothing to condense"):
            await command(editor, "flambeau.condense", task_id)
        with pytest.raises(JsonRpcInvalidParams, match="no task with id"):
            await editor.request("flambeau/condense", {"taskId": "nope"})

        model_server.add(call("attempt_completion", result="Still read."))
        await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "anything else?"})
        await model_server_wait(model_server, 4)
        await editor.wait_until(lambda: len(editor.events_of(task_id, "task_finished")) == 2)
        sent = model_server.chat_requests[-1].body["messages"]
        assert sent[2]["content"].startswith("[Summary of turns 1-2 ") and "NOW-SUMMARY" in sent[2]["content"]
        assert not set(before[:2]) & set(call_ids(model_server.chat_requests[-1].body))
        assert sent[-1] == {"role": "user", "content": "anything else?"}
        assert verify(trace).status == "intact"

    run_editor(workspace, model_server, scenario)


async def model_server_wait(server: ScriptedModelServer, count: int) -> None:
    import asyncio

    assert await asyncio.to_thread(server.wait_for_requests, count)


def test_a_commit_message_is_generated_by_the_commit_role_from_the_staged_diff(
    workspace: Path, model_server: ScriptedModelServer, second_server: ScriptedModelServer
) -> None:
    repository(workspace)
    write_roles(second_server.base_url, role="commit", name="committer")
    second_server.add(Reply(text="```\nAdd a greeting to hello.txt\n\nSay hello to the world.\n```"))

    async def scenario(editor: Editor) -> None:
        with pytest.raises(JsonRpcInvalidParams, match="nothing is staged"):
            await editor.request("flambeau/generateCommitMessage", {})
        assert not second_server.chat_requests
        (workspace / "hello.txt").write_text("hello\nhello, world\n")
        (workspace / "unstaged.txt").write_text("not staged\n")
        git(workspace, "add", "hello.txt")
        answer = await editor.request("flambeau/generateCommitMessage", {"workspace": workspace.as_uri()})
        assert answer == {
            "message": "Add a greeting to hello.txt\n\nSay hello to the world.",
            "profile": "committer",
            "model": "openai/committer",
            "locality": "local",
        }
        body = second_server.chat_requests[0].body
        assert body["model"] == "committer" and "git commit messages" in body["messages"][0]["content"]
        assert "+hello, world" in body["messages"][1]["content"] and "unstaged.txt" not in json.dumps(body)
        assert not model_server.chat_requests  # the main model was not asked
        with pytest.raises(JsonRpcInvalidParams, match="outside the workspace"):
            await command(editor, "flambeau.generateCommitMessage", str(workspace.parent))

    run_editor(workspace, model_server, scenario)


def test_without_a_commit_role_the_main_model_writes_it(workspace: Path, model_server: ScriptedModelServer) -> None:
    repository(workspace)
    model_server.add(Reply(text="Remove the greeting"))

    async def scenario(editor: Editor) -> None:
        (workspace / "hello.txt").write_text("")
        git(workspace, "add", "hello.txt")
        answer = await command(editor, "flambeau.generateCommitMessage")
        assert isinstance(answer, dict) and answer["message"] == "Remove the greeting"
        assert answer["model"] == "openai/scripted"
        assert "-hello" in model_server.chat_requests[0].body["messages"][1]["content"]

    run_editor(workspace, model_server, scenario)


def test_git_commit_with_an_empty_message_asks_the_commit_role(
    workspace: Path, model_server: ScriptedModelServer, second_server: ScriptedModelServer
) -> None:
    repository(workspace)
    write_roles(second_server.base_url, role="commit", name="committer")
    second_server.add(Reply(text="Add the notes file"))
    model_server.add(
        call("write_file", path="notes.txt", content="some notes\n"),
        call("git_commit"),
        call("attempt_completion", result="Committed."),
    )

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("Write notes and commit them", approvalMode="auto-all")
        assert (await editor.wait_for_end(task_id))["outcome"] == "completed"
        result = next(e for e in editor.events_of(task_id, "tool_result") if e["tool"] == "git_commit")
        assert result["ok"], result["output"]
        assert result["data"]["message_written_by"] == "committer"
        log = git(workspace, "log", "-1", "--format=%B")
        assert log.startswith("Add the notes file\n") and f"Flambeau-Task: {task_id}" in log
        assert "+some notes" in second_server.chat_requests[0].body["messages"][1]["content"]
        trace = find_trace(workspace, task_id)
        records = read_trace(trace).valid_records()
        assert [r.get("role") for r in records if r.get("kind") == "model_request"] == [None, None, "commit", None]
        assert verify(trace).status == "intact"

    run_editor(workspace, model_server, scenario)


def test_local_only_refuses_a_cloud_commit_profile_before_anything_is_sent(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    repository(workspace)
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.toml").write_text(
        '[roles]\ncommit = "far"\n\n[profiles.far]\nmodel = "openai/far"\napi_base = "https://models.example.invalid/v1"\n'
    )
    (workspace / ".flambeau").mkdir()
    (workspace / ".flambeau" / "models.toml").write_text("local_only = true\n")

    async def scenario(editor: Editor) -> None:
        (workspace / "hello.txt").write_text("hello, cloud\n")
        git(workspace, "add", "hello.txt")
        with pytest.raises(JsonRpcInvalidParams, match="local-only mode is on"):
            await editor.request("flambeau/generateCommitMessage", {})
        assert not model_server.chat_requests

    run_editor(workspace, model_server, scenario)


def test_condense_now_during_a_step_is_made_at_the_start_of_the_next(
    workspace: Path, model_server: ScriptedModelServer, second_server: ScriptedModelServer
) -> None:
    import asyncio
    import threading

    write_roles(second_server.base_url)
    second_server.add(Reply(text="MID-SUMMARY: the notes were read."))
    (workspace / "notes.txt").write_text("a line of the notes\n" * 40)
    (workspace / "todo.txt").write_text("the todo\n")
    gate = threading.Event()
    model_server.add(
        call("read_file", path="notes.txt"),
        Reply(tool_calls=[("read_file", {"path": "todo.txt"})], wait_for=gate),
        call("attempt_completion", result="Read both."),
    )

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("Read the notes and the todo", approvalMode="auto-all")
        assert await asyncio.to_thread(model_server.wait_for_requests, 2)
        condensing = asyncio.ensure_future(editor.request("flambeau/condense", {"taskId": task_id}))
        await editor.request("flambeau/listModels", {})  # answered after the condense request was taken
        assert not condensing.done() and not second_server.chat_requests
        gate.set()
        done = await condensing
        assert (done["firstTurn"], done["lastTurn"]) == (1, 1) and done["summary"].startswith("MID-SUMMARY")
        assert (await editor.wait_for_end(task_id))["outcome"] == "completed"
        bodies = [r.body["messages"] for r in model_server.chat_requests]
        assert len(bodies) == 3
        assert not any(m["content"].startswith("[Summary") for m in bodies[1] if isinstance(m.get("content"), str))
        assert bodies[2][2]["content"].startswith("[Summary of turns 1-1 ") and "MID-SUMMARY" in bodies[2][2]["content"]
        assert verify(find_trace(workspace, task_id)).status == "intact"

    run_editor(workspace, model_server, scenario)
