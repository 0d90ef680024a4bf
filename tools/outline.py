"""list_definitions: the classes, functions and types of a file or folder, read with tree-sitter.

Grammars come from tree-sitter-language-pack and are loaded on first use of a language, never at
import time. Definitions nested in function bodies (locals, closures) are left out.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.workspace.ignore import IgnoreRules
from tools.workspace.special import read_regular, refuse_special
from tools.workspace.textcodec import is_binary
from tools.workspace.withhold import Withholding, skipped_note

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query

LANGUAGE_BY_SUFFIX: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".hh": "cpp",
    ".hpp": "cpp",
    ".hxx": "cpp",
}

MAX_FILE_BYTES = 2_000_000
MAX_SIGNATURE_CHARS = 160
MAX_OUTPUT_DEFINITIONS = 400

_JS_COMMON = """
(class_declaration name: (_) @name) @class
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(method_definition name: (_) @name) @method
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @function
"""

_TS_EXTRA = """
(abstract_class_declaration name: (type_identifier) @name) @class
(interface_declaration name: (type_identifier) @name) @interface
(type_alias_declaration name: (type_identifier) @name) @type
(enum_declaration name: (identifier) @name) @enum
(internal_module name: (_) @name) @namespace
(abstract_method_signature name: (_) @name) @method
"""

_C_FUNCTIONS = """
(function_definition declarator: (function_declarator declarator: (_) @name)) @function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))) @function
(declaration declarator: (function_declarator declarator: (identifier) @name)) @prototype
(struct_specifier name: (type_identifier) @name body: (_)) @struct
(union_specifier name: (type_identifier) @name body: (_)) @union
(enum_specifier name: (type_identifier) @name body: (_)) @enum
(type_definition declarator: (type_identifier) @name) @type
"""

QUERIES: dict[str, str] = {
    "python": """
(class_definition name: (identifier) @name) @class
(function_definition name: (identifier) @name) @function
""",
    "javascript": _JS_COMMON,
    "typescript": _JS_COMMON + _TS_EXTRA,
    "tsx": _JS_COMMON + _TS_EXTRA,
    "go": """
(function_declaration name: (identifier) @name) @function
(method_declaration name: (field_identifier) @name) @method
(type_spec name: (type_identifier) @name type: (struct_type)) @struct
(type_spec name: (type_identifier) @name type: (interface_type)) @interface
(type_spec name: (type_identifier) @name type: [(type_identifier) (qualified_type) (function_type) (map_type)
  (slice_type) (array_type) (pointer_type) (channel_type) (generic_type)]) @type
""",
    "rust": """
(struct_item name: (type_identifier) @name) @struct
(enum_item name: (type_identifier) @name) @enum
(union_item name: (type_identifier) @name) @union
(trait_item name: (type_identifier) @name) @trait
(impl_item type: (_) @name) @impl
(function_item name: (identifier) @name) @function
(function_signature_item name: (identifier) @name) @function
(mod_item name: (identifier) @name) @module
(macro_definition name: (identifier) @name) @macro
(type_item name: (type_identifier) @name) @type
(const_item name: (identifier) @name) @const
(static_item name: (identifier) @name) @const
""",
    "java": """
(class_declaration name: (identifier) @name) @class
(interface_declaration name: (identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(record_declaration name: (identifier) @name) @record
(annotation_type_declaration name: (identifier) @name) @interface
(method_declaration name: (identifier) @name) @method
(constructor_declaration name: (identifier) @name) @constructor
""",
    "c": _C_FUNCTIONS,
    "cpp": _C_FUNCTIONS
    + """
(function_definition declarator: (reference_declarator (function_declarator declarator: (_) @name))) @function
(field_declaration declarator: (function_declarator declarator: (_) @name)) @method
(class_specifier name: (_) @name body: (_)) @class
(namespace_definition name: (_) @name) @namespace
(alias_declaration name: (type_identifier) @name) @type
""",
}

FUNCTION_KINDS = frozenset({"function", "method", "constructor", "prototype"})
CONTAINER_KINDS = frozenset(
    {"class", "interface", "struct", "union", "enum", "trait", "impl", "module", "namespace", "record"}
)


class Definition(NamedTuple):
    name: str
    kind: str
    line: int
    """1-based line of the definition's first line."""
    end_line: int
    depth: int
    """0 at top level, 1 inside a class (or impl, namespace...), and so on."""
    signature: str

    def to_row(self) -> list[Any]:
        return list(self)

    @classmethod
    def from_row(cls, row: list[Any]) -> Definition:
        """From a cached row; raises ValueError when the row is not one."""
        if len(row) != len(cls._fields):
            raise ValueError(f"a definition row has {len(cls._fields)} fields, not {len(row)}")
        return cls._make(row)


def language_for(path: str) -> str | None:
    return LANGUAGE_BY_SUFFIX.get(os.path.splitext(path)[1].lower())


@dataclass
class Outliner:
    """Parsers and compiled queries per language, made on first use."""

    _parsers: dict[str, Parser] = field(default_factory=dict)
    _queries: dict[str, Query] = field(default_factory=dict)

    def _grammar(self, language: str) -> tuple[Parser, Query]:
        if language not in self._parsers:
            from tree_sitter import Query
            from tree_sitter_language_pack import get_language, get_parser

            self._queries[language] = Query(get_language(language), QUERIES[language])  # type: ignore[arg-type]
            self._parsers[language] = get_parser(language)  # type: ignore[arg-type]
        return self._parsers[language], self._queries[language]

    def definitions(self, source: bytes, language: str) -> list[Definition]:
        """Definitions of one file's source, in order, without those nested inside function bodies."""
        from tree_sitter import QueryCursor

        parser, query = self._grammar(language)
        tree = parser.parse(source)
        found: dict[int, tuple[Node, Node, str]] = {}
        for _, captures in QueryCursor(query).matches(tree.root_node):
            for kind, nodes in captures.items():
                if kind == "name" or not nodes or "name" not in captures:
                    continue
                node = nodes[0]
                found.setdefault(node.id, (node, captures["name"][0], kind))
        return _nest(source, sorted(found.values(), key=lambda item: (item[0].start_byte, -item[0].end_byte)))


def _nest(source: bytes, items: list[tuple[Node, Node, str]]) -> list[Definition]:
    """Depth from containment; drop what sits inside a function; a function inside a container is a method."""
    stack: list[tuple[int, str]] = []  # (end byte, kind) of enclosing definitions
    result: list[Definition] = []
    for node, name_node, kind in items:
        while stack and stack[-1][0] <= node.start_byte:
            stack.pop()
        if stack and stack[-1][1] in FUNCTION_KINDS:
            continue
        if kind == "function" and stack and stack[-1][1] in CONTAINER_KINDS:
            kind = "method"
        result.append(
            Definition(
                name=_text(source, name_node),
                kind=kind,
                line=node.start_point[0] + 1,
                end_line=node.end_point[0] + 1,
                depth=len(stack),
                signature=_signature(source, node),
            )
        )
        stack.append((node.end_byte, kind))
    return result


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _signature(source: bytes, node: Node) -> str:
    """The definition's head: everything before its body, whitespace collapsed, or its first line."""
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None and body.start_byte > node.start_byte else node.end_byte
    head = source[node.start_byte : end].decode("utf-8", errors="replace")
    if body is None:
        head = head.split("\n", 1)[0]
    head = " ".join(head.split()).rstrip("{:= ").rstrip()
    return head if len(head) <= MAX_SIGNATURE_CHARS else head[: MAX_SIGNATURE_CHARS - 3] + "..."


def outline_text(rel: str, definitions: list[Definition]) -> str:
    lines = [f"{rel}:"]
    width = len(str(definitions[-1].line)) if definitions else 1
    lines += [f"{d.line:>{width}} {'  ' * d.depth}{d.signature}" for d in definitions]
    return "\n".join(lines)


class ListDefinitionsArgs(ToolArgs):
    path: str = Field(default=".", description="File or directory relative to the workspace root.")


class ListDefinitions(Tool[ListDefinitionsArgs]):
    name: ClassVar[str] = "list_definitions"
    category: ClassVar[Category] = Category.READ
    description: ClassVar[str] = "Outline of classes, functions and types (with line numbers) in a file or folder."
    args_model = ListDefinitionsArgs

    def __init__(self) -> None:
        self._outliner = Outliner()
        self._seen: dict[str, tuple[int, int, list[Definition]]] = {}
        """Path -> (mtime, size, definitions): a folder outlined again re-parses only changed files."""

    def summary(self, args: ListDefinitionsArgs) -> str:
        return f"list definitions in {args.path}"

    async def run(self, args: ListDefinitionsArgs, ctx: ToolContext) -> ToolResult:
        target = ctx.workspace.resolve(args.path)
        rel = ctx.workspace.relative(target)
        if not target.exists():
            raise ToolError(f"{args.path} does not exist; use list_files to find the right path")
        refuse_special(target, rel)
        if target.is_file() and language_for(rel) is None:
            known = ", ".join(sorted({s for s in LANGUAGE_BY_SUFFIX}))
            raise ToolError(f"{rel}: no grammar for this kind of file; supported suffixes: {known}")
        return await asyncio.to_thread(self._outline, ctx.workspace.root, rel, ctx.workspace.withhold)

    def _outline(self, root: Path, rel: str, withhold: Withholding | None = None) -> ToolResult:
        skipped: list[str] = []
        files = [rel] if (root / rel).is_file() else source_files(root, rel, withhold, skipped)
        note = f"\n\n{skipped_note(skipped)}" if skipped else ""
        blocks: list[str] = []
        shown = left_defs = left_files = 0
        for path in files:
            definitions = self._definitions_of(root, path)
            if not definitions:
                continue
            if shown >= MAX_OUTPUT_DEFINITIONS:
                left_files += 1
                left_defs += len(definitions)
                continue
            room = MAX_OUTPUT_DEFINITIONS - shown
            blocks.append(outline_text(path, definitions[:room]))
            shown += min(room, len(definitions))
            left_defs += max(0, len(definitions) - room)
        if not blocks:
            return ToolResult(ok=True, output=f"no definitions found in {rel}{note}", data={"definitions": 0})
        output = "\n\n".join(blocks) + note
        if left_defs:
            output += (
                f"\n\n[... {left_defs:,} more definitions in {left_files:,} more files not shown; "
                "ask for a subdirectory or a file]"
            )
        return ToolResult(ok=True, output=output, data={"definitions": shown, "left_out": left_defs})

    def _definitions_of(self, root: Path, rel: str) -> list[Definition]:
        language = language_for(rel)
        if language is None:
            return []
        path = os.path.join(root, rel)
        try:
            st = os.stat(path)
            seen = self._seen.get(path)
            if seen is not None and seen[:2] == (st.st_mtime_ns, st.st_size):
                return seen[2]
            data = read_regular(path)
        except OSError:
            return []
        found = [] if len(data) > MAX_FILE_BYTES or is_binary(data) else self._outliner.definitions(data, language)
        self._seen[path] = (st.st_mtime_ns, st.st_size, found)
        return found


def source_files(
    root: Path, rel: str = ".", withhold: Withholding | None = None, skipped: list[str] | None = None
) -> list[str]:
    """Files with a known grammar under `rel`, honouring ignore files, symlinks and withheld files left out."""
    rules = IgnoreRules(root, withhold)
    found = [path for path in rules.walk_files("" if rel == "." else rel) if language_for(path) is not None]
    if skipped is not None:
        skipped += rules.skipped
    return found
