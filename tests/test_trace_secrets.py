"""Canary keys placed in keyring and in the environment appear in no trace and no blob."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.secret_store import set_secret
from agent.trace import verify
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.trace_sessions import record_session

KEYRING_CANARY = "canary-in-keyring-5f1c2e9a7b"
ENV_CANARY = "canary-in-environment-0d4b8a61c3"
TOKEN_SHAPED = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def test_canaries_from_keyring_environment_and_token_shapes_never_reach_the_trace(
    model_server: ScriptedModelServer, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_secret("canary-provider", KEYRING_CANARY)
    monkeypatch.setenv("CANARY_SERVICE_API_KEY", ENV_CANARY)
    leaked = f"{KEYRING_CANARY} {ENV_CANARY} {TOKEN_SHAPED}"
    script = [
        Reply(text=f"I was told {leaked}", tool_calls=[("write_file", {"path": "leak.txt", "content": leaked})]),
        call("read_file", path="leak.txt"),
        call("run_command", command=f"echo {KEYRING_CANARY} && echo {TOKEN_SHAPED}"),
        call("attempt_completion", result=f"done {leaked}"),
    ]
    trace = record_session(model_server, workspace, script, task=f"use {leaked}")

    # The session really handled the canaries: they went to the model and into the file.
    assert (workspace / "leak.txt").read_text() == leaked
    assert any(KEYRING_CANARY in str(r.body) for r in model_server.chat_requests)

    state = workspace / ".flambeau"
    files = [p for p in state.rglob("*") if p.is_file()]
    assert any("blobs" in p.parts for p in files) and trace in files
    for path in files:
        data = path.read_bytes()
        for canary in (KEYRING_CANARY, ENV_CANARY, TOKEN_SHAPED):
            assert canary.encode() not in data, f"{canary} leaked into {path.relative_to(workspace)}"
    assert b"[REDACTED]" in trace.read_bytes()

    report = verify(trace, replay=True)
    assert report.status == "intact", report.message
    assert report.replay is not None
    [outcome] = report.replay.outcomes
    assert outcome.result == "unprovable" and "redacted" in outcome.reason
