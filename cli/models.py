"""`flambeau models list | add | test | use`: model profiles in ~/.config/flambeau/models.toml."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from agent.errors import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flambeau models", description="Model profiles: list, add, remove, detect, test, use."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="each profile with its locality and openness card")
    listing.add_argument("--workspace", type=Path, default=None, help="apply this workspace's restrictions")
    listing.add_argument("--json", action="store_true", help="one JSON document on stdout")

    add = sub.add_parser("add", help="add or replace a profile in the user file (comments there are not kept)")
    add.add_argument("name")
    add.add_argument("--model", required=True, help="litellm model id, e.g. anthropic/claude-sonnet-4-5")
    add.add_argument("--api-base", default=None, help="endpoint URL (local servers, proxies)")
    add.add_argument("--context-window", type=int, default=None, help="tokens per request")
    add.add_argument("--max-output-tokens", type=int, default=None)
    add.add_argument("--tool-mode", choices=["native", "text", "constrained"], default=None)
    add.add_argument("--locality", choices=["cloud"], default=None, help="force cloud (never the other way)")
    add.add_argument("--api-key-name", default=None, help="keyring entry holding the key (default: the provider)")

    test = sub.add_parser("test", help="reachability, real window, tool-call and edit rates over canned tasks")
    test.add_argument("name", nargs="?", default=None, help="profile name (default: the default profile)")
    test.add_argument("--max-steps", type=int, default=4, help="steps allowed per canned task")
    test.add_argument("--json", action="store_true")

    detect = sub.add_parser("detect", help="local engines running on this machine (loopback only) and their models")
    detect.add_argument("--json", action="store_true")

    remove = sub.add_parser("remove", help="remove a profile from the user file (its comments elsewhere stay)")
    remove.add_argument("name")

    use = sub.add_parser("use", help="make a profile the default, or the profile of a role")
    use.add_argument("name")
    use.add_argument("--role", choices=["main", "summarise", "commit"], default=None)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.action == "list":
            return _list(args)
        if args.action == "add":
            return _add(args)
        if args.action == "use":
            return _use(args)
        if args.action == "remove":
            return _remove(args)
        if args.action == "detect":
            return asyncio.run(_detect(args))
        return asyncio.run(_test(args))
    except ConfigError as error:
        print(f"flambeau: {error}", file=sys.stderr)
        return 2


def _rows(workspace: Path | None) -> tuple[list[dict[str, Any]], Any]:
    from agent.models.config import load_config
    from agent.models.embedded import BASE_MODEL_NOTE, MODEL_ID, embedded_available
    from agent.models.openness import card_for
    from agent.models.resolve import EMBEDDED_NAME, chosen_name

    config = load_config(workspace)
    default = chosen_name(config, None)
    roles = {role: name for role, name in config.roles.items()}
    rows: list[dict[str, Any]] = []
    if EMBEDDED_NAME not in config.profiles:
        model = f"openai/{MODEL_ID}"
        rows.append(
            {
                "name": EMBEDDED_NAME,
                "model": model,
                "api_base": "(embedded llama.cpp server on 127.0.0.1)",
                "locality": "local",
                "tool_mode": "constrained",
                "context_window": "detected at start",
                "installed": embedded_available(),
                "note": BASE_MODEL_NOTE,
                "openness": card_for(model).to_dict(),
            }
        )
    for name, entry in config.profiles.items():
        profile = entry.profile
        rows.append(
            {
                "name": name,
                "model": profile.model,
                "api_base": profile.api_base or f"({profile.provider} default)",
                "locality": profile.effective_locality(),
                "tool_mode": profile.tool_mode,
                "context_window": profile.context_window or "from litellm",
                "openness": card_for(profile.model, entry.card).to_dict(),
            }
        )
    allowed = config.restrictions.allowed_profiles
    for row in rows:
        row["default"] = row["name"] == default
        row["roles"] = [role for role, name in roles.items() if name == row["name"]]
        row["usable"] = (allowed is None or row["name"] in allowed) and not (
            config.restrictions.local_only and row["locality"] == "cloud"
        )
    return rows, config


def _list(args: argparse.Namespace) -> int:
    rows, config = _rows(args.workspace.resolve() if args.workspace else None)
    if args.json:
        print(json.dumps({"profiles": rows, "local_only": config.restrictions.local_only}, indent=2))
        return 0
    for row in rows:
        card = row["openness"]
        marks = (["default"] if row["default"] else []) + [f"role:{r}" for r in row["roles"]]
        if not row["usable"]:
            marks.append("not usable here (local-only or not allowed)")
        if row.get("installed") is False:
            marks.append("needs: pip install 'flambeau[local]'")
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        print(f"{row['name']}  {row['model']}  {row['locality']}{suffix}")
        print(f"    endpoint: {row['api_base']} · tool mode: {row['tool_mode']} · window: {row['context_window']}")
        if row.get("note"):
            print(f"    {row['note']}")
        print(
            f"    openness: {card['category']} · licence: {card['licence']} · weights {card['weights']}, "
            f"training code {card['training_code']}, training data {card['training_data']} ({card['family']})"
        )
    if config.restrictions.local_only:
        print(f"local-only mode is on (set by {config.restrictions.local_only_source})")
    return 0


def _add(args: argparse.Namespace) -> int:
    from agent.models.config import profile_from_table, profile_to_table, user_config_path
    from agent.models.config_edit import set_profile

    table: dict[str, Any] = {"model": args.model}
    for key in ("api_base", "context_window", "max_output_tokens", "tool_mode", "locality", "api_key_name"):
        value = getattr(args, key)
        if value is not None:
            table[key] = value
    path = user_config_path()
    entry = profile_from_table(args.name, table, "flambeau models add")
    set_profile(path, args.name, profile_to_table(entry))
    profile = entry.profile
    print(f"added profile {args.name}: {profile.model} ({profile.effective_locality()}) to {path}")
    if profile.effective_locality() == "cloud":
        print(f"store its key with: flambeau keys set {profile.api_key_name or profile.provider}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from agent.models.config import user_config_path
    from agent.models.config_edit import remove_profile

    path = user_config_path()
    remove_profile(path, args.name)
    print(f"removed profile {args.name} from {path}")
    return 0


async def _detect(args: argparse.Namespace) -> int:
    from agent.models.detect import KINDS, detect_engines, engine_ports, suggested_name

    engines = await detect_engines()
    if args.json:
        print(json.dumps({"engines": [engine.to_dict() for engine in engines]}, indent=2))
        return 0
    if not engines:
        ports = engine_ports()
        probed = ", ".join(f"{kind.label} ({ports[kind.kind]})" for kind in KINDS)
        print(f"no local engine answered on 127.0.0.1: probed {probed}")
        return 0
    for engine in engines:
        print(f"{engine.label} at {engine.api_base}: {len(engine.models)} model(s)")
        for model in engine.models:
            digest = f"  digest {model.digest[:19]}" if model.digest else ""
            name = suggested_name(engine.kind, model.id)
            print(f"    {model.model}{digest}")
            print(f"        add: flambeau models add {name} --model {model.model} --api-base {engine.api_base}")
    return 0


def _use(args: argparse.Namespace) -> int:
    from agent.models.config import load_config, user_config_path
    from agent.models.config_edit import set_default, set_role
    from agent.models.resolve import EMBEDDED_NAME, configured_profile

    config = load_config()
    if args.name != EMBEDDED_NAME:
        configured_profile(config, args.name)
    path = user_config_path()
    if args.role:
        set_role(path, args.role, args.name)
    else:
        set_default(path, args.name)
    print(f"{args.name} is now the {'profile for ' + args.role if args.role else 'default profile'} ({path})")
    return 0


async def _test(args: argparse.Namespace) -> int:
    from agent.models.config import load_config
    from agent.models.fitness import run_fitness_check
    from agent.models.openness import card_for

    config = load_config(Path.cwd())
    report = await run_fitness_check(args.name, config, max_steps=args.max_steps)
    for notice in report.notices:
        print(f"note: {notice}", file=sys.stderr)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2))
        return 0 if report.reachable else 1
    entry = config.profiles.get(report.profile)
    _print_report(report, card_for(report.model, entry.card if entry else None).summary())
    return 0 if report.reachable else 1


def _print_report(report: Any, card: str) -> None:
    print(f"profile {report.profile}: {report.model} ({report.locality}) · {card}")
    print(f"reachable: {'yes, ' + report.reach_detail if report.reachable else 'NO — ' + report.reach_detail}")
    print(f"context window: {report.window} tokens ({report.window_source})")
    if report.reachable:
        replies, good = report.replies, report.well_formed
        print(f"well-formed tool calls: {good}/{replies} replies ({_pct(good, replies)})")
        correct, edits = report.edits
        print(f"correct small edits: {correct}/{edits} ({_pct(correct, edits)})")
        for task in report.tasks:
            mark = ("pass" if task.passed else "fail") + (", completed" if task.completed else ", not completed")
            note = f" — {task.note}" if task.note else ""
            print(f"  {task.name}: {mark} in {task.steps} step(s), {task.wall_s:.1f} s{note}")
    print(f"wall time: {report.wall_s:.1f} s")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"
