"""Commit messages written by the `commit` role's model (default: the main model) from the staged diff.

The same rules as every request apply: the model is opened under local-only mode, and for a cloud model
the diff leaves out never-to-cloud and `.env`-style files and passes the cloud filter (secrets redacted).
Two callers: the editor's *Generate commit message* (`commit_message_for`, outside any task, so in no
trace) and `git_commit` with an empty message inside a task (`TaskCommitWriter`, whose model call is
recorded in the task's trace with role "commit").
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import ConfigError, ModelError
from agent.events import request_recorder
from prompts import template
from tools.base import ToolContext, ToolError
from tools.git import COMMIT_WRITER
from tools.workspace.output import cap_middle

if TYPE_CHECKING:
    from agent.models.config import ModelsConfig
    from agent.models.roles import RoleProfiles
    from agent.ports import Gateway
    from agent.session import Session

DIFF_CHARS = 24_000
"""Characters of the staged diff the model reads (cut in the middle beyond)."""
FENCE = re.compile(r"^```[a-z]*\n|\n?```$")


__all__ = ["COMMIT_WRITER", "CommitMessage", "NothingStaged", "TaskCommitWriter", "commit_message_for"]


class NothingStaged(ToolError):
    """No change is staged: there is nothing to describe."""


@dataclass(frozen=True)
class CommitMessage:
    message: str
    profile: str
    model: str
    locality: str


def staged_diff(ctx: ToolContext, paths: list[str] | None = None, *, cloud: bool) -> str:
    """The staged changes (of `paths`, or all), as a model with this locality may read them."""
    from tools.git import _repo_paths, _run_git, _withheld_changes, _workspace_pathspec, open_repository

    repo = open_repository(ctx)
    spec = _repo_paths(repo, ctx, paths, for_write=False) if paths else [_workspace_pathspec(repo, ctx)]
    command = ["diff", "--cached", "--no-color", "--no-ext-diff"]
    if not _run_git(repo, ctx, *command, "--name-only", "--", *spec).strip():
        raise NothingStaged(
            "nothing is staged: stage the changes to describe first (git add, or + in the Source Control view)"
        )
    withhold = ctx.workspace.withhold
    was_cloud, withhold.cloud = withhold.cloud, cloud
    try:
        withheld = _withheld_changes(repo, ctx, command, spec)
    finally:
        withhold.cloud = was_cloud
    excluded = [f":(top,exclude,literal){name}" for name in withheld]
    diff = _run_git(
        repo, ctx, *command, "--stat", "--patch", *(["--no-renames"] if withheld else []), "--", *spec, *excluded
    )
    if withheld:
        diff += "\n(left out, not for this model: " + ", ".join(withheld) + ")\n"
    return cap_middle(diff, DIFF_CHARS)


def commit_prompt(diff: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": template("commit_message").strip()},
        {"role": "user", "content": f"The staged changes:\n\n{diff}"},
    ]


def clean_message(text: str) -> str:
    """The model's answer as a commit message: fences, quotes and trailing spaces taken off."""
    message = FENCE.sub("", text.strip()).strip()
    if len(message) > 1 and message[0] == message[-1] and message[0] in "\"'`":
        message = message[1:-1].strip()
    return "\n".join(line.rstrip() for line in message.splitlines()).strip()


async def write_message(gateway: Gateway, diff: str, on_request: Any = None) -> tuple[str, Any]:
    """(the message, the reply) from `gateway`'s model; `ToolError` when it answers with none."""
    reply = await gateway.complete(commit_prompt(diff), on_request=on_request)
    message = clean_message(reply.text)
    if not message:
        raise ToolError(f"the commit model {gateway.profile.name!r} answered with no message")
    return message, reply


async def commit_message_for(
    workspace: Path, config: ModelsConfig, main: str | None, api_base: str | None = None
) -> CommitMessage:
    """A message for `workspace`'s staged changes from the commit role (else `main`, else the main role)."""
    from contextlib import ExitStack

    from agent.egress import CloudEgressGuard
    from agent.models.gateway import ModelGateway
    from agent.models.resolve import open_model
    from agent.secret_store import all_secret_values
    from tools.workspace.jail import Workspace
    from tools.workspace.secrets import secret_values_from_env
    from tools.workspace.withhold import Withholding, key_store_contents, key_store_paths

    own = config.roles.get("commit")
    name, role = (None, "commit") if own else (main, "main")
    stores = key_store_paths()
    secrets = secret_values_from_env(os.environ) | all_secret_values() | key_store_contents(stores)
    never = list(config.restrictions.never_to_cloud)
    ctx = ToolContext(
        workspace=Workspace(workspace, withhold=Withholding(stores, never_to_cloud=never)), scrubbed_values=secrets
    )
    with ExitStack() as stack:
        base = api_base if name is not None and "/" in name else None
        opened = open_model(name, config=config, api_base=base, role=role)
        resolved = await asyncio.to_thread(stack.enter_context, opened)
        profile = resolved.profile
        cloud = profile.effective_locality() == "cloud"
        diff = await asyncio.to_thread(staged_diff, ctx, None, cloud=cloud)
        if cloud:
            diff = CloudEgressGuard(ctx.workspace.root, never, secrets)("git_diff", {"staged": True}, diff)
        gateway = ModelGateway(profile, api_key=resolved.api_key, provenance=resolved.provenance)
        message, _ = await write_message(gateway, diff)
        return CommitMessage(message, profile.name, profile.model, profile.effective_locality())


class TaskCommitWriter:
    """What `git_commit` calls inside a task for an empty message: the commit role's model (the task's own
    when the role names no profile), its request and usage recorded in the task's trace (role "commit")."""

    def __init__(self, session: Session, roles: RoleProfiles | None) -> None:
        self.session = session
        self.roles = roles

    async def __call__(self, ctx: ToolContext, paths: list[str] | None) -> tuple[str, str]:
        """(the message, the profile that wrote it)."""
        session = self.session
        async with self._gateway() as gateway:
            cloud = gateway.profile.effective_locality() == "cloud"
            diff = await asyncio.to_thread(staged_diff, ctx, paths, cloud=cloud)
            if cloud and session.result_filter is not None:
                diff = session.result_filter("git_diff", {"staged": True}, diff)
            step, profile = session.steps, gateway.profile
            on_request = request_recorder(
                session.emit, session.task_id, step, profile.model, profile.effective_locality(), "commit"
            )
            try:
                message, reply = await write_message(gateway, diff, on_request)
            except ModelError as error:
                raise ToolError(f"the commit model could not write the message: {error}") from error
            session.emit(session.totals.add(session.task_id, step, reply.stats, role="commit"))
            return message, gateway.profile.name

    @asynccontextmanager
    async def _gateway(self) -> AsyncIterator[Gateway]:
        name = self.roles.profile_name("commit") if self.roles is not None else None
        if self.roles is None or name is None or name == self.session.profile.name:
            yield self.session.gateway
            return
        async with AsyncExitStack() as stack:
            try:
                gateway: Gateway = await stack.enter_async_context(self.roles.gateway("commit"))
            except ConfigError as error:
                raise ToolError(f"the commit profile {name!r} cannot be used: {error}") from error
            yield gateway
