"""Git tools: status, diff, log (read-only, without touching `.git`) and commit (the one that writes).

Every commit carries trailers that link it to the Flambeau task and name the model as co-author.
gitpython is imported on first use: it costs tens of milliseconds the CLI's `--help` must not pay.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.workspace.output import cap_middle
from tools.workspace.secrets import is_secret_name, redact_text
from tools.workspace.withhold import skipped_note

if TYPE_CHECKING:
    from git import Repo

REF = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./@{}~^-]*$")
"""A revision the model may name: no leading dash (never an option), no spaces or shell characters."""
TASK_TRAILER = "Flambeau-Task"
COMMIT_WRITER = "commit_message_writer"
"""The `ToolContext.extra` key of what writes the message when the model leaves it empty (agent/commit_message.py)."""
READ_ONLY_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
"""`GIT_OPTIONAL_LOCKS=0`: status and diff must not refresh (rewrite) the user's index."""


def open_repository(ctx: ToolContext) -> Repo:
    import git

    try:
        repo = git.Repo(ctx.workspace.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise ToolError(
            f"the workspace {ctx.workspace.root} is not a git repository, so git tools cannot run; "
            "ask the user whether to run `git init` there"
        ) from error
    if repo.bare or repo.working_tree_dir is None:
        raise ToolError(f"{repo.git_dir} is a bare repository: it has no files to show or commit")
    return repo


def co_author(model: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-") or "model"
    return f"{model or 'unknown model'} (via Flambeau) <{slug}@models.flambeau.invalid>"


def _environment(ctx: ToolContext, read_only: bool) -> dict[str, str]:
    """Overrides for git's environment: secret variables blanked (hooks must not see them)."""
    known = {v for v in ctx.scrubbed_values if len(v) >= 8}
    env = {k: "" for k, v in os.environ.items() if is_secret_name(k) or any(s in v for s in known)}
    env.update(READ_ONLY_ENV if read_only else {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    return env


def _run_git(repo: Repo, ctx: ToolContext, *args: str, read_only: bool = True) -> str:
    import git

    try:
        out: str = repo.git.execute(
            ["git", *args],
            env=_environment(ctx, read_only),
            kill_after_timeout=ctx.command_timeout_s,
            strip_newline_in_stdout=False,
        )
    except git.GitCommandError as error:
        detail = (str(error.stderr or "") + str(error.stdout or "")).strip() or str(error)
        raise ToolError(f"git {args[0]} failed: {redact_text(detail, ctx.scrubbed_values)}") from error
    return out


def _repo_paths(repo: Repo, ctx: ToolContext, paths: list[str], for_write: bool) -> list[str]:
    """Model paths, jailed to the workspace, made relative to the repository root for git."""
    assert repo.working_tree_dir is not None
    top = Path(os.path.realpath(repo.working_tree_dir))
    resolved = [ctx.workspace.resolve_for_write(p) if for_write else ctx.workspace.resolve(p) for p in paths]
    return [os.path.relpath(p, top) for p in resolved]


def _workspace_pathspec(repo: Repo, ctx: ToolContext) -> str:
    assert repo.working_tree_dir is not None
    return os.path.relpath(ctx.workspace.root, os.path.realpath(repo.working_tree_dir))


def _result(text: str, ctx: ToolContext, empty: str, **data: Any) -> ToolResult:
    text = redact_text(text, ctx.scrubbed_values)
    return ToolResult(ok=True, output=cap_middle(text, ctx.max_output_bytes) if text.strip() else empty, data=data)


class GitStatusArgs(ToolArgs):
    pass


class GitStatus(Tool[GitStatusArgs]):
    name: ClassVar[str] = "git_status"
    category: ClassVar[Category] = Category.GIT
    description: ClassVar[str] = "Show the branch and which files are staged, modified or untracked (git status)."
    args_model = GitStatusArgs

    async def run(self, args: GitStatusArgs, ctx: ToolContext) -> ToolResult:
        repo = open_repository(ctx)
        out = _run_git(repo, ctx, "status", "--short", "--branch", "--", _workspace_pathspec(repo, ctx))
        return _result(out, ctx, "nothing to report")


class GitDiffArgs(ToolArgs):
    staged: bool = Field(default=False, description="Show staged changes instead of unstaged ones.")
    ref: str | None = Field(default=None, description="Compare the working tree with this commit, e.g. HEAD~1.")
    path: str | None = Field(default=None, description="Limit the diff to this file or folder.")


class GitDiff(Tool[GitDiffArgs]):
    name: ClassVar[str] = "git_diff"
    category: ClassVar[Category] = Category.GIT
    description: ClassVar[str] = "Show changes as a unified diff: unstaged (default), staged, or against a commit."
    args_model = GitDiffArgs

    async def run(self, args: GitDiffArgs, ctx: ToolContext) -> ToolResult:
        repo = open_repository(ctx)
        command = ["diff", "--no-color", "--no-ext-diff"]
        if args.staged:
            command.append("--cached")
        if args.ref is not None:
            command.append(_checked_ref(args.ref))
        paths = _repo_paths(repo, ctx, [args.path], for_write=False) if args.path else [_workspace_pathspec(repo, ctx)]
        withheld = _withheld_changes(repo, ctx, command, paths)
        if withheld:
            command.append("--no-renames")
            paths += [f":(top,exclude,literal){name}" for name in withheld]
        out = _run_git(repo, ctx, *command, "--", *paths)
        note = skipped_note(withheld)
        result = _result(out, ctx, "no differences" + (" in the files shown" if note else ""))
        return ToolResult(ok=True, output=f"{result.output}\n{note}", data=result.data) if note else result


def _withheld_changes(repo: Repo, ctx: ToolContext, command: list[str], paths: list[str]) -> list[str]:
    """Changed files (relative to the repository's top) that the workspace withholds, on either side of a rename."""
    assert repo.working_tree_dir is not None
    top = repo.working_tree_dir
    listed = _run_git(repo, ctx, *command, "--name-only", "--no-renames", "-z", "--", *paths)
    withheld = []
    for name in filter(None, listed.split("\0")):
        absolute = os.path.join(top, name)
        rel = os.path.relpath(absolute, ctx.workspace.root)
        if ctx.workspace.withhold.reason(os.path.realpath(absolute), rel) is not None:
            withheld.append(name)
    return withheld


class GitLogArgs(ToolArgs):
    max_count: int = Field(default=20, ge=1, le=200, description="How many commits to show, newest first.")
    path: str | None = Field(default=None, description="Only commits that touched this file or folder.")


class GitLog(Tool[GitLogArgs]):
    name: ClassVar[str] = "git_log"
    category: ClassVar[Category] = Category.GIT
    description: ClassVar[str] = "List recent commits: short hash, date, author and subject."
    args_model = GitLogArgs

    async def run(self, args: GitLogArgs, ctx: ToolContext) -> ToolResult:
        repo = open_repository(ctx)
        if not repo.head.is_valid():
            return ToolResult(ok=True, output="no commits yet")
        paths = _repo_paths(repo, ctx, [args.path], for_write=False) if args.path else []
        out = _run_git(
            repo, ctx, "log", f"--max-count={args.max_count}", "--date=short", "--format=%h %ad %an: %s", "--", *paths
        )
        return _result(out, ctx, "no commits touch that path")


class GitCommitArgs(ToolArgs):
    message: str = Field(
        default="",
        description="The commit message: a short subject line, optionally a blank line and a body. "
        "Leave it empty to have it written from the diff by the commit model.",
    )
    paths: list[str] | None = Field(
        default=None,
        description="Files to commit (others stay as they are). Omit to commit every change in the workspace.",
    )


class GitCommit(Tool[GitCommitArgs]):
    name: ClassVar[str] = "git_commit"
    category: ClassVar[Category] = Category.GIT
    description: ClassVar[str] = (
        "Commit changes: the given files, or every change in the workspace. The commit is linked to this task."
    )
    args_model = GitCommitArgs

    def summary(self, args: GitCommitArgs) -> str:
        what = ", ".join(args.paths) if args.paths else "all changes"
        subject = args.message.strip().splitlines()[0] if args.message.strip() else WRITTEN_BY_ROLE
        return f"git commit ({what}): {subject}"

    def preview(self, args: GitCommitArgs, ctx: ToolContext) -> str:
        return commit_message(args.message or f"({WRITTEN_BY_ROLE})", ctx)

    async def run(self, args: GitCommitArgs, ctx: ToolContext) -> ToolResult:
        writer = ctx.extra.get(COMMIT_WRITER)
        if not args.message.strip() and writer is None:
            raise ToolError("empty commit message: say in one line what the commit changes")
        if args.paths is not None and not args.paths:
            raise ToolError("paths is empty: name the files to commit, or leave paths out to commit every change")
        repo = open_repository(ctx)
        trailers = [f"{TASK_TRAILER}: {ctx.task_id or 'unknown'}", f"Co-authored-by: {co_author(ctx.model)}"]
        trailer_args = [arg for t in trailers for arg in ("--trailer", t)]
        paths = _repo_paths(repo, ctx, args.paths, for_write=True) if args.paths else []
        _run_git(repo, ctx, "add", "--all", "--", *(paths or [_workspace_pathspec(repo, ctx)]), read_only=False)
        message, written_by = args.message.strip(), ""
        if not message:
            assert writer is not None
            message, written_by = await writer(ctx, args.paths)
        _run_git(repo, ctx, "commit", "-m", message, *trailer_args, *(["--", *paths] if paths else []), read_only=False)
        sha = repo.head.commit.hexsha
        shown = _run_git(repo, ctx, "show", "--stat", "--format=committed %h on %D%n%n%B", "HEAD")
        extra = {"message_written_by": written_by} if written_by else {}
        return _result(shown, ctx, f"committed {sha[:12]}", commit=sha, trailers=trailers, **extra)


WRITTEN_BY_ROLE = "message to be written by the commit model from the diff"


def commit_message(message: str, ctx: ToolContext) -> str:
    """The message as it will be committed, trailers included (for the approval preview)."""
    return f"{message.strip()}\n\n{TASK_TRAILER}: {ctx.task_id or 'unknown'}\nCo-authored-by: {co_author(ctx.model)}\n"


def _checked_ref(ref: str) -> str:
    if not REF.match(ref):
        raise ToolError(f"{ref!r} is not a revision git_diff accepts; use a branch, tag or commit such as HEAD~1")
    return ref
