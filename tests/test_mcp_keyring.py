"""`${keyring:NAME}` in an MCP server's headers or env is resolved from the keyring (the test home's file
backend, filled by `flambeau keys set`) when the server starts; the secret reaches the server and nothing
else: not the model, not the output, not the trace, not any file but the keyring's. A missing entry is a
clear error naming the server and the entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_cli, run_scripted_cli
from tests.mcp_config import write_user_servers
from tests.mcp_recording_server import entries, recording_http
from tests.mcp_servers import everything_entry, everything_stdio, time_stdio
from tests.scripted_server import ScriptedModelServer, call
from tools.workspace.secrets import REDACTED

HEADER_SECRET = "mcp-header-secret-4c1e9b7a20d35f86"
ENV_SECRET = "mcp-env-secret-93d0a7e5c2b16f48"


def _files_holding(secret: str, *roots: Path) -> list[Path]:
    keyring = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring"
    found = []
    for root in roots:
        for path in root.rglob("*"):
            held = path.is_file() and not path.is_symlink() and keyring not in path.parents
            if held and secret.encode() in path.read_bytes():
                found.append(path)
    return found


def test_keyring_references_reach_the_server_and_the_secret_lands_nowhere_else(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    everything_entry()
    assert run_cli("keys", "set", "rec-token", stdin=HEADER_SECRET + "\n").code == 0
    assert run_cli("keys", "set", "every-key", stdin=ENV_SECRET + "\n").code == 0
    log = tmp_path / "received.jsonl"
    with recording_http(log) as url:
        write_user_servers(
            {
                "rec": {"url": url, "headers": {"Authorization": "Bearer ${keyring:rec-token}"}},
                "every": {**everything_stdio(), "env": {"EVERY_API_KEY": "${keyring:every-key}"}},
            }
        )
        model_server.add(
            call("mcp__rec__note", text="hello"),
            call("mcp__every__get-env"),
            call("attempt_completion", result="done"),
        )
        run = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "look around")
    assert run.code == 0, run.stderr

    headers = [e["headers"] for e in entries(log) if "http" in e]
    assert headers and all(h.get("authorization") == f"Bearer {HEADER_SECRET}" for h in headers)
    env_reply = [m for m in model_server.chat_requests[2].body["messages"] if m["role"] == "tool"][-1]["content"]
    assert "EVERY_API_KEY" in env_reply and "${keyring:" not in env_reply, "the server was given the resolved value"
    assert REDACTED in env_reply, "which the model sees redacted"

    for secret in (HEADER_SECRET, ENV_SECRET):
        assert secret not in run.stdout and secret not in run.stderr
        assert not any(secret in str(r.body) for r in model_server.requests), "the model never sees it"
        home = Path(os.environ["HOME"])
        assert not _files_holding(secret, workspace, home), "only the keyring holds it"


def test_a_missing_keyring_entry_names_the_server_and_the_entry(workspace: Path) -> None:
    write_user_servers({"ghost": {"url": "http://127.0.0.1:9/mcp", "headers": {"X-Api-Key": "${keyring:ghost-key}"}}})
    tested = run_cli("mcp", "test", "ghost", "--workspace", str(workspace))
    assert tested.code == 1
    assert "'ghost'" in tested.stdout and "the keyring has no entry 'ghost-key'" in tested.stdout
    assert "flambeau keys set ghost-key" in tested.stdout
    listed = run_cli("mcp", "list", "--workspace", str(workspace))
    assert "keyring: ghost-key" in listed.stdout


ARG_SECRET = "Pacific/Chatham"
"""Not a secret in life, but a value the time server shows back: its tools' descriptions name the zone."""


def test_a_keyring_reference_in_a_stdio_servers_arguments_is_resolved_and_the_trace_keeps_the_reference(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    assert run_cli("keys", "set", "time-zone", stdin=ARG_SECRET + "\n").code == 0
    write_user_servers(
        {"time": {**time_stdio(), "args": ["-m", "mcp_server_time", "--local-timezone", "${keyring:time-zone}"]}}
    )
    model_server.add(call("attempt_completion", result="done"))
    run = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "what time is it")
    assert run.code == 0, run.stderr

    offered = json.dumps(model_server.chat_requests[0].body["tools"])
    assert "mcp__time__get_current_time" in offered and "${keyring:" not in offered
    assert ARG_SECRET in offered or REDACTED in offered, "the server ran with the resolved value"
    traces = "".join(p.read_text() for p in (workspace / ".flambeau" / "traces").glob("*.jsonl"))
    assert "${keyring:time-zone}" in traces, "the trace records the server's command line with the reference"
    assert ARG_SECRET not in traces


def test_a_literal_secret_in_a_stdio_servers_arguments_is_refused_naming_the_fix(workspace: Path) -> None:
    for args in (["--api-key", "s3cr3t-value-123"], ["--token=s3cr3t-value-123"], ["ghp_" + "a" * 36]):
        write_user_servers({"gh": {"command": "gh-mcp", "args": args}})
        listed = run_cli("mcp", "list", "--workspace", str(workspace))
        assert listed.code == 2, (args, listed.stdout, listed.stderr)
        said = listed.stdout + listed.stderr
        assert "literal secret" in said and "flambeau keys set gh-token" in said and "${keyring:gh-token}" in said
        assert "s3cr3t-value-123" not in said and "a" * 36 not in said, "the message does not repeat it"


def test_arguments_about_a_secret_that_hold_none_are_not_refused() -> None:
    from agent.mcp.config import _literal_secret_argument

    for fine in (
        ["--token-file", "/run/secrets/token"],
        ["--auth-type", "bearer-token"],
        ["--api-key", "${keyring:gh-token}"],
        ["--token=${keyring:gh-token}"],
        ["--auth", "none"],
        ["--password", "--verbose"],
        ["--port", "8080", "--host", "127.0.0.1"],
    ):
        assert _literal_secret_argument(fine) == "", fine
    assert _literal_secret_argument(["--verbose", "--api-key", "abcdefgh1234"]) == "the value of --api-key"
