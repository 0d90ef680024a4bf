"""`@problems`, `@selection` and `@terminal`: what the editor sent, as text for the model."""

from __future__ import annotations

from typing import Any

from agent.attachments.types import Attachment, EditorContext

NOT_SENT = {
    "problems": "the editor sent no diagnostics with the task",
    "selection": "the editor sent no selection (select text in an editor, then send the task)",
    "terminal": "the editor sent no terminal output (run a command in a terminal with shell integration first)",
}
CLI_HINT = "it is only available in the editor; in the CLI, name a file and its lines instead, e.g. @app.py:10-20"


def editor_attachment(keyword: str, written: str, editor: EditorContext | None) -> Attachment | str:
    """The attachment, or why there is none."""
    if editor is None:
        return CLI_HINT
    if keyword == "problems" and editor.problems is not None:
        return _problems(written, editor.problems)
    if keyword == "selection" and editor.selection is not None:
        return _selection(written, editor.selection)
    if keyword == "terminal" and editor.terminal is not None:
        return _terminal(written, editor.terminal)
    return NOT_SENT[keyword]


def _problems(written: str, problems: list[dict[str, Any]]) -> Attachment:
    lines = []
    for problem in problems:
        where = f"{problem.get('path', '?')}:{problem.get('line', '?')}"
        if problem.get("column"):
            where += f":{problem['column']}"
        source = f" [{problem['source']}]" if problem.get("source") else ""
        lines.append(f"{where}: {problem.get('severity', 'problem')}: {problem.get('message', '')}{source}")
    text = "\n".join(lines) if lines else "no problems: the workspace has no diagnostics"
    return Attachment(written, "problems", f"problems ({len(problems)})", text)


def _selection(written: str, selection: dict[str, Any]) -> Attachment:
    path = str(selection.get("path") or "")
    start, end = selection.get("startLine"), selection.get("endLine")
    where = f"{path}:{start}-{end}" if start and end and start != end else f"{path}:{start}" if start else path
    text = f"[{where}]\n{selection['text']}"
    return Attachment(
        written, "selection", f"selection {where}", text, path=path, tool="read_file", arguments={"path": path}
    )


def _terminal(written: str, terminal: dict[str, Any]) -> Attachment:
    command = str(terminal.get("commandLine") or "")
    code = terminal.get("exitCode")
    status = f" (exit code {code})" if isinstance(code, int) else ""
    text = f"$ {command}{status}\n{terminal['output']}"
    return Attachment(
        written,
        "terminal",
        f"terminal: {command[:40] or 'last command'}",
        text,
        tool="run_command",
        arguments={"command": command},
    )
