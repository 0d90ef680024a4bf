"""edit_file's options and messages: replace_all, the line hint, inserting with position, line-number prefixes,
whole-line deletions, and refusals that say what to do and show text a model can copy."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from agent.calls.constrained import call_schema
from tools.base import ToolContext, ToolError
from tools.edit import EditFile
from tools.registry import default_tools
from tools.workspace.jail import Workspace

APP = (
    "class Invoice:\n"
    "    def total(self):\n"
    "        return self.subtotal() * (1 + self.tax_rate)\n"
    "\n"
    "    def label(self):\n"
    "        return 'invoice'\n"
)


def _edit(root: Path, path: str, *blocks: dict[str, Any]) -> str:
    tool = EditFile()
    args = tool.parse({"path": path, "edits": list(blocks)})
    return asyncio.run(tool.run(args, ToolContext(workspace=Workspace(root)))).output


def _refused(root: Path, path: str, *blocks: dict[str, Any]) -> str:
    target = root / path
    before = target.read_bytes() if target.exists() else None
    with pytest.raises(ToolError) as refused:
        _edit(root, path, *blocks)
    assert (target.read_bytes() if target.exists() else None) == before, "a refusal leaves the file byte-identical"
    return str(refused.value)


def test_replace_all_changes_every_place_and_says_how_many(workspace: Path) -> None:
    (workspace / "a.py").write_text("old = 1\nprint(old)\nreturn old + 1\n")
    output = _edit(workspace, "a.py", {"search": "old", "replace": "new", "replace_all": True})
    assert (workspace / "a.py").read_text() == "new = 1\nprint(new)\nreturn new + 1\n"
    assert output.startswith("edited a.py (block 1: exact, 3 places)")


def test_replace_all_of_whole_lines_deletes_each_with_its_line_break(workspace: Path) -> None:
    (workspace / "a.py").write_text("import os\n    debug()\nx = 1\n  debug()\n")
    _edit(workspace, "a.py", {"search": "debug()\n", "replace": "", "replace_all": True})
    assert (workspace / "a.py").read_text() == "import os\nx = 1\n"


def test_replace_all_never_applies_close_matches(workspace: Path) -> None:
    (workspace / "a.py").write_text(APP)
    message = _refused(
        workspace,
        "a.py",
        {"search": "return self.subtotal() * (1 + self.taxrate)", "replace": "x", "replace_all": True},
    )
    assert "replace_all changes exact or whitespace-tolerant matches only" in message


def test_a_line_hint_picks_the_nearest_of_identical_places(workspace: Path) -> None:
    (workspace / "a.py").write_text("x = 1\ny = 2\nx = 1\nz = 3\nz = 4\nx = 1\n")
    output = _edit(workspace, "a.py", {"search": "x = 1", "replace": "x = 9", "line": 4})
    assert (workspace / "a.py").read_text() == "x = 1\ny = 2\nx = 9\nz = 3\nz = 4\nx = 1\n"
    assert "block 1: exact" in output


def test_a_line_hint_equally_near_two_places_is_refused(workspace: Path) -> None:
    (workspace / "a.py").write_text("x = 1\ny = 2\nx = 1\n")
    message = _refused(workspace, "a.py", {"search": "x = 1", "replace": "x = 9", "line": 2})
    assert "lines 1 and 3 match and are equally near line 2" in message


def test_ambiguous_blocks_are_told_every_way_to_choose(workspace: Path) -> None:
    (workspace / "a.py").write_text("x = 1\ny = 2\nx = 1\n")
    message = _refused(workspace, "a.py", {"search": "x = 1", "replace": "x = 9"})
    assert "matches 2 places (lines 1, 3)" in message
    assert "add surrounding lines" in message and "give line" in message and "replace_all" in message


def test_an_empty_search_inserts_at_the_start_or_the_end(workspace: Path) -> None:
    (workspace / "a.py").write_text("body()")
    _edit(
        workspace,
        "a.py",
        {"search": "", "replace": "import os", "position": "start"},
        {"search": "", "replace": "main()\n", "position": "end"},
    )
    assert (workspace / "a.py").read_text() == "import os\nbody()\nmain()", "whole lines; no final newline stays none"


def test_an_empty_search_without_a_position_is_refused_with_the_fix(workspace: Path) -> None:
    (workspace / "a.py").write_text("body()\n")
    message = _refused(workspace, "a.py", {"search": "", "replace": "x"})
    assert 'set position to "start" or "end"' in message


def test_position_with_a_search_is_refused(workspace: Path) -> None:
    (workspace / "a.py").write_text("body()\n")
    message = _refused(workspace, "a.py", {"search": "body()", "replace": "x", "position": "end"})
    assert "position goes with an empty search only" in message


def test_an_empty_search_creates_a_missing_file(workspace: Path) -> None:
    output = _edit(workspace, "pkg/new.py", {"search": "", "replace": "x = 1\n"})
    assert (workspace / "pkg" / "new.py").read_text() == "x = 1\n"
    assert output.startswith("created pkg/new.py (block 1: inserted at the start)")


def test_a_missing_file_with_a_search_is_refused(workspace: Path) -> None:
    message = _refused(workspace, "gone.py", {"search": "x", "replace": "y"})
    assert message == "gone.py does not exist; create it with write_file (or edit_file with an empty search)"
    assert not (workspace / "gone.py").exists()


def test_line_number_prefixes_are_stripped_from_search_and_replace(workspace: Path) -> None:
    (workspace / "a.py").write_text(APP)
    search = "  2 |     def total(self):\n  3 |         return self.subtotal() * (1 + self.tax_rate)\n"
    replace = "  2 |     def total(self):\n  3 |         return round(self.subtotal(), 2)\n"
    _edit(workspace, "a.py", {"search": search, "replace": replace})
    assert (workspace / "a.py").read_text() == APP.replace(
        "self.subtotal() * (1 + self.tax_rate)", "round(self.subtotal(), 2)"
    )


def test_text_that_really_holds_number_bars_is_matched_as_it_is(workspace: Path) -> None:
    (workspace / "t.md").write_text("| n | v |\n1 | one\n2 | two\n")
    _edit(workspace, "t.md", {"search": "1 | one\n2 | two\n", "replace": "1 | uno\n2 | dos\n"})
    assert (workspace / "t.md").read_text() == "| n | v |\n1 | uno\n2 | dos\n"


def test_numbers_that_do_not_count_up_are_not_taken_for_prefixes(workspace: Path) -> None:
    (workspace / "a.py").write_text("one\ntwo\n")
    message = _refused(workspace, "a.py", {"search": "1 | one\n3 | two\n", "replace": "x\n"})
    assert "the search text was not found" in message


def test_a_one_line_prefix_must_name_the_line_the_text_is_on(workspace: Path) -> None:
    (workspace / "a.py").write_text("keep\nkeep\nother\n")
    message = _refused(workspace, "a.py", {"search": "1 | other", "replace": "x"})
    assert "not found on line 1, where its line-number prefix puts it" in message


def test_deleting_a_line_given_without_its_newline_leaves_no_blank_line(workspace: Path) -> None:
    (workspace / "a.py").write_bytes(b"a = 1\r\n    b = 2\r\nc = 3")
    _edit(workspace, "a.py", {"search": "    b = 2", "replace": ""}, {"search": "c = 3", "replace": ""})
    assert (workspace / "a.py").read_bytes() == b"a = 1"


def test_deleting_a_line_given_without_its_trailing_spaces_takes_them_too(workspace: Path) -> None:
    (workspace / "a.py").write_text("a = 1\n    b = 2  \t\nc = 3\n")
    _edit(workspace, "a.py", {"search": "    b = 2", "replace": ""})
    assert (workspace / "a.py").read_text() == "a = 1\nc = 3\n"


def test_deleting_part_of_a_line_keeps_the_line(workspace: Path) -> None:
    (workspace / "a.py").write_text("call(a, b)\n")
    _edit(workspace, "a.py", {"search": ", b", "replace": ""})
    assert (workspace / "a.py").read_text() == "call(a)\n"


def test_replacing_a_line_given_without_its_newline_by_lines_ending_in_one_adds_no_blank_line(
    workspace: Path,
) -> None:
    (workspace / "a.py").write_text("a\nb\nc\n")
    _edit(workspace, "a.py", {"search": "b", "replace": "B1\nB2\n"})
    assert (workspace / "a.py").read_text() == "a\nB1\nB2\nc\n"


def test_a_block_searching_what_another_writes_hears_that_blocks_see_the_original(workspace: Path) -> None:
    (workspace / "a.py").write_text("name = 'old'\n")
    message = _refused(
        workspace,
        "a.py",
        {"search": "name = 'old'", "replace": "name = 'mid'"},
        {"search": "name = 'mid'", "replace": "name = 'new'"},
    )
    assert "block 2: the search text is not in the file; block 1 writes it" in message
    assert "matched against the file as it was before this call" in message and "merge the two blocks" in message


def test_a_search_that_is_most_of_a_longer_line_gets_that_line_as_candidate(workspace: Path) -> None:
    (workspace / "a.py").write_text(APP)
    message = _refused(workspace, "a.py", {"search": "return self.subtotl() * (1 +", "replace": "x"})
    assert "the line that contains most of it (line 3, " in message
    assert "\n```\n        return self.subtotal() * (1 + self.tax_rate)\n```\n" in message


def test_refusal_excerpts_are_fenced_file_text_without_line_numbers(workspace: Path) -> None:
    text = "def f():\n    '''\n```\n    '''\n    return 1\n"
    (workspace / "a.py").write_text(text)
    message = _refused(workspace, "a.py", {"search": "def g():\n    '''\n```\n    '''\n    return 2\n", "replace": "x"})
    assert "closest text (lines 1-5, " in message
    assert "\n````\ndef f():\n    '''\n```\n    '''\n    return 1\n````\n" in message, "the fence outgrows the text's"
    assert " | " not in message


def test_a_close_match_reports_the_line_it_kept_from_the_file(workspace: Path) -> None:
    (workspace / "a.py").write_text(APP)
    search = "    def totl(self):\n        return self.subtotal() * (1 + self.tax_rate)\n"
    replace = "    def totl(self):\n        return round(self.subtotal() * (1 + self.tax_rate), 2)\n"
    output = _edit(workspace, "a.py", {"search": search, "replace": replace})
    assert "close match (" in output and "kept line 2 as the file has it, where your search differs" in output
    assert (workspace / "a.py").read_text().startswith("class Invoice:\n    def total(self):\n        return round(")


def test_whitespace_insensitive_match_rewraps_the_replacement_at_the_files_indentation(workspace: Path) -> None:
    (workspace / "a.py").write_text("if ok:\n    call(alpha,\n         beta)\n")
    output = _edit(workspace, "a.py", {"search": "call(alpha, beta)", "replace": "call(alpha,\n    gamma)"})
    assert (workspace / "a.py").read_text() == "if ok:\n    call(alpha,\n        gamma)\n"
    assert "whitespace-insensitive" in output


def test_a_whole_line_search_never_matches_the_start_of_a_longer_line(workspace: Path) -> None:
    (workspace / "a.py").write_text("total = price * (1 + rate) + shipping\n")
    message = _refused(workspace, "a.py", {"search": "total = price * (1 + rate)\n", "replace": "total = 0\n"})
    assert "no change made" in message
    assert (workspace / "a.py").read_text() == "total = price * (1 + rate) + shipping\n"


def test_indentation_is_shifted_not_scaled(workspace: Path) -> None:
    """aider's test_replace_part_with_just_some_missing_leading_whitespace: the issue's scaling bug."""
    (workspace / "a.py").write_text("    line1\n    line2\n    line3\n")
    _edit(workspace, "a.py", {"search": " line1\n line2\n", "replace": " new_line1\n     new_line2\n"})
    assert (workspace / "a.py").read_text() == "    new_line1\n        new_line2\n    line3\n"


def test_lines_copied_from_after_the_first_lines_indentation_keep_the_others_as_written(workspace: Path) -> None:
    (workspace / "a.py").write_text("def f():\n    x = 1\n    y = 2\n")
    _edit(workspace, "a.py", {"search": "x = 1\n    y = 2\n", "replace": "x = 10\n    y = 20\n    z = 30\n"})
    assert (workspace / "a.py").read_text() == "def f():\n    x = 10\n    y = 20\n    z = 30\n"


def test_tabs_stay_tabs_when_the_model_writes_spaces(workspace: Path) -> None:
    (workspace / "a.go").write_text("func f() {\n\tif x {\n\t\treturn\n\t}\n}\n")
    block = {
        "search": "    if x {\n        return\n    }\n",
        "replace": "    if x {\n        log()\n        return\n    }\n",
    }
    _edit(workspace, "a.go", block)
    assert (workspace / "a.go").read_text() == "func f() {\n\tif x {\n\t\tlog()\n\t\treturn\n\t}\n}\n"


def test_the_schema_stays_small_described_and_usable_for_constrained_output() -> None:
    schema = EditFile.parameters_schema()
    block = schema["properties"]["edits"]["items"]
    assert set(block["properties"]) == {"search", "replace", "replace_all", "line", "position"}
    assert block["required"] == ["search", "replace"]
    assert all(len(p["description"]) <= 100 for p in block["properties"].values())
    assert "$ref" not in json.dumps(schema) and "$defs" not in schema
    assert "null" not in json.dumps(schema), "optional fields are left out, not sent as null"
    grammar = json_schema_to_gbnf(json.dumps(call_schema(default_tools().openai_schemas())))
    assert '"\\"replace_all\\""' in grammar and '"\\"position\\""' in grammar
    LlamaGrammar.from_string(grammar, verbose=False)
