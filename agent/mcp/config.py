"""MCP server configuration in the shape Claude Code, Cursor, Cline and Roo share: the user's
`~/.config/flambeau/mcp.json` and a workspace's `.mcp.json`, both

    {"mcpServers": {
        "time":   {"command": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}},
        "github": {"url": "https://api.example.com/mcp", "headers": {"Authorization": "Bearer ${keyring:github}"}}
    }}

A secret is never written in the file: an env, header or argument value names a keyring entry with
`${keyring:NAME}` (stored with `flambeau keys set NAME`), resolved when the server starts. A literal value
under a secret-looking name (`Authorization`, `*_TOKEN`, `*_KEY`, `--api-key …`, …) or of a token's shape
is refused, naming the fix.
Keys other tools use (`disabled`, `type`, `timeout`) are understood; `"locality": "cloud"` declares a URL
server cloud though its host is this machine (a tunnel or proxy to a remote service), as a model profile's
`locality` does: it can only add caution (local-only refusal, never-to-cloud checks), never remove it.
Auto-approval lists (`autoApprove`, `alwaysAllow`) are ignored: approval is policy.toml's job, never a
server file's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.policy.places import user_config_dir
from tools.workspace.secrets import MIN_SECRET_LENGTH, TOKEN_PATTERNS, is_secret_name

WORKSPACE_MCP_FILE = ".mcp.json"
SERVER_NAME = re.compile(r"^(?!.*__)[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
"""Server names become part of tool names (`mcp__<server>__<tool>`, at most 64 characters in all)."""
KEYRING_REFERENCE = re.compile(r"\$\{keyring:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\}")
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"})

Origin = Literal["user", "workspace"]
Transport = Literal["stdio", "http", "sse"]


class McpConfigError(ValueError):
    """An MCP configuration file cannot be used; the message names the file, the server and the fix."""


def user_mcp_path() -> Path:
    return user_config_dir() / "mcp.json"


@dataclass(frozen=True)
class ServerConfig:
    """One declared server, as written in its file (secrets still as `${keyring:NAME}` references)."""

    name: str
    """The key under `mcpServers`; tools are offered as `mcp__<name>__<tool>`."""
    origin: Origin
    """Which file declared it: a workspace server only starts once the user trusts it."""
    source: str
    """The file's path, quoted in messages."""
    transport: Transport
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    """Where a stdio server runs, relative to the workspace (default: the workspace root)."""
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    disabled: bool = False
    timeout_s: float | None = None
    """The server's own call timeout (the `timeout` key), else the manager's."""
    declared_locality: Literal["local", "cloud"] | None = None
    """The `locality` key: "cloud" makes a loopback URL count as cloud; "local" never makes a cloud host local."""

    @property
    def is_stdio(self) -> bool:
        return self.transport == "stdio"

    def command_line(self) -> str:
        """What runs or is reached, for people: the command and its arguments, or the URL."""
        if self.is_stdio:
            import shlex

            return shlex.join([self.command or "", *self.args])
        return self.url or ""

    def identity(self) -> dict[str, Any]:
        """The server's identity for the trace and the front ends: never an env or header value."""
        out: dict[str, Any] = {"name": self.name, "origin": self.origin, "transport": self.transport}
        if self.is_stdio:
            out["command"] = [self.command or "", *self.args]
        else:
            out["url"] = self.url or ""
        return out

    def secret_references(self) -> list[str]:
        """The keyring entries the server is given (shown before trusting it)."""
        values = [*self.env.values(), *self.headers.values(), *self.args]
        return sorted({m.group(1) for v in values for m in KEYRING_REFERENCE.finditer(v)})

    def canonical(self) -> dict[str, Any]:
        """Everything that decides what runs or is reached and with what: the basis of trust."""
        if self.is_stdio:
            return {"command": self.command, "args": list(self.args), "env": dict(sorted(self.env.items())),
                    "cwd": self.cwd}  # fmt: skip
        headers = dict(sorted(self.headers.items()))
        out: dict[str, Any] = {"url": self.url, "transport": self.transport, "headers": headers}
        if self.declared_locality is not None:  # absent when unset, so earlier trusts stay valid
            out["locality"] = self.declared_locality
        return out


@dataclass(frozen=True)
class McpConfig:
    """The servers a workspace may use: the user's, then the workspace's own (the user's entry wins a name)."""

    servers: dict[str, ServerConfig] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What was set aside while loading (a workspace entry shadowed by the user's, an ignored key)."""

    def get(self, name: str) -> ServerConfig | None:
        return self.servers.get(name)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow")

    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    type: Literal["stdio", "http", "streamable-http", "streamableHttp", "sse"] | None = None
    disabled: bool = False
    timeout: float | None = Field(default=None, gt=0)
    locality: Literal["local", "cloud"] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> _Entry:
        if (self.command is None) == (self.url is None):
            raise ValueError('give either "command" (a program to start) or "url" (a server to reach), not both')
        if self.command is not None and not self.command.strip():
            raise ValueError('"command" is empty')
        if self.command is not None and self.locality is not None:
            raise ValueError('"locality" is for a server reached by "url"; a program started here is local')
        return self


def load_mcp_config(workspace: Path | None, *, user_file: Path | None = None) -> McpConfig:
    """The user's servers and, when `workspace` is given, its `.mcp.json`; missing files are no servers."""
    servers: dict[str, ServerConfig] = {}
    notes: list[str] = []
    for origin, path in (("user", user_file or user_mcp_path()), ("workspace", _workspace_file(workspace))):
        if path is None:
            continue
        for name, server in read_mcp_file(path, origin).items():  # type: ignore[arg-type]
            if name in servers:
                if servers[name].canonical() != server.canonical():
                    notes.append(f"{path} declares '{name}' too; your own definition in {servers[name].source} is used")
                continue
            servers[name] = server
    return McpConfig(servers=servers, notes=notes)


def _workspace_file(workspace: Path | None) -> Path | None:
    return workspace / WORKSPACE_MCP_FILE if workspace is not None else None


def read_mcp_file(path: Path, origin: Origin) -> dict[str, ServerConfig]:
    """The servers of one file; a missing file has none. Raises McpConfigError naming what to fix."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise McpConfigError(f"cannot read the MCP configuration {path}: {error}") from error
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise McpConfigError(f"the MCP configuration {path} is not valid JSON: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise McpConfigError(f'the MCP configuration {path} must be an object with an "mcpServers" object inside')
    found: dict[str, ServerConfig] = {}
    for name, entry in data.get("mcpServers", {}).items():
        found[name] = _server(path, origin, name, entry)
    return found


def _server(path: Path, origin: Origin, name: str, entry: Any) -> ServerConfig:
    where = f"the MCP server '{name}' in {path}"
    if not SERVER_NAME.match(name):
        raise McpConfigError(
            f"{where}: a server name is 1-32 letters, digits, '-' or '_', without '__' (it becomes part of "
            "tool names); rename it"
        )
    try:
        parsed = _Entry.model_validate(entry)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(entry)'}: {e['msg']}" for e in error.errors())
        raise McpConfigError(f"{where} is not usable: {problems}") from error
    for kind, values in (("env", parsed.env), ("headers", parsed.headers)):
        for key, value in values.items():
            if _looks_secret(kind, key) and value and not KEYRING_REFERENCE.search(value):
                raise McpConfigError(
                    f"{where}: {kind} {key!r} holds a literal secret, and secrets never live in this file. "
                    f"Store it with 'flambeau keys set {name}-{key.lower()}' and write "
                    f'"${{keyring:{name}-{key.lower()}}}" in its place'
                )
    literal = _literal_secret_argument(parsed.args)
    if literal:
        raise McpConfigError(
            f"{where}: {literal} is a literal secret, and secrets never live in this file (nor in the trace, "
            f"which records the command line). Store it with 'flambeau keys set {name}-token' and write "
            f'"${{keyring:{name}-token}}" in its place (or pass it in env, which no other process can read)'
        )
    transport: Transport = "stdio" if parsed.command is not None else "sse" if parsed.type == "sse" else "http"
    return ServerConfig(
        name=name,
        origin=origin,
        source=str(path),
        transport=transport,
        command=parsed.command,
        args=tuple(parsed.args),
        env=dict(parsed.env),
        cwd=parsed.cwd,
        url=parsed.url,
        headers=dict(parsed.headers),
        disabled=parsed.disabled,
        timeout_s=parsed.timeout,
        declared_locality=parsed.locality,
    )


HARMLESS_OPTION_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_ENV", "_VAR", "_NAME", "_TYPE", "_MODE", "_METHOD", "_HEADER")
"""`--token-file PATH`, `--auth-type bearer`: options about a secret that do not hold one."""


def _literal_secret_argument(args: list[str]) -> str:
    """Which argument holds a secret written out (a token's shape, or the value of `--api-key`, `--token=`…)."""
    for index, arg in enumerate(args):
        if KEYRING_REFERENCE.search(arg):
            continue
        if any(pattern.search(arg) for pattern in TOKEN_PATTERNS):
            return f"argument {index + 1} has the shape of a token"
        option, equals, value = arg.partition("=")
        if not equals and index + 1 < len(args) and not args[index + 1].startswith("-"):
            value = args[index + 1]
        named = option.startswith("-") and _secret_option(option)
        if named and len(value) >= MIN_SECRET_LENGTH and not KEYRING_REFERENCE.search(value):
            return f"the value of {option}"
    return ""


def _secret_option(option: str) -> bool:
    name = option.lstrip("-").replace("-", "_").upper()
    return bool(name) and is_secret_name(name) and not name.endswith(HARMLESS_OPTION_SUFFIXES)


def _looks_secret(kind: str, key: str) -> bool:
    if kind == "headers":
        return key.lower() in SECRET_HEADERS or is_secret_name(key.replace("-", "_"))
    return is_secret_name(key)


def resolve_secrets(values: dict[str, str], lookup: Any) -> tuple[dict[str, str], set[str]]:
    """`values` with every `${keyring:NAME}` replaced through `lookup(NAME) -> str | None`, and the secret
    values used (for redaction). A missing entry raises McpConfigError naming the command that stores it."""
    used: set[str] = set()
    resolved: dict[str, str] = {}

    def one(match: re.Match[str]) -> str:
        secret = lookup(match.group(1))
        if not secret:
            raise McpConfigError(
                f"the keyring has no entry '{match.group(1)}'; store it with 'flambeau keys set {match.group(1)}'"
            )
        used.add(str(secret))
        return str(secret)

    for key, value in values.items():
        resolved[key] = KEYRING_REFERENCE.sub(one, value)
    return resolved, used
