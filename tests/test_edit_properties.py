"""edit_file's properties over generated files: exact runs of lines, indentation carried from the file, and close
matches that keep the file's version of every line the block does not change."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tools.base import ToolContext, ToolError
from tools.edit import EditFile
from tools.workspace.jail import Workspace

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILE_STYLES = [("", "    "), ("", "  "), ("", "\t"), ("    ", "    "), ("\t", "\t"), ("\t", "    "), ("  ", "  ")]
"""(base, unit) of the file: indentation is base + unit * level; "\\t" + "    " is the mixed style of Roo's tests."""
MODEL_STYLES = [
    ("", "    "),
    ("", "  "),
    ("", " "),
    ("", "\t"),
    ("    ", "    "),
    (" ", " "),
    ("        ", "    "),
    ("\t", "\t"),
]
"""(base, unit) the model writes its search and replace with: the base left out, shifted, another unit, tabs."""
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
    "xray", "yankee", "zulu", "amber", "cobalt", "indigo", "saffron",
]  # fmt: skip


def _edit(root: Path, path: str, edits: list[tuple[str, str]]) -> str:
    tool = EditFile()
    args = tool.parse({"path": path, "edits": [{"search": s, "replace": r} for s, r in edits]})
    return asyncio.run(tool.run(args, ToolContext(workspace=Workspace(root)))).output


def _kind(ws: str) -> set[str]:
    return set(ws)


@PROPERTY
@given(
    lines=st.lists(st.text(alphabet="abc xyzé\t()=", min_size=1, max_size=12), min_size=1, max_size=12, unique=True),
    data=st.data(),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
)
def test_any_unique_run_of_lines_is_replaced_exactly(
    workspace: Path, lines: list[str], data: st.DataObject, newline: str, final_newline: bool
) -> None:
    lines = [line for line in lines if line.strip() and line == line.strip(" \t")] or ["x"]
    lines = list(dict.fromkeys(_key_distinct(lines)))
    first = data.draw(st.integers(0, len(lines) - 1))
    last = data.draw(st.integers(first + 1, len(lines)))
    replacement = data.draw(st.lists(st.text(alphabet="klm nop", min_size=1, max_size=8), max_size=3))
    before = newline.join(lines) + (newline if final_newline else "")
    expected_lines = lines[:first] + replacement + lines[last:]
    # A file without any line ending gives no convention to keep: new lines get "\n".
    kept_newline = newline if "\n" in before else "\n"
    expected = kept_newline.join(expected_lines) + (kept_newline if final_newline and expected_lines else "")
    search = "\n".join(lines[first:last]) + "\n"
    replace = "".join(f"{r}\n" for r in replacement)
    target = workspace / "prop.txt"
    target.write_bytes(before.encode())
    if expected == before:
        return
    _edit(workspace, "prop.txt", [(search, replace)])
    assert target.read_bytes() == expected.encode()


def _key_distinct(lines: list[str]) -> list[str]:
    """Lines that stay distinct when whitespace is collapsed (so each run of lines matches one place)."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        key = " ".join(line.split())
        if key not in seen and not any(key in other or other in key for other in seen):
            seen.add(key)
            kept.append(line)
    return kept


@PROPERTY
@given(
    steps=st.lists(st.sampled_from([-1, 0, 1]), min_size=3, max_size=9),
    file_style=st.sampled_from(FILE_STYLES),
    model_style=st.sampled_from(MODEL_STYLES),
    data=st.data(),
)
def test_new_and_changed_lines_take_the_files_indentation_whatever_the_model_wrote(
    workspace: Path,
    steps: list[int],
    file_style: tuple[str, str],
    model_style: tuple[str, str],
    data: st.DataObject,
) -> None:
    levels = [0]
    for step in steps:
        levels.append(min(3, max(0, levels[-1] + step)))
    base, unit = file_style
    model_base, model_unit = model_style
    first = data.draw(st.integers(0, len(levels) - 2), label="first")
    last = data.draw(st.integers(first + 2, len(levels)), label="last")
    run = levels[first:last]
    low = min(run)
    relative = [level - low for level in run]
    mixed = len(_kind(base + unit)) > 1 or len(_kind(model_base + model_unit)) > 1
    # The file's unit is only known from the block when it shows two levels (else a shift is all there is).
    assume(model_unit == unit or (len(set(relative)) >= 2 and not mixed))
    # A file that never indents deeper than its base shows no unit; the test's convention would be a guess.
    assume(max(levels) > 0 or not mixed)
    changed = data.draw(st.integers(0, len(run) - 1), label="changed line")
    after = data.draw(st.integers(0, len(run) - 1), label="new line after")
    deeper = data.draw(st.integers(0, 1), label="new line one level deeper")

    def file_line(level: int, body: str) -> str:
        return base + unit * level + body

    def model_line(level: int, body: str) -> str:
        return model_base + model_unit * level + body

    bodies = [f"step_{i}(x)" for i in range(len(levels))]
    before = "".join(file_line(level, body) + "\n" for level, body in zip(levels, bodies, strict=True))
    search = "".join(model_line(k, bodies[first + i]) + "\n" for i, k in enumerate(relative))
    replace_lines = []
    expected_run = []
    for i, k in enumerate(relative):
        body = f"changed_{i}(y)" if i == changed else bodies[first + i]
        replace_lines.append(model_line(k, body))
        expected_run.append(file_line(low + k, body))
        if i == after:
            replace_lines.append(model_line(k + deeper, "inserted()"))
            expected_run.append(file_line(low + k + deeper, "inserted()"))
    expected_lines = [file_line(level, body) for level, body in zip(levels, bodies, strict=True)]
    expected_lines[first:last] = expected_run
    (workspace / "code.txt").write_text(before)
    _edit(workspace, "code.txt", [(search, "".join(line + "\n" for line in replace_lines))])
    assert (workspace / "code.txt").read_text() == "".join(line + "\n" for line in expected_lines)


def _statement(words: list[str]) -> str:
    return f"{words[0]}_{words[1]} = {words[2]}({words[3]}, '{words[4]}')"


def _typo(line: str, at: int) -> str:
    """The line with two adjacent letters of its first word swapped (a misremembered name)."""
    at = at % (line.index("_") - 1)
    assume(line[at] != line[at + 1])
    return line[:at] + line[at + 1] + line[at] + line[at + 2 :]


@st.composite
def _close_block(draw: st.DrawFn) -> tuple[list[str], int, int, int, int]:
    """Distinct statements, a run of them (first, size), the line the block changes and the line it misremembers."""
    count = draw(st.integers(5, 10))
    words = draw(st.permutations(WORDS))
    statements = [_statement([words[(5 * i + j) % len(WORDS)] for j in range(5)]) for i in range(count)]
    assume(len(set(statements)) == count)
    size = draw(st.integers(3, 5))
    first = draw(st.integers(0, count - size))
    changed = draw(st.integers(0, size - 1))
    misremembered = draw(st.integers(0, size - 1).filter(lambda i: i != changed))
    return statements, first, size, changed, misremembered


@PROPERTY
@given(block=_close_block(), typo_at=st.integers(0, 50))
def test_a_close_match_keeps_the_files_version_of_a_line_the_block_does_not_change(
    workspace: Path, block: tuple[list[str], int, int, int, int], typo_at: int
) -> None:
    statements, first, size, changed, misremembered = block
    run = statements[first : first + size]
    search_lines = list(run)
    search_lines[misremembered] = _typo(run[misremembered], typo_at)
    replace_lines = list(search_lines)
    replace_lines[changed] = "result = fresh_call()"
    (workspace / "mod.py").write_text("".join(f"{s}\n" for s in statements))
    output = _edit(
        workspace, "mod.py", [("".join(f"{s}\n" for s in search_lines), "".join(f"{s}\n" for s in replace_lines))]
    )
    expected = list(statements)
    expected[first + changed] = "result = fresh_call()"
    assert (workspace / "mod.py").read_text() == "".join(f"{s}\n" for s in expected)
    assert f"kept line {first + misremembered + 1} as the file has it" in output


@PROPERTY
@given(block=_close_block(), typo_at=st.integers(0, 50))
def test_a_close_match_whose_changed_line_is_misremembered_is_refused_and_changes_nothing(
    workspace: Path, block: tuple[list[str], int, int, int, int], typo_at: int
) -> None:
    statements, first, size, changed, _ = block
    run = statements[first : first + size]
    search_lines = list(run)
    search_lines[changed] = _typo(run[changed], typo_at)
    replace_lines = list(search_lines)
    replace_lines[changed] = "result = fresh_call()"
    before = "".join(f"{s}\n" for s in statements).encode()
    (workspace / "mod.py").write_bytes(before)
    try:
        _edit(
            workspace, "mod.py", [("".join(f"{s}\n" for s in search_lines), "".join(f"{s}\n" for s in replace_lines))]
        )
    except ToolError as refused:
        message = str(refused)
    else:
        raise AssertionError("a block whose changed line is stale was applied")
    assert f"differs on line {first + changed + 1}, which the block changes" in message
    assert f"```\n{run[0]}\n" in message, "the refusal shows the current lines to copy"
    assert (workspace / "mod.py").read_bytes() == before


def test_a_file_that_shows_no_indentation_keeps_the_models_tabs(workspace: Path) -> None:
    """Found by the property above (seed-dependent): with nothing indented in the file, the block's one
    deeper line was written with four spaces instead of the tab the model wrote."""
    (workspace / "code.txt").write_text("step_0(x)\nstep_1(x)\nstep_2(x)\n")
    _edit(workspace, "code.txt", [("\tstep_0(x)\n\tstep_1(x)\n", "\tchanged_0(y)\n\t\tinserted()\n\tstep_1(x)\n")])
    assert (workspace / "code.txt").read_text() == "changed_0(y)\n\tinserted()\nstep_1(x)\nstep_2(x)\n"
