"""Resolving @-mentions to attachments, with the tools' own rules: the workspace jail, ignore files,
binary detection, output caps (a file is what `read_file` returns, a folder what `list_files` lists,
`@git-changes` what `git_status` and `git_diff HEAD` show). One failed mention fails them all, naming each.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.attachments.editor import editor_attachment
from agent.attachments.images import image_attachment, looks_like_image
from agent.attachments.mentions import EDITOR_KEYWORDS, Mention, find_mentions
from agent.attachments.types import Attachment, EditorContext, MentionError
from tools.base import DocumentProvider, Tool, ToolContext, ToolError, ToolResult
from tools.workspace.jail import PathError, Workspace
from tools.workspace.special import check_path, read_regular, refusal

KEEP_AS_TEXT = "put a mention in backticks (`@name`) to send it as plain text"


async def resolve_mentions(
    text: str, root: Path, editor: EditorContext | None = None, documents: DocumentProvider | None = None
) -> list[Attachment]:
    """Every mention of `text` as an attachment; raises `MentionError` naming each one that cannot be."""
    workspace = Workspace(root)
    ctx = ToolContext(workspace=workspace, documents=documents)
    attachments: list[Attachment] = []
    problems: list[str] = []
    for mention in find_mentions(text, lambda path: _exists(workspace, path)):
        try:
            found = await _resolve(mention, ctx, editor)
        except (ToolError, PathError, MentionError) as error:
            found = str(error)
        if isinstance(found, str):
            problems.append(f"{mention.written}: {found}")
        else:
            attachments.append(found)
    if problems:
        raise MentionError(f"could not attach {'; '.join(problems)}. Fix the mention, or {KEEP_AS_TEXT}")
    return attachments


async def _resolve(mention: Mention, ctx: ToolContext, editor: EditorContext | None) -> Attachment | str:
    if mention.target in EDITOR_KEYWORDS:
        return editor_attachment(mention.target, mention.written, editor)
    if mention.target == "git-changes":
        return await _git_changes(mention, ctx)
    path = ctx.workspace.resolve(mention.target)
    rel = ctx.workspace.relative(path)
    if path.is_dir():
        return await _folder(mention, ctx, rel)
    if not path.exists():
        return f"{rel} does not exist in the workspace {ctx.workspace.root}"
    kind = check_path(path)
    if kind is not None:
        return refusal(rel, kind)
    if looks_like_image(rel) and mention.start_line is None:
        return image_attachment(rel, await asyncio.to_thread(read_regular, path), mention.written, rel)
    return await _file(mention, ctx, rel)


async def _file(mention: Mention, ctx: ToolContext, rel: str) -> Attachment | str:
    from tools.files import ReadFile

    arguments: dict[str, Any] = {"path": rel}
    label = rel
    if mention.start_line is not None:
        arguments |= {"start_line": mention.start_line, "end_line": mention.end_line}
        span = f"{mention.start_line}-{mention.end_line}" if mention.end_line != mention.start_line else ""
        label = f"{rel}:{span or mention.start_line}"
    result = await _run(ReadFile(), arguments, ctx)
    if not result.ok:
        return result.output
    return Attachment(mention.written, "file", label, result.output, path=rel, tool="read_file", arguments=arguments)


async def _folder(mention: Mention, ctx: ToolContext, rel: str) -> Attachment:
    from tools.files import ListFiles

    arguments = {"path": rel, "recursive": True}
    result = await _run(ListFiles(), arguments, ctx)
    label = "workspace" if rel == "." else rel.rstrip("/") + "/"
    return Attachment(mention.written, "folder", label, result.output, path=rel, tool="list_files", arguments=arguments)


async def _git_changes(mention: Mention, ctx: ToolContext) -> Attachment:
    from tools.git import GitDiff, GitStatus

    status = await _run(GitStatus(), {}, ctx)
    try:
        diff = await _run(GitDiff(), {"ref": "HEAD"}, ctx)
    except ToolError:  # no commit yet: what is staged
        diff = await _run(GitDiff(), {"staged": True}, ctx)
    text = f"$ git status --short --branch\n{status.output}\n\n$ git diff HEAD\n{diff.output}"
    return Attachment(mention.written, "git_changes", "git changes", text, tool="git_diff", arguments={"ref": "HEAD"})


async def _run(tool: Tool[Any], arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    return await tool.run(tool.parse(arguments), ctx)


def _exists(workspace: Workspace, path: str) -> bool:
    try:
        return workspace.resolve(path).exists()
    except PathError:
        return False
