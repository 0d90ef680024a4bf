"""Asking a local server how large its context window really is (Ollama, llama.cpp's llama-server).

Ollama's default runtime window (2k-4k tokens) silently discards input, so for Ollama the window is
also sent with every request (`num_ctx`), and the profile is sized to it.
"""

from __future__ import annotations

import re
from typing import Any

NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)", re.MULTILINE)


def ollama_window(api_base: str, model: str, timeout_s: float = 5.0) -> int | None:
    """`num_ctx` from the model's parameters, else its trained context length; None if unknown."""
    import httpx

    name = model.split("/", 1)[1] if "/" in model else model
    try:
        response = httpx.post(f"{api_base.rstrip('/')}/api/show", json={"model": name}, timeout=timeout_s)
        response.raise_for_status()
        info: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    match = NUM_CTX.search(str(info.get("parameters") or ""))
    if match:
        return int(match.group(1))
    for key, value in (info.get("model_info") or {}).items():
        if key.endswith(".context_length") and isinstance(value, int):
            return value
    return None


def llama_server_window(api_base: str, timeout_s: float = 5.0) -> int | None:
    """`n_ctx` from llama.cpp's llama-server `/props`; None when the server has no such endpoint."""
    import httpx

    root = api_base.rstrip("/").removesuffix("/v1")
    try:
        response = httpx.get(f"{root}/props", timeout=timeout_s)
        response.raise_for_status()
        props: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    settings = props.get("default_generation_settings") or {}
    value = settings.get("n_ctx", props.get("n_ctx"))
    return int(value) if isinstance(value, int) and value > 0 else None
