"""The repository map's cache on disk: each file's definitions and identifiers by content hash, under the user's
cache directory (never inside the workspace, so a cloned repository cannot plant a cache)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.outline import Definition
from tools.workspace.special import read_regular

CACHE_VERSION = 1


@dataclass(frozen=True)
class FileFacts:
    definitions: list[Definition]
    identifiers: tuple[str, ...]
    """Distinct identifiers of the file (3+ characters), each counted once in the mention counts."""


@dataclass
class FileState:
    mtime_ns: int
    size: int
    sha: str


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flambeau" / "repomap"


def cache_file(cache_dir: Path | None, root: Path) -> Path | None:
    if cache_dir is None:
        return None
    key = hashlib.sha256(str(root).encode()).hexdigest()[:24]
    return cache_dir / f"{key}.json"


def write_cache(
    path: Path, root: Path, files: dict[str, FileState], mentions: Counter[str], facts: dict[str, FileFacts]
) -> None:
    """Write atomically; a failure to write only costs speed next time."""
    used = {state.sha for state in files.values()}
    payload: dict[str, Any] = {
        "version": CACHE_VERSION,
        "root": str(root),
        "files": {rel: [s.mtime_ns, s.size, s.sha] for rel, s in files.items()},
        "mentions": {name: n for name, n in mentions.items() if n > 0},
        "facts": {
            sha: {"d": [d.to_row() for d in f.definitions], "i": list(f.identifiers)}
            for sha, f in facts.items()
            if sha in used
        },
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return


def read_cache(
    path: Path, root: Path
) -> tuple[dict[str, FileFacts], dict[str, FileState], Counter[str]] | None:
    """(facts by hash, file states, mention counts), or None when the cache is absent, stale or damaged."""
    try:
        payload = json.loads(read_regular(path))
        if payload.get("version") != CACHE_VERSION or payload.get("root") != str(root):
            return None
        facts = {
            sha: FileFacts([Definition.from_row(row) for row in entry["d"]], tuple(entry["i"]))
            for sha, entry in payload["facts"].items()
        }
        files = {rel: FileState(int(m), int(s), str(sha)) for rel, (m, s, sha) in payload["files"].items()}
        mentions = Counter({str(name): int(n) for name, n in payload["mentions"].items()})
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if any(state.sha not in facts for state in files.values()):
        return None
    return facts, files, mentions
