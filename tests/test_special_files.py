"""Special files never block: a FIFO, a socket or a device in the workspace is refused with a clear message
by every reader (read, search, outline, the repo map, @-mentions, ignore and rules files), and a session
in a workspace full of them runs to its end (issue 11, point 6)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.attachments.resolve import resolve_mentions
from agent.attachments.types import MentionError
from tests.conftest import run_scripted_cli
from tests.scripted_server import ScriptedModelServer, call
from tools.base import ToolContext, ToolError
from tools.files import ReadFile, ReadFileArgs, WriteFile, WriteFileArgs
from tools.outline import ListDefinitions, ListDefinitionsArgs
from tools.search import SearchFiles, SearchFilesArgs
from tools.workspace.jail import Workspace
from tools.workspace.repomap import map_for_prompt
from tools.workspace.special import NotRegularFile, read_regular

FIFO_NAMES = ("mod.py", ".gitignore", "AGENTS.md", "notes.txt")


@pytest.fixture
def hostile(workspace: Path) -> Iterator[Path]:
    """A workspace whose source file, ignore file and rules file are FIFOs nobody writes, next to a live
    socket and one ordinary file."""
    for name in FIFO_NAMES:
        os.mkfifo(workspace / name)
    (workspace / "real.py").write_text("def real():\n    return 'found me'\n")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(workspace / "agent.sock"))
    server.listen()
    try:
        yield workspace
    finally:
        server.close()


def _ctx(root: Path) -> ToolContext:
    return ToolContext(workspace=Workspace(root))


def _refused(coroutine: object) -> str:
    with pytest.raises(ToolError) as raised:
        asyncio.run(asyncio.wait_for(coroutine, 10))  # type: ignore[arg-type]
    return str(raised.value)


@pytest.mark.parametrize(("name", "kind"), [("mod.py", "named pipe (FIFO)"), ("agent.sock", "a socket")])
def test_read_file_refuses_a_special_file_and_says_what_it_is(hostile: Path, name: str, kind: str) -> None:
    message = _refused(ReadFile().run(ReadFileArgs(path=name), _ctx(hostile)))
    assert name in message and kind in message and "not a regular file" in message


def test_write_file_over_a_fifo_is_refused_not_blocked(hostile: Path) -> None:
    message = _refused(WriteFile().run(WriteFileArgs(path="notes.txt", content="x"), _ctx(hostile)))
    assert "named pipe (FIFO)" in message
    assert (hostile / "notes.txt").is_fifo()


def test_search_skips_special_files_and_finds_the_real_one(hostile: Path) -> None:
    result = asyncio.run(asyncio.wait_for(SearchFiles().run(SearchFilesArgs(regex="found"), _ctx(hostile)), 10))
    assert result.ok and "real.py:2:" in result.output
    assert result.data["files_searched"] == 1
    assert "named pipe" in _refused(SearchFiles().run(SearchFilesArgs(path="mod.py", regex="x"), _ctx(hostile)))


def test_outline_skips_special_files_and_refuses_one_by_name(hostile: Path) -> None:
    result = asyncio.run(asyncio.wait_for(ListDefinitions().run(ListDefinitionsArgs(), _ctx(hostile)), 10))
    assert "real" in result.output and "mod.py" not in result.output
    message = _refused(ListDefinitions().run(ListDefinitionsArgs(path="mod.py"), _ctx(hostile)))
    assert "named pipe (FIFO)" in message


def test_the_repo_map_leaves_special_files_out(hostile: Path) -> None:
    text = map_for_prompt(hostile, 2000)
    assert "real.py" in text and "mod.py" not in text


def test_a_mention_of_a_fifo_fails_with_its_kind(hostile: Path) -> None:
    with pytest.raises(MentionError) as raised:
        asyncio.run(asyncio.wait_for(resolve_mentions("look at @mod.py", hostile), 10))
    assert "@mod.py" in str(raised.value) and "named pipe (FIFO)" in str(raised.value)


def test_a_device_is_refused_without_reading_it() -> None:
    # /dev/zero never ends: reading it would fill memory; /dev/null is a device, not an empty file.
    for device in ("/dev/zero", "/dev/null"):
        with pytest.raises(NotRegularFile) as raised:
            read_regular(device)
        assert raised.value.kind == "a character device"


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "late.fifo"
    os.mkfifo(fifo)
    # The open itself is non-blocking and checked on the descriptor, as if the check had seen a file.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    os.close(fd)
    with pytest.raises(NotRegularFile):
        read_regular(fifo)


def test_a_session_in_a_workspace_of_fifos_runs_to_its_end(model_server: ScriptedModelServer, hostile: Path) -> None:
    model_server.add(
        call("read_file", path="mod.py"),
        call("search_files", regex="found"),
        call("list_definitions", path="."),
        call("list_files", path="."),
        call("attempt_completion", result="done"),
    )
    result = run_scripted_cli(model_server, hostile, "--json", "--approve", "auto-all", "look around", timeout=60)
    assert result.code == 0, result.stderr
    outputs = {e["tool"]: e["output"] for e in result.events() if e["type"] == "tool_result"}
    assert "mod.py is a named pipe (FIFO), not a regular file" in outputs["read_file"]
    assert "real.py:2:" in outputs["search_files"]
    assert "real" in outputs["list_definitions"]
    assert "mod.py" in outputs["list_files"]
