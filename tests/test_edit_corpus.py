"""edit_file against a corpus: every case is applied exactly as expected, or refused with the file byte-identical."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.base import ToolContext, ToolError, ToolResult, sha256_bytes
from tools.edit import EditFile
from tools.workspace.jail import PathError, Workspace


@dataclass(frozen=True)
class Case:
    name: str
    before: bytes
    edits: list[tuple[str, str]]
    expected: bytes | None
    """The file after the edit; None: the edit is refused and the file stays byte-identical."""
    error: str = ""
    """For refusals: text the error must contain (line numbers of the closest candidate, the reason)."""


PY = b"def greet(name):\n    message = f'hello {name}'\n    print(message)\n    return message\n"
LONG_PY = (
    b"class Invoice:\n"
    b"    def __init__(self, items, tax_rate):\n"
    b"        self.items = items\n"
    b"        self.tax_rate = tax_rate\n"
    b"\n"
    b"    def subtotal(self):\n"
    b"        return sum(item.price * item.quantity for item in self.items)\n"
    b"\n"
    b"    def total(self):\n"
    b"        return self.subtotal() * (1 + self.tax_rate)\n"
)

CASES: list[Case] = [
    # --- plain exact matches ---------------------------------------------------------------------
    Case("one line", b"a\nb\nc\n", [("b\n", "B\n")], b"a\nB\nc\n"),
    Case("several lines", PY, [("    print(message)\n    return message\n", "    return message.upper()\n")],
         b"def greet(name):\n    message = f'hello {name}'\n    return message.upper()\n"),
    Case("first line", b"first\nsecond\n", [("first\n", "FIRST\n")], b"FIRST\nsecond\n"),
    Case("last line without final newline", b"a\nlast", [("last", "LAST")], b"a\nLAST"),
    Case("insert after a line", b"a\nb\n", [("a\n", "a\ninserted\n")], b"a\ninserted\nb\n"),
    Case("delete a line", b"a\nb\nc\n", [("b\n", "")], b"a\nc\n"),
    Case("delete the last line without final newline", b"a\nb", [("\nb", "")], b"a"),
    Case("replace the whole content", b"old\ncontent\n", [("old\ncontent\n", "new\n")], b"new\n"),
    Case("empty the file when asked", b"only\n", [("only\n", "")], b""),
    Case("regex metacharacters are literal", b"x = a.*b[0] + (c)?\n", [("a.*b[0]", "d")], b"x = d + (c)?\n"),
    Case("backslashes are literal", b'path = "C:\\\\temp\\\\x"\n', [('"C:\\\\temp', '"D:\\\\tmp')],
         b'path = "D:\\\\tmp\\\\x"\n'),
    Case("tab inside the search matches a tab", b"a\tb\n", [("a\tb", "a\tc")], b"a\tc\n"),
    Case("json value", b'{\n  "name": "x",\n  "version": "1.0.0"\n}\n', [('"version": "1.0.0"', '"version": "1.1.0"')],
         b'{\n  "name": "x",\n  "version": "1.1.0"\n}\n'),
    Case("very long line, partial match", b"x = [" + b"1, " * 4000 + b"2]\n", [("1, 2]", "1, 3]")],
         b"x = [" + b"1, " * 4000 + b"3]\n"),
    # --- partial-line matches --------------------------------------------------------------------
    Case("fragment inside a line", b"total = compute(1, 2)\n", [("compute(1, 2)", "compute(1, 3)")],
         b"total = compute(1, 3)\n"),
    Case("fragment spanning the end of one line and the start of the next", b"alpha beta\ngamma delta\n",
         [("beta\ngamma", "BETA\nGAMMA")], b"alpha BETA\nGAMMA delta\n"),
    Case("fragment unique although the word repeats", b"foo(1)\nfoo(2)\n", [("foo(2)", "bar(2)")],
         b"foo(1)\nbar(2)\n"),
    Case("fragment that repeats on one line is ambiguous", b"x = y + y\n", [("y", "z")], None, "matches 2 places"),
    # --- line endings ----------------------------------------------------------------------------
    Case("CRLF stays CRLF", b"a\r\nb\r\nc\r\n", [("b\n", "B\n")], b"a\r\nB\r\nc\r\n"),
    Case("CRLF search text on a CRLF file", b"a\r\nb\r\nc\r\n", [("a\r\nb\r\n", "x\r\n")], b"x\r\nc\r\n"),
    Case("CRLF insertion writes CRLF", b"a\r\nb\r\n", [("a\n", "a\nnew1\nnew2\n")], b"a\r\nnew1\r\nnew2\r\nb\r\n"),
    Case("CRLF deletion", b"a\r\nb\r\nc\r\n", [("b\n", "")], b"a\r\nc\r\n"),
    Case("CRLF multi-line search", b"x\r\ny\r\nz\r\n", [("x\ny\nz", "X\nY\nZ")], b"X\r\nY\r\nZ\r\n"),
    Case("CRLF search on an LF file writes LF", b"a\nb\nc\n", [("a\r\nb\r\n", "A\r\nB\r\n")], b"A\nB\nc\n"),
    Case("mixed endings outside the edit are kept", b"a\r\nb\nc\r\nd\r\n", [("c", "C")], b"a\r\nb\nC\r\nd\r\n"),
    Case("final newline kept when the replacement drops it", b"a\nb\n", [("b\n", "B")], b"a\nB\n"),
    Case("absent final newline stays absent", b"a\nb", [("b", "B\n")], b"a\nB"),
    Case("search with a newline on a last line without one", b"a\nb", [("b\n", "B\n")], b"a\nB"),
    Case("CRLF file without final newline", b"a\r\nb", [("a\nb", "A\nB")], b"A\r\nB"),
    # --- tabs and spaces -------------------------------------------------------------------------
    Case("spaces in search, tabs in file", b"def f():\n\tif x:\n\t\treturn 1\n",
         [("    if x:\n        return 1\n", "    if x:\n        return 2\n")], b"def f():\n\tif x:\n\t\treturn 2\n"),
    Case("tabs in search, spaces in file", b"def f():\n    if x:\n        return 1\n",
         [("\tif x:\n\t\treturn 1\n", "\tif x:\n\t\tlog()\n\t\treturn 1\n")],
         b"def f():\n    if x:\n        log()\n        return 1\n"),
    Case("two-space search, four-space file, new nesting", b"class A:\n    def f(self):\n        return 1\n",
         [("  def f(self):\n    return 1\n", "  def f(self):\n    if ok:\n      return 1\n    return 0\n")],
         b"class A:\n    def f(self):\n        if ok:\n            return 1\n        return 0\n"),
    Case("search without the file's indentation", b"if x:\n        deep_call(a, b)\n",
         [("deep_call(a, b)\n", "deep_call(a, c)\n")], b"if x:\n        deep_call(a, c)\n"),
    Case("trailing spaces in the file", b"a = 1   \nb = 2\t\nc = 3\n", [("a = 1\nb = 2\n", "a = 10\nb = 20\n")],
         b"a = 10\nb = 20\nc = 3\n"),
    Case("trailing spaces in the search", b"a = 1\nb = 2\n", [("a = 1  \nb = 2  \n", "a = 1\nb = 3\n")],
         b"a = 1\nb = 3\n"),
    Case("different spacing inside a line", b"x  =  compute( 1 )\ny = 2\n", [("x = compute( 1 )\n", "x = 5\n")],
         b"x = 5\ny = 2\n"),
    Case("blank lines around the search are ignored", b"a\nb\nc\n", [("\n\nb\n\n", "\n\nB\n\n")], b"a\nB\nc\n"),
    Case("trailing spaces elsewhere are untouched", b"keep   \nx\nkeep\t\n", [("x\n", "y\n")], b"keep   \ny\nkeep\t\n"),
    Case("tab-indented whitespace-tolerant ambiguity", b"\tx()\n  x()\n", [("    x()\n", "    y()\n")], None,
         "matches 2 places"),
    # --- Unicode ---------------------------------------------------------------------------------
    Case("accented text", "café = 'crème brûlée'\n".encode(), [("crème", "creme")], "café = 'creme brûlée'\n".encode()),
    Case("emoji", "status = '✅ done'\n".encode(), [("✅", "🎉")], "status = '🎉 done'\n".encode()),
    Case("CJK text", "标题 = '你好'\n下一行\n".encode(), [("'你好'", "'世界'")], "标题 = '世界'\n下一行\n".encode()),
    Case("Unicode added to an ASCII file", b"name = 'x'\n", [("'x'", "'Zoë'")], "name = 'Zoë'\n".encode()),
    Case("UTF-8 BOM kept", b"\xef\xbb\xbfa\nb\n", [("b", "c")], b"\xef\xbb\xbfa\nc\n"),
    Case("UTF-16 LE file stays UTF-16 LE", "\ufeffline one\r\nline two\r\n".encode("utf-16-le"),
         [("line two", "line 2")], "\ufeffline one\r\nline 2\r\n".encode("utf-16-le")),
    Case("Latin-1 file keeps its bytes", b"caf\xe9 = 1\nx = 2\n", [("x = 2", "x = 3")], b"caf\xe9 = 1\nx = 3\n"),
    Case("Latin-1 file: search in Latin-1 text", b"caf\xe9 = 1\n", [("café = 1", "café = 2")], b"caf\xe9 = 2\n"),
    Case("Latin-1 file refuses a character it cannot hold", b"caf\xe9 = 1\n", [("1", "'€'")], None,
         "cannot represent"),
    Case("decomposed accents do not match composed ones", "é = 1\n".encode(), [("e\u0301 = 1", "x")], None,
         "not found"),
    # --- duplicates ------------------------------------------------------------------------------
    Case("duplicate exact matches", b"x = 1\ny = 2\nx = 1\n", [("x = 1", "x = 9")], None, "lines 1, 3"),
    Case("duplicate multi-line matches", b"a\nb\nz\na\nb\n", [("a\nb\n", "c\n")], None, "lines 1-2, 4-5"),
    Case("duplicate whitespace-tolerant matches", b"    go()\nstop()\n        go()\n", [("go()  \n", "run()\n")], None,
         "matches 2 places"),
    Case("exact match wins over a looser duplicate", b"x()\n    x()  \n", [("    x()  \n", "    y()\n")],
         b"x()\n    y()\n"),
    # --- several blocks, any order ---------------------------------------------------------------
    Case("two blocks in file order", b"a\nb\nc\nd\n", [("a\n", "A\n"), ("d\n", "D\n")], b"A\nb\nc\nD\n"),
    Case("two blocks out of order", b"a\nb\nc\nd\n", [("d\n", "D\n"), ("a\n", "A\n")], b"A\nb\nc\nD\n"),
    Case("three blocks shuffled", b"one\ntwo\nthree\nfour\nfive\n",
         [("four", "4"), ("one", "1"), ("three", "3")], b"1\ntwo\n3\n4\nfive\n"),
    Case("adjacent blocks", b"a\nb\n", [("b\n", "B\n"), ("a\n", "A\n")], b"A\nB\n"),
    Case("blocks that change line counts", b"1\n2\n3\n4\n5\n", [("4\n", "4a\n4b\n"), ("2\n", "")],
         b"1\n3\n4a\n4b\n5\n"),
    Case("overlapping blocks are refused", b"a\nb\nc\n", [("a\nb\n", "x\n"), ("b\nc\n", "y\n")], None, "overlap"),
    Case("one block missing refuses all", b"a\nb\nc\n", [("a\n", "A\n"), ("zzz\n", "Z\n")], None,
         "block 2: the search text was not found"),
    Case("second block searches text the first one writes", b"a\nb\n", [("a\n", "q\n"), ("q\n", "r\n")], None,
         "block 2"),
    Case("same block twice is refused", b"a\nb\n", [("a\n", "A\n"), ("a\n", "A\n")], None, "overlap"),
    # --- not found, empty, no-op -----------------------------------------------------------------
    Case("block not found shows the closest lines", LONG_PY,
         [("    def subtotl(self):\n        return sum(i.price for i in self.items)\n", "    pass\n")], None,
         "lines 6-7"),
    Case("nothing similar at all", b"alpha\nbeta\n", [("completely unrelated text here", "x")], None, "not found"),
    Case("empty search names no place", b"a\n", [("", "x")], None, 'set position to "start" or "end"'),
    Case("whitespace-only search names no place", b"a\n\n\nb\n", [("\n\n", "x")], None, "the search text is empty"),
    Case("search equals replace", b"a\n", [("a", "a")], None, "identical"),
    Case("empty file", b"", [("anything", "x")], None, "not found"),
    Case("replacement equal to the file after tolerant match", b"\tx = 1\n", [("    x = 1\n", "\tx = 1\n")],
         None, "nothing to do"),
    # --- close matches ---------------------------------------------------------------------------
    Case("typo on a line the block keeps: a close match that keeps the file's line", LONG_PY,
         [("    def total(slef):\n        return self.subtotal() * (1 + self.tax_rate)\n",
           "    def total(slef):\n        return round(self.subtotal() * (1 + self.tax_rate), 2)\n")],
         LONG_PY.replace(b"        return self.subtotal() * (1 + self.tax_rate)\n",
                         b"        return round(self.subtotal() * (1 + self.tax_rate), 2)\n")),
    Case("typo on a line the block changes is refused with the current line", LONG_PY,
         [("    def total(self):\n        return self.subtotal() * (1 + self.taxrate)\n",
           "    def total(self):\n        return round(self.subtotal() * (1 + self.tax_rate), 2)\n")],
         None, "differs on line 10, which the block changes"),
    Case("a stale operator on a changed line is never close enough", PY,
         [("    message = f'hello {name}'\n    print(message)\n    return message != None\n",
           "    message = f'hello {name}'\n    print(message)\n    return message is not None\n")],
         None, "which the block changes"),
    Case("a line missing from the search is not papered over", LONG_PY,
         [("    def __init__(self, items, tax_rate):\n        self.tax_rate = tax_rate\n",
           "    def __init__(self, items, tax_rate=0.2):\n        self.tax_rate = tax_rate\n")],
         None, "closest text (lines 2-"),
    Case("too different to be applied", LONG_PY,
         [("    def subtotal(self):\n        total = 0\n        for item in self.items:\n            total += item\n",
           "x\n")], None, "lines 6-"),
    Case("short typo is never applied by similarity", b"value = 10\n", [("valeu = 10", "value = 11")], None,
         "not found"),
    Case("two close candidates are ambiguous",
         b"def load_user(uid):\n    return db.get(uid)\n\ndef load_users(uid):\n    return db.get(uid)\n",
         [("def load_usr(uid):\n    return db.get(uid)\n", "x\n")], None, "is close to 2 places"),
]


def _workspace_ctx(root: Path) -> ToolContext:
    return ToolContext(workspace=Workspace(root))


def _edit(ctx: ToolContext, path: str, edits: list[tuple[str, str]]) -> ToolResult:
    tool = EditFile()
    args = tool.parse({"path": path, "edits": [{"search": s, "replace": r} for s, r in edits]})
    return asyncio.run(tool.run(args, ctx))


def test_the_corpus_has_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_edit_corpus(case: Case, workspace: Path) -> None:
    target = workspace / "file.txt"
    target.write_bytes(case.before)
    ctx = _workspace_ctx(workspace)
    if case.expected is None:
        with pytest.raises(ToolError) as refused:
            _edit(ctx, "file.txt", case.edits)
        assert target.read_bytes() == case.before
        assert case.error in str(refused.value)
    else:
        result = _edit(ctx, "file.txt", case.edits)
        assert target.read_bytes() == case.expected
        [change] = result.file_changes
        assert change.sha256_before == sha256_bytes(case.before)
        assert change.sha256_after == sha256_bytes(case.expected)
        assert ctx.read_hashes["file.txt"] == sha256_bytes(case.expected)
    assert sorted(p.name for p in workspace.iterdir()) == ["file.txt"], "no temporary file is left behind"


# --- behaviours beyond single cases ----------------------------------------------------------------
def test_stale_file_is_refused_with_the_fresh_region_then_the_retry_applies(workspace: Path) -> None:
    from tools.files import ReadFile

    target = workspace / "app.py"
    target.write_bytes(LONG_PY)
    ctx = _workspace_ctx(workspace)
    read = ReadFile()
    asyncio.run(read.run(read.parse({"path": "app.py"}), ctx))
    changed_by_user = LONG_PY.replace(b"tax_rate)\n", b"tax_rate) + self.shipping\n")
    target.write_bytes(changed_by_user)
    edits = [("        return self.subtotal() * (1 + self.tax_rate)\n", "        return 0\n")]
    with pytest.raises(ToolError) as refused:
        _edit(ctx, "app.py", edits)
    message = str(refused.value)
    assert "changed since you last read it" in message
    assert "lines 7-10:\n```\n        return sum(item.price * item.quantity for item in self.items)\n" in message
    assert "\n        return self.subtotal() * (1 + self.tax_rate) + self.shipping\n```\n" in message
    assert target.read_bytes() == changed_by_user
    fresh = [("        return self.subtotal() * (1 + self.tax_rate) + self.shipping\n", "        return 0\n")]
    _edit(ctx, "app.py", fresh)
    assert target.read_bytes().endswith(b"    def total(self):\n        return 0\n")


def test_edit_without_a_prior_read_still_requires_an_exact_place(workspace: Path) -> None:
    (workspace / "a.txt").write_bytes(b"x\n")
    ctx = _workspace_ctx(workspace)
    _edit(ctx, "a.txt", [("x\n", "y\n")])
    assert (workspace / "a.txt").read_bytes() == b"y\n"


def test_five_megabyte_file(workspace: Path) -> None:
    lines = [f"line {i:07d} = compute({i}, {i * 7 % 13})\n".encode() for i in range(150_000)]
    lines[77_777] = b"def special_function(alpha, beta):\n"
    big = b"".join(lines)
    assert len(big) > 5_000_000
    target = workspace / "big.py"
    target.write_bytes(big)
    ctx = _workspace_ctx(workspace)
    near_the_end = lines[149_998].decode()
    _edit(ctx, "big.py", [(near_the_end, "line 0149998 = changed()\n")])
    after = target.read_bytes()
    assert after == big.replace(lines[149_998], b"line 0149998 = changed()\n")
    with pytest.raises(ToolError) as refused:
        _edit(ctx, "big.py", [("def special_fn(a, b):\n", "def special(a, b):\n")])
    assert "closest text (line 77778, " in str(refused.value)
    assert "\n```\ndef special_function(alpha, beta):\n```\n" in str(refused.value)
    assert target.read_bytes() == after


def test_file_mode_is_kept(workspace: Path) -> None:
    script = workspace / "run.sh"
    script.write_bytes(b"#!/bin/sh\necho one\n")
    script.chmod(0o750)
    _edit(_workspace_ctx(workspace), "run.sh", [("echo one", "echo two")])
    assert stat.S_IMODE(os.stat(script).st_mode) == 0o750
    assert script.read_bytes() == b"#!/bin/sh\necho two\n"


def test_preview_is_the_diff_and_changes_nothing(workspace: Path) -> None:
    (workspace / "a.py").write_bytes(PY)
    ctx = _workspace_ctx(workspace)
    tool = EditFile()
    args = tool.parse({"path": "a.py", "edits": [{"search": "print(message)", "replace": "log(message)"}]})
    preview = tool.preview(args, ctx)
    assert "-    print(message)\n+    log(message)\n" in preview
    assert preview.startswith("--- a/a.py\n+++ b/a.py\n")
    assert (workspace / "a.py").read_bytes() == PY


@pytest.mark.parametrize(
    "path",
    ["missing.py", "../outside.py", "/etc/hostname", ".git/config", "sub"],
)
def test_edit_refuses_paths_it_cannot_change(workspace: Path, path: str) -> None:
    (workspace / ".git").mkdir()
    (workspace / ".git" / "config").write_bytes(b"[core]\n")
    (workspace / "sub").mkdir()
    with pytest.raises((ToolError, PathError)):
        _edit(_workspace_ctx(workspace), path, [("a", "b")])
    assert (workspace / ".git" / "config").read_bytes() == b"[core]\n"
    assert not (workspace / "missing.py").exists()


def test_binary_file_is_refused(workspace: Path) -> None:
    (workspace / "img.bin").write_bytes(b"\x89PNG\x00\x00data")
    with pytest.raises(ToolError, match="binary"):
        _edit(_workspace_ctx(workspace), "img.bin", [("data", "x")])
    assert (workspace / "img.bin").read_bytes() == b"\x89PNG\x00\x00data"


class _EditorBuffers:
    """A DocumentProvider holding one open, unsaved buffer, as the LSP front end does."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.applied: list[str] = []

    def open_text(self, path: Path) -> str | None:
        return self.text if path == self.path else None

    async def apply_text(self, path: Path, new_text: str) -> bool | None:
        if path != self.path:
            return None
        self.applied.append(new_text)
        self.text = new_text
        return True


def test_open_editor_buffer_is_edited_through_the_editor(workspace: Path) -> None:
    target = workspace / "open.py"
    target.write_bytes(b"saved = 1\n")
    buffers = _EditorBuffers(target, "unsaved = 1\n")
    ctx = ToolContext(workspace=Workspace(workspace), documents=buffers)
    _edit(ctx, "open.py", [("unsaved = 1", "unsaved = 2")])
    assert buffers.applied == ["unsaved = 2\n"]
    assert target.read_bytes() == b"saved = 1\n", "the editor owns the file; it saves when the user does"


def test_file_in_a_legacy_encoding_is_written_on_disk_when_not_open_in_the_editor(workspace: Path) -> None:
    target = workspace / "legacy.txt"
    target.write_bytes(b"caf\xe9\nx = 1\n")
    other = workspace / "other.txt"
    ctx = ToolContext(workspace=Workspace(workspace), documents=_EditorBuffers(other, "unrelated\n"))
    _edit(ctx, "legacy.txt", [("x = 1", "x = 2")])
    assert target.read_bytes() == b"caf\xe9\nx = 2\n"
