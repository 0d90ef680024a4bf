"""Which workspace-declared MCP servers the user trusted: per workspace and per exact definition.

A server declared only in a workspace's `.mcp.json` is code a cloned repository asks to run; it starts
only once the user trusts it (`flambeau mcp trust NAME`, or the panel). The trust covers the exact
definition (command, arguments, environment and working folder; or URL, transport and headers, with
secrets as their keyring references): any change revokes it, and the stale entry is dropped so that
changing it back does not silently restore it. The store lives in the user's state folder
(`$XDG_STATE_HOME/flambeau/mcp-trust.json`), outside every workspace, which the sandbox keeps read-only
for commands and the workspace jail never opens.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.mcp.config import ServerConfig
from tools.policy.places import user_state_dir

TRUST_FILE = "mcp-trust.json"
TrustStatus = Literal["trusted", "untrusted", "changed", "not-needed"]


def fingerprint(server: ServerConfig) -> str:
    """SHA-256 of the canonical JSON of what decides what runs (see `ServerConfig.canonical`)."""
    canonical = json.dumps(server.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def workspace_key(workspace: Path) -> str:
    return str(workspace.resolve())


@dataclass
class TrustStore:
    """The trust file; every read goes to disk (two front ends may share it)."""

    path: Path

    @classmethod
    def default(cls) -> TrustStore:
        return cls(user_state_dir() / TRUST_FILE)

    def status(self, workspace: Path, server: ServerConfig) -> TrustStatus:
        """`not-needed` for the user's own servers; for a workspace's: trusted, untrusted, or changed since
        trusted (the trust is then revoked: the entry is removed)."""
        if server.origin == "user":
            return "not-needed"
        entries = self._read().get(workspace_key(workspace), {})
        entry = entries.get(server.name)
        if not isinstance(entry, dict):
            return "untrusted"
        if entry.get("fingerprint") == fingerprint(server):
            return "trusted"
        self.revoke(workspace, server.name)
        return "changed"

    def is_trusted(self, workspace: Path, server: ServerConfig) -> bool:
        return self.status(workspace, server) in ("trusted", "not-needed")

    def trust(self, workspace: Path, server: ServerConfig) -> None:
        """Remember that the user trusts exactly this definition of `server` in `workspace`."""
        data = self._read()
        data.setdefault(workspace_key(workspace), {})[server.name] = {
            "fingerprint": fingerprint(server),
            "command_line": server.command_line(),
            "trusted_at": int(time.time()),
        }
        self._write(data)

    def revoke(self, workspace: Path, name: str) -> bool:
        """Forget the trust in `name` for `workspace`; False when there was none."""
        data = self._read()
        entries = data.get(workspace_key(workspace), {})
        if name not in entries:
            return False
        del entries[name]
        if not entries:
            data.pop(workspace_key(workspace), None)
        self._write(data)
        return True

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # an unreadable store trusts nothing; `trust` rewrites it whole
        workspaces = data.get("workspaces") if isinstance(data, dict) else None
        return {k: v for k, v in workspaces.items() if isinstance(v, dict)} if isinstance(workspaces, dict) else {}

    def _write(self, workspaces: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps({"version": 1, "workspaces": workspaces}, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".mcp-trust-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
