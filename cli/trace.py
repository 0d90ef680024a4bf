"""`flambeau trace`: list, show, verify and export the traces of a workspace; print checkpoints as signed
notes, prove one record and check such a proof.

verify exits 0 when the trace is intact, 1 when it was tampered with, 2 when it is damaged
(a torn final line, or no final signed checkpoint). See docs/trace.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

USAGE_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flambeau trace", description="List, show, verify and export task traces.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="the traces of a workspace, newest first")
    listing.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")
    listing.add_argument("--json", action="store_true", help="one JSON object per trace")

    show = sub.add_parser("show", help="the records of one trace, readable")
    show.add_argument("id", help="a task id (or a unique prefix), or the path of a trace file")
    show.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")
    show.add_argument("--json", action="store_true", help="the raw records, one per line")

    check = sub.add_parser(
        "verify", help="check hashes, signatures, blobs and the witness log (exit 0 intact, 1 tampered, 2 damaged)"
    )
    check.add_argument("path", type=Path, help="a trace file (.flambeau/traces/<task id>.jsonl)")
    check.add_argument("--replay", action="store_true", help="re-apply the recorded changes from the recorded commit")
    check.add_argument(
        "--against-workspace", action="store_true", help="report files that now differ from the recorded end state"
    )
    check.add_argument("--workspace", type=Path, default=None, help="workspace to replay from and compare against")
    check.add_argument(
        "--key", action="append", default=None, metavar="ed25519:HEX", help="trust this signer key (repeatable)"
    )
    check.add_argument("--json", action="store_true", help="the report as JSON")

    out = sub.add_parser("export", help="write a trace as OTLP (JSON or protobuf) or a self-contained HTML report")
    out.add_argument("path", type=Path, help="a trace file")
    out.add_argument("--format", choices=["otel", "otel-protobuf", "html"], required=True)
    out.add_argument("--out", type=Path, default=None, help="output file (default: next to the trace)")
    out.add_argument(
        "--language",
        default=None,
        help="the HTML report's language: en (default), fr, ja, ko or zh-cn (this command's own messages stay English)",
    )

    send = sub.add_parser("push", help="send traces' spans to an OpenTelemetry collector (OTLP/HTTP)")
    send.add_argument("paths", type=Path, nargs="*", help="trace files (default: the workspace's unsent traces)")
    send.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")
    send.add_argument(
        "--endpoint", default=None, metavar="URL", help="collector (default: OTEL_EXPORTER_OTLP_ENDPOINT)"
    )

    remove = sub.add_parser(
        "delete", help="delete a task's trace, its blobs and exports (a signed deletion stays in the witness log)"
    )
    remove.add_argument("id", help="a task id (or a unique prefix)")
    remove.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")

    key = sub.add_parser("key", help="print this machine's trace signing key (public half) to share with verifiers")
    key.add_argument("--vkey", action="store_true", help="as a C2SP signed-note verifier key (name+id+base64)")

    body = sub.add_parser("request", help="write the exact body of one model request to stdout")
    body.add_argument("path", type=Path, help="a trace file")
    body.add_argument("--record", type=int, required=True, metavar="N", help="the model_request record's seq")

    note = sub.add_parser("checkpoint", help="print a signed checkpoint as a C2SP signed note")
    note.add_argument("path", type=Path, help="a trace file")
    note.add_argument("--seq", type=int, default=None, help="the checkpoint record at this seq (default: the last)")

    prove = sub.add_parser("prove", help="write a self-contained proof bundle of one record")
    prove.add_argument("path", type=Path, help="a trace file")
    prove.add_argument("--record", type=int, required=True, metavar="N", help="the record's seq")
    prove.add_argument("--out", type=Path, default=None, help="output file (default: next to the trace)")

    check_proof = sub.add_parser("verify-proof", help="check a proof bundle (exit 0 proven, 1 not)")
    check_proof.add_argument("bundle", type=Path, help="a bundle written by 'flambeau trace prove'")
    check_proof.add_argument("--key", required=True, metavar="VKEY", help="the author's key (vkey or ed25519:HEX)")
    check_proof.add_argument("--json", action="store_true", help="the report as JSON")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from agent.trace import TraceError

    try:
        code: int = COMMANDS[args.command](args)
    except BrokenPipeError:  # `flambeau trace show ID | head`
        sys.stderr.close()
        return 0
    except TraceError as error:
        print(f"flambeau trace: {error}", file=sys.stderr)
        return USAGE_ERROR
    except ValueError as error:
        print(f"flambeau trace: {error}", file=sys.stderr)
        return USAGE_ERROR
    return code


def _list(args: argparse.Namespace) -> int:
    from agent.trace import list_traces

    traces = list_traces(args.workspace.resolve(), include_erased=True)
    if args.json:
        for summary in traces:
            print(json.dumps(summary.to_dict()))
        return 0
    if not traces:
        print(f"no traces in {args.workspace.resolve()}; 'flambeau run' writes one per task")
        return 0
    for s in traces:
        if s.witness in ("erased", "deleted"):
            print(f"{s.task_id}  {s.witness.upper():<10} {s.witness_message}")
            continue
        cost = f"${s.cost_usd:.4f}" if s.cost_usd is not None else "-"
        print(f"{s.task_id}  {s.outcome or 'unfinished':<10} {s.model} ({s.locality}) {cost}  {s.task[:60]}")
        if s.witness in ("truncated", "replaced") or (s.witness == "unwitnessed" and s.outcome):
            print(f"  {s.witness.upper()}: {s.witness_message}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from agent.trace import find_trace
    from agent.trace.deletion import delete_trace

    deletion = delete_trace(find_trace(args.workspace.resolve(), args.id))
    print(f"deleted {deletion.trace_id} ({deletion.tree_size} records); the witness log records the deletion")
    return 0


def _show(args: argparse.Namespace) -> int:
    from agent.trace import find_trace, read_trace

    path = find_trace(args.workspace.resolve(), args.id)
    raw = read_trace(path)
    for line, record in zip(raw.lines, raw.records, strict=True):
        if args.json:
            print(line.decode("utf-8", errors="replace"))
        elif record is None:
            print("?? (unreadable record)")
        else:
            print(_describe(record))
    if raw.torn_tail:
        print(f"(torn final line: {len(raw.torn_tail)} bytes)", file=sys.stderr)
    return 0


def _describe(record: dict[str, Any]) -> str:
    skip = {"seq", "time", "prev", "kind", "signature"}
    fields = ", ".join(f"{k}={json.dumps(v)[:80]}" for k, v in record.items() if k not in skip)
    return f"#{record.get('seq')} {str(record.get('time', ''))[11:23]} {record.get('kind')}: {fields}"


def _verify(args: argparse.Namespace) -> int:
    from agent.trace import verify

    report = verify(
        args.path,
        replay=args.replay,
        against_workspace=args.against_workspace,
        trusted_keys=args.key,
        workspace=args.workspace.resolve() if args.workspace else None,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print(report.message)
        for note in report.notes:
            print(f"note: {note}")
        if report.workspace is not None:
            for d in report.workspace.differences:
                print(f"  changed since the task: {d.path}")
    return report.exit_code


def _export(args: argparse.Namespace) -> int:
    from agent.trace import export

    target = export(args.path, args.format, args.out, args.language)
    print(target)
    return 0


def _push(args: argparse.Namespace) -> int:
    from agent.trace import list_traces
    from agent.trace.otlp import endpoint_from_environment, push, traces_url, unsent

    endpoint = traces_url(args.endpoint) if args.endpoint else endpoint_from_environment()
    if not endpoint:
        raise ValueError("no collector: pass --endpoint URL or set OTEL_EXPORTER_OTLP_ENDPOINT")
    paths = args.paths or unsent(s.path for s in list_traces(args.workspace.resolve()))
    failed = 0
    for path in paths:
        result = push(path, endpoint)
        failed += not result.ok
        print(f"{path.name}: {result.message}")
    if not paths:
        print("every trace of the workspace was sent already")
    return 1 if failed else 0


def _key(args: argparse.Namespace) -> int:
    from agent.trace.note import verifier_key
    from agent.trace.signing import load_signing_key

    key = load_signing_key()
    print(verifier_key(key.private.public_key()) if args.vkey else key.public_id)
    return 0


def _request(args: argparse.Namespace) -> int:
    from agent.trace.requests import request_body

    sys.stdout.buffer.write(request_body(args.path, args.record))
    sys.stdout.flush()
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    from agent.trace.checkpoints import signed_note

    print(signed_note(args.path, args.seq), end="")
    return 0


def _prove(args: argparse.Namespace) -> int:
    from agent.trace.proofs import prove

    print(prove(args.path, args.record, args.out))
    return 0


def _verify_proof(args: argparse.Namespace) -> int:
    from agent.trace.proofs import verify_bundle

    report = verify_bundle(args.bundle, args.key)
    print(json.dumps(report.to_dict(), indent=1) if args.json else report.message)
    return 0 if report.ok else 1


COMMANDS = {
    "list": _list,
    "show": _show,
    "verify": _verify,
    "export": _export,
    "key": _key,
    "push": _push,
    "request": _request,
    "checkpoint": _checkpoint,
    "prove": _prove,
    "verify-proof": _verify_proof,
    "delete": _delete,
}
