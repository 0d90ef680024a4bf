"""Mutation suite on real recorded traces: every kind of tampering is detected and the first bad
record named; intact traces never raise a false alarm."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.trace import verify
from agent.trace.packs import pack_path, parse_pack
from agent.trace.witness import witness_path
from tests.scripted_server import Reply, ScriptedModelServer
from tests.trace_mutations import (
    blob_first_uses,
    checkpoint_indexes,
    line_index_of_offset,
    read_lines,
    records,
    resign,
    set_field,
    signature_field,
    write_lines,
)
from tests.trace_sessions import editing_script, record_session, short_script

SEED = 20261124


@pytest.fixture
def recorded(model_server: ScriptedModelServer, tmp_path: Path) -> Iterator[list[Path]]:
    """Three real traces: an editing session, a short one, and one that ends in an error."""
    traces = []
    scripts = [
        editing_script(),
        short_script(0),
        [Reply(tool_calls=[("read_file", '{"path": ')]) for _ in range(3)],
    ]
    for index, script in enumerate(scripts):
        workspace = tmp_path / f"ws{index}"
        workspace.mkdir()
        (workspace / "notes.txt").write_text("hello\n")
        traces.append(record_session(model_server, workspace, script))
    for trace in traces:
        assert verify(trace).status == "intact", verify(trace).message
    yield traces


def _assert_caught(trace: Path, expected: int, what: str) -> None:
    report = verify(trace, parallel=False)
    # The blobs checked in a forked child beside the record pass (as on a long trace) give the same report.
    assert verify(trace, parallel=True).to_dict() == report.to_dict(), what
    assert report.status != "intact", f"{what}: not detected"
    assert report.exit_code != 0
    assert report.first_bad_record == expected, f"{what}: named record {report.first_bad_record}: {report.message}"


def test_flipping_any_single_byte_is_detected_at_its_record(recorded: list[Path]) -> None:
    rng = random.Random(SEED)
    for trace in recorded:
        original = trace.read_bytes()
        offsets = rng.sample(range(len(original)), 60)
        for offset in offsets:
            mutated = bytearray(original)
            mutated[offset] ^= rng.randrange(1, 256)
            trace.write_bytes(bytes(mutated))
            _assert_caught(trace, line_index_of_offset(original, offset), f"byte {offset} of {trace.name}")
        trace.write_bytes(original)


def test_flipping_any_bit_of_the_final_checkpoint_is_detected(recorded: list[Path]) -> None:
    """The last record has no successor to commit to its hash: its signature must cover every byte."""
    trace = recorded[1]
    original = trace.read_bytes()
    start = original.rstrip(b"\n").rfind(b"\n") + 1
    for offset in range(start, len(original)):
        for bit in range(8):
            mutated = bytearray(original)
            mutated[offset] ^= 1 << bit
            trace.write_bytes(bytes(mutated))
            _assert_caught(trace, line_index_of_offset(original, offset), f"bit {bit} of byte {offset}")
    trace.write_bytes(original)


def test_deleting_a_record_is_detected_where_it_was(recorded: list[Path]) -> None:
    for trace in recorded:
        lines = read_lines(trace)
        for index in range(len(lines) - 1):
            write_lines(trace, lines[:index] + lines[index + 1 :])
            report = verify(trace)
            assert report.status == "tampered" and report.first_bad_record == index, report.message
            assert "missing" in report.message
        write_lines(trace, lines)


def test_swapping_two_records_is_detected_at_the_first(recorded: list[Path]) -> None:
    rng = random.Random(SEED)
    for trace in recorded:
        lines = read_lines(trace)
        for _ in range(25):
            i, j = sorted(rng.sample(range(len(lines)), 2))
            swapped = list(lines)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            write_lines(trace, swapped)
            _assert_caught(trace, i, f"swap {i} and {j}")
        write_lines(trace, lines)


def test_truncating_after_a_signed_checkpoint_is_never_reported_intact(recorded: list[Path]) -> None:
    """The witness log saw each trace sealed: a cut is tampering. Without the witness log (a trace from
    elsewhere, verified with its author's key) the cut trace is still damaged, never intact."""
    for trace in recorded:
        lines = read_lines(trace)
        cut_points = checkpoint_indexes(trace)[:-1]
        assert cut_points, "a session of several steps has checkpoints before the final one"
        for checkpoint in cut_points:
            write_lines(trace, lines[: checkpoint + 1])
            report = verify(trace)
            assert report.status == "tampered" and report.exit_code == 1, report.message
            assert report.first_bad_record == checkpoint + 1 and report.witness == "truncated"
            assert "records were cut off" in report.message
        write_lines(trace, lines)
    witness_path().unlink()
    for trace in recorded:
        lines = read_lines(trace)
        key = str(records(trace)[0]["public_key"])
        for checkpoint in checkpoint_indexes(trace)[:-1]:
            write_lines(trace, lines[: checkpoint + 1])
            report = verify(trace, trusted_keys=[key])
            assert report.status == "damaged" and report.exit_code == 2, report.message
            assert report.first_bad_record == checkpoint + 1
            assert "without its final signed checkpoint" in report.message
        write_lines(trace, lines)


def test_replacing_a_blob_is_detected_at_the_first_record_using_it(recorded: list[Path]) -> None:
    for trace in recorded:
        first_use = blob_first_uses(trace)
        assert any(records(trace)[seq]["kind"] == "model_request" for seq in first_use.values())
        pack = pack_path(trace)
        original = pack.read_bytes()
        for digest, seq in first_use.items():
            start, end = parse_pack(original)[digest]
            altered = original[:start] + bytes([original[start] ^ 1]) + original[start + 1 :]
            pack.write_bytes(altered)
            _assert_caught(trace, seq, f"blob {digest[:8]}")
            header_start = original.rfind(b"\n", 0, start - 1) + 1
            pack.write_bytes(original[:header_start] + original[end + 1 :])
            _assert_caught(trace, seq, f"missing blob {digest[:8]}")
        pack.write_bytes(original)
        assert verify(trace).status == "intact"


def test_altering_a_signature_is_detected_at_its_checkpoint(recorded: list[Path]) -> None:
    for trace in recorded:
        lines = read_lines(trace)
        for index in checkpoint_indexes(trace):
            field = signature_field(records(trace)[index])
            signature = records(trace)[index][field]
            altered = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
            write_lines(trace, [*lines[:index], set_field(lines[index], field, altered), *lines[index + 1 :]])
            report = verify(trace)
            assert report.status == "tampered" and report.first_bad_record == index, report.message
        write_lines(trace, lines)


def test_substituting_the_key_in_the_header_is_detected_at_the_header(recorded: list[Path]) -> None:
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    for trace in recorded:
        lines = read_lines(trace)
        write_lines(trace, [set_field(lines[0], "public_key", f"ed25519:{other}"), *lines[1:]])
        _assert_caught(trace, 0, "header key")


def test_a_trace_re_signed_with_another_key_is_rejected_even_when_that_key_is_pinned(recorded: list[Path]) -> None:
    attacker = Ed25519PrivateKey.generate()
    attacker_id = "ed25519:" + attacker.public_key().public_bytes_raw().hex()
    for trace in recorded:
        resign(trace, attacker, edit={1: {"task": "something the user never asked"}})
        report = verify(trace)
        assert report.status == "tampered" and report.first_bad_record == 0, report.message
        assert "not a trusted key" in report.message
        # The rewrite is internally perfect: the witness log, which saw the real signer, gives it away.
        pinned = verify(trace, trusted_keys=[attacker_id])
        assert pinned.status == "tampered" and pinned.witness == "replaced", pinned.message
        assert "re-signed" in pinned.message
    witness_path().unlink()  # a trace from another machine: only the pinned key is left to judge it
    assert all(verify(trace, trusted_keys=[attacker_id]).status == "intact" for trace in recorded)


def test_one_hundred_intact_traces_raise_no_false_alarm(model_server: ScriptedModelServer, workspace: Path) -> None:
    traces = [record_session(model_server, workspace, short_script(i), task=f"task {i}") for i in range(100)]
    assert len(set(traces)) == 100
    reports = [verify(trace) for trace in traces]
    assert [r.status for r in reports] == ["intact"] * 100, [r.message for r in reports if r.status != "intact"]
    assert all(r.exit_code == 0 and r.first_bad_record is None and r.key_trusted for r in reports)


def test_blobs_are_checked_in_a_forked_child_when_asked(recorded: list[Path]) -> None:
    from agent.trace.blob_check import PendingCheck
    from agent.trace.packs import TraceBlobs

    trace = recorded[0]
    lines = read_lines(trace)
    pending = PendingCheck(lines, TraceBlobs(trace), parallel=True)
    assert pending._child is not None  # the check runs in another process
    assert pending.result(len(lines), [None] * len(lines)) is None
    pack = pack_path(trace)
    original = pack.read_bytes()
    digest, seq = next(iter(blob_first_uses(trace).items()))
    start, _ = parse_pack(original)[digest]
    pack.write_bytes(original[:start] + bytes([original[start] ^ 1]) + original[start + 1 :])
    pending = PendingCheck(lines, TraceBlobs(trace), parallel=True)
    found = pending.result(len(lines), [None] * len(lines))
    assert found is not None and found[0] == seq, found
    pack.write_bytes(original)
