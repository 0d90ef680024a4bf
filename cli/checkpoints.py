"""`flambeau checkpoints`: list, take and restore workspace checkpoints (kept outside the project's .git)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flambeau checkpoints", description="Workspace checkpoints.")
    parser.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list checkpoints, newest first")
    create = commands.add_parser("create", help="take a checkpoint now")
    create.add_argument("--label", default="taken by hand", help="a few words saying why")
    restore = commands.add_parser("restore", help="bring the workspace back to a checkpoint")
    restore.add_argument("id", help="a checkpoint id (or its first characters) from 'list'")
    return parser


def main(argv: list[str]) -> int:
    from tools.workspace.checkpoints import CheckpointError, ShadowCheckpoints

    args = build_parser().parse_args(argv)
    workspace = args.workspace.resolve()
    if not workspace.is_dir():
        print(f"flambeau: workspace {workspace} is not a directory; pass a folder with --workspace", file=sys.stderr)
        return 2
    store = ShadowCheckpoints(workspace)
    try:
        if args.command == "list":
            for checkpoint in store.list_checkpoints():
                when = datetime.fromtimestamp(checkpoint.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
                skipped = f", {len(checkpoint.skipped)} skipped" if checkpoint.skipped else ""
                print(f"{checkpoint.id[:12]}  {when}  {checkpoint.files} files{skipped}  {checkpoint.label}")
            return 0
        if args.command == "create":
            checkpoint = store.create(args.label)
            print(f"{checkpoint.id[:12]}  {checkpoint.files} files, {len(checkpoint.skipped)} skipped")
            return 0
        report = store.restore(args.id)
    except CheckpointError as error:
        print(f"flambeau: {error}", file=sys.stderr)
        return 1
    print(
        f"restored {report.checkpoint.id[:12]}: {len(report.written)} written, {len(report.deleted)} removed; "
        f"undo with 'flambeau checkpoints restore {report.safety_checkpoint.id[:12]}'"
    )
    for failure in report.failed:
        print(f"  not restored: {failure}", file=sys.stderr)
    return 1 if report.failed else 0
