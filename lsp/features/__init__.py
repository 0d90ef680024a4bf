"""Every LSP feature of the server, one function each, registered on a fresh server by `register`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from lsp.server import FlambeauServer

START_TASK = "flambeau/startTask"
SEND_MESSAGE = "flambeau/sendMessage"
CANCEL_TASK = "flambeau/cancelTask"
LIST_TRACES = "flambeau/listTraces"
SHOW_TRACE = "flambeau/showTrace"
VERIFY_TRACE = "flambeau/verifyTrace"
EXPORT_TRACE = "flambeau/exportTrace"
LIST_MODELS = "flambeau/listModels"
SELECT_MODEL = "flambeau/selectModel"
SET_KEY = "flambeau/setKey"

PROTOCOL_VERSION = 2
"""Raised when a method or event is removed or changes meaning (see docs/protocol.md)."""
EVENT = "flambeau/event"
APPROVE = "flambeau/approve"
ASK = "flambeau/ask"

CUSTOM_METHODS = (
    START_TASK,
    SEND_MESSAGE,
    CANCEL_TASK,
    LIST_TRACES,
    SHOW_TRACE,
    VERIFY_TRACE,
    EXPORT_TRACE,
    LIST_MODELS,
    SELECT_MODEL,
    SET_KEY,
)

CMD_START_TASK = "flambeau.startTask"
CMD_CANCEL_TASK = "flambeau.cancelTask"
CMD_FIX_DIAGNOSTIC = "flambeau.fixDiagnostic"
CMD_FIX_SELECTION = "flambeau.fixSelection"


def register(server: FlambeauServer) -> None:
    from lsp.features import code_actions, commands, documents, lifecycle, models, task_methods, traces

    server.feature(types.INITIALIZE)(lifecycle.initialize)
    server.feature(types.SHUTDOWN)(lifecycle.shutdown)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(documents.did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(documents.did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(documents.did_close)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
        ),
    )(code_actions.code_action)

    server.feature(START_TASK)(task_methods.start_task)
    server.feature(SEND_MESSAGE)(task_methods.send_message)
    server.feature(CANCEL_TASK)(task_methods.cancel_task)
    server.feature(LIST_TRACES)(traces.list_traces)
    server.feature(SHOW_TRACE)(traces.show_trace)
    server.feature(VERIFY_TRACE)(traces.verify_trace)
    server.feature(EXPORT_TRACE)(traces.export_trace)
    server.feature(LIST_MODELS)(models.list_models)
    server.feature(SELECT_MODEL)(models.select_model)
    server.feature(SET_KEY)(models.set_key)

    server.command(CMD_START_TASK)(commands.start_task)
    server.command(CMD_CANCEL_TASK)(commands.cancel_task)
    server.command(CMD_FIX_DIAGNOSTIC)(commands.fix_diagnostic)
    server.command(CMD_FIX_SELECTION)(commands.fix_selection)
