"""`flambeau keys`: store API keys in the keyring. A key is read from a prompt or stdin, never an argument."""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from agent.secret_store import SecretStoreError, backend_note, delete_secret, set_secret, stored_names

PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flambeau keys",
        description="Store API keys in the system keyring (one per provider, e.g. openai, anthropic). "
        "Environment variables litellm reads (OPENAI_API_KEY, ...) are honoured when no key is stored.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    set_parser = sub.add_parser("set", help="store a key, typed at a hidden prompt or piped on stdin")
    set_parser.add_argument("provider", help="the provider or keyring entry name, e.g. openai")
    sub.add_parser("list", help="show the names of stored keys (never the keys)")
    delete = sub.add_parser("delete", help="remove a stored key")
    delete.add_argument("provider")
    sub.add_parser("backend", help="say where keys are kept")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.action == "set":
            return _set(args.provider)
        if args.action == "list":
            names = stored_names()
            print("\n".join(names) if names else "no keys stored; add one with 'flambeau keys set PROVIDER'")
            print(f"({backend_note()})", file=sys.stderr)
            return 0
        if args.action == "delete":
            if delete_secret(args.provider):
                print(f"deleted the key for {args.provider}")
                return 0
            print(f"flambeau: no key stored for {args.provider}", file=sys.stderr)
            return 1
        print(backend_note())
        return 0
    except SecretStoreError as error:
        print(f"flambeau: {error}", file=sys.stderr)
        return 2


def _set(provider: str) -> int:
    if not PROVIDER.match(provider):
        print("flambeau: the provider must be a name such as openai or anthropic", file=sys.stderr)
        return 2
    key = (_prompt(provider) if sys.stdin.isatty() else sys.stdin.readline()).strip()
    if not key:
        print("flambeau: no key given; nothing was stored", file=sys.stderr)
        return 2
    set_secret(provider, key)
    print(f"stored the key for {provider}; {backend_note()}")
    return 0


def _prompt(provider: str) -> str:
    return getpass.getpass(f"API key for {provider} (input hidden): ")
