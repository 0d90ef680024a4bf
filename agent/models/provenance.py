"""Which weights answered: the SHA-256 of a local GGUF file, or an Ollama server's model digest.

Hashing a model file takes a while, so the digest is cached by path, size and modification time
(`$XDG_CACHE_HOME/flambeau/sha256-cache.json`); a changed file is hashed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flambeau" / "sha256-cache.json"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, computed once per (path, size, mtime) and remembered."""
    path = path.resolve()
    stat = path.stat()
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_file = cache_path()
    cache = _read_cache(cache_file)
    cached = cache.get(key)
    if isinstance(cached, str):
        return cached
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    cache = {k: v for k, v in cache.items() if not k.startswith(f"{path}|")}
    cache[key] = value
    _write_cache(cache_file, cache)
    return value


def gguf_provenance(path: Path) -> dict[str, Any]:
    return {"kind": "gguf", "file": path.name, "sha256": file_sha256(path), "size_bytes": path.stat().st_size}


def ollama_provenance(api_base: str, model: str, timeout_s: float = 5.0) -> dict[str, Any]:
    """The digest Ollama reports for `model` (from /api/tags); empty when the server does not say."""
    import httpx

    name = model.split("/", 1)[1] if "/" in model else model
    try:
        response = httpx.get(f"{api_base.rstrip('/')}/api/tags", timeout=timeout_s)
        response.raise_for_status()
        listed = response.json().get("models") or []
    except (httpx.HTTPError, ValueError):
        return {}
    wanted = {name, f"{name}:latest"} if ":" not in name else {name}
    for entry in listed:
        if entry.get("name") in wanted or entry.get("model") in wanted:
            digest = entry.get("digest")
            return {"kind": "ollama", "model": entry.get("name", name), "digest": digest} if digest else {}
    return {}


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, indent=0, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return  # a cache we cannot write only costs time
