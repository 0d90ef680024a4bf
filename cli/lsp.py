"""`flambeau lsp`: the language server on stdio (or one TCP client with --tcp PORT)."""

from __future__ import annotations

import argparse
import logging
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flambeau lsp", description="Start the Flambeau language server (stdio unless --tcp is given)."
    )
    parser.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout (the default)")
    parser.add_argument("--tcp", type=int, metavar="PORT", default=None, help="listen for one client on this port")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on with --tcp (default: 127.0.0.1)")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    # WARNING and above only: below that pygls logs whole messages, and a setKey message holds a key.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="flambeau lsp: %(levelname)s %(message)s")
    from lsp.serve import run_stdio, run_tcp

    if args.tcp is not None:
        return run_tcp(args.host, args.tcp)
    return run_stdio()
