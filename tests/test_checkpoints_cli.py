"""`flambeau checkpoints` lists, takes and restores checkpoints of a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.checkpoints import main


def test_create_list_and_restore_from_the_command_line(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "a.txt").write_text("original\n")
    assert main(["--workspace", str(workspace), "create", "--label", "before trying"]) == 0
    checkpoint_id = capsys.readouterr().out.split()[0]
    (workspace / "a.txt").write_text("changed\n")
    (workspace / "b.txt").write_text("new\n")

    assert main(["--workspace", str(workspace), "list"]) == 0
    listed = capsys.readouterr().out
    assert checkpoint_id in listed and "1 files" in listed and "before trying" in listed

    assert main(["--workspace", str(workspace), "restore", checkpoint_id]) == 0
    out = capsys.readouterr().out
    assert "1 written, 1 removed" in out and "undo with 'flambeau checkpoints restore" in out
    assert (workspace / "a.txt").read_text() == "original\n" and not (workspace / "b.txt").exists()


def test_restoring_an_unknown_checkpoint_is_an_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "a.txt").write_text("x")
    assert main(["--workspace", str(workspace), "restore", "abcdef1234"]) == 1
    assert "no checkpoint abcdef1234" in capsys.readouterr().err
