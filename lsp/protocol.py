"""The Flambeau LSP protocol, defined once: every `flambeau/*` method's params and result, and the events.

This module is the schema's source. The extension's TypeScript types are generated from it
(`make protocol`: `python -m lsp.schema` → JSON Schema → json-schema-to-typescript), and CI regenerates
and diffs them (`make protocol-check`). Handlers import it only for type checking: it imports the agent's
events and pydantic, which the server must not load before the first task.

Params and results use camelCase keys; agent events keep the snake_case fields of `agent/events.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import WithJsonSchema
from typing_extensions import TypedDict

from lsp.features import (
    APPROVE,
    ASK,
    ASSIGN_ROLE,
    CANCEL_TASK,
    CHECKPOINT_DIFF,
    CONDENSE,
    DELETE_HISTORY,
    DETECT_ENGINES,
    EVENT,
    EXPORT_HISTORY,
    EXPORT_TRACE,
    GENERATE_COMMIT_MESSAGE,
    GET_MCP_PROMPT,
    LIST_CHECKPOINTS,
    LIST_HISTORY,
    LIST_MCP_PROMPTS,
    LIST_MCP_SERVERS,
    LIST_MODELS,
    LIST_PROVIDERS,
    LIST_TRACES,
    MCP_SERVERS_CHANGED,
    MODEL_TEST_PROGRESS,
    OPEN_HISTORY,
    PROTOCOL_VERSION,
    PROVIDER_MODELS,
    REMOVE_PROFILE,
    RESTART_MCP_SERVER,
    RESTORE_CHECKPOINT,
    RESUME_TASK,
    SAVE_PROFILE,
    SELECT_MODEL,
    SEND_MESSAGE,
    SET_ESCALATION,
    SET_KEY,
    SET_LOCAL_ONLY,
    SET_TASK_MODE,
    SHOW_TRACE,
    START_TASK,
    TEST_MODEL,
    TRUST_MCP_SERVER,
    VERIFY_TRACE,
)

Locality = Literal["local", "cloud"]
ApprovalMode = Literal["ask", "auto-edit", "auto-all"]
DecisionKind = Literal["approve", "deny", "always"]
AgentEventPayload = Annotated[dict[str, Any], WithJsonSchema({"x-ref": "AgentEvent"})]
"""Any event of `agent/events.py`, as its `to_dict()`."""
ApprovalRequestedPayload = Annotated[dict[str, Any], WithJsonSchema({"x-ref": "ApprovalRequested"})]
QuestionAskedPayload = Annotated[dict[str, Any], WithJsonSchema({"x-ref": "QuestionAsked"})]


class Empty(TypedDict):
    """No params, or an empty result."""


# -- initialize -----------------------------------------------------------------------------------
class ClientFlambeauCapabilities(TypedDict):
    """`capabilities.experimental.flambeau` of a client."""

    approvals: NotRequired[bool]
    events: NotRequired[bool]
    questions: NotRequired[bool]
    """The client answers `flambeau/ask` (else questions go out as window/showMessageRequest)."""


class ServerFlambeauCapabilities(TypedDict):
    """`capabilities.experimental.flambeau` of the `initialize` result."""

    protocolVersion: int
    methods: list[str]


class InitializationOptions(TypedDict):
    model: NotRequired[str]
    apiBase: NotRequired[str]
    approvalMode: NotRequired[ApprovalMode]
    approvalTimeoutSeconds: NotRequired[float]


# -- tasks ------------------------------------------------------------------------------------------
class Problem(TypedDict):
    """One workspace diagnostic, for `@problems`."""

    path: str
    line: int
    column: NotRequired[int]
    severity: str
    message: str
    source: NotRequired[str]


class Selection(TypedDict):
    """The editor's selection, for `@selection` (lines are 1-based)."""

    path: str
    startLine: int
    endLine: int
    text: str


class TerminalOutput(TypedDict):
    """The active terminal's last command and its output, for `@terminal`."""

    commandLine: str
    output: str
    exitCode: NotRequired[int]


class EditorContext(TypedDict):
    """What only the editor knows; sent with a task so its `@problems`, `@selection`, `@terminal` resolve."""

    problems: NotRequired[list[Problem]]
    selection: NotRequired[Selection]
    terminal: NotRequired[TerminalOutput]


class ImageData(TypedDict):
    """A pasted or dropped image (PNG, JPEG, GIF or WebP), for a profile that declares vision."""

    name: str
    data: str
    """The bytes, base64."""


class StartTaskParams(TypedDict):
    task: str
    """May hold @-mentions (`@path/file`, `@file:10-20`, `@folder/`, `@git-changes`, `@problems`, `@selection`,
    `@terminal`); each is attached to the first request, and one that cannot be resolved fails the request."""
    model: NotRequired[str]
    approvalMode: NotRequired[ApprovalMode]
    plan: NotRequired[bool]
    context: NotRequired[EditorContext]
    images: NotRequired[list[ImageData]]


class StartTaskResult(TypedDict):
    taskId: str


class SendMessageParams(TypedDict):
    taskId: str
    text: str
    """May hold @-mentions, attached to the message as for `flambeau/startTask`."""
    context: NotRequired[EditorContext]
    images: NotRequired[list[ImageData]]


class TaskIdParams(TypedDict):
    taskId: str


class CancelTaskResult(TypedDict):
    cancelled: bool


class EventNotification(TypedDict):
    """`flambeau/event`: one agent event of a task."""

    taskId: str
    event: AgentEventPayload


class ApproveParams(TypedDict):
    """`flambeau/approve` (server → client): the task's `approval_requested` event, in the notification's shape."""

    taskId: str
    event: ApprovalRequestedPayload


class ApproveResult(TypedDict):
    decision: DecisionKind
    reason: NotRequired[str]
    """With `deny`: the user's reason, told to the model."""
    content: NotRequired[str]
    """With `approve` of an edit: the file's whole text as the user edited the proposal; written instead."""


class AskParams(TypedDict):
    """`flambeau/ask` (server → client): the task's `question_asked` event, in the notification's shape."""

    taskId: str
    event: QuestionAskedPayload


class AskResult(TypedDict):
    answer: str | None
    """The user's answer (a suggestion or free text); null: no answer, the model decides itself."""


# -- traces -----------------------------------------------------------------------------------------
class TraceSummary(TypedDict):
    taskId: str
    path: str
    startedAt: str
    task: str
    model: str
    locality: str
    outcome: str | None
    """None while the task runs, or when it was interrupted."""


class ListTracesResult(TypedDict):
    traces: list[TraceSummary]


class ShowTraceResult(TypedDict):
    taskId: str
    path: str
    records: list[dict[str, Any]]


class VerifyTraceResult(TypedDict):
    verdict: Literal["intact", "tampered", "damaged"]
    exitCode: int
    message: str
    firstBadRecord: NotRequired[int]


class ExportTraceParams(TypedDict):
    taskId: str
    format: Literal["html", "otel"]
    language: NotRequired[str]
    """The HTML report's language (a VS Code display language such as "ja"); default English."""


class ExportTraceResult(TypedDict):
    path: str


# -- history ----------------------------------------------------------------------------------------
class HistoryEntry(TypedDict):
    """One past task of the workspace, read from its trace (and the witness log)."""

    taskId: str
    path: str
    startedAt: str | None
    """None for a trace whose file is gone (deleted or erased)."""
    task: str
    """The task as first given: the entry's title."""
    model: str
    locality: str
    outcome: str | None
    steps: int | None
    costUsd: float | None
    """None when no call was made or a call's price was unknown."""
    verdict: Literal["intact", "tampered", "damaged"] | None
    """What `flambeau/verifyTrace` would say; None for a trace whose file is gone."""
    verdictMessage: str
    witness: str | None
    """witnessed, unwitnessed, prewitness, pending, truncated, replaced, erased, or deleted (by the user,
    recorded as a signed deletion in the witness log)."""
    witnessMessage: str
    continues: str | None
    """The task this one resumed."""
    running: bool
    """The task runs in this server now."""


class ListHistoryResult(TypedDict):
    tasks: list[HistoryEntry]
    """Newest first."""


class HistorySegment(TypedDict):
    """One trace of a task's chain (a resumed task continues another): its events as they were sent."""

    taskId: str
    startedAt: str | None
    missing: bool
    """The trace is gone (deleted or erased): its events are not available."""
    events: list[AgentEventPayload]


class OpenHistoryResult(TypedDict):
    taskId: str
    task: str
    verdict: Literal["intact", "tampered", "damaged"]
    verdictMessage: str
    segments: list[HistorySegment]
    """Oldest first; the last is the task asked for."""


class ResumeTaskParams(TypedDict):
    taskId: str
    """The past task to continue (its trace must verify)."""
    text: str
    """The follow-up message; may hold @-mentions, as for `flambeau/sendMessage`."""
    model: NotRequired[str]
    approvalMode: NotRequired[ApprovalMode]
    plan: NotRequired[bool]
    context: NotRequired[EditorContext]
    images: NotRequired[list[ImageData]]


class ResumeTaskResult(TypedDict):
    taskId: str
    """The new task (its trace's header names the one it continues)."""
    continues: str


class DeleteHistoryResult(TypedDict):
    taskId: str
    deletedAt: str
    records: int
    """The size of the trace when it was deleted, as the witness log records it."""


class ExportHistoryParams(TypedDict):
    taskId: str
    format: NotRequired[Literal["markdown", "json"]]
    """Default markdown."""


class ExportHistoryResult(TypedDict):
    path: str


# -- checkpoints and modes ---------------------------------------------------------------------------
class CheckpointEntry(TypedDict):
    """A checkpoint the task's trace recorded: the workspace just before step `step` changed anything."""

    checkpointId: str
    taskId: str
    """The task whose trace recorded it (the task asked about, or one it continues)."""
    step: int
    files: int
    createdAt: str
    available: bool
    """Still in the checkpoint store; a restore needs it."""


class ListCheckpointsResult(TypedDict):
    taskId: str
    checkpoints: list[CheckpointEntry]
    """Oldest first."""


class RestoreCheckpointParams(TypedDict):
    taskId: str
    checkpointId: str
    """As listed by `flambeau/listCheckpoints` (or a unique prefix of at least 7 characters)."""
    what: Literal["files", "task", "both"]
    """`files`: the workspace as it was; `task`: the conversation rewound (the next follow-up continues from
    it); `both`."""
    overwrite: NotRequired[bool]
    """Restore files changed since outside the task's recorded edits too (else refused, naming them)."""


class RestoreCheckpointResult(TypedDict):
    taskId: str
    checkpointId: str
    what: Literal["files", "task", "both"]
    written: list[str]
    deleted: list[str]
    failed: list[str]
    """Files not restored, each with why (a path a restore never writes: outside the workspace, .git, .flambeau)."""
    overwritten: list[str]
    """Files changed outside the task that the restore overwrote (with `overwrite`)."""
    safetyCheckpointId: str
    """Taken just before the files were restored: restoring it undoes the restore ("" for `task`)."""
    rewoundToStep: int | None
    """The conversation now ends after this step of the checkpoint's task (None for `files`)."""


class CheckpointDiffParams(TypedDict):
    taskId: str
    checkpointId: str


class DiffFile(TypedDict):
    path: str
    """Workspace-relative, with `/`."""
    change: Literal["modified", "added", "deleted"]
    """How the file is now compared with the checkpoint (`added`: made since; `deleted`: removed since)."""
    outsideTask: bool
    """Its bytes now are not what the task's recorded edits left: a restore overwrites someone else's change."""
    original: str | None
    """Its text in the checkpoint; None when it was not in it, is binary or too large."""
    binary: bool
    tooLarge: bool


class CheckpointDiffResult(TypedDict):
    taskId: str
    checkpointId: str
    step: int
    workspace: str
    files: list[DiffFile]


class SetTaskModeParams(TypedDict):
    taskId: str
    plan: NotRequired[bool]
    """Plan mode: only reading tools run (true), or Act (false)."""
    approvalMode: NotRequired[ApprovalMode]


class SetTaskModeResult(TypedDict):
    taskId: str
    plan: bool
    approvalMode: ApprovalMode
    changed: bool
    """False when the task was already in that mode."""


# -- models -----------------------------------------------------------------------------------------
class FitnessTask(TypedDict):
    name: str
    passed: bool
    steps: int


class FitnessSummary(TypedDict):
    """The last `models test` of a profile (also the result of `flambeau/testModel`)."""

    model: str
    checkedAt: str
    reachable: bool
    detail: str
    responseModel: str
    window: int | None
    windowSource: str
    replies: int
    wellFormed: int
    correctEdits: int
    edits: int
    tasks: list[FitnessTask]
    wallSeconds: float


class ModelEntry(TypedDict):
    name: str
    model: str
    locality: Locality
    openness: NotRequired[dict[str, Any]]
    provenance: NotRequired[dict[str, Any]]
    """GGUF digest, Ollama digest, or the cloud model version its last check answered as."""
    toolMode: NotRequired[str]
    apiBase: NotRequired[str]
    contextWindow: NotRequired[int]
    keyName: NotRequired[str]
    """The keyring entry a cloud profile's key lives in."""
    keyStored: NotRequired[bool]
    installed: NotRequired[bool]
    """The embedded model only: whether its packages are installed."""
    roles: NotRequired[list[str]]
    usable: NotRequired[bool]
    """False when local-only mode or the workspace's allowed profiles exclude it."""
    fitness: NotRequired[FitnessSummary]


class ModelRestrictions(TypedDict):
    localOnly: bool
    localOnlySource: str
    userLocalOnly: bool
    localOnlyLocked: bool
    """The workspace turned local-only on: the view cannot turn it off."""
    neverToCloud: list[str]
    allowedProfiles: list[str] | None


class ListModelsResult(TypedDict):
    current: str
    profiles: list[ModelEntry]
    default: NotRequired[str]
    escalateTo: NotRequired[str | None]
    configPath: NotRequired[str]
    firstRun: NotRequired[bool]
    """No user models.toml yet: the panel offers the three ways in."""
    restrictions: NotRequired[ModelRestrictions]


class SelectModelParams(TypedDict):
    name: str
    taskId: NotRequired[str]
    """Also switch this running task, from its next step."""
    persist: NotRequired[bool]
    """Save as the default profile (default: true)."""


class SelectModelResult(TypedDict):
    current: str
    locality: Locality
    switchedTask: NotRequired[str]


class EngineModel(TypedDict):
    id: str
    model: str
    digest: str
    suggestedName: str


class DetectedEngine(TypedDict):
    kind: str
    label: str
    api_base: str
    models: list[EngineModel]


class DetectEnginesResult(TypedDict):
    engines: list[DetectedEngine]


class ListProvidersResult(TypedDict):
    providers: list[str]


class ProviderParams(TypedDict):
    provider: str


class ProviderModelsResult(TypedDict):
    provider: str
    models: list[str]
    """What litellm lists for the provider; a model it does not list can be typed."""
    keyStored: bool


class SaveProfileParams(TypedDict):
    name: str
    model: str
    apiBase: NotRequired[str]
    apiKeyName: NotRequired[str]
    toolMode: NotRequired[Literal["native", "text", "constrained"]]
    locality: NotRequired[Literal["cloud"]]
    contextWindow: NotRequired[int]
    key: NotRequired[str]
    """Stored in the keyring (under apiKeyName, else the provider); never written to a file."""


class NameParams(TypedDict):
    name: str


class RemoveProfileResult(TypedDict):
    removed: str


class AssignRoleParams(TypedDict):
    role: Literal["main", "summarise", "commit"]
    name: str


class AssignRoleResult(TypedDict):
    roles: dict[str, str]


class SetLocalOnlyParams(TypedDict):
    enabled: bool


class SetLocalOnlyResult(TypedDict):
    localOnly: bool
    """In force after the change (a workspace may keep it on)."""
    source: str


class SetEscalationParams(TypedDict):
    name: str | None
    """The profile offered (with consent) when a local model keeps failing; null: none."""


class SetEscalationResult(TypedDict):
    escalateTo: str | None


class ModelTestProgress(TypedDict):
    """`flambeau/modelTestProgress`: one step of a running `flambeau/testModel`."""

    name: str
    step: str
    done: int
    total: int


class SetKeyParams(TypedDict):
    provider: str
    key: str


class SetKeyResult(TypedDict):
    stored: bool


# -- MCP servers ------------------------------------------------------------------------------------
McpState = Literal["stopped", "starting", "running", "failed", "untrusted", "refused", "disabled"]


class McpServerIdentity(TypedDict):
    """`serverInfo` from the server's MCP handshake."""

    name: str
    version: str


class McpServer(TypedDict):
    """One declared MCP server of the workspace (the user's mcp.json, then the workspace's .mcp.json)."""

    name: str
    """The key under `mcpServers`; its tools are offered as `mcp__<name>__<tool>`."""
    source: Literal["user", "workspace"]
    """Which file declared it: a workspace server starts only once the user trusts it."""
    file: str
    """The path of the file that declared it."""
    transport: Literal["stdio", "http", "sse"]
    commandLine: str
    """The command and its arguments (stdio), or the URL."""
    folder: str
    """Where a stdio server runs (the workspace, or its `cwd`); "" for a URL."""
    envNames: list[str]
    """The names of the environment variables its entry sets (values are not sent)."""
    headerNames: list[str]
    """The names of the HTTP headers its entry sets (values are not sent)."""
    trusted: bool
    """May start: a user server, or a workspace server trusted as it is now."""
    trust: Literal["trusted", "untrusted", "changed", "not-needed"]
    """"changed": trusted once, but its definition changed since (the trust was revoked)."""
    state: McpState
    """stopped: not started (or shut down); starting; running; failed (see `lastError`); untrusted: a workspace
    server the user has not trusted (never started); refused: a cloud server under local-only mode; disabled
    in its file."""
    locality: Locality
    toolCount: int
    tools: list[str]
    """The tool names the model sees (`mcp__<server>__<tool>`)."""
    promptCount: int
    resourceCount: int
    serverInfo: McpServerIdentity | None
    """None until it ran (or when it did not say)."""
    lastError: str
    """Why it failed or is refused, naming the server; kept after a restart until it runs again."""
    secretReferences: list[str]
    """The keyring entries it is given (shown before trusting it)."""


class ListMcpServersResult(TypedDict):
    """Also the params of the `flambeau/mcpServersChanged` notification (sent on every state change)."""

    servers: list[McpServer]
    notes: list[str]
    """What was set aside while reading the files (a workspace entry shadowed by the user's)."""
    configError: str | None
    """A configuration file cannot be used (its path and what to fix): no server runs until it is fixed."""


class McpServerParams(TypedDict):
    name: str


class TrustMcpServerParams(TypedDict):
    name: str
    trusted: NotRequired[bool]
    """Default true: trust the definition as it is now and start it. False: stop it and forget the trust."""


class McpPromptArgument(TypedDict):
    name: str
    description: str
    required: bool


class McpPrompt(TypedDict):
    server: str
    name: str
    command: str
    """The panel's slash command: `/<server>:<prompt>`."""
    description: str
    arguments: list[McpPromptArgument]


class ListMcpPromptsResult(TypedDict):
    prompts: list[McpPrompt]
    """Every running server's prompts."""


class GetMcpPromptParams(TypedDict):
    server: str
    name: str
    arguments: NotRequired[dict[str, str]]


class McpPromptMessage(TypedDict):
    role: Literal["user", "assistant"]
    text: str


class GetMcpPromptResult(TypedDict):
    server: str
    name: str
    messages: list[McpPromptMessage]
    text: str
    """The messages' text, joined by blank lines: what the panel puts in the composer."""
# -- context and commit messages -------------------------------------------------------------------
class CondenseResult(TypedDict):
    """The condensation made (its `context_condensed` event follows the task's other events)."""

    taskId: str
    firstTurn: int
    lastTurn: int
    """The turns the summary replaced, numbered from 1 (the first turn after the task) over the whole task."""
    tokensBefore: int
    tokensAfter: int
    summary: str
    profile: str
    """The profile that wrote the summary (the `summarise` role's, else the task's own)."""


class GenerateCommitMessageParams(TypedDict):
    workspace: NotRequired[str]
    """The repository folder (a path or file: URI inside the workspace); default: the workspace."""


class GenerateCommitMessageResult(TypedDict):
    message: str
    profile: str
    """The profile that wrote it (the `commit` role's, else the main model)."""
    model: str
    locality: Locality


CLIENT_REQUESTS: dict[str, tuple[type, type]] = {
    START_TASK: (StartTaskParams, StartTaskResult),
    SEND_MESSAGE: (SendMessageParams, Empty),
    CANCEL_TASK: (TaskIdParams, CancelTaskResult),
    LIST_TRACES: (Empty, ListTracesResult),
    SHOW_TRACE: (TaskIdParams, ShowTraceResult),
    VERIFY_TRACE: (TaskIdParams, VerifyTraceResult),
    EXPORT_TRACE: (ExportTraceParams, ExportTraceResult),
    LIST_MODELS: (Empty, ListModelsResult),
    SELECT_MODEL: (SelectModelParams, SelectModelResult),
    SET_KEY: (SetKeyParams, SetKeyResult),
    DETECT_ENGINES: (Empty, DetectEnginesResult),
    LIST_PROVIDERS: (Empty, ListProvidersResult),
    PROVIDER_MODELS: (ProviderParams, ProviderModelsResult),
    SAVE_PROFILE: (SaveProfileParams, ModelEntry),
    REMOVE_PROFILE: (NameParams, RemoveProfileResult),
    ASSIGN_ROLE: (AssignRoleParams, AssignRoleResult),
    SET_LOCAL_ONLY: (SetLocalOnlyParams, SetLocalOnlyResult),
    SET_ESCALATION: (SetEscalationParams, SetEscalationResult),
    TEST_MODEL: (NameParams, FitnessSummary),
    LIST_HISTORY: (Empty, ListHistoryResult),
    OPEN_HISTORY: (TaskIdParams, OpenHistoryResult),
    RESUME_TASK: (ResumeTaskParams, ResumeTaskResult),
    DELETE_HISTORY: (TaskIdParams, DeleteHistoryResult),
    EXPORT_HISTORY: (ExportHistoryParams, ExportHistoryResult),
    LIST_CHECKPOINTS: (TaskIdParams, ListCheckpointsResult),
    RESTORE_CHECKPOINT: (RestoreCheckpointParams, RestoreCheckpointResult),
    CHECKPOINT_DIFF: (CheckpointDiffParams, CheckpointDiffResult),
    SET_TASK_MODE: (SetTaskModeParams, SetTaskModeResult),
    LIST_MCP_SERVERS: (Empty, ListMcpServersResult),
    RESTART_MCP_SERVER: (McpServerParams, McpServer),
    TRUST_MCP_SERVER: (TrustMcpServerParams, McpServer),
    LIST_MCP_PROMPTS: (Empty, ListMcpPromptsResult),
    GET_MCP_PROMPT: (GetMcpPromptParams, GetMcpPromptResult),
    CONDENSE: (TaskIdParams, CondenseResult),
    GENERATE_COMMIT_MESSAGE: (GenerateCommitMessageParams, GenerateCommitMessageResult),
}
"""Requests the client sends: method → (params, result)."""

SERVER_REQUESTS: dict[str, tuple[type, type]] = {
    APPROVE: (ApproveParams, ApproveResult),
    ASK: (AskParams, AskResult),
}
"""Requests the server sends to the client."""

SERVER_NOTIFICATIONS: dict[str, type] = {
    EVENT: EventNotification,
    MODEL_TEST_PROGRESS: ModelTestProgress,
    MCP_SERVERS_CHANGED: ListMcpServersResult,
}

__all__ = ["CLIENT_REQUESTS", "EXTRA_TYPES", "PROTOCOL_VERSION", "SERVER_NOTIFICATIONS", "SERVER_REQUESTS"]

EXTRA_TYPES: tuple[type, ...] = (ClientFlambeauCapabilities, ServerFlambeauCapabilities, InitializationOptions)
