"""`flambeau trace` on the command line: list, show, verify exit codes (0/1/2), export, key."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer
from tests.trace_mutations import read_lines, set_field, write_lines
from tests.trace_sessions import editing_script, record_session


def test_verify_exit_codes_are_0_intact_1_tampered_2_damaged(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    trace = record_session(model_server, workspace, editing_script())
    intact = run_cli("trace", "verify", str(trace), "--replay")
    assert intact.code == 0 and intact.stdout.startswith("intact"), intact.stdout + intact.stderr

    lines = read_lines(trace)
    write_lines(trace, [lines[0], set_field(lines[1], "task", "something else"), *lines[2:]])
    tampered = run_cli("trace", "verify", str(trace), "--json")
    assert tampered.code == 1
    report = json.loads(tampered.stdout)
    assert report["status"] == "tampered" and report["first_bad_record"] == 1

    write_lines(trace, lines)
    trace.write_bytes(trace.read_bytes() + lines[-1][: len(lines[-1]) // 2])
    damaged = run_cli("trace", "verify", str(trace))
    assert damaged.code == 2 and "incomplete" in damaged.stdout, damaged.stdout


def test_list_show_export_and_key(model_server: ScriptedModelServer, workspace: Path) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    trace = record_session(model_server, workspace, editing_script(), task="Shout the notes")
    task_id = trace.name.removesuffix(".jsonl")

    listed = run_cli("trace", "list", "--workspace", str(workspace), "--json")
    assert listed.code == 0
    [summary] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert summary["task_id"] == task_id and summary["outcome"] == "completed" and summary["task"] == "Shout the notes"

    shown = run_cli("trace", "show", task_id[:18], "--workspace", str(workspace))
    assert shown.code == 0 and "file_change" in shown.stdout and "checkpoint" in shown.stdout

    for fmt, suffix in (("otel", ".otlp.json"), ("html", ".html")):
        exported = run_cli("trace", "export", str(trace), "--format", fmt)
        assert exported.code == 0, exported.stderr
        assert Path(exported.stdout.strip()).name == task_id + suffix

    key = run_cli("trace", "key")
    header = json.loads(read_lines(trace)[0])
    assert key.code == 0 and key.stdout.strip() == header["public_key"]


def test_bad_input_gets_a_clear_error(workspace: Path) -> None:
    missing = run_cli("trace", "verify", str(workspace / "nope.jsonl"))
    assert missing.code == 2 and "no trace at" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run_cli("trace", "show", "nosuchtask", "--workspace", str(workspace))
    assert unknown.code == 2 and "flambeau trace list" in unknown.stderr
    bad_key = run_cli("trace", "verify", str(workspace / "x.jsonl"), "--key", "ed25519:zz")
    assert bad_key.code == 2 and "not an Ed25519 public key" in bad_key.stderr and "Traceback" not in bad_key.stderr
