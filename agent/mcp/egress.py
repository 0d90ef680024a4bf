"""What may reach a remote MCP server: locality by endpoint (like a model's), local-only refusal, and
never-to-cloud content kept out of the arguments sent to a cloud server.

A stdio server runs on this machine: it is local (what it does with the network is its own business,
like any program the user installed; docs/mcp.md says so). A URL server is local only when its host is
this machine (loopback), like a model's `api_base`, and its entry does not declare `"locality": "cloud"`
(a loopback tunnel or proxy to a remote service).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from agent.egress import WITHHELD, CloudEgressGuard
from agent.events import Locality
from agent.mcp.config import ServerConfig
from agent.models.profile import host_is_local


def locality_of(server: ServerConfig) -> Locality:
    if server.is_stdio:
        return "local"
    host = urlparse(server.url or "").hostname or ""
    return "local" if host_is_local(host) and server.declared_locality != "cloud" else "cloud"


def local_only_refusal(server: ServerConfig, local_only: bool, source: str = "") -> str | None:
    """Why `server` is not even connected to under local-only mode; None when it may be."""
    if not local_only or locality_of(server) == "local":
        return None
    why = f" (set by {source})" if source else ""
    declared = ', its entry says "locality": "cloud"' if server.declared_locality == "cloud" else ""
    return (
        f"the MCP server '{server.name}' is a cloud server ({server.url}{declared}) and local-only mode is on{why}; "
        "it was not connected to. Use a server on this machine, or turn local-only mode off"
    )


class ArgumentGuard:
    """Refuses a call to a cloud server whose arguments carry never-to-cloud content or a secret."""

    def __init__(self, root: Path, never_to_cloud: list[str], secrets: set[str]) -> None:
        self._guard = CloudEgressGuard(root, never_to_cloud, secrets)

    def refusal(self, server: ServerConfig, tool: str, arguments: dict[str, Any]) -> str | None:
        if locality_of(server) == "local":
            return None
        # The strings the server would read, as they are (JSON quoting would hide a quoted file's lines).
        text = "\n".join(_strings(arguments))
        filtered = self._guard(f"mcp__{server.name}__{tool}", arguments, text)
        if not filtered.startswith(WITHHELD) and self._guard.contains_protected_line(text):
            filtered = f"{WITHHELD}: they quote a file under a never-to-cloud pattern. "
        if filtered.startswith(WITHHELD):
            reason = filtered.removeprefix(WITHHELD + ": ").split(". ", 1)[0]
            return (
                f"not sent to the cloud MCP server '{server.name}' ({server.url}): its arguments would carry "
                f"never-to-cloud content ({reason.replace('the result of', 'the call to')}). "
                "Files under never-to-cloud patterns stay on this machine"
            )
        if filtered != text:
            return (
                f"not sent to the cloud MCP server '{server.name}' ({server.url}): its arguments contain a secret "
                "(a stored key, a token or a credential), which never leaves this machine in a tool call"
            )
        return None


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value: keys and values, at any depth (numbers as written)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)
