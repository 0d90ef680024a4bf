"""Project rules from AGENTS.md, .clinerules (file or folder) and .cursorrules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools.workspace.special import read_regular

RULE_SOURCES = ("AGENTS.md", ".clinerules", ".cursorrules")
MAX_RULES_CHARS = 8_000
MAX_RULE_FILES = 20


@dataclass(frozen=True)
class ProjectRules:
    text: str
    sources: list[str]
    """Workspace-relative names of the files the rules came from."""
    truncated: bool = False


def _candidate_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in RULE_SOURCES:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file())[:MAX_RULE_FILES])
    return files


def load_rules(root: Path, max_chars: int = MAX_RULES_CHARS) -> ProjectRules:
    parts: list[str] = []
    sources: list[str] = []
    used = 0
    truncated = False
    for path in _candidate_files(root):
        resolved = path.resolve()
        if root.resolve() not in resolved.parents:
            continue  # a rules symlink pointing outside the workspace is ignored
        try:
            text = read_regular(path).decode("utf-8", errors="replace").strip()
        except OSError:
            continue
        if not text:
            continue
        rel = path.relative_to(root).as_posix()
        block = f"## {rel}\n{text}\n"
        if used + len(block) > max_chars:
            block = block[: max(max_chars - used, 0)] + f"\n[rules cut at {max_chars:,} characters]\n"
            truncated = True
        parts.append(block)
        sources.append(rel)
        used += len(block)
        if truncated:
            break
    return ProjectRules(text="\n".join(parts).strip(), sources=sources, truncated=truncated)
