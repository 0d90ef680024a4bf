"""End to end with a real collector: Arize Phoenix on 127.0.0.1 receives a task's spans by live export,
and its REST API shows the agent, chat and execute_tool spans with the model sent.

Heavy (Phoenix and its dependencies): outside the default suite. `make e2e-phoenix` installs
arize-phoenix from PyPI into its own virtualenv (.phoenix-venv) and runs this file with
FLAMBEAU_PHOENIX pointing at its `phoenix` command.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_scripted_cli
from tests.scripted_server import ScriptedModelServer, call

PHOENIX = os.environ.get("FLAMBEAU_PHOENIX", "")
pytestmark = pytest.mark.skipif(not PHOENIX, reason="run with `make e2e-phoenix` (FLAMBEAU_PHOENIX=<phoenix command>)")
START_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def phoenix(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(_free_port()),
        "PHOENIX_WORKING_DIR": str(tmp_path / "phoenix"),
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    log = (tmp_path / "phoenix.log").open("w")
    process = subprocess.Popen([PHOENIX, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                _get(f"{url}/v1/projects")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert process.poll() is None, (tmp_path / "phoenix.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "Phoenix did not start"
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def _spans(url: str) -> list[dict[str, Any]]:
    return list(_get(f"{url}/v1/projects/default/spans?limit=100").get("data", []))


def test_phoenix_receives_the_agent_chat_and_tool_spans_of_a_task(
    phoenix: str, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("write_file", path="hello.txt", content="hi\n"), call("attempt_completion", result="done"))
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": phoenix}
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "write hello", env=env, timeout=600)
    assert result.code == 0, result.stderr
    assert "spans not sent" not in result.stderr, result.stderr

    deadline = time.monotonic() + 120
    spans = _spans(phoenix)
    while len(spans) < 5 and time.monotonic() < deadline:  # Phoenix inserts received spans asynchronously
        time.sleep(0.5)
        spans = _spans(phoenix)
    by_name = {span["name"]: span for span in spans}
    assert {"invoke_agent flambeau", "chat scripted", "execute_tool write_file"} <= set(by_name), sorted(by_name)
    chat = by_name["chat scripted"]["attributes"]
    flat = json.dumps(chat)
    assert "scripted" in flat and "openai/scripted" in flat  # the model sent, and litellm's route apart
    agent_id = by_name["invoke_agent flambeau"]["context"]["span_id"]
    assert by_name["execute_tool write_file"]["parent_id"] == agent_id
