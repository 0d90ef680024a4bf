"""File tools never open a key store, even in a workspace that holds the home folder: the keyring file
(where the trace signing key lives) is refused by path, through a link, and skipped by listings and
searches, for local and cloud models alike."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from agent.secret_store import set_secret
from agent.trace.signing import load_signing_key
from tools.base import Tool, ToolContext, ToolResult
from tools.files import ListFiles, ReadFile, WriteFile
from tools.search import SearchFiles
from tools.workspace.jail import PathError, Workspace
from tools.workspace.withhold import Withholding, key_store_paths

STORED = "stored-secret-6d1f0b9e2c7a4853"


def _run(tool: Tool[Any], ctx: ToolContext, **arguments: Any) -> ToolResult:
    return asyncio.run(tool.run(tool.parse(arguments), ctx))


@pytest.fixture
def home_workspace() -> ToolContext:
    """A workspace opened on the home folder, whose keyring file holds a key and the trace signing key."""
    home = Path(os.environ["HOME"])
    set_secret("openai", STORED)
    load_signing_key()
    (home / "notes.txt").write_text("plain notes\n")
    return ToolContext(workspace=Workspace(home, withhold=Withholding(key_store_paths())))


def test_the_keyring_file_is_refused_by_path_and_through_a_link(home_workspace: ToolContext) -> None:
    stores = [p for p in key_store_paths() if p.exists()]
    assert stores, "the keyrings.alt file backend keeps its file under the data folder"
    keyring_file = next(Path(d) / f for d, _, files in os.walk(stores[0]) for f in files)
    rel = keyring_file.relative_to(Path(os.environ["HOME"])).as_posix()
    with pytest.raises(PathError, match="is in a key store"):
        _run(ReadFile(), home_workspace, path=rel)
    (Path(os.environ["HOME"]) / "innocent.txt").symlink_to(keyring_file)
    with pytest.raises(PathError, match="is in a key store"):
        _run(ReadFile(), home_workspace, path="innocent.txt")
    with pytest.raises(PathError, match="is in a key store"):
        _run(ListFiles(), home_workspace, path=str(stores[0]))


def test_listings_and_searches_skip_the_key_store_and_say_so(home_workspace: ToolContext) -> None:
    listing = _run(ListFiles(), home_workspace, path=".", recursive=True).output
    assert "notes.txt" in listing and "keyring_pass.cfg" not in listing
    assert "withheld file(s) skipped: .local/share/python_keyring" in listing
    found = _run(SearchFiles(), home_workspace, path=".", regex="flambeau|plain").output
    assert "notes.txt:1: plain notes" in found and "keyring" not in found.split("[")[0], found
    assert "withheld file(s) skipped" in found


def test_a_workspace_without_a_session_still_hides_the_key_store_folders() -> None:
    home = Path(os.environ["HOME"])
    set_secret("openai", STORED)
    with pytest.raises(PathError, match="is in a key store"):
        Workspace(home).resolve(".local/share/python_keyring")


def test_no_tool_writes_the_trace_folder_or_flambeaus_own_state(home_workspace: ToolContext) -> None:
    home = Path(os.environ["HOME"])
    state = Path(os.environ["XDG_STATE_HOME"]) / "flambeau"
    state.mkdir(parents=True, exist_ok=True)
    (state / "witness.log").write_text("a line\n")
    targets = {
        ".flambeau/traces/forged.jsonl": "is in .flambeau/",
        ".FLAMBEAU/policy.toml": "is in .flambeau/",
        str(state / "witness.log"): "Flambeau's own state",
        str(Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "policy.toml"): "Flambeau's own state",
    }
    for target, why in targets.items():
        with pytest.raises(PathError, match=why):
            _run(WriteFile(), home_workspace, path=target, content="forged\n")
    assert (state / "witness.log").read_text() == "a line\n"
    assert not (home / ".flambeau").exists() and not (home / ".FLAMBEAU").exists()
    assert "a line" in _run(ReadFile(), home_workspace, path=str(state / "witness.log")).output  # reading is fine
