"""The workspace jail: no tool reads or writes outside the workspace, or writes into .git/."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.base import Tool, ToolContext, ToolError
from tools.edit import EditFile
from tools.files import ListFiles, ReadFile, WriteFile
from tools.workspace.jail import PathError, Workspace


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory next to the workspace holding files no tool may touch."""
    root = tmp_path / "outside"
    root.mkdir()
    (root / "secret.txt").write_text("top secret\n")
    (root / "nested").mkdir()
    (root / "nested" / "data.txt").write_text("data\n")
    return root


@pytest.fixture
def jailed(workspace: Path, outside: Path) -> Iterator[ToolContext]:
    (workspace / "inside.txt").write_text("inside\n")
    (workspace / "src").mkdir()
    (workspace / "src" / "app.py").write_text("x = 1\n")
    (workspace / ".git" / "hooks").mkdir(parents=True)
    (workspace / ".git" / "config").write_text("[core]\n")
    (workspace / "etc_link").symlink_to("/etc")
    (workspace / "secret_link.txt").symlink_to(outside / "secret.txt")
    (workspace / "outside_dir").symlink_to(outside)
    (workspace / "dangling.txt").symlink_to(outside / "created-through-a-dangling-link.txt")
    (workspace / "hooks").symlink_to(workspace / ".git" / "hooks")
    (workspace / "src_alias").symlink_to(workspace / "src")
    before_outside = _snapshot(outside)
    before_git = _snapshot(workspace / ".git")
    yield ToolContext(workspace=Workspace(workspace, protected=[".env", "secrets/"]))
    assert _snapshot(outside) == before_outside, "something outside the workspace changed"
    assert _snapshot(workspace / ".git") == before_git, "something under .git changed"
    assert not Path("/etc/flambeau-escape").exists()


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def _run(tool: Tool[Any], ctx: ToolContext, **arguments: Any) -> Any:
    return asyncio.run(tool.run(tool.parse(arguments), ctx))


ESCAPES = {
    "parent directory": "../outside/secret.txt",
    "parent of a subdirectory": "src/../../outside/secret.txt",
    "absolute path outside": "/etc/hostname",
    "absolute path to the sibling": "{outside}/secret.txt",
    "symlink to /etc": "etc_link/hostname",
    "symlink to a file outside": "secret_link.txt",
    "symlinked directory": "outside_dir/nested/data.txt",
    "NUL in the path": "inside.txt\x00../../etc/hostname",
}

WRITE_ESCAPES = {
    **ESCAPES,
    "new file through /etc symlink": "etc_link/flambeau-escape",
    "new file in a symlinked directory": "outside_dir/new.txt",
    "dangling symlink to outside": "dangling.txt",
    ".git/hooks": ".git/hooks/pre-commit",
    ".git/config": ".git/config",
    ".git through a symlink": "hooks/post-checkout",
    "nested .git": "src/.git/config",
    ".git in another letter case": ".GIT/hooks/pre-commit",
    "protected path": ".env",
    "protected directory": "secrets/key.pem",
}


def _path(template: str, outside: Path) -> str:
    return template.replace("{outside}", str(outside))


@pytest.mark.parametrize("path", list(ESCAPES.values()), ids=list(ESCAPES))
def test_reading_outside_is_refused(jailed: ToolContext, outside: Path, path: str) -> None:
    with pytest.raises(PathError) as refused:
        _run(ReadFile(), jailed, path=_path(path, outside))
    assert "outside the workspace" in str(refused.value) or "NUL" in str(refused.value)


@pytest.mark.parametrize("path", list(WRITE_ESCAPES.values()), ids=list(WRITE_ESCAPES))
def test_writing_outside_or_into_git_is_refused(jailed: ToolContext, outside: Path, path: str) -> None:
    with pytest.raises(PathError):
        _run(WriteFile(), jailed, path=_path(path, outside), content="#!/bin/sh\necho pwned\n")


@pytest.mark.parametrize("path", list(WRITE_ESCAPES.values()), ids=list(WRITE_ESCAPES))
def test_editing_outside_or_into_git_is_refused(jailed: ToolContext, outside: Path, path: str) -> None:
    with pytest.raises((PathError, ToolError)):
        _run(EditFile(), jailed, path=_path(path, outside), edits=[{"search": "secret", "replace": "leaked"}])


@pytest.mark.parametrize("path", ["..", "../outside", "etc_link", "outside_dir", "/"], ids=str)
def test_listing_outside_is_refused(jailed: ToolContext, path: str) -> None:
    with pytest.raises(PathError):
        _run(ListFiles(), jailed, path=path, recursive=True)


def test_list_files_does_not_follow_a_symlinked_directory_outside(jailed: ToolContext) -> None:
    listed = _run(ListFiles(), jailed, path=".", recursive=True).output.splitlines()
    assert "outside_dir" in listed, "a symlink is listed as an entry, never descended into"
    assert not any(line.startswith(("outside_dir/", "etc_link/", ".git")) for line in listed)


def test_paths_inside_still_work(jailed: ToolContext, workspace: Path) -> None:
    assert _run(ReadFile(), jailed, path=str(workspace / "inside.txt")).output == "inside\n"
    assert _run(ReadFile(), jailed, path="src_alias/app.py").output == "x = 1\n"
    assert _run(ReadFile(), jailed, path="./src/../inside.txt").output == "inside\n"
    assert _run(ReadFile(), jailed, path=".git/config").output == "[core]\n", ".git can be read, not written"
    _run(WriteFile(), jailed, path="src_alias/new.py", content="y = 2\n")
    assert (workspace / "src" / "new.py").read_text() == "y = 2\n"


def test_errors_say_what_to_do(jailed: ToolContext) -> None:
    with pytest.raises(PathError, match="only files inside the workspace can be used"):
        _run(ReadFile(), jailed, path="../x")
    with pytest.raises(PathError, match=r"inside a \.git directory, which Flambeau never writes"):
        _run(WriteFile(), jailed, path=".git/hooks/pre-commit", content="x")
    with pytest.raises(PathError, match="NUL byte"):
        _run(ReadFile(), jailed, path="a\x00b")
    with pytest.raises(PathError, match="empty path"):
        Workspace(Path(os.getcwd())).resolve("")
