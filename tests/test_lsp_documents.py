"""Editor truth: reads see the unsaved buffer, writes to open documents go through workspace/applyEdit."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.lsp_harness import Editor
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor, tool_messages

ON_DISK = "def area(w, h):\n    return w * h\n"
UNSAVED = "def area(w, h):\n    return w * h\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n"
EDITED = UNSAVED.replace("return w * h", "return w * h  # width times height")


def test_an_edit_to_an_open_document_is_an_apply_edit_on_the_unsaved_buffer(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    source = workspace / "shapes.py"
    source.write_text(ON_DISK)
    model_server.add(
        call("read_file", path="shapes.py"),
        call("write_file", path="shapes.py", content=EDITED),
        call("attempt_completion", result="commented"),
    )

    async def scenario(editor: Editor) -> None:
        uri = editor.open(source, UNSAVED)
        task_id = await editor.start_task("comment the area formula", approvalMode="auto-edit")
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end
        assert len(editor.applied_edits) == 1
        change = editor.applied_edits[0].edit.document_changes[0]  # type: ignore[index]
        assert change.text_document.uri == uri and change.text_document.version == 1  # type: ignore[union-attr]
        assert len(change.edits) == 1  # type: ignore[union-attr]
        assert editor.buffer(uri) == EDITED
        result = next(e for e in editor.events_of(task_id, "tool_result") if e["tool"] == "write_file")
        before = result["file_changes"][0]["sha256_before"]
        assert before == hashlib.sha256(UNSAVED.encode()).hexdigest()

    run_editor(workspace, model_server, scenario)
    assert tool_messages(model_server, 1)[-1] == UNSAVED
    assert source.read_text() == ON_DISK


def test_a_rejected_apply_edit_is_reported_to_the_model(workspace: Path, model_server: ScriptedModelServer) -> None:
    source = workspace / "shapes.py"
    source.write_text(ON_DISK)
    model_server.add(
        call("write_file", path="shapes.py", content=EDITED),
        call("attempt_completion", result="could not edit"),
    )

    async def scenario(editor: Editor) -> None:
        uri = editor.open(source, UNSAVED)
        editor.accept_edits = False
        task_id = await editor.start_task("comment the area formula", approvalMode="auto-edit")
        await editor.wait_for_end(task_id)
        assert editor.buffer(uri) == UNSAVED
        result = next(e for e in editor.events_of(task_id, "tool_result") if e["tool"] == "write_file")
        assert not result["ok"]

    run_editor(workspace, model_server, scenario)
    assert "the editor rejected the edit to shapes.py" in tool_messages(model_server, 1)[-1]
    assert source.read_text() == ON_DISK


def test_a_file_that_is_not_open_is_written_on_disk(workspace: Path, model_server: ScriptedModelServer) -> None:
    source = workspace / "shapes.py"
    source.write_text(ON_DISK)
    model_server.add(call("write_file", path="shapes.py", content=EDITED), call("attempt_completion", result="ok"))

    async def scenario(editor: Editor) -> None:
        editor.open(workspace / "other.py", "x = 1\n")
        task_id = await editor.start_task("comment the area formula", approvalMode="auto-edit")
        await editor.wait_for_end(task_id)
        assert editor.applied_edits == []

    run_editor(workspace, model_server, scenario)
    assert source.read_text() == EDITED


def test_a_client_that_never_declared_apply_edit_gets_none_and_the_file_is_written(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    source = workspace / "shapes.py"
    source.write_text(ON_DISK)
    model_server.add(
        call("write_file", path="shapes.py", content=EDITED), call("attempt_completion", result="commented")
    )

    async def scenario(editor: Editor) -> None:
        editor.open(source, UNSAVED)
        task_id = await editor.start_task("comment the area formula", approvalMode="auto-edit")
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end
        assert editor.applied_edits == []

    run_editor(workspace, model_server, scenario, apply_edit=False)
    assert source.read_text() == EDITED
