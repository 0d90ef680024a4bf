"""read_file, write_file and list_files on real files, with ignore rules checked against real git."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools.base import Tool, ToolContext, ToolError, ToolResult, sha256_bytes
from tools.files import MAX_LISTED_ENTRIES, MAX_READ_BYTES, ListFiles, ReadFile, WriteFile
from tools.workspace.ignore import IgnoreRules
from tools.workspace.jail import Workspace


def _run(tool: Tool[Any], ctx: ToolContext, **arguments: Any) -> ToolResult:
    return asyncio.run(tool.run(tool.parse(arguments), ctx))


def _ctx(root: Path) -> ToolContext:
    return ToolContext(workspace=Workspace(root))


# --- read_file -----------------------------------------------------------------------------------
def test_read_remembers_the_content_hash_for_stale_edit_detection(workspace: Path) -> None:
    (workspace / "a.py").write_bytes(b"x = 1\n")
    ctx = _ctx(workspace)
    result = _run(ReadFile(), ctx, path="a.py")
    assert result.ok and result.output == "x = 1\n"
    assert ctx.read_hashes == {"a.py": sha256_bytes(b"x = 1\n")}


def test_read_a_range_of_lines(workspace: Path) -> None:
    (workspace / "a.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    result = _run(ReadFile(), _ctx(workspace), path="a.txt", start_line=3, end_line=4)
    assert result.output == "[a.txt: lines 3-4 of 10]\nline 3\nline 4\n"


def test_binary_file_is_refused_with_a_note(workspace: Path) -> None:
    (workspace / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    ctx = _ctx(workspace)
    result = _run(ReadFile(), ctx, path="logo.png")
    assert not result.ok
    assert result.output == "logo.png is a binary file (16 bytes); it was not read"
    assert ctx.read_hashes == {}


def test_oversize_file_is_refused_with_a_note_naming_the_way_out(workspace: Path) -> None:
    (workspace / "big.log").write_bytes(b"x" * (MAX_READ_BYTES + 1) + b"\n")
    result = _run(ReadFile(), _ctx(workspace), path="big.log")
    assert not result.ok
    assert "over the 1,000,000-byte limit" in result.output and "start_line" in result.output
    ranged = _run(ReadFile(), _ctx(workspace), path="big.log", start_line=1, end_line=1)
    assert ranged.ok and ranged.output.startswith("[big.log: lines 1-1 of 1]")


def test_utf16_and_latin1_files_are_read_as_text(workspace: Path) -> None:
    (workspace / "u16.txt").write_bytes("\ufeffhéllo\n".encode("utf-16-le"))
    (workspace / "latin.txt").write_bytes(b"caf\xe9\n")
    ctx = _ctx(workspace)
    assert _run(ReadFile(), ctx, path="u16.txt").output == "héllo\n"
    assert _run(ReadFile(), ctx, path="latin.txt").output == "café\n"


def test_missing_file_and_directory_give_clear_errors(workspace: Path) -> None:
    (workspace / "src").mkdir()
    with pytest.raises(ToolError, match="does not exist; use list_files"):
        _run(ReadFile(), _ctx(workspace), path="nope.py")
    with pytest.raises(ToolError, match="is a directory"):
        _run(ReadFile(), _ctx(workspace), path="src")


# --- write_file ----------------------------------------------------------------------------------
def test_write_creates_a_file_and_its_directories(workspace: Path) -> None:
    result = _run(WriteFile(), _ctx(workspace), path="new/dir/a.txt", content="hi\n")
    assert (workspace / "new/dir/a.txt").read_bytes() == b"hi\n"
    assert result.file_changes[0].sha256_before is None


def test_rewrite_keeps_crlf_and_bom_of_the_existing_file(workspace: Path) -> None:
    (workspace / "win.txt").write_bytes(b"\xef\xbb\xbfold\r\nlines\r\n")
    _run(WriteFile(), _ctx(workspace), path="win.txt", content="new\ncontent\n")
    assert (workspace / "win.txt").read_bytes() == b"\xef\xbb\xbfnew\r\ncontent\r\n"


def test_empty_content_empties_the_file_because_it_was_asked(workspace: Path) -> None:
    (workspace / "a.txt").write_bytes(b"something\n")
    _run(WriteFile(), _ctx(workspace), path="a.txt", content="")
    assert (workspace / "a.txt").read_bytes() == b""


def test_placeholder_standing_in_for_code_is_refused(workspace: Path) -> None:
    original = b"def a():\n    return 1\n\ndef b():\n    return 2\n"
    (workspace / "m.py").write_bytes(original)
    with pytest.raises(ToolError, match="placeholder"):
        _run(
            WriteFile(), _ctx(workspace), path="m.py", content="def a():\n    return 3\n\n# ... rest of the code ...\n"
        )
    assert (workspace / "m.py").read_bytes() == original


def test_a_placeholder_that_was_already_in_the_file_is_fine(workspace: Path) -> None:
    (workspace / "m.py").write_bytes(b"# ... rest of the code unchanged\n")
    _run(WriteFile(), _ctx(workspace), path="m.py", content="x = 1\n# ... rest of the code unchanged\n")
    assert (workspace / "m.py").read_bytes() == b"x = 1\n# ... rest of the code unchanged\n"


def test_content_that_cannot_be_encoded_is_refused_and_the_file_kept(workspace: Path) -> None:
    (workspace / "a.txt").write_bytes(b"keep\n")
    with pytest.raises(ToolError, match="cannot represent"):
        _run(WriteFile(), _ctx(workspace), path="a.txt", content="bad \ud800 surrogate\n")
    assert (workspace / "a.txt").read_bytes() == b"keep\n"


def test_failed_write_leaves_the_original_whole(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "a.txt").write_bytes(b"original content\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        _run(WriteFile(), _ctx(workspace), path="a.txt", content="new content that never lands\n")
    assert (workspace / "a.txt").read_bytes() == b"original content\n"
    assert sorted(p.name for p in workspace.iterdir()) == ["a.txt"]


def test_write_refuses_binary_files_and_directories(workspace: Path) -> None:
    (workspace / "b.bin").write_bytes(b"\x00\x01")
    (workspace / "d").mkdir()
    with pytest.raises(ToolError, match="binary"):
        _run(WriteFile(), _ctx(workspace), path="b.bin", content="x")
    with pytest.raises(ToolError, match="directory"):
        _run(WriteFile(), _ctx(workspace), path="d", content="x")
    assert (workspace / "b.bin").read_bytes() == b"\x00\x01"


# --- list_files and ignore rules -----------------------------------------------------------------
IGNORE_TREE: dict[str, str] = {
    ".gitignore": "*.log\nbuild/\n/only_root.txt\n!keep.log\ndocs/**/*.tmp\nsecret*\ncache/\n\\#hash.txt\n",
    "only_root.txt": "",
    "app.log": "",
    "keep.log": "",
    "main.py": "",
    "#hash.txt": "",
    "secret.env": "",
    "build/out.o": "",
    "build/keep.txt": "",
    "cache": "a file named like an ignored directory",
    "docs/a/b/x.tmp": "",
    "docs/a/readme.md": "",
    "docs/top.tmp": "",
    "sub/.gitignore": "local.txt\n/anchored.txt\n!important.log\ndeep/\n*.gen.py\n",
    "sub/only_root.txt": "",
    "sub/local.txt": "",
    "sub/anchored.txt": "",
    "sub/important.log": "",
    "sub/other.log": "",
    "sub/x.gen.py": "",
    "sub/inner/anchored.txt": "",
    "sub/inner/local.txt": "",
    "sub/inner/deep/file.py": "",
    "sub/inner/cache/c.txt": "",
    "sub/inner/.gitignore": "!local.txt\n",
    "sub/deep/f.txt": "",
    "other/deep/f.txt": "",
    "other/x.gen.py": "",
}


def _make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def _git_visible_files(root: Path) -> set[str]:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=root, check=True, capture_output=True
    ).stdout.decode()
    return {p for p in listed.split("\0") if p}


def test_ignore_rules_agree_with_git(workspace: Path) -> None:
    _make_tree(workspace, IGNORE_TREE)
    ours = {rel for rel, is_dir in IgnoreRules(workspace).walk() if not is_dir}
    git = _git_visible_files(workspace)
    assert ours == git
    assert "keep.log" in ours and "sub/inner/local.txt" in ours and "sub/important.log" in ours
    assert "build/keep.txt" not in ours and "sub/inner/deep/file.py" not in ours


def test_each_ignored_path_agrees_with_git_check_ignore(workspace: Path) -> None:
    _make_tree(workspace, IGNORE_TREE)
    _git_visible_files(workspace)
    rules = IgnoreRules(workspace)
    list(rules.walk())
    paths = [rel for rel in IGNORE_TREE if not rel.endswith(".gitignore")]
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "-z", "--stdin"],
        cwd=workspace,
        input="\0".join(paths).encode(),
        capture_output=True,
    ).stdout.decode()
    git_ignored = {p for p in checked.split("\0") if p}
    ours = {p for p in paths if any(rules.ignored(a, True) for a in _ancestors(p)) or rules.ignored(p, False)}
    assert ours == git_ignored


def _ancestors(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def test_list_files_honours_gitignore_and_flambeauignore(workspace: Path) -> None:
    _make_tree(
        workspace,
        {
            ".gitignore": "*.log\n",
            ".flambeauignore": "fixtures/\n",
            "a.py": "",
            "b.log": "",
            "fixtures/big.json": "",
            "src/c.py": "",
            "src/.flambeauignore": "gen_*\n",
            "src/gen_x.py": "",
        },
    )
    result = _run(ListFiles(), _ctx(workspace), path=".", recursive=True)
    assert result.output.splitlines() == [
        ".flambeauignore",
        ".gitignore",
        "a.py",
        "src/",
        "src/.flambeauignore",
        "src/c.py",
    ]


def test_list_files_is_capped_and_counts_what_was_left_out(workspace: Path) -> None:
    for i in range(MAX_LISTED_ENTRIES + 25):
        (workspace / f"f{i:04d}.txt").write_text("")
    result = _run(ListFiles(), _ctx(workspace), path=".")
    lines = result.output.splitlines()
    assert len(lines) == MAX_LISTED_ENTRIES + 1
    assert lines[-1] == "[... 25 more entries not listed; list a subdirectory to see them]"
    assert result.data == {"listed": MAX_LISTED_ENTRIES, "left_out": 25}


def test_list_files_of_a_subdirectory_applies_the_parents_ignore_files(workspace: Path) -> None:
    _make_tree(workspace, {".gitignore": "*.tmp\n", "src/a.py": "", "src/b.tmp": ""})
    result = _run(ListFiles(), _ctx(workspace), path="src")
    assert result.output.splitlines() == ["src/a.py"]
