"""Checkpoints and modes over LSP, by a real client over stdio against the scripted model over HTTP: restore
files / task / both (also after a server restart), the diff against now, a confirmation before overwriting
what the user changed, hostile paths, and Plan/Act and approval modes switched in a running task."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from agent.trace import verify
from agent.trace.reading import read_trace
from tests.lsp_harness import Editor
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor

TASK = "Count in the files"


def _script_task(model_server: ScriptedModelServer, workspace: Path) -> None:
    """Step 1 writes a.txt; step 2 rewrites it and makes b.txt; step 3 completes."""
    (workspace / "a.txt").write_text("zero\n")
    model_server.add(
        Reply(text="First.", tool_calls=[("write_file", {"path": "a.txt", "content": "one\n"})]),
        Reply(
            text="Second.",
            tool_calls=[
                ("write_file", {"path": "a.txt", "content": "two\n"}),
                ("write_file", {"path": "b.txt", "content": "bee\n"}),
            ],
        ),
        call("attempt_completion", result="Counted to two."),
    )


async def _run_task(editor: Editor) -> str:
    task_id = await editor.start_task(TASK, approvalMode="auto-all")
    end = await editor.wait_for_end(task_id)
    assert end["outcome"] == "completed", end
    return task_id


async def _checkpoints(editor: Editor, task_id: str) -> dict[int, str]:
    listed = await editor.request("flambeau/listCheckpoints", {"taskId": task_id})
    return {c["step"]: c["checkpointId"] for c in listed["checkpoints"]}


def _trace(workspace: Path, task_id: str) -> Path:
    return workspace / ".flambeau" / "traces" / f"{task_id}.jsonl"


def _restores(workspace: Path, task_id: str) -> list[dict[str, Any]]:
    records = read_trace(_trace(workspace, task_id)).valid_records()
    return [r["data"] for r in records if r.get("kind") == "event" and r.get("event_type") == "checkpoint_restored"]


async def _command(editor: Editor, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await editor.request(types.WORKSPACE_EXECUTE_COMMAND, params)


def test_each_changing_step_has_a_checkpoint_and_the_diff_shows_it_against_now(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        listed = (await editor.request("flambeau/listCheckpoints", {"taskId": task_id}))["checkpoints"]
        assert [(c["step"], c["taskId"], c["available"]) for c in listed] == [(1, task_id, True), (2, task_id, True)]
        assert [e["checkpoint_id"] for e in editor.events_of(task_id, "checkpoint_created")] == [
            c["checkpointId"] for c in listed
        ]
        diff = await editor.request(
            "flambeau/checkpointDiff", {"taskId": task_id, "checkpointId": listed[1]["checkpointId"]}
        )
        assert diff["step"] == 2 and diff["workspace"] == str(workspace)
        files = {f["path"]: f for f in diff["files"]}
        assert set(files) == {"a.txt", "b.txt"}
        assert files["a.txt"]["change"] == "modified" and files["a.txt"]["original"] == "one\n"
        assert files["b.txt"]["change"] == "added" and files["b.txt"]["original"] is None
        assert not any(f["outsideTask"] for f in diff["files"])
        first = await _command(editor, "flambeau.checkpointDiff", task_id, listed[0]["checkpointId"])
        assert {f["path"]: f["original"] for f in first["files"]} == {"a.txt": "zero\n", "b.txt": None}

    run_editor(workspace, model_server, scenario)


def test_restore_files_brings_the_files_back_and_is_recorded_in_a_trace_that_verifies(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        step = await _checkpoints(editor, task_id)
        answer = await editor.request(
            "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[2], "what": "files"}
        )
        assert (workspace / "a.txt").read_bytes() == b"one\n" and not (workspace / "b.txt").exists()
        assert answer["written"] == ["a.txt"] and answer["deleted"] == ["b.txt"] and answer["failed"] == []
        assert answer["rewoundToStep"] is None and answer["safetyCheckpointId"]
        await editor.wait_until(lambda: bool(editor.events_of(task_id, "checkpoint_restored")))
        assert editor.events_of(task_id, "checkpoint_restored")[0]["what"] == "files"
        [recorded] = _restores(workspace, task_id)
        assert recorded["checkpoint_id"] == step[2] and recorded["what"] == "files" and recorded["step"] == 2
        assert recorded["written"] == ["a.txt"] and recorded["deleted"] == ["b.txt"]
        assert verify(_trace(workspace, task_id)).status == "intact"
        verdict = await editor.request("flambeau/verifyTrace", {"taskId": task_id})
        assert verdict["verdict"] == "intact", verdict

        undo = await editor.request(
            "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[1], "what": "files"}
        )
        assert (workspace / "a.txt").read_bytes() == b"zero\n" and undo["written"] == ["a.txt"]
        assert len(_restores(workspace, task_id)) == 2 and verify(_trace(workspace, task_id)).status == "intact"
        opened = await editor.request("flambeau/openHistory", {"taskId": task_id})
        kinds = [e["type"] for e in opened["segments"][0]["events"]]
        assert kinds.count("checkpoint_restored") == 2 and kinds.count("task_finished") == 1

    run_editor(workspace, model_server, scenario)


def test_restore_task_rewinds_the_live_conversation_and_the_follow_up_continues_from_it(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_task(model_server, workspace)
    model_server.add(call("attempt_completion", result="From one again."))

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        step = await _checkpoints(editor, task_id)
        answer = await editor.request(
            "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[2], "what": "task"}
        )
        assert answer["rewoundToStep"] == 1 and answer["written"] == [] and answer["safetyCheckpointId"] == ""
        assert (workspace / "a.txt").read_bytes() == b"two\n" and (workspace / "b.txt").exists()  # files untouched
        assert verify(_trace(workspace, task_id)).status == "intact"
        sent_before = len(model_server.chat_requests)
        await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "Start again from one."})
        await editor.wait_until(lambda: len(editor.events_of(task_id, "task_finished")) == 2)
        assert len(model_server.chat_requests) == sent_before + 1
        sent = model_server.chat_requests[-1].body["messages"]
        assert sent[1] == {"role": "user", "content": TASK}
        assert sent[2]["role"] == "assistant" and sent[2]["content"] == "First."
        assert json.loads(sent[2]["tool_calls"][0]["function"]["arguments"]) == {"path": "a.txt", "content": "one\n"}
        assert sent[3]["role"] == "tool"
        assert sent[4:] == [{"role": "user", "content": "Start again from one."}]
        assert "Second." not in json.dumps(sent) and "bee" not in json.dumps(sent)
        records = read_trace(_trace(workspace, task_id)).valid_records()
        assert [r["text"] for r in records if r.get("kind") == "assistant_text"] == ["First.", "Second."]  # kept
        assert verify(_trace(workspace, task_id)).status == "intact"

    run_editor(workspace, model_server, scenario)


def test_restore_both_of_a_task_opened_from_the_history_after_a_server_restart(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_task(model_server, workspace)
    first: list[str] = []

    async def before_restart(editor: Editor) -> None:
        first.append(await _run_task(editor))

    run_editor(workspace, model_server, before_restart)
    task_id = first[0]
    model_server.add(call("attempt_completion", result="Back at zero."))

    async def after_restart(editor: Editor) -> None:
        step = await _checkpoints(editor, task_id)
        answer = await editor.request(
            "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[1], "what": "both"}
        )
        assert answer["rewoundToStep"] == 0 and answer["written"] == ["a.txt"] and answer["deleted"] == ["b.txt"]
        assert (workspace / "a.txt").read_bytes() == b"zero\n" and not (workspace / "b.txt").exists()
        await editor.wait_until(lambda: bool(editor.events_of(task_id, "checkpoint_restored")))
        [recorded] = _restores(workspace, task_id)
        assert recorded["what"] == "both" and recorded["rewound_to_step"] == 0
        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        entry = next(t for t in listed if t["taskId"] == task_id)
        assert entry["verdict"] == "intact" and entry["witness"] == "witnessed" and entry["outcome"] == "completed"

        resumed = await editor.request("flambeau/resumeTask", {"taskId": task_id, "text": "Once more."})
        end = await editor.wait_for_end(resumed["taskId"])
        assert end["outcome"] == "completed", end
        sent = model_server.chat_requests[-1].body["messages"]
        assert sent[1:] == [{"role": "user", "content": TASK}, {"role": "user", "content": "Once more."}]

    run_editor(workspace, model_server, after_restart)


def test_restoring_over_files_the_user_changed_says_which_and_needs_a_confirmation(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        step = await _checkpoints(editor, task_id)
        (workspace / "a.txt").write_text("typed by the user\n")
        (workspace / "notes.md").write_text("mine\n")
        diff = await editor.request("flambeau/checkpointDiff", {"taskId": task_id, "checkpointId": step[2]})
        outside = {f["path"]: f["outsideTask"] for f in diff["files"]}
        assert outside == {"a.txt": True, "b.txt": False, "notes.md": True}
        params = {"taskId": task_id, "checkpointId": step[2], "what": "files"}
        with pytest.raises(
            JsonRpcInvalidParams, match=r"would overwrite changes made since outside the task: a\.txt, notes\.md"
        ):
            await editor.request("flambeau/restoreCheckpoint", params)
        assert (workspace / "a.txt").read_text() == "typed by the user\n" and (workspace / "b.txt").exists()
        assert _restores(workspace, task_id) == []
        answer = await editor.request("flambeau/restoreCheckpoint", {**params, "overwrite": True})
        assert (workspace / "a.txt").read_bytes() == b"one\n" and not (workspace / "notes.md").exists()
        assert sorted(answer["overwritten"]) == ["a.txt", "notes.md"]
        assert sorted(_restores(workspace, task_id)[0]["overwritten"]) == ["a.txt", "notes.md"]
        # the safety checkpoint taken before the restore still holds what the user typed
        safety = answer["safetyCheckpointId"]
        from tools.workspace.checkpoints import ShadowCheckpoints

        ShadowCheckpoints(workspace).restore(safety)
        assert (workspace / "a.txt").read_text() == "typed by the user\n"

    run_editor(workspace, model_server, scenario)


def test_hostile_checkpoint_ids_and_links_out_of_the_workspace_or_into_git_are_refused(
    workspace: Path, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    (workspace / "sub").mkdir()
    (workspace / "sub" / "x.txt").write_text("kept\n")
    (workspace / "hooks").mkdir()
    (workspace / "hooks" / "pre-commit").write_text("#!/bin/sh\necho planted\n")
    _script_task(model_server, workspace)
    outside = tmp_path / "outside"
    outside.mkdir()

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        step = await _checkpoints(editor, task_id)
        for bad in ("--upload-pack=touch /tmp/x", "HEAD", "../../etc", "0" * 40, step[1][:5]):
            with pytest.raises(JsonRpcInvalidParams, match="no checkpoint"):
                await editor.request(
                    "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": bad, "what": "files"}
                )
        with pytest.raises(JsonRpcInvalidParams, match="'taskId' must be a task id"):
            await editor.request(
                "flambeau/restoreCheckpoint", {"taskId": "../x", "checkpointId": step[1], "what": "files"}
            )
        with pytest.raises(JsonRpcInvalidParams, match="'what'"):
            await editor.request(
                "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[1], "what": "all"}
            )

        # After the checkpoints: sub/ becomes an ignored link out of the workspace, hooks/ a link into .git.
        for name, target in (("sub", outside), ("hooks", workspace / ".git" / "hooks")):
            for child in (workspace / name).iterdir():
                child.unlink()
            (workspace / name).rmdir()
            (workspace / name).symlink_to(target)
        (workspace / ".gitignore").write_text("sub\nhooks\n")
        before_git = sorted(p.name for p in (workspace / ".git" / "hooks").iterdir())
        answer = await editor.request(
            "flambeau/restoreCheckpoint",
            {"taskId": task_id, "checkpointId": step[1], "what": "files", "overwrite": True},
        )
        failed = " ".join(answer["failed"])
        assert "sub/x.txt" in failed and "hooks/pre-commit" in failed
        assert list(outside.iterdir()) == []
        assert sorted(p.name for p in (workspace / ".git" / "hooks").iterdir()) == before_git
        assert (workspace / "a.txt").read_bytes() == b"zero\n"
        assert verify(_trace(workspace, task_id)).status == "intact"

    run_editor(workspace, model_server, scenario)


def test_a_restore_never_writes_into_git_flambeau_or_outside_even_from_a_forged_checkpoint(workspace: Path) -> None:
    """A checkpoint whose tree names `.git/…`, `.flambeau/…` or `../…` (written straight into the shadow
    repository) restores nothing there."""
    from tools.workspace.checkpoints import BRANCH, IDENTITY, ShadowCheckpoints

    (workspace / ".git").mkdir()
    (workspace / "ok.txt").write_text("now\n")
    store = ShadowCheckpoints(workspace)
    store.create("real")
    git = ["git", f"--git-dir={store.git_dir}"]

    def run(*args: str, stdin: bytes | None = None) -> str:
        env = {**os.environ, **IDENTITY}
        done = subprocess.run([*git, *args], input=stdin, capture_output=True, check=True, env=env)
        return done.stdout.decode().strip()

    blob = run("hash-object", "-w", "--stdin", stdin=b"planted\n")
    inner = run("mktree", stdin=f"100644 blob {blob}\tpre-commit\n".encode())
    hooks = run("mktree", stdin=f"040000 tree {inner}\thooks\n".encode())
    entries = [f"040000 tree {hooks}\t.git", f"040000 tree {hooks}\t.flambeau", f"040000 tree {hooks}\t.GIT"]
    entries.append(f"100644 blob {blob}\tok.txt")
    tree = run("mktree", stdin=("\n".join(entries) + "\n").encode())
    commit = run("commit-tree", tree, "-p", BRANCH, "-m", "forged\n\n{}")
    run("update-ref", BRANCH, commit)
    report = store.restore(commit)
    assert (workspace / "ok.txt").read_text() == "planted\n"
    assert not (workspace / ".git" / "hooks").exists() and not (workspace / ".flambeau").exists()
    assert sorted(f.split(":")[0] for f in report.failed) == [
        ".GIT/hooks/pre-commit",
        ".flambeau/hooks/pre-commit",
        ".git/hooks/pre-commit",
    ]


def test_plan_act_and_the_approval_mode_change_a_running_task_and_the_model_cannot_loosen_them(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(
        call("run_command", command="echo one"),
        call("write_file", path="b.txt", content="bee\n"),
        call("run_command", command="echo two"),
        call("run_command", command="echo three"),
        call("run_command", command="echo four", requires_approval=True),
        call("write_file", path="c.txt", content="sea\n"),
        call("attempt_completion", result="Done."),
    )

    async def scenario(editor: Editor) -> None:
        holds = [asyncio.Event(), asyncio.Event(), asyncio.Event()]
        editor.approval_answers = list(holds)
        task_id = await editor.start_task("Do things", approvalMode="ask")

        async def while_asked(count: int, **mode: Any) -> dict[str, Any]:
            await editor.wait_until(lambda: len(editor.approval_requests) == count)
            answer: dict[str, Any] = await editor.request("flambeau/setTaskMode", {"taskId": task_id, **mode})
            holds[count - 1].set()
            return answer

        asked = await while_asked(1, approvalMode="auto-edit")
        assert asked == {"taskId": task_id, "plan": False, "approvalMode": "auto-edit", "changed": True}
        await editor.wait_until(lambda: len(editor.approval_requests) == 2)
        with pytest.raises(JsonRpcInvalidParams, match="is running"):
            await editor.request(
                "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": "a" * 40, "what": "files"}
            )
        assert (await while_asked(2, approvalMode="auto-all"))["approvalMode"] == "auto-all"
        third = await while_asked(3, plan=True)
        assert third["plan"] is True and third["approvalMode"] == "auto-all"
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end

        asked_about = [r["event"]["summary"] for r in editor.approval_requests]
        assert asked_about[0].endswith("echo one") and asked_about[1].endswith("echo two")
        assert (
            asked_about[2].endswith("echo four")
            and editor.approval_requests[2]["event"]["reason"] == "the model asked for approval"
        )
        decided = [(e["tool"], e["approved"], e["by"]) for e in editor.events_of(task_id, "approval_decided")]
        assert decided == [
            ("run_command", False, "user"),
            ("write_file", True, "auto"),  # asked under "ask", approved at once after the switch to auto-edit
            ("run_command", False, "user"),
            ("run_command", True, "auto"),
            ("run_command", False, "user"),  # the model asked for caution: auto-all still asks
            ("write_file", False, "rule"),  # plan mode
            ("attempt_completion", True, "auto"),
        ]
        plan_refusal = editor.events_of(task_id, "approval_decided")[-2]["reason"]
        assert "plan mode" in plan_refusal
        assert (workspace / "b.txt").read_text() == "bee\n" and not (workspace / "c.txt").exists()
        changes = [(e["approval_mode"], e["plan"]) for e in editor.events_of(task_id, "mode_changed")]
        assert changes == [("auto-edit", False), ("auto-all", False), ("auto-all", True)]
        records = read_trace(_trace(workspace, task_id)).valid_records()
        recorded = [r["data"] for r in records if r.get("kind") == "event" and r.get("event_type") == "mode_changed"]
        assert [(d["previous_approval_mode"], d["approval_mode"]) for d in recorded] == [
            ("ask", "auto-edit"),
            ("auto-edit", "auto-all"),
            ("auto-all", "auto-all"),
        ]
        assert verify(_trace(workspace, task_id)).status == "intact"

        # After the end: Act again, recorded, and the trace sealed again.
        act = await _command(editor, "flambeau.setTaskMode", task_id, {"plan": False})
        assert act["plan"] is False and act["changed"] is True
        assert verify(_trace(workspace, task_id)).status == "intact"
        same = await editor.request("flambeau/setTaskMode", {"taskId": task_id, "plan": False})
        assert same["changed"] is False
        with pytest.raises(JsonRpcInvalidParams, match="give 'plan'"):
            await editor.request("flambeau/setTaskMode", {"taskId": task_id})
        with pytest.raises(JsonRpcInvalidParams, match="approvalMode"):
            await editor.request("flambeau/setTaskMode", {"taskId": task_id, "approvalMode": "yolo"})
        with pytest.raises(JsonRpcInvalidParams, match="no task"):
            await editor.request("flambeau/setTaskMode", {"taskId": "nope", "plan": True})

    run_editor(workspace, model_server, scenario, options={"noSandbox": True})


def test_the_checkpoint_commands_for_other_editors(workspace: Path, model_server: ScriptedModelServer) -> None:
    _script_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _run_task(editor)
        listed = await _command(editor, "flambeau.listCheckpoints", task_id)
        first = listed["checkpoints"][0]["checkpointId"]
        answer = await _command(editor, "flambeau.restoreCheckpoint", task_id, first, "files")
        assert answer["written"] == ["a.txt"] and (workspace / "a.txt").read_bytes() == b"zero\n"
        with pytest.raises(JsonRpcInvalidParams, match=r"arguments are \[taskId, checkpointId"):
            await _command(editor, "flambeau.restoreCheckpoint", task_id, first)
        with pytest.raises(JsonRpcInvalidParams, match=r"arguments are \[taskId\]"):
            await _command(editor, "flambeau.listCheckpoints")

    run_editor(workspace, model_server, scenario)


def test_a_checkpoint_holds_what_the_editor_shows_and_a_restore_shows_in_the_open_document(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    """The agent's edits to an open document live in its (unsaved) buffer: the next checkpoint holds them, the
    diff compares with them, and a restore brings the buffer back too, not only the file."""
    _script_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        uri = editor.open(workspace / "a.txt", "zero\n")
        task_id = await _run_task(editor)
        assert editor.buffer(uri) == "two\n" and (workspace / "a.txt").read_text() == "zero\n"  # never saved
        step = await _checkpoints(editor, task_id)
        diff = await editor.request("flambeau/checkpointDiff", {"taskId": task_id, "checkpointId": step[2]})
        files = {f["path"]: f for f in diff["files"]}
        assert files["a.txt"]["original"] == "one\n" and not files["a.txt"]["outsideTask"]
        answer = await editor.request(
            "flambeau/restoreCheckpoint", {"taskId": task_id, "checkpointId": step[2], "what": "files"}
        )
        assert answer["written"] == ["a.txt"] and answer["deleted"] == ["b.txt"]
        assert (workspace / "a.txt").read_text() == "one\n" and editor.buffer(uri) == "one\n"
        from tools.workspace.checkpoints import ShadowCheckpoints

        safety = ShadowCheckpoints(workspace).changes_since(answer["safetyCheckpointId"])
        assert [d.path for d in safety] == ["a.txt", "b.txt"]  # the safety checkpoint kept the buffer's "two"

    run_editor(workspace, model_server, scenario)
