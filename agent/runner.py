"""Assembling a session from what a front end knows: task, workspace, profile, approver, sink."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import new_task_id
from agent.approval import Approver
from agent.attachments import Attachment
from agent.attachments.images import refuse_without_vision
from agent.checkpointing import OpenBuffers, StepCheckpoints
from agent.commit_message import COMMIT_WRITER, TaskCommitWriter
from agent.egress import CloudEgressGuard
from agent.errors import ConfigError
from agent.events import ContainmentReported, EventBus, EventSink
from agent.models.config import ModelsConfig, Restrictions, load_config
from agent.models.gateway import ModelGateway
from agent.models.profile import ModelProfile
from agent.models.resolve import ResolvedModel, refuse_if_cloud
from agent.models.roles import RoleProfiles
from agent.questions import Asker, NobodyToAsk, QuestionChannel
from agent.secret_store import all_secret_values
from agent.session import Limits, Session
from tools.base import DocumentProvider, ToolContext
from tools.policy.config import PolicyConfigError, load_policy
from tools.policy.evaluate import Policy
from tools.policy.sandbox import containment_for
from tools.registry import ToolRegistry, default_tools
from tools.workspace.jail import Workspace
from tools.workspace.secrets import secret_values_from_env
from tools.workspace.withhold import Withholding, key_store_contents, key_store_paths

if TYPE_CHECKING:
    from agent.history.resume import Resume
    from agent.mcp import McpManager
    from agent.trace.signing import SigningKey


@dataclass
class TaskSpec:
    task: str
    workspace: Path
    profile: ModelProfile
    approval_mode: str = "ask"
    limits: Limits = field(default_factory=Limits)
    api_key: str | None = None
    task_id: str | None = None
    plan_mode: bool = False
    checkpoints: bool = True
    """Snapshot the workspace (in a shadow repository outside its .git) before each step's first change."""
    trace: bool = True
    """Write the verifiable trace to `<workspace>/.flambeau/traces/<task_id>.jsonl`."""
    openness: dict[str, Any] | None = None
    """The model's openness card (licence, open weights/code/data), recorded at task start."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """Which weights answer (GGUF SHA-256, Ollama digest), recorded with every model call."""
    restrictions: Restrictions = field(default_factory=Restrictions)
    """Local-only mode and never-to-cloud globs."""
    otlp_endpoint: str | None = None
    """Send the trace's spans to this OTLP/HTTP collector when the task ends (default: the standard
    OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT variables; none: no live export)."""
    attachments: list[Attachment] = field(default_factory=list)
    """What the task's @-mentions and images attach to its first request."""
    reply_language: str | None = None
    """The language the model answers the user in (a code such as "ja", or a name); None: English."""
    notices: list[str] = field(default_factory=list)
    """How the model was started, told to the user as `model_notice` events after `task_started`."""
    no_sandbox: bool = False
    """`--no-sandbox`: commands run unconfined under the approval mode (recorded in the trace)."""
    resume: Resume | None = None
    """Continue this past task's conversation (agent/history/resume.py); its trace is named in the header."""
    roles: ModelsConfig | None = None
    """Where the `summarise` and `commit` roles' profiles are read (None: the user's and workspace's files)."""

    @classmethod
    def for_model(cls, task: str, workspace: Path, resolved: ResolvedModel, **options: Any) -> TaskSpec:
        """The spec of a task on a resolved model: its profile, key, openness card, provenance and
        restrictions, plus any other field given by name (approval_mode, limits, plan_mode, …)."""
        return cls(
            task=task,
            workspace=workspace,
            profile=resolved.profile,
            api_key=resolved.api_key,
            openness=resolved.card.to_dict(),
            provenance=resolved.provenance,
            restrictions=resolved.restrictions,
            notices=resolved.notices,
            **options,
        )


def build_session(
    spec: TaskSpec,
    approver: Approver,
    sink: EventSink,
    *,
    documents: DocumentProvider | None = None,
    tools: ToolRegistry | None = None,
    asker: Asker | None = None,
    mcp: McpManager | None = None,
) -> Session:
    """A session ready to run; `asker` answers the model's questions (None: nobody can, it decides itself);
    `mcp` adds its running servers' tools, says which servers are not running, and records their identity."""
    refuse_if_cloud(spec.profile, spec.restrictions)
    refuse_without_vision(spec.profile, spec.attachments)
    _refuse_unpriced(spec)
    policy = _load_policy(spec)
    stores = key_store_paths()
    withhold = Withholding(stores, never_to_cloud=list(spec.restrictions.never_to_cloud))
    workspace = Workspace(spec.workspace, protected=policy.protected_paths, withhold=withhold)
    task_id = spec.task_id or new_task_id()
    signing_key = _signing_key() if spec.trace else None
    secrets = secret_values_from_env(os.environ) | all_secret_values() | key_store_contents(stores)
    if spec.api_key:
        secrets.add(spec.api_key)
    if signing_key is not None:
        secrets.add(signing_key.secret_hex)  # created on a first task after the keyring was read
    if mcp is not None:
        secrets |= mcp.secret_values
        tools = ToolRegistry([*(tools or default_tools()), *mcp.tools()])
    context = ToolContext(
        workspace=workspace, task_id=task_id, model=spec.profile.model, documents=documents, scrubbed_values=secrets
    )
    sandbox = containment_for(policy.sandbox, workspace.root, spec.restrictions.never_to_cloud)
    context.extra.update(sandbox.context())
    if sandbox.containment.commands_ask:
        policy.unconfined = sandbox.containment.reason
    containment = sandbox.containment.to_dict()
    bus = EventBus()
    if spec.trace:
        from agent.trace import TraceWriter
        from agent.trace.otlp import endpoint_from_environment, traces_url

        writer = TraceWriter.for_session(workspace.root, task_id, secrets, key=signing_key)
        writer.header_fields["containment"] = containment
        if spec.resume is not None:
            writer.header_fields["continues"] = spec.resume.header()
        bus.subscribe(writer)
        endpoint = traces_url(spec.otlp_endpoint) if spec.otlp_endpoint else endpoint_from_environment()
        if endpoint:
            from agent.trace.live_export import LiveExport

            bus.subscribe(LiveExport(writer.path, endpoint))
    bus.subscribe(sink)
    context.ask = QuestionChannel(task_id, asker or NobodyToAsk(), bus)
    started_extra: dict[str, Any] = {"local_only": spec.restrictions.local_only, "provenance": spec.provenance}
    started_extra["containment"] = containment
    started_extra["mode"] = {"plan": spec.plan_mode, "approval_mode": spec.approval_mode}
    if spec.reply_language:
        started_extra["reply_language"] = spec.reply_language
    if spec.openness is not None:
        started_extra["openness"] = spec.openness
    notices: list[str] = [*spec.notices]
    if mcp is not None:
        started_extra["mcp_servers"] = [state.to_dict() for state in mcp.states()]
        notices += mcp.notices()
    session_class: Callable[..., Session] = Session
    if spec.resume is not None:
        from agent.history.resume import ResumedSession

        started_extra["continues"] = spec.resume.continues
        session_class = partial(ResumedSession, resume=spec.resume)
    roles = RoleProfiles(spec.roles if spec.roles is not None else load_config(spec.workspace), spec.restrictions)
    session = session_class(
        task=spec.task,
        gateway=ModelGateway(spec.profile, api_key=spec.api_key, provenance=spec.provenance),
        context=context,
        approver=approver,
        sink=bus,
        tools=tools or default_tools(),
        policy=policy,
        limits=spec.limits,
        task_id=task_id,
        started_extra=started_extra,
        result_filter=CloudEgressGuard(workspace.root, spec.restrictions.never_to_cloud, secrets),
        checkpoints=_checkpoints(spec, workspace.root, documents),
        attachments=spec.attachments,
        reply_language=spec.reply_language,
        notices=[*notices, ContainmentReported(task_id=task_id, **containment)],
        roles=roles,
    )
    context.extra[COMMIT_WRITER] = TaskCommitWriter(session, roles)
    return session


def _signing_key() -> SigningKey:
    from agent.trace.signing import load_signing_key

    return load_signing_key()


def _refuse_unpriced(spec: TaskSpec) -> None:
    """A cost limit needs a price: an unpriced cloud model is refused before anything is sent."""
    if spec.limits.max_cost_usd is None:
        return
    from agent.models.gateway import price_known

    if not price_known(spec.profile):
        raise ConfigError(
            f"--max-cost needs a price, and none is known for {spec.profile.model} (litellm has no price for it); "
            f"set input_cost_per_token and output_cost_per_token (USD) in the profile {spec.profile.name!r} in "
            "models.toml, or run without --max-cost"
        )


def _load_policy(spec: TaskSpec) -> Policy:
    """The approval mode, tightened by the user's and the workspace's policy files."""
    try:
        return load_policy(spec.approval_mode, spec.workspace, plan_mode=spec.plan_mode, no_sandbox=spec.no_sandbox)
    except PolicyConfigError as error:
        raise ConfigError(str(error)) from error


def _checkpoints(spec: TaskSpec, root: Path, documents: DocumentProvider | None) -> StepCheckpoints | None:
    """Checkpoints only where the agent can change something: a writable workspace (in plan mode too, where
    none is taken until the person switches to Act: changing tools are refused before the hook runs)."""
    if not spec.checkpoints or not os.access(root, os.W_OK):
        return None
    from tools.workspace.checkpoints import ShadowCheckpoints

    buffers = documents if isinstance(documents, OpenBuffers) else None
    return StepCheckpoints(ShadowCheckpoints(root), buffers, root)
