"""`initialize` answers without importing anything heavy: no agent or tools module, litellm, pydantic, tree-sitter."""

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
from tests.raw_lsp import ROOT, WAIT_S, RawServer

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
    answer = server.initialize({"model": "openai/scripted"})
    assert answer["result"]["serverInfo"]["name"] == "flambeau"
    assert server.close() == 0
    modules = imported_modules(log.read_text())
    assert "lsp.server" in modules and "pygls.lsp.server" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


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
