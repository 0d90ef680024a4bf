"""Checkpoints in a shadow repository: byte-exact restore, ignores and size caps, nothing in the workspace."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tools.workspace.checkpoints import CheckpointError, ShadowCheckpoints, default_data_dir


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root (but .git) with its bytes and mode; symlinks as their target."""
    found: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            content = os.readlink(path).encode() if stat.S_ISLNK(info.st_mode) else path.read_bytes()
            found[rel] = (content, stat.S_IMODE(info.st_mode) if not stat.S_ISLNK(info.st_mode) else 0)
    return found


def _populate(root: Path) -> None:
    (root / "src").mkdir()
    (root / "src" / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    (root / "src" / "lf.txt").write_bytes(b"no final newline")
    (root / "src" / "bin.dat").write_bytes(bytes(range(256)) * 10)
    (root / "unicode-é.md").write_text("ünïcödé ✓\n", encoding="utf-8")
    script = root / "run.sh"
    script.write_bytes(b"#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    (root / "link").symlink_to("src/lf.txt")
    # Attributes that would convert line endings or run filters must not change a restore.
    (root / ".gitattributes").write_text("* text=auto eol=crlf\n*.dat filter=lfs\n")


def test_restore_brings_back_every_file_byte_exact_and_removes_new_ones(workspace: Path) -> None:
    _populate(workspace)
    store = ShadowCheckpoints(workspace)
    before = _tree(workspace)
    checkpoint = store.create("before edits", task_id="t1")
    assert checkpoint.files == len(before) and checkpoint.skipped == []

    (workspace / "src" / "crlf.txt").write_bytes(b"changed\n")
    (workspace / "src" / "bin.dat").unlink()
    (workspace / "run.sh").chmod(0o644)
    (workspace / "link").unlink()
    (workspace / "link").write_text("now a file")
    (workspace / "new").mkdir()
    (workspace / "new" / "made-by-agent.py").write_text("x = 1\n")

    report = store.restore(checkpoint.id)
    assert _tree(workspace) == before
    assert not (workspace / "new").exists()
    assert "new/made-by-agent.py" in report.deleted and report.failed == []
    assert report.safety_checkpoint.label.startswith("before restoring")


def test_checkpoints_are_listed_newest_first_with_what_they_hold(workspace: Path) -> None:
    (workspace / "a.txt").write_text("1")
    store = ShadowCheckpoints(workspace)
    assert store.list_checkpoints() == []
    first = store.create("first", task_id="task-1")
    (workspace / "b.txt").write_text("2")
    second = store.create("second", task_id="task-1")
    listed = store.list_checkpoints()
    assert [c.id for c in listed] == [second.id, first.id]
    assert [(c.label, c.files, c.task_id) for c in listed] == [("second", 2, "task-1"), ("first", 1, "task-1")]


def test_ignored_and_oversized_files_are_skipped_and_survive_a_restore(workspace: Path) -> None:
    (workspace / ".gitignore").write_text("build/\n*.log\n")
    (workspace / ".flambeauignore").write_text("datasets/\n")
    (workspace / "datasets").mkdir()
    (workspace / "datasets" / "huge.csv").write_text("a,b\n")
    (workspace / "build").mkdir()
    (workspace / "build" / "out.o").write_bytes(b"\0" * 10)
    (workspace / "debug.log").write_text("log")
    (workspace / "big.bin").write_bytes(b"x" * 2000)
    (workspace / "small.txt").write_text("small")
    (workspace / ".flambeau").mkdir()
    (workspace / ".flambeau" / "trace.jsonl").write_text("{}")
    store = ShadowCheckpoints(workspace, max_file_bytes=1000)
    checkpoint = store.create("cp")
    assert checkpoint.files == 3  # .gitignore, .flambeauignore and small.txt
    assert checkpoint.skipped == ["big.bin"]

    (workspace / "small.txt").write_text("edited")
    (workspace / "debug.log").write_text("more log")
    (workspace / "big.bin").write_bytes(b"y" * 3000)
    store.restore(checkpoint.id)
    assert (workspace / "small.txt").read_text() == "small"
    assert (workspace / "debug.log").read_text() == "more log"
    assert (workspace / "big.bin").read_bytes() == b"y" * 3000
    assert (workspace / "build" / "out.o").exists() and (workspace / ".flambeau" / "trace.jsonl").exists()
    assert (workspace / "datasets" / "huge.csv").exists()


def test_the_shadow_repository_lives_outside_the_workspace(workspace: Path) -> None:
    (workspace / "a.txt").write_text("1")
    store = ShadowCheckpoints(workspace)
    store.create("cp")
    assert default_data_dir() in store.git_dir.parents
    assert sorted(p.name for p in workspace.iterdir()) == ["a.txt"]
    assert (store.git_dir / "workspace").read_text().strip() == str(workspace)


def test_a_checkpoint_over_its_time_budget_fails_cleanly(workspace: Path) -> None:
    for i in range(300):
        (workspace / f"f{i}.txt").write_text(str(i))
    store = ShadowCheckpoints(workspace, time_budget_s=0.0001)
    with pytest.raises(CheckpointError, match="time budget"):
        store.create("too slow")
    assert not (store.git_dir / "index.lock").exists()
    assert ShadowCheckpoints(workspace).create("in time").files == 300


def test_too_many_files_is_a_clear_error(workspace: Path) -> None:
    for i in range(5):
        (workspace / f"f{i}.txt").write_text(str(i))
    with pytest.raises(CheckpointError, match="more than the checkpoint limit of 3"):
        ShadowCheckpoints(workspace, max_files=3).create("cp")


@pytest.mark.parametrize("bad", ["", "HEAD", "--all", "../x", "deadbeefdeadbeef"])
def test_restoring_an_unknown_checkpoint_is_refused(workspace: Path, bad: str) -> None:
    (workspace / "a.txt").write_text("1")
    store = ShadowCheckpoints(workspace)
    store.create("cp")
    with pytest.raises(CheckpointError, match="checkpoint"):
        store.restore(bad)
    assert (workspace / "a.txt").read_text() == "1"
