"""search_files: ripgrep and the pure-Python path give the same lines, over the same non-ignored files."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from tools.base import ToolContext, ToolError, ToolResult
from tools.search import (
    MAX_SHOWN_MATCHES,
    SearchFiles,
    candidate_files,
    search_with_python,
    search_with_ripgrep,
)
from tools.workspace.jail import PathError, Workspace

TREE: dict[str, bytes] = {
    ".gitignore": b"*.log\nbuild/\nnode_modules/\n",
    ".flambeauignore": b"fixtures/\n",
    "README.md": b"# Demo\nTODO: write docs\nVersion 1.2.3\n",
    "src/app.py": b"import os\nimport sys\n\nclass App:\n    def run(self):\n        return 'hello'  # TODO\n",
    "src/util.py": b"def helper(x):\n    return x * 2\n\ndef other():\n    pass\n",
    "src/web/index.ts": b"export function main(): void {}\nclass Widget {}\n",
    "src/web/view.js": b"function render() { return 'Hello'; }\n",
    "src/windows.py": b"def crlf_function():\r\n    return 'line end'\r\n",
    "src/legacy.txt": b"caf\xe9 au lait\nplain ascii TODO\n",
    "src/utf16.txt": "\ufeffTODO in utf-16\r\nsecond line\r\n".encode("utf-16-le"),
    "src/.gitignore": b"generated_*.py\n",
    "src/generated_api.py": b"def generated():\n    TODO = 1\n",
    "src/no_newline.py": b"def last(): pass",
    "build/out.py": b"def built(): pass  # TODO\n",
    "debug.log": b"TODO in a log\n",
    "fixtures/data.py": b"def fixture(): pass  # TODO\n",
    "node_modules/lib/index.js": b"function render() {}\n",
    "image.png": b"\x89PNG\x00\x00TODO def\n",
    "late_nul.bin": b"def early(): pass\n" + b"\x00" * 4,
}


@pytest.fixture
def tree(workspace: Path, tmp_path: Path) -> Path:
    for rel, data in TREE.items():
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.py").write_bytes(b"def leaked(): pass  # TODO\n")
    (workspace / "linked").symlink_to(outside)
    (workspace / "leak_link.py").symlink_to(outside / "leak.py")
    return workspace


def _search(root: Path, **arguments: Any) -> ToolResult:
    tool = SearchFiles()
    return asyncio.run(tool.run(tool.parse(arguments), ToolContext(workspace=Workspace(root))))


REGEXES = [r"TODO", r"def \w+", r"^import", r"end'$", r"\bclass\b", r"(?i)hello", r"[0-9]+\.[0-9]+", r"x \* 2", "caf"]


@pytest.mark.parametrize("regex", REGEXES)
def test_ripgrep_and_python_give_the_same_results(tree: Path, regex: str) -> None:
    files = candidate_files(tree, ".", None)
    by_rg = search_with_ripgrep(tree, files, regex)
    by_python = search_with_python(tree, files, re.compile(regex))
    assert by_rg is not None
    assert by_rg.matches == by_python.matches
    assert by_rg.total == by_python.total > 0


def test_only_files_that_no_ignore_file_excludes_are_searched(tree: Path) -> None:
    assert candidate_files(tree, ".", None) == [
        ".flambeauignore",
        ".gitignore",
        "README.md",
        "image.png",
        "late_nul.bin",
        "src/.gitignore",
        "src/app.py",
        "src/legacy.txt",
        "src/no_newline.py",
        "src/utf16.txt",
        "src/util.py",
        "src/web/index.ts",
        "src/web/view.js",
        "src/windows.py",
    ]


def test_results_have_paths_and_line_numbers(tree: Path) -> None:
    result = _search(tree, regex="TODO")
    assert result.output.splitlines() == [
        "README.md:2: TODO: write docs",
        "src/app.py:6:         return 'hello'  # TODO",
        "src/legacy.txt:2: plain ascii TODO",
        "src/utf16.txt:1: TODO in utf-16",
    ]
    assert result.data["backend"] == "ripgrep"
    assert result.data["files_searched"] == 14


def test_binary_ignored_and_outside_files_never_match(tree: Path) -> None:
    output = _search(tree, regex="def").output
    for never in ("image.png", "late_nul.bin", "build/", "fixtures/", "generated_api", "leaked", "linked/"):
        assert never not in output


def test_glob_narrows_the_files(tree: Path) -> None:
    assert [line.split(":")[0] for line in _search(tree, regex="def|function", glob="*.ts").output.splitlines()] == [
        "src/web/index.ts"
    ]
    assert {line.split(":")[0] for line in _search(tree, regex=".", glob="src/**/*.{ts,js}").output.splitlines()} == {
        "src/web/index.ts",
        "src/web/view.js",
    }
    assert _search(tree, regex="def", glob="*.py, *.ts").data["files_searched"] == 5


def test_a_path_narrows_the_search(tree: Path) -> None:
    assert _search(tree, regex="def", path="src/util.py").output == "src/util.py:1: def helper(x):\n" + (
        "src/util.py:4: def other():"
    )
    assert _search(tree, regex="function|class", path="src/web").output.splitlines() == [
        "src/web/index.ts:1: export function main(): void {}",
        "src/web/index.ts:2: class Widget {}",
        "src/web/view.js:1: function render() { return 'Hello'; }",
    ]
    assert _search(tree, regex="def", path="src/web").output == "no matches for /def/ in src/web (2 files searched)"


def test_results_are_capped_and_the_rest_counted(workspace: Path) -> None:
    (workspace / "many.txt").write_text("".join(f"hit {i}\n" for i in range(250)))
    (workspace / "more.txt").write_text("hit\n" * 10)
    result = _search(workspace, regex="hit")
    lines = result.output.splitlines()
    assert len(lines) == MAX_SHOWN_MATCHES + 1
    assert lines[0] == "many.txt:1: hit 0"
    assert lines[-1] == "[160 more matches not shown (260 in 2 files); narrow the regex, the path or the glob]"
    assert result.data["matches"] == 260


def test_long_lines_are_clipped(workspace: Path) -> None:
    (workspace / "min.js").write_text("var a = 1;" * 1000 + "\n")
    line = _search(workspace, regex="var").output
    assert len(line) < 400 and line.endswith(" [...]")


def test_regex_ripgrep_cannot_run_falls_back_to_python(tree: Path) -> None:
    result = _search(tree, regex=r"(?<=def )helper")
    assert result.data["backend"] == "python"
    assert result.output == "src/util.py:1: def helper(x):"


def test_without_ripgrep_the_python_path_answers(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_rg = _search(tree, regex=r"def \w+").output
    monkeypatch.setenv("PATH", str(tree / "no-binaries-here"))
    without = _search(tree, regex=r"def \w+")
    assert without.data["backend"] == "python"
    assert without.output == with_rg


def test_bad_input_gets_clear_errors(tree: Path) -> None:
    with pytest.raises(ToolError, match="invalid regular expression"):
        _search(tree, regex="(unclosed")
    with pytest.raises(ToolError, match="regex is empty"):
        _search(tree, regex="")
    with pytest.raises(ToolError, match="does not exist"):
        _search(tree, regex="x", path="nope")
    with pytest.raises(PathError):
        _search(tree, regex="x", path="../outside")
    with pytest.raises(PathError):
        _search(tree, regex="x", path="linked")
