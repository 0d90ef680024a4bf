"""edit_file: SEARCH/REPLACE blocks applied all or none, never leaving a damaged file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult, sha256_bytes, without_null
from tools.editing.blocks import EditBlock, EditRefused, Match
from tools.editing.matcher import Matcher
from tools.editing.messages import fresh_regions, refusal_text
from tools.editing.splice import splice
from tools.workspace.fileio import commit_bytes, current_bytes, unified_diff
from tools.workspace.textcodec import DecodedText, decode, is_binary, with_final_newline_of


class SearchReplace(ToolArgs):
    search: str = Field(description="Exact current text to find (whole lines are safest).")
    replace: str = Field(description="Text to put in its place.")
    replace_all: bool = Field(default=False, description="Change every match, not just one.")
    line: int | None = Field(
        default=None, ge=1, description="Line the search starts on, to pick among identical matches."
    )
    position: Literal["start", "end"] | None = Field(
        default=None, description="With an empty search: insert at the file's start or end."
    )


class EditFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root.")
    edits: list[SearchReplace] = Field(
        min_length=1,
        description="Applied all or none, each against the file as it is now; a search matches one place.",
    )


@dataclass(frozen=True)
class PlannedEdit:
    """The outcome of matching every block: the file's new bytes and how each block matched."""

    path: Path
    rel: str
    before: bytes | None
    """None: the call creates the file."""
    after: bytes
    stages: list[str]


class EditFile(Tool[EditFileArgs]):
    name: ClassVar[str] = "edit_file"
    category: ClassVar[Category] = Category.EDIT
    description: ClassVar[str] = (
        "Change a file with search/replace blocks. Read the file first; copy search text exactly."
    )
    args_model = EditFileArgs

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        """The schema with the block type written inline (some providers and local servers reject `$ref`)."""
        schema = super().parameters_schema()
        definitions = schema.pop("$defs", {})
        inlined: dict[str, Any] = without_null(_inline_refs(schema, definitions))
        return inlined

    def summary(self, args: EditFileArgs) -> str:
        blocks = len(args.edits)
        return f"edit {args.path} ({blocks} block{'s' if blocks != 1 else ''})"

    def preview(self, args: EditFileArgs, ctx: ToolContext) -> str:
        planned = self.plan(args, ctx, check_stale=False)
        return unified_diff(planned.rel, planned.before, planned.after)

    async def run(self, args: EditFileArgs, ctx: ToolContext) -> ToolResult:
        planned = self.plan(args, ctx, check_stale=True)
        change = await commit_bytes(planned.path, planned.rel, planned.before, planned.after, ctx)
        how = ", ".join(f"block {i}: {stage}" for i, stage in enumerate(planned.stages, start=1))
        verb = "created" if planned.before is None else "edited"
        return ToolResult(
            ok=True,
            output=f"{verb} {planned.rel} ({how})\n{change.diff}",
            file_changes=[change],
            data={"path": planned.rel, "blocks": len(planned.stages)},
        )

    def plan(self, args: EditFileArgs, ctx: ToolContext, *, check_stale: bool) -> PlannedEdit:
        """Match every block against the current content; raises `ToolError` (file untouched) on any problem."""
        path = ctx.workspace.resolve_for_write(args.path)
        rel = ctx.workspace.relative(path)
        blocks = [EditBlock(e.search, e.replace, e.replace_all, e.line, e.position) for e in args.edits]
        before = _current_text_file(path, rel, ctx, blocks)
        decoded = decode(before) if before is not None else DecodedText("", "utf-8")
        if check_stale and before is not None:
            _refuse_if_stale(rel, before, decoded, blocks, ctx)
        lf_text = decoded.text.replace("\r\n", "\n")
        try:
            matches = Matcher(lf_text).plan(blocks)
        except EditRefused as refused:
            raise ToolError(refusal_text(rel, lf_text, refused.failures, len(blocks))) from refused
        newline = decoded.newline
        edited = with_final_newline_of(decoded.text, splice(decoded.text, matches, newline), newline)
        after = decoded.encode(edited)
        if after == before:
            raise ToolError(f"the edit leaves {rel} as it is (it already contains the replacement); nothing to do")
        return PlannedEdit(path, rel, before, after, _stages(matches, len(blocks)))


def _stages(matches: list[Match], blocks: int) -> list[str]:
    """How each block matched, with the number of places for blocks that changed several."""
    stages = []
    for index in range(1, blocks + 1):
        mine = [m for m in matches if m.block == index]
        places = f", {len(mine)} places" if len(mine) > 1 else ""
        stages.append(mine[0].stage + places)
    return stages


def _current_text_file(path: Path, rel: str, ctx: ToolContext, blocks: list[EditBlock]) -> bytes | None:
    """The file's bytes; None when it does not exist and every block inserts (the call creates it)."""
    if path.is_dir():
        raise ToolError(f"{rel} is a directory; give the path of a file")
    data = current_bytes(path, ctx)
    if data is None:
        if all(not block.search.strip() for block in blocks):
            return None
        raise ToolError(f"{rel} does not exist; create it with write_file (or edit_file with an empty search)")
    if is_binary(data):
        raise ToolError(f"{rel} is a binary file; edit_file only changes text files")
    return data


def _refuse_if_stale(rel: str, data: bytes, decoded: DecodedText, blocks: list[EditBlock], ctx: ToolContext) -> None:
    """Refuse when the file changed since the agent last read it; show the fresh region and accept it as read."""
    seen = ctx.read_hashes.get(rel)
    current = sha256_bytes(data)
    if seen is None or seen == current:
        return
    ctx.read_hashes[rel] = current
    lf_text = decoded.text.replace("\r\n", "\n")
    raise ToolError(
        f"{rel} changed since you last read it (someone else edited it); nothing was applied.\n"
        f"Its current content where your edit applies:\n{fresh_regions(lf_text, blocks)}\n"
        "Make the edit again against this content."
    )


def _inline_refs(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline_refs(v, definitions) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline_refs(v, definitions) for v in schema]
    return schema
