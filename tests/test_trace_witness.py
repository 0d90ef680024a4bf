"""The witness log outside the workspace: every task's final checkpoint is kept there, and a trace that was
erased, truncated, replaced or forged — even re-signed with the real key, obtained out of band — is
reported as such by `trace verify` (with --replay) and `trace list`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from agent.trace import verify
from agent.trace.signing import stored_signing_key
from agent.trace.witness import witness_path, witnessed_entries
from agent.trace.writer import now_iso
from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer
from tests.trace_mutations import read_lines, records, resign, write_lines
from tests.trace_sessions import editing_script, record_session


def _recorded(server: ScriptedModelServer, workspace: Path) -> Path:
    (workspace / "notes.txt").write_text("hello\n")
    return record_session(server, workspace, editing_script())


def test_the_final_checkpoint_of_every_task_is_witnessed_outside_the_workspace(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    trace = _recorded(model_server, workspace)
    log = witness_path()
    assert log == Path(os.environ["XDG_STATE_HOME"]) / "flambeau" / "witness.log"
    assert workspace not in log.parents and log.stat().st_mode & 0o077 == 0
    [entry] = witnessed_entries()
    final = records(trace)[-1]
    assert (entry.trace_id, entry.workspace, entry.trace) == (trace.stem, str(workspace.resolve()), str(trace))
    assert (entry.tree_size, entry.root) == (final["tree_size"], final["root"])
    assert entry.key == records(trace)[0]["public_key"]
    assert entry.note.startswith(f"flambeau.trace/{entry.key[8:24]}/{trace.stem}\n{entry.tree_size}\n")
    assert final["note_signature"] in entry.note
    report = verify(trace)
    assert report.status == "intact" and report.witness == "witnessed", report.message


def test_an_erased_trace_is_reported_by_verify_and_list(model_server: ScriptedModelServer, workspace: Path) -> None:
    trace = _recorded(model_server, workspace)
    shutil.rmtree(workspace / ".flambeau")
    checked = run_cli("trace", "verify", str(trace))
    assert checked.code == 1, checked.stdout + checked.stderr
    assert checked.stdout.startswith("tampered: erased: the trace") and "witness log saw it sealed" in checked.stdout
    listed = run_cli("trace", "list", "--workspace", str(workspace))
    assert listed.code == 0 and f"{trace.stem}  ERASED" in listed.stdout, listed.stdout
    as_json = run_cli("trace", "list", "--workspace", str(workspace), "--json").stdout.splitlines()
    assert [(t["task_id"], t["witness"]) for t in map(json.loads, as_json)] == [(trace.stem, "erased")]


def test_a_truncated_trace_is_reported_even_when_re_sealed_with_the_real_key(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    trace = _recorded(model_server, workspace)
    lines = read_lines(trace)
    ending = [r for r in records(trace) if r["kind"] in ("task_end", "checkpoint")][-2:]
    write_lines(trace, lines[:5])
    report = verify(trace)
    assert report.status == "tampered" and report.witness == "truncated" and report.first_bad_record == 5
    listed = run_cli("trace", "list", "--workspace", str(workspace))
    assert "TRUNCATED: the witness log saw this trace sealed at" in listed.stdout, listed.stdout

    # The forger holds the real key (read from the keyring out of band) and seals the shortened trace.
    key = stored_signing_key()
    assert key is not None
    end, seal = ending[0] | {"seq": 5}, ending[1] | {"seq": 6, "tree_size": 6}
    write_lines(trace, [*lines[:5], json.dumps(end).encode(), json.dumps(seal).encode()])
    resign(trace, key.private)
    assert verify(trace, trusted_keys=[key.public_id]).sealed  # internally perfect
    report = verify(trace)
    assert report.status == "tampered" and report.witness == "truncated", report.message


def test_a_trace_forged_and_re_signed_with_the_real_key_is_not_intact_even_with_replay(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    trace = _recorded(model_server, workspace)
    key = stored_signing_key()  # what a command reading the keyring file would get; the test reads it out of band
    assert key is not None
    resign(trace, key.private, edit={1: {"task": "delete the backups"}})
    checked = run_cli("trace", "verify", str(trace), "--replay", "--json")
    report = json.loads(checked.stdout)
    assert checked.code == 1 and report["status"] == "tampered", checked.stdout
    assert report["witness"] == "replaced" and "not the ones the witness log saw sealed" in report["message"]

    # A wholly new trace under a task id the witness never saw, signed with the real key.
    forged = trace.with_name("20261202T000000Z-f0f0f0f0.jsonl")
    lines = read_lines(trace)
    header = json.loads(lines[0]) | {"task_id": forged.stem, "time": now_iso()}  # a trace of today
    write_lines(forged, [json.dumps(header).encode(), *lines[1:]])
    resign(forged, key.private)
    shutil.copy(
        trace.parent.parent / "blobs" / f"{trace.stem}.pack", trace.parent.parent / "blobs" / f"{forged.stem}.pack"
    )
    alone = verify(forged)
    assert alone.status == "tampered" and alone.witness == "unwitnessed", alone.message
    assert "no record of this trace being sealed" in alone.message


def test_a_crash_between_witness_and_checkpoint_is_damage_not_tampering(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    trace = _recorded(model_server, workspace)
    write_lines(trace, read_lines(trace)[:-1])  # the final checkpoint never reached the trace file
    report = verify(trace)
    assert report.status == "damaged" and report.witness == "pending", report.message
    assert any("which the witness log holds" in note for note in report.notes)


def test_a_trace_sealed_before_the_witness_log_began_still_verifies_with_a_note(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    """Upgrading must not turn every earlier trace into a forgery: one whose header is older than the
    log's first checkpoint was written by a Flambeau without the log; its signer is still checked."""
    old = _recorded(model_server, workspace)
    witness_path().unlink()  # as on a machine whose traces were all written before the witness log
    assert verify(old).status == "intact"
    _recorded(model_server, workspace)  # the log begins with the next task
    report = verify(old)
    assert report.status == "intact" and report.witness == "prewitness", report.message
    assert any("before the log's first checkpoint" in note for note in report.notes), report.notes
    assert run_cli("trace", "verify", str(old)).code == 0
    listing = run_cli("trace", "list", "--workspace", str(workspace))
    assert "UNWITNESSED" not in listing.stdout, listing.stdout
