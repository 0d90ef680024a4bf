"""edit_file: SEARCH/REPLACE blocks applied all or none, never leaving a damaged file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult, sha256_bytes
from tools.workspace.edit_match import BlockFailure, EditBlock, EditRefused, FileLines, Matcher, splice
from tools.workspace.fileio import commit_bytes, current_bytes, unified_diff
from tools.workspace.textcodec import DecodedText, decode, is_binary, with_final_newline_of

STALE_CONTEXT_LINES = 3
MAX_REGION_LINES = 60


class SearchReplace(ToolArgs):
    search: str = Field(description="Exact current text to find (whole lines are safest).")
    replace: str = Field(description="Text to put in its place.")


class EditFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root.")
    edits: list[SearchReplace] = Field(
        min_length=1, description="Blocks applied all or none; each search must match exactly one place."
    )


@dataclass(frozen=True)
class PlannedEdit:
    """The outcome of matching every block: the file's new bytes and how each block matched."""

    path: Path
    rel: str
    before: bytes
    after: bytes
    stages: list[str]


class EditFile(Tool[EditFileArgs]):
    name: ClassVar[str] = "edit_file"
    category: ClassVar[Category] = Category.EDIT
    description: ClassVar[str] = (
        "Change an existing file with search/replace blocks. Read the file first; copy search text exactly."
    )
    args_model = EditFileArgs

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        """The schema with the block type written inline: some providers and local servers reject `$ref`."""
        schema = super().parameters_schema()
        definitions = schema.pop("$defs", {})
        inlined: dict[str, Any] = _inline_refs(schema, definitions)
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
        return ToolResult(
            ok=True,
            output=f"edited {planned.rel} ({how})\n{change.diff}",
            file_changes=[change],
            data={"path": planned.rel, "blocks": len(planned.stages)},
        )

    def plan(self, args: EditFileArgs, ctx: ToolContext, *, check_stale: bool) -> PlannedEdit:
        """Match every block against the current content; raises `ToolError` (file untouched) on any problem."""
        path = ctx.workspace.resolve_for_write(args.path)
        rel = ctx.workspace.relative(path)
        before = _existing_text_file(path, rel, ctx)
        decoded = decode(before)
        blocks = [EditBlock(e.search, e.replace) for e in args.edits]
        if check_stale:
            _refuse_if_stale(rel, before, decoded, blocks, ctx)
        lf_text = decoded.text.replace("\r\n", "\n")
        try:
            matches = Matcher(lf_text).plan(blocks)
        except EditRefused as refused:
            raise ToolError(_refusal_text(rel, lf_text, refused.failures, len(blocks))) from refused
        newline = decoded.newline
        edited = with_final_newline_of(decoded.text, splice(decoded.text, matches, newline), newline)
        after = decoded.encode(edited)
        if after == before:
            raise ToolError(f"the edit leaves {rel} as it is (it already contains the replacement); nothing to do")
        stages = [m.stage for m in sorted(matches, key=lambda m: m.block)]
        return PlannedEdit(path, rel, before, after, stages)


def _existing_text_file(path: Path, rel: str, ctx: ToolContext) -> bytes:
    if path.is_dir():
        raise ToolError(f"{rel} is a directory; give the path of a file")
    data = current_bytes(path, ctx)
    if data is None:
        raise ToolError(f"{rel} does not exist; create it with write_file")
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
        f"Its current content where your edit applies:\n{_fresh_regions(lf_text, blocks)}\n"
        "Make the edit again against this content."
    )


def _fresh_regions(lf_text: str, blocks: list[EditBlock]) -> str:
    matcher = Matcher(lf_text)
    lines = matcher.file
    regions: list[tuple[int, int]] = []
    for index, block in enumerate(blocks, start=1):
        try:
            match = matcher.locate(index, block)
            regions.append((match.first_line, match.last_line))
        except EditRefused as refused:
            candidate = refused.failures[0].candidate
            if candidate is not None:
                regions.append((candidate.first_line, candidate.last_line))
    if not regions:
        last = min(len(lines.lines), MAX_REGION_LINES)
        return lines.excerpt(1, last)
    return "\n...\n".join(
        lines.excerpt(first, min(last, first + MAX_REGION_LINES), context=STALE_CONTEXT_LINES)
        for first, last in sorted(set(regions))
    )


def _refusal_text(rel: str, lf_text: str, failures: list[BlockFailure], total: int) -> str:
    lines = FileLines(lf_text)
    blocks = "the block" if total == 1 else f"all {total} blocks"
    parts = [f"no change made to {rel} ({blocks} or nothing is applied):"]
    for failure in failures:
        parts.append(f"- {failure.reason}")
        candidate = failure.candidate
        if candidate is not None and candidate.similarity < 100:
            last = min(candidate.last_line, candidate.first_line + MAX_REGION_LINES)
            parts.append(
                f"  closest text (lines {candidate.first_line}-{candidate.last_line}, "
                f"{candidate.similarity:.0f}% similar):\n{lines.excerpt(candidate.first_line, last)}"
            )
    parts.append("Copy the search text exactly from the current file (read_file shows it), then retry.")
    return "\n".join(parts)


def _inline_refs(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline_refs(v, definitions) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline_refs(v, definitions) for v in schema]
    return schema
