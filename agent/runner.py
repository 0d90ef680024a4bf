"""Assembling a session from what a front end knows: task, workspace, profile, approver, sink."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from agent.approval import Approver
from agent.events import EventBus, EventSink
from agent.gateway import ModelGateway
from agent.profile import ModelProfile
from agent.secret_store import all_secret_values
from agent.session import Limits, Session, new_task_id
from tools.base import DocumentProvider, ToolContext
from tools.jail import Workspace
from tools.policy import Policy
from tools.registry import ToolRegistry, default_tools
from tools.secrets import secret_values_from_env


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
    trace: bool = True
    """Write the verifiable trace to `<workspace>/.flambeau/traces/<task_id>.jsonl`."""


def build_session(
    spec: TaskSpec,
    approver: Approver,
    sink: EventSink,
    *,
    documents: DocumentProvider | None = None,
    tools: ToolRegistry | None = None,
) -> Session:
    workspace = Workspace(spec.workspace)
    task_id = spec.task_id or new_task_id()
    secrets = secret_values_from_env(os.environ) | all_secret_values()
    if spec.api_key:
        secrets.add(spec.api_key)
    context = ToolContext(
        workspace=workspace, task_id=task_id, model=spec.profile.model, documents=documents, scrubbed_values=secrets
    )
    policy = Policy.preset(spec.approval_mode)
    policy.plan_mode = spec.plan_mode
    bus = EventBus()
    if spec.trace:
        from agent.trace import TraceWriter

        bus.subscribe(TraceWriter.for_session(workspace.root, task_id, secrets))
    bus.subscribe(sink)
    return Session(
        task=spec.task,
        gateway=ModelGateway(spec.profile, api_key=spec.api_key),
        context=context,
        approver=approver,
        sink=bus,
        tools=tools or default_tools(),
        policy=policy,
        limits=spec.limits,
        task_id=task_id,
    )
