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
DETECT_ENGINES = "flambeau/detectEngines"
LIST_PROVIDERS = "flambeau/listProviders"
PROVIDER_MODELS = "flambeau/providerModels"
SAVE_PROFILE = "flambeau/saveProfile"
REMOVE_PROFILE = "flambeau/removeProfile"
ASSIGN_ROLE = "flambeau/assignRole"
SET_LOCAL_ONLY = "flambeau/setLocalOnly"
SET_ESCALATION = "flambeau/setEscalation"
TEST_MODEL = "flambeau/testModel"
MODEL_TEST_PROGRESS = "flambeau/modelTestProgress"
LIST_HISTORY = "flambeau/listHistory"
OPEN_HISTORY = "flambeau/openHistory"
RESUME_TASK = "flambeau/resumeTask"
DELETE_HISTORY = "flambeau/deleteHistory"
EXPORT_HISTORY = "flambeau/exportHistory"
LIST_CHECKPOINTS = "flambeau/listCheckpoints"
RESTORE_CHECKPOINT = "flambeau/restoreCheckpoint"
CHECKPOINT_DIFF = "flambeau/checkpointDiff"
SET_TASK_MODE = "flambeau/setTaskMode"
LIST_MCP_SERVERS = "flambeau/listMcpServers"
RESTART_MCP_SERVER = "flambeau/restartMcpServer"
TRUST_MCP_SERVER = "flambeau/trustMcpServer"
LIST_MCP_PROMPTS = "flambeau/listMcpPrompts"
GET_MCP_PROMPT = "flambeau/getMcpPrompt"
MCP_SERVERS_CHANGED = "flambeau/mcpServersChanged"
CONDENSE = "flambeau/condense"
GENERATE_COMMIT_MESSAGE = "flambeau/generateCommitMessage"

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
    DETECT_ENGINES,
    LIST_PROVIDERS,
    PROVIDER_MODELS,
    SAVE_PROFILE,
    REMOVE_PROFILE,
    ASSIGN_ROLE,
    SET_LOCAL_ONLY,
    SET_ESCALATION,
    TEST_MODEL,
    LIST_HISTORY,
    OPEN_HISTORY,
    RESUME_TASK,
    DELETE_HISTORY,
    EXPORT_HISTORY,
    LIST_CHECKPOINTS,
    RESTORE_CHECKPOINT,
    CHECKPOINT_DIFF,
    SET_TASK_MODE,
    LIST_MCP_SERVERS,
    RESTART_MCP_SERVER,
    TRUST_MCP_SERVER,
    LIST_MCP_PROMPTS,
    GET_MCP_PROMPT,
    CONDENSE,
    GENERATE_COMMIT_MESSAGE,
)

CMD_START_TASK = "flambeau.startTask"
CMD_CANCEL_TASK = "flambeau.cancelTask"
CMD_FIX_DIAGNOSTIC = "flambeau.fixDiagnostic"
CMD_FIX_SELECTION = "flambeau.fixSelection"
CMD_LIST_HISTORY = "flambeau.listHistory"
CMD_OPEN_HISTORY = "flambeau.openHistory"
CMD_RESUME_TASK = "flambeau.resumeTask"
CMD_DELETE_HISTORY = "flambeau.deleteHistory"
CMD_EXPORT_HISTORY = "flambeau.exportHistory"
CMD_LIST_CHECKPOINTS = "flambeau.listCheckpoints"
CMD_RESTORE_CHECKPOINT = "flambeau.restoreCheckpoint"
CMD_CHECKPOINT_DIFF = "flambeau.checkpointDiff"
CMD_SET_TASK_MODE = "flambeau.setTaskMode"
CMD_LIST_MCP_SERVERS = "flambeau.listMcpServers"
CMD_RESTART_MCP_SERVER = "flambeau.restartMcpServer"
CMD_TRUST_MCP_SERVER = "flambeau.trustMcpServer"
CMD_LIST_MCP_PROMPTS = "flambeau.listMcpPrompts"
CMD_GET_MCP_PROMPT = "flambeau.getMcpPrompt"
CMD_CONDENSE = "flambeau.condense"
CMD_GENERATE_COMMIT_MESSAGE = "flambeau.generateCommitMessage"


def register(server: FlambeauServer) -> None:
    from lsp.features import (
        checkpoint_commands,
        checkpoints,
        code_actions,
        commands,
        context,
        documents,
        history,
        history_commands,
        lifecycle,
        mcp,
        mcp_commands,
        model_setup,
        models,
        modes,
        task_methods,
        traces,
    )

    server.feature(types.INITIALIZE)(lifecycle.initialize)
    server.feature(types.INITIALIZED)(lifecycle.initialized)
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
    server.feature(DETECT_ENGINES)(model_setup.detect_engines)
    server.feature(LIST_PROVIDERS)(model_setup.list_providers)
    server.feature(PROVIDER_MODELS)(model_setup.provider_models)
    server.feature(SAVE_PROFILE)(model_setup.save_profile)
    server.feature(REMOVE_PROFILE)(model_setup.remove_profile)
    server.feature(ASSIGN_ROLE)(model_setup.assign_role)
    server.feature(SET_LOCAL_ONLY)(model_setup.set_local_only)
    server.feature(SET_ESCALATION)(model_setup.set_escalation)
    server.feature(TEST_MODEL)(model_setup.test_model)
    server.feature(LIST_HISTORY)(history.list_history)
    server.feature(OPEN_HISTORY)(history.open_history)
    server.feature(RESUME_TASK)(history.resume_task)
    server.feature(DELETE_HISTORY)(history.delete_history)
    server.feature(EXPORT_HISTORY)(history.export_history)
    server.feature(LIST_CHECKPOINTS)(checkpoints.list_checkpoints)
    server.feature(RESTORE_CHECKPOINT)(checkpoints.restore_checkpoint)
    server.feature(CHECKPOINT_DIFF)(checkpoints.checkpoint_diff)
    server.feature(SET_TASK_MODE)(modes.set_task_mode)
    server.feature(LIST_MCP_SERVERS)(mcp.list_mcp_servers)
    server.feature(RESTART_MCP_SERVER)(mcp.restart_mcp_server)
    server.feature(TRUST_MCP_SERVER)(mcp.trust_mcp_server)
    server.feature(LIST_MCP_PROMPTS)(mcp.list_mcp_prompts)
    server.feature(GET_MCP_PROMPT)(mcp.get_mcp_prompt)
    server.feature(CONDENSE)(context.condense)
    server.feature(GENERATE_COMMIT_MESSAGE)(context.generate_commit_message)

    server.command(CMD_START_TASK)(commands.start_task)
    server.command(CMD_CANCEL_TASK)(commands.cancel_task)
    server.command(CMD_FIX_DIAGNOSTIC)(commands.fix_diagnostic)
    server.command(CMD_FIX_SELECTION)(commands.fix_selection)
    server.command(CMD_LIST_HISTORY)(history_commands.list_history)
    server.command(CMD_OPEN_HISTORY)(history_commands.open_history)
    server.command(CMD_RESUME_TASK)(history_commands.resume_task)
    server.command(CMD_DELETE_HISTORY)(history_commands.delete_history)
    server.command(CMD_EXPORT_HISTORY)(history_commands.export_history)
    server.command(CMD_LIST_CHECKPOINTS)(checkpoint_commands.list_checkpoints)
    server.command(CMD_RESTORE_CHECKPOINT)(checkpoint_commands.restore_checkpoint)
    server.command(CMD_CHECKPOINT_DIFF)(checkpoint_commands.checkpoint_diff)
    server.command(CMD_SET_TASK_MODE)(checkpoint_commands.set_task_mode)
    server.command(CMD_LIST_MCP_SERVERS)(mcp_commands.list_mcp_servers)
    server.command(CMD_RESTART_MCP_SERVER)(mcp_commands.restart_mcp_server)
    server.command(CMD_TRUST_MCP_SERVER)(mcp_commands.trust_mcp_server)
    server.command(CMD_LIST_MCP_PROMPTS)(mcp_commands.list_mcp_prompts)
    server.command(CMD_GET_MCP_PROMPT)(mcp_commands.get_mcp_prompt)
    server.command(CMD_CONDENSE)(context.condense_command)
    server.command(CMD_GENERATE_COMMIT_MESSAGE)(context.generate_commit_message_command)
