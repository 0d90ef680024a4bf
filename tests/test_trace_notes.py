"""Checkpoints that existing transparency-log tools check, and proofs of one record.

The C2SP verifier below is written in this test from the specifications alone (c2sp.org/signed-note
and c2sp.org/tlog-checkpoint; the RFC 6962 audit path for the inclusion check), with the Ed25519 of
`cryptography`, not with the project's note or Merkle code. It is first checked against the example
of the signed-note specification.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent.trace import verify
from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer
from tests.trace_mutations import read_lines, records, set_field, write_lines
from tests.trace_sessions import editing_script, record_session

# The example of c2sp.org/signed-note ("Verifier keys", "Example").
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
V1_TRACE = Path(__file__).parent / "data" / "trace_v1"
V1_KEY = "ed25519:03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"


def c2sp_open(note: str, vkey: str) -> str:
    """Verify `note` with `vkey` per the signed-note spec and return its text (or raise)."""
    name, key_hash, encoded = vkey.split("+", 2)
    material = base64.b64decode(encoded)
    assert material[0] == 0x01 and len(material) == 33, "an Ed25519 vkey"
    key_id = hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]
    assert key_id.hex() == key_hash, "the vkey's id is SHA-256(name || 0x0A || 0x01 || key)[:4]"
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        dash, signer, signature = line.split(" ")
        raw = base64.b64decode(signature)
        if dash == "\u2014" and signer == name and raw[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(material[1:]).verify(raw[4:], text.encode())
            return text
    raise AssertionError("no signature by the key")


def c2sp_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    origin, size, root = c2sp_open(note, vkey).splitlines()[:3]
    return origin, int(size), base64.b64decode(root)


def rfc6962_root(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root an audit path leads to: the last node of the path is the sibling at the top split."""
    if size == 1:
        assert not path
        return leaf
    split = 1 << ((size - 1).bit_length() - 1)
    if index < split:
        return hashlib.sha256(b"\x01" + rfc6962_root(index, split, leaf, path[:-1]) + path[-1]).digest()
    return hashlib.sha256(b"\x01" + path[-1] + rfc6962_root(index - split, size - split, leaf, path[:-1])).digest()


def test_the_independent_verifier_accepts_the_spec_example_and_refuses_changes() -> None:
    assert c2sp_open(SPEC_NOTE, SPEC_VKEY) == "This is an example message.\n"
    try:
        c2sp_open(SPEC_NOTE.replace("example message", "exemple message"), SPEC_VKEY)
    except InvalidSignature:
        pass
    else:
        raise AssertionError("an altered note verified")


def test_a_flambeau_checkpoint_verifies_as_a_c2sp_signed_note(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    trace = record_session(model_server, workspace, editing_script())
    task_id = trace.name.removesuffix(".jsonl")
    vkey = run_cli("trace", "key", "--vkey")
    assert vkey.code == 0, vkey.stderr
    vkey_text = vkey.stdout.strip()
    checkpoints = [r for r in records(trace) if r["kind"] == "checkpoint"]

    last = run_cli("trace", "checkpoint", str(trace))
    assert last.code == 0, last.stderr
    origin, size, root = c2sp_checkpoint(last.stdout, vkey_text)
    assert origin.endswith("/" + task_id) and origin.startswith(vkey_text.split("+")[0] + "/")
    assert (size, root.hex()) == (checkpoints[-1]["tree_size"], checkpoints[-1]["root"])

    earlier = checkpoints[1]
    middle = run_cli("trace", "checkpoint", str(trace), "--seq", str(earlier["seq"]))
    assert c2sp_checkpoint(middle.stdout, vkey_text)[1:] == (earlier["tree_size"], bytes.fromhex(earlier["root"]))
    missing = run_cli("trace", "checkpoint", str(trace), "--seq", "1")
    assert missing.code == 2 and "no checkpoint at record 1" in missing.stderr


def test_a_proof_bundle_shows_one_record_without_the_trace(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    trace = record_session(model_server, workspace, editing_script())
    vkey = run_cli("trace", "key", "--vkey").stdout.strip()
    change = next(r for r in records(trace) if r["kind"] == "file_change" and "after_blob" in r)

    bundle_path = tmp_path / "proof.json"
    proven = run_cli("trace", "prove", str(trace), "--record", str(change["seq"]), "--out", str(bundle_path))
    assert proven.code == 0, proven.stderr
    shutil.rmtree(workspace / ".flambeau")  # the bundle stands alone

    bundle = json.loads(bundle_path.read_text())
    _, size, root = c2sp_checkpoint(bundle["checkpoint"], vkey)
    line = bundle["record"].encode()
    leaf = hashlib.sha256(b"\x00" + line).digest()
    path = [base64.b64decode(node) for node in bundle["inclusion_proof"]]
    assert rfc6962_root(change["seq"], size, leaf, path) == root
    assert json.loads(line) == change
    after = base64.b64decode(bundle["blobs"][change["after_blob"]])
    assert hashlib.sha256(after).hexdigest() == change["after_blob"] == change["sha256_after"]

    checked = run_cli("trace", "verify-proof", str(bundle_path), "--key", vkey, "--json")
    assert checked.code == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["record"]["path"] == change["path"]

    forged = {**bundle, "record": bundle["record"].replace(change["path"], "elsewhere.txt")}
    bundle_path.write_text(json.dumps(forged))
    refused = run_cli("trace", "verify-proof", str(bundle_path), "--key", vkey)
    assert refused.code == 1 and "not in the signed tree" in refused.stdout, refused.stdout

    bundle["blobs"][change["after_blob"]] = base64.b64encode(b"other bytes").decode()
    bundle_path.write_text(json.dumps(bundle))
    refused = run_cli("trace", "verify-proof", str(bundle_path), "--key", vkey)
    assert refused.code == 1 and "altered" in refused.stdout, refused.stdout

    other = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    refused = run_cli("trace", "verify-proof", str(bundle_path), "--key", other)
    assert refused.code == 1 and "no signature by example.com/foo" in refused.stdout, refused.stdout


def test_traces_written_before_the_notes_still_verify(tmp_path: Path) -> None:
    """A flambeau-trace/1 trace written by the previous writer (JSON-signed checkpoints)."""
    copy = tmp_path / "old"
    shutil.copytree(V1_TRACE, copy)
    [trace] = (copy / "traces").glob("*.jsonl")
    report = verify(trace, trusted_keys=[V1_KEY])
    assert report.status == "intact" and report.checkpoints == 3, report.message
    lines = read_lines(trace)
    write_lines(trace, [*lines[:2], set_field(lines[2], "model", "openai/other"), *lines[3:]])
    tampered = verify(trace, trusted_keys=[V1_KEY])
    assert tampered.status == "tampered" and tampered.first_bad_record == 2, tampered.message
    refused = run_cli("trace", "checkpoint", str(trace))
    assert refused.code == 2 and "flambeau-trace/1" in refused.stderr and "Traceback" not in refused.stderr
