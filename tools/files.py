"""read_file, list_files and write_file."""

from __future__ import annotations

import asyncio
import re
from typing import ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.workspace.fileio import commit_bytes, current_bytes, remember_read, unified_diff
from tools.workspace.ignore import IgnoreRules
from tools.workspace.textcodec import DecodedText, decode, is_binary
from tools.workspace.withhold import skipped_note

MAX_READ_BYTES = 1_000_000
MAX_LISTED_ENTRIES = 400


class ReadFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root.")
    start_line: int | None = Field(default=None, ge=1, description="First line to return (1-based).")
    end_line: int | None = Field(default=None, ge=1, description="Last line to return (inclusive).")


class ReadFile(Tool[ReadFileArgs]):
    name: ClassVar[str] = "read_file"
    category: ClassVar[Category] = Category.READ
    description: ClassVar[str] = "Read a text file of the workspace, optionally a range of lines."
    args_model = ReadFileArgs

    def summary(self, args: ReadFileArgs) -> str:
        return f"read {args.path}"

    async def run(self, args: ReadFileArgs, ctx: ToolContext) -> ToolResult:
        path = ctx.workspace.resolve(args.path)
        rel = ctx.workspace.relative(path)
        if path.is_dir():
            raise ToolError(f"{rel} is a directory; use list_files to see what it holds")
        data = await asyncio.to_thread(current_bytes, path, ctx)
        if data is None:
            raise ToolError(f"{rel} does not exist; use list_files to find the right path")
        if is_binary(data):
            return ToolResult(ok=False, output=f"{rel} is a binary file ({len(data):,} bytes); it was not read")
        if len(data) > MAX_READ_BYTES and args.start_line is None:
            return ToolResult(
                ok=False,
                output=(
                    f"{rel} is {len(data):,} bytes, over the {MAX_READ_BYTES:,}-byte limit for a whole read; "
                    "read a range with start_line and end_line, or use search_files"
                ),
            )
        remember_read(ctx, rel, data)
        text = decode(data).text
        if args.start_line is None and args.end_line is None:
            return ToolResult(ok=True, output=text, data={"path": rel, "bytes": len(data)})
        lines = text.splitlines(keepends=True)
        start = (args.start_line or 1) - 1
        end = args.end_line or len(lines)
        if start >= len(lines):
            raise ToolError(f"{rel} has {len(lines)} lines; start_line {start + 1} is past the end")
        excerpt = "".join(lines[start:end])
        header = f"[{rel}: lines {start + 1}-{min(end, len(lines))} of {len(lines)}]\n"
        return ToolResult(ok=True, output=header + excerpt, data={"path": rel, "bytes": len(data)})


class ListFilesArgs(ToolArgs):
    path: str = Field(default=".", description="Directory relative to the workspace root.")
    recursive: bool = Field(default=False, description="List the whole tree below the directory.")


class ListFiles(Tool[ListFilesArgs]):
    name: ClassVar[str] = "list_files"
    category: ClassVar[Category] = Category.READ
    description: ClassVar[str] = (
        "List files and directories (directories end with /). Honours .gitignore and .flambeauignore."
    )
    args_model = ListFilesArgs

    def summary(self, args: ListFilesArgs) -> str:
        return f"list {args.path}{' (recursive)' if args.recursive else ''}"

    async def run(self, args: ListFilesArgs, ctx: ToolContext) -> ToolResult:
        directory = ctx.workspace.resolve(args.path)
        if not directory.is_dir():
            raise ToolError(f"{args.path} is not a directory")
        start = ctx.workspace.relative(directory)
        rules = IgnoreRules(ctx.workspace.root, ctx.workspace.withhold)
        shown: list[str] = []
        left_out = 0
        for rel, is_dir in rules.walk("" if start == "." else start, recursive=args.recursive):
            if len(shown) < MAX_LISTED_ENTRIES:
                shown.append(rel + "/" if is_dir else rel)
            else:
                left_out += 1
        note = skipped_note(rules.skipped)
        if not shown:
            empty = f"{start}: empty (or everything in it is ignored)"
            return ToolResult(ok=True, output=f"{empty}\n{note}" if note else empty)
        output = "\n".join(shown)
        if left_out:
            output += f"\n[... {left_out:,} more entries not listed; list a subdirectory to see them]"
        if note:
            output += f"\n{note}"
        return ToolResult(ok=True, output=output, data={"listed": len(shown), "left_out": left_out})


class WriteFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root.")
    content: str = Field(description="The complete new content of the file.")


class WriteFile(Tool[WriteFileArgs]):
    name: ClassVar[str] = "write_file"
    category: ClassVar[Category] = Category.EDIT
    description: ClassVar[str] = (
        "Create a file or replace its whole content. Prefer edit_file for changes to existing files."
    )
    args_model = WriteFileArgs

    def summary(self, args: WriteFileArgs) -> str:
        return f"write {args.path} ({len(args.content.encode('utf-8')):,} bytes)"

    def preview(self, args: WriteFileArgs, ctx: ToolContext) -> str:
        path = ctx.workspace.resolve_for_write(args.path)
        before = current_bytes(path, ctx)
        return unified_diff(ctx.workspace.relative(path), before, encode_like(before, args.content))

    async def run(self, args: WriteFileArgs, ctx: ToolContext) -> ToolResult:
        path = ctx.workspace.resolve_for_write(args.path)
        rel = ctx.workspace.relative(path)
        if path.is_dir():
            raise ToolError(f"{rel} is a directory; give a file path")
        before = current_bytes(path, ctx)
        if before is not None and is_binary(before):
            raise ToolError(f"{rel} is a binary file; write_file only replaces text files")
        if before:
            refuse_elided_content(rel, before, args.content)
        after = encode_like(before, args.content)
        change = await commit_bytes(path, rel, before, after, ctx)
        verb = "created" if before is None else "rewrote"
        return ToolResult(ok=True, output=f"{verb} {rel} ({len(after):,} bytes)", file_changes=[change])


ELISION = re.compile(
    r"^\s*(#|//|/\*|<!--|--|;|\*)\s*(\.\.\.|…|\[\.\.\.\])?\s*"
    r"(rest of|remaining|existing|unchanged|previous|other)\b[^\n]*(\.\.\.|…|unchanged|omitted|as before|here)",
    re.IGNORECASE | re.MULTILINE,
)


def refuse_elided_content(rel: str, before: bytes, content: str) -> None:
    """Refuse content that stands in for part of the file with a placeholder comment ("... rest of code ...")."""
    old_text = decode(before).text
    for found in ELISION.finditer(content):
        line = found.group(0).strip()
        if line not in old_text:
            raise ToolError(
                f"the new content of {rel} contains the placeholder {line!r} instead of the real text, which would "
                "delete that part of the file; write the complete content, or change part of it with edit_file"
            )


def encode_like(before: bytes | None, content: str) -> bytes:
    """`content` in the existing file's encoding, BOM and line-ending style (new files: UTF-8, as given)."""
    existing = DecodedText("", "utf-8") if before is None else decode(before)
    if "\r\n" not in content and existing.newline == "\r\n":
        content = content.replace("\n", "\r\n")
    if content.startswith("\ufeff") and existing.bom:
        content = content[1:]
    return existing.encode(content)
