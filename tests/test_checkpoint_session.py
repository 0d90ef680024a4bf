"""A session checkpoints before each step's first change; restoring brings a user's repository back
byte-exact while its .git (status, stash, refs, HEAD, index) is never touched."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from agent.approval import ApproveAll
from agent.events import CheckpointCreated, CheckpointFailed, Event, TaskFinished, ToolResultEvent
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.scripted_server import ScriptedModelServer, call
from tools.workspace.checkpoints import ShadowCheckpoints, default_data_dir


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--no-optional-locks", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def _user_repository(root: Path) -> None:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "dev@example.com")
    _git(root, "config", "user.name", "Dev")
    (root / "app.py").write_bytes(b"def main():\r\n    return 1\r\n")
    (root / "notes.md").write_text("# notes\n")
    (root / "data.bin").write_bytes(bytes(range(256)))
    (root / ".gitignore").write_text("*.log\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial")
    (root / "app.py").write_bytes(b"def main():\r\n    return 2  # stashed\r\n")
    _git(root, "stash", "push", "-q", "-m", "work in progress")
    # Uncommitted work on top of the stash: unstaged, staged and untracked changes, and an ignored file.
    (root / "notes.md").write_text("# notes\nunsaved thought\n")
    (root / "staged.txt").write_text("staged\n")
    _git(root, "add", "staged.txt")
    (root / "untracked.txt").write_text("scratch\n")
    (root / "debug.log").write_text("log line\n")


def _files(root: Path) -> dict[str, bytes]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".flambeau")]
        for name in filenames:
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def _dot_git(root: Path) -> dict[str, str]:
    """Every file under .git with the SHA-256 of its bytes: any write into .git shows up here."""
    found = {}
    for dirpath, _dirnames, filenames in os.walk(root / ".git"):
        for name in filenames:
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _git_view(root: Path) -> dict[str, str]:
    return {
        "stash": _git(root, "stash", "list"),
        "refs": _git(root, "for-each-ref"),
        "head": _git(root, "rev-parse", "HEAD") + (root / ".git" / "HEAD").read_text(),
        "index": hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest(),
    }


def test_three_agent_edits_then_restore_leave_the_user_repository_as_it_was(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    _user_repository(workspace)
    files_before = _files(workspace)
    status_before = _git(workspace, "status", "--porcelain=v1", "--branch")
    view_before = _git_view(workspace)
    dot_git_before = _dot_git(workspace)

    model_server.add(
        call("write_file", path="app.py", content="def main():\n    return 3\n"),
        call("write_file", path="pkg/new_module.py", content="VALUE = 1\n"),
        call("run_command", command="printf 'overwritten' > notes.md && rm untracked.txt && echo ok"),
        call("attempt_completion", result="three changes made"),
    )
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)
    spec = TaskSpec(task="change things", workspace=workspace, profile=profile, approval_mode="auto-all")
    asyncio.run(build_session(spec, ApproveAll(), events.append).run())

    assert isinstance(events[-1], TaskFinished) and events[-1].outcome == "completed"
    assert all(e.ok for e in events if isinstance(e, ToolResultEvent))
    assert not [e for e in events if isinstance(e, CheckpointFailed)]
    checkpoints = [e for e in events if isinstance(e, CheckpointCreated)]
    assert [c.step for c in checkpoints] == [1, 2, 3]
    # Each checkpoint comes right before the step's tool result, and holds the non-ignored files.
    kinds = [type(e).__name__ for e in events if isinstance(e, CheckpointCreated | ToolResultEvent)]
    assert kinds[:6] == ["CheckpointCreated", "ToolResultEvent"] * 3
    assert checkpoints[0].files == len(files_before) - 1  # debug.log is ignored
    assert _files(workspace) != files_before
    assert _git_view(workspace) == view_before and _dot_git(workspace) == dot_git_before

    report = ShadowCheckpoints(workspace).restore(checkpoints[0].checkpoint_id)
    assert report.failed == []
    assert _files(workspace) == files_before
    assert not (workspace / "pkg").exists()
    assert _git(workspace, "status", "--porcelain=v1", "--branch") == status_before
    assert _git_view(workspace) == view_before
    assert _dot_git(workspace) == dot_git_before
    assert _git(workspace, "stash", "show", "-p", "stash@{0}").count("stashed") == 1


def test_a_failing_checkpoint_is_reported_and_the_task_goes_on(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    # The checkpoints folder is a file: no snapshot can be taken there.
    blocker = default_data_dir() / "checkpoints"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    model_server.add(
        call("write_file", path="a.txt", content="a\n"),
        call("attempt_completion", result="done"),
    )
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)
    spec = TaskSpec(task="write", workspace=workspace, profile=profile, approval_mode="auto-all")
    asyncio.run(build_session(spec, ApproveAll(), events.append).run())
    failures = [e for e in events if isinstance(e, CheckpointFailed)]
    assert len(failures) == 1 and failures[0].step == 1 and "checkpoints" in failures[0].error
    assert (workspace / "a.txt").read_text() == "a\n"
    assert isinstance(events[-1], TaskFinished) and events[-1].outcome == "completed"


@pytest.mark.parametrize("flag", [[], ["--no-checkpoints"]], ids=["default", "no-checkpoints"])
def test_flambeau_run_checkpoints_unless_asked_not_to(
    model_server: ScriptedModelServer, workspace: Path, capsys: pytest.CaptureFixture[str], flag: list[str]
) -> None:
    from cli.run import main

    model_server.add(call("write_file", path="a.txt", content="a\n"), call("attempt_completion", result="done"))
    argv = ["--workspace", str(workspace), "--model", "openai/scripted", "--api-base", model_server.base_url]
    assert main([*argv, "--approve", "auto-all", "--json", *flag, "write a"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    created = [e for e in events if e["type"] == "checkpoint_created"]
    listed = ShadowCheckpoints(workspace).list_checkpoints()
    if flag:
        assert created == [] and listed == []
    else:
        assert [c["checkpoint_id"] for c in created] == [c.id for c in listed] and created[0]["files"] == 0
