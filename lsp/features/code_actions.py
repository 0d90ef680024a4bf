"""textDocument/codeAction: "Fix with Flambeau" on each diagnostic, and on a selection."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from lsp.features import CMD_FIX_DIAGNOSTIC, CMD_FIX_SELECTION
from lsp.server import FlambeauServer

TITLE = "Fix with Flambeau"


def code_action(ls: FlambeauServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    actions = [_fix_diagnostic(uri, diagnostic) for diagnostic in params.context.diagnostics]
    if params.range.start != params.range.end:
        actions.append(
            types.CodeAction(
                title=f"{TITLE} (selection)",
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(
                    title=f"{TITLE} (selection)", command=CMD_FIX_SELECTION, arguments=[uri, range_dict(params.range)]
                ),
            )
        )
    return actions


def _fix_diagnostic(uri: str, diagnostic: types.Diagnostic) -> types.CodeAction:
    return types.CodeAction(
        title=TITLE,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(
            title=TITLE,
            command=CMD_FIX_DIAGNOSTIC,
            arguments=[uri, range_dict(diagnostic.range), diagnostic.message],
        ),
    )


def range_dict(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }
