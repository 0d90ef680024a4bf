"""`initialize` answers without importing anything heavy (no agent or tools module, litellm, pydantic,
tree-sitter); after `initialized` the agent warms up in the background, and a first task waits for it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient

from lsp.converter import plain_json_converter
from tests.processes import wait_until
from tests.raw_lsp import ROOT, WAIT_S, RawServer
from tests.scripted_server import ScriptedModelServer, call

WARM_UP_S = 600.0
"""`import litellm` alone took 26-107 s on the shared 2-core machine under load 12-20."""
HEAVY = ("agent", "tools", "litellm", "pydantic", "tree_sitter", "tree_sitter_language_pack")


def imported_modules(importtime_log: str) -> set[str]:
    """Module names from `python -X importtime` output (`import time: self | cumulative | name`)."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_initialize_imports_nothing_heavy(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = RawServer(workspace, log, "-X", "importtime")
    answer = server.request("initialize", {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}})
    assert answer["result"]["serverInfo"]["name"] == "flambeau"
    assert server.close() == 0  # before `initialized`: the warm-up has not started
    modules = imported_modules(log.read_text())
    assert "lsp.server" in modules and "pygls.lsp.server" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_after_initialized_the_agent_warms_up_without_a_task(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = RawServer(workspace, log, "-X", "importtime")
    try:
        server.initialize({"model": "openai/scripted"})
        warm = {"litellm", "agent.runner", "agent.trace", "keyring"}
        assert wait_until(lambda: warm <= imported_modules(log.read_text()), WARM_UP_S), "no warm-up"
        assert server.request("flambeau/listTraces", {})["result"] == {"traces": []}  # still serving
    finally:
        server.close()


def test_a_task_started_during_the_warm_up_waits_for_it_and_runs(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with ScriptedModelServer([call("attempt_completion", result="warm")]) as model:
        server = RawServer(workspace, log, "-X", "importtime")
        try:
            server.initialize({"model": "openai/scripted", "apiBase": model.base_url, "approvalMode": "auto-all"})
            started = server.request("flambeau/startTask", {"task": "say warm"})  # at once: the warm-up runs
            task_id = started["result"]["taskId"]
            ended = server.wait_for_method("flambeau/event", WARM_UP_S)
            while ended["params"]["event"]["type"] not in ("task_finished", "task_failed"):
                ended = server.wait_for_method("flambeau/event", WARM_UP_S)
            assert ended["params"]["taskId"] == task_id
            assert ended["params"]["event"]["type"] == "task_finished", ended
            assert ended["params"]["event"]["result"] == "warm"
        finally:
            server.close()
    assert len(model.chat_requests) == 1
    litellm = [line for line in log.read_text().splitlines() if line.rstrip().endswith("| litellm")]
    assert len(litellm) == 1  # imported once, by the warm-up the task waited for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def connect_when_listening(client: BaseLanguageClient, port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            await client.start_tcp("127.0.0.1", port)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def test_the_server_also_serves_one_client_over_tcp(workspace: Path, tmp_path: Path) -> None:
    port = free_port()
    with (tmp_path / "server.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "lsp", "--tcp", str(port)],
            cwd=workspace,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=log,
        )

        async def main() -> None:
            client = BaseLanguageClient("tcp-test", "1", converter_factory=plain_json_converter)
            await connect_when_listening(client, port, proc)
            result = await client.initialize_async(
                types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri())
            )
            assert result.server_info is not None and result.server_info.name == "flambeau"
            traces = await client.protocol.send_request_async("flambeau/listTraces", {})
            assert traces == {"traces": []}
            await client.shutdown_async(None)
            client.exit(None)

        asyncio.run(main())
        assert proc.wait(timeout=WAIT_S) == 0
