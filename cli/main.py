"""`flambeau`: the command line. Each subcommand lives in its own module, imported only when used."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import sys
from typing import NoReturn

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("cli.run", "run a task headless in a workspace"),
    "lsp": ("cli.lsp", "start the language server (stdio, or --tcp PORT)"),
    "trace": ("cli.trace", "list, show, verify and export task traces"),
    "models": ("cli.models", "list, add, test and choose model profiles"),
    "keys": ("cli.keys", "store API keys in the system keyring"),
    "checkpoints": ("cli.checkpoints", "list, take and restore workspace checkpoints"),
    "mcp": ("cli.mcp", "list, test and trust MCP servers (mcp.json, .mcp.json)"),
}

DISTRIBUTION = "flambeau"
"""The distribution this package belongs to; the VS Code extension checks it to tell Flambeau's `cli` from
any other project's."""

USAGE = "usage: flambeau [-h] [--version] COMMAND [ARGS...]"


def _help() -> str:
    lines = [
        USAGE,
        "",
        "Flambeau: a coding agent for the editor, with a verifiable trace of everything it does.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<8} {text}" for name, (_, text) in SUBCOMMANDS.items()]
    lines += ["", "Run 'flambeau COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_help())
        return 0 if args else 2
    if args[0] == "--version":
        from importlib.metadata import version

        print(f"flambeau {version('flambeau')}")
        return 0
    entry = SUBCOMMANDS.get(args[0])
    if entry is None:
        print(f"flambeau: unknown command {args[0]!r}\n\n{_help()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(entry[0])
    except ModuleNotFoundError as error:
        if error.name == entry[0]:
            print(f"flambeau: the '{args[0]}' command is not available in this build", file=sys.stderr)
            return 2
        raise
    code: int = module.main(args[1:])
    if argv is None and args[0] in FAST_EXIT:
        _leave(code)
    return code


FAST_EXIT = frozenset({"run", "lsp"})
"""Sessions end at once: a signal or the end of the task must not wait for the interpreter's teardown."""


def _leave(code: int) -> NoReturn:
    """Exit now that the command is done (its trace closed): the atexit handlers run (the embedded model
    server is stopped there) and the streams are flushed, but the interpreter's teardown of every imported
    module — over a second once litellm is loaded — is skipped."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
