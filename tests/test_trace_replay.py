"""`--replay` proves the recorded after-hashes from the recorded commit; later workspace changes are
reported by `--against-workspace`, never as tampering."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from agent.trace import verify
from agent.trace.signing import stored_signing_key
from agent.trace.witness import witness_path
from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer
from tests.trace_mutations import records, resign
from tests.trace_sessions import editing_script, record_session


def _git(workspace: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(workspace: Path) -> Path:
    (workspace / "notes.txt").write_text("hello\n")
    _git(workspace, "init", "-q")
    _git(workspace, "add", "notes.txt")
    _git(workspace, "commit", "-qm", "start")
    return workspace


def test_replay_proves_every_recorded_change_from_the_recorded_commit(
    model_server: ScriptedModelServer, repo: Path
) -> None:
    trace = record_session(model_server, repo, editing_script())
    start = next(r for r in records(trace) if r["kind"] == "task_start")
    assert start["git_head"] == _git(repo, "rev-parse", "HEAD") and start["git_dirty"] is False

    report = verify(trace, replay=True)
    assert report.status == "intact" and report.exit_code == 0, report.message
    assert report.replay is not None and report.replay.start_commit == start["git_head"]
    proven = [(o.path, o.result) for o in report.replay.outcomes]
    assert proven == [("out/result.txt", "proven"), ("notes.txt", "proven")]
    changes = [r for r in records(trace) if r["kind"] == "file_change"]
    assert changes[1]["sha256_before"] == hashlib.sha256(b"hello\n").hexdigest()
    assert changes[1]["sha256_after"] == hashlib.sha256(b"hello\nand more\n").hexdigest()
    assert "+and more" in changes[1]["diff"]


def test_a_later_workspace_change_is_reported_not_called_tampering(
    model_server: ScriptedModelServer, repo: Path
) -> None:
    trace = record_session(model_server, repo, editing_script())
    assert verify(trace, against_workspace=True).workspace.differences == []  # type: ignore[union-attr]

    (repo / "notes.txt").write_text("edited by hand afterwards\n")
    (repo / "out" / "result.txt").unlink()
    report = verify(trace, replay=True, against_workspace=True)
    assert report.status == "intact" and report.exit_code == 0, report.message
    assert report.workspace is not None
    assert {d.path: d.current_sha256 for d in report.workspace.differences} == {
        "notes.txt": hashlib.sha256(b"edited by hand afterwards\n").hexdigest(),
        "out/result.txt": None,
    }
    assert report.replay is not None and not report.replay.failed

    cli = run_cli("trace", "verify", str(trace), "--against-workspace")
    assert cli.code == 0, cli.stderr
    assert "changed since the task: notes.txt" in cli.stdout and "intact" in cli.stdout


def test_replay_fails_when_a_signed_trace_claims_an_after_state_its_content_does_not_have(
    model_server: ScriptedModelServer, repo: Path
) -> None:
    trace = record_session(model_server, repo, editing_script())
    change = next(r for r in records(trace) if r["kind"] == "file_change" and r["path"] == "notes.txt")
    key = stored_signing_key()
    assert key is not None
    resign(trace, key.private, edit={change["seq"]: {"sha256_after": hashlib.sha256(b"other").hexdigest()}})

    assert verify(trace).witness == "replaced"  # the witness log saw the trace before it was rewritten
    witness_path().unlink()  # verified elsewhere, with the author's key: signed by it, so only replay can tell
    assert verify(trace, trusted_keys=[key.public_id]).status == "intact"
    report = verify(trace, replay=True, trusted_keys=[key.public_id])
    assert report.replay is not None and [o.path for o in report.replay.failed] == ["notes.txt"]
    assert report.exit_code == 1 and "FAILED" in report.message


def test_uncommitted_changes_at_task_start_make_a_change_unprovable_not_failed(
    model_server: ScriptedModelServer, repo: Path
) -> None:
    (repo / "notes.txt").write_text("hello, uncommitted\n")
    trace = record_session(model_server, repo, editing_script())
    assert next(r for r in records(trace) if r["kind"] == "task_start")["git_dirty"] is True
    report = verify(trace, replay=True)
    assert report.exit_code == 0 and report.replay is not None
    assert [(o.path, o.result) for o in report.replay.outcomes] == [
        ("out/result.txt", "proven"),
        ("notes.txt", "unprovable"),
    ]
    assert "uncommitted" in report.replay.outcomes[1].reason
