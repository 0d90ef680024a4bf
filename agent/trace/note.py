"""Checkpoints as C2SP signed notes (c2sp.org/signed-note) with tlog-checkpoint bodies
(c2sp.org/tlog-checkpoint), so existing transparency-log verifiers can check them.

    flambeau.trace/<16 hex of the public key>/<task id>     origin: the trace of one task
    <tree size>                                              records covered
    <base64 RFC 6962 root>
                                                             (blank line)
    — flambeau.trace/<16 hex of the public key> <base64(key id || Ed25519 signature)>

The key name is the same for every trace of one key, so one verifier key
(`<name>+<hex key id>+<base64(0x01 || public key)>`, `flambeau trace key --vkey`) checks them all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agent.trace.signing import KEY_PREFIX, parse_public_key

KEY_NAME_PREFIX = "flambeau.trace/"
ED25519_TYPE = b"\x01"
SIGNATURE_MARK = "\u2014 "  # em dash, space
SIGNATURE_BYTES = 4 + 64


class NoteError(ValueError):
    """A note, verifier key or signature that is malformed or does not verify; the message says which."""


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_name(key: Ed25519PublicKey) -> str:
    return KEY_NAME_PREFIX + _raw(key).hex()[:16]


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """SHA-256(key name || 0x0A || 0x01 || public key)[:4] (signed-note, Ed25519)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + _raw(key)).digest()[:4]


def origin(key: Ed25519PublicKey, task_id: str) -> str:
    return f"{key_name(key)}/{task_id}"


def verifier_key(key: Ed25519PublicKey) -> str:
    name = key_name(key)
    encoded = base64.b64encode(ED25519_TYPE + _raw(key)).decode("ascii")
    return f"{name}+{key_id(name, key).hex()}+{encoded}"


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    key: Ed25519PublicKey

    def verifies(self, text: bytes, signature: bytes) -> bool:
        try:
            self.key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


def parse_verifier_key(text: str) -> Verifier:
    """A vkey (`name+hexid+base64`), or a trace key (`ed25519:<hex>`) under Flambeau's key name."""
    text = text.strip()
    if text.startswith(KEY_PREFIX):
        key = parse_public_key(text)
        return Verifier(key_name(key), key_id(key_name(key), key), key)
    parts = text.split("+", 2)
    if len(parts) != 3 or not parts[0]:
        raise NoteError(f"not a verifier key: {text!r} (expected <name>+<8 hex key id>+<base64 key>)")
    name, hex_id, encoded = parts
    try:
        material = base64.b64decode(encoded, validate=True)
        wanted_id = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"not a verifier key: {text!r} ({error})") from error
    if len(material) != 33 or material[:1] != ED25519_TYPE or len(wanted_id) != 4:
        raise NoteError(f"not an Ed25519 verifier key: {text!r}")
    key = Ed25519PublicKey.from_public_bytes(material[1:])
    if key_id(name, key) != wanted_id:
        raise NoteError(f"verifier key {text!r}: its key id does not match its name and key")
    return Verifier(name, wanted_id, key)


def checkpoint_text(origin_line: str, tree_size: int, root: bytes) -> bytes:
    """The tlog-checkpoint note text: origin, tree size, base64 root, each ending in a newline."""
    return f"{origin_line}\n{tree_size}\n{base64.b64encode(root).decode('ascii')}\n".encode()


def signature_line(name: str, signature: str) -> str:
    return f"{SIGNATURE_MARK}{name} {signature}\n"


def format_note(text: bytes, name: str, signature: str) -> str:
    """The whole signed note: text, a blank line, the signature line."""
    return text.decode("utf-8") + "\n" + signature_line(name, signature)


def sign_text(private: Ed25519PrivateKey, text: bytes) -> str:
    """The note signature of `text` under Flambeau's key name: base64(key id || Ed25519 signature)."""
    public = private.public_key()
    return base64.b64encode(key_id(key_name(public), public) + private.sign(text)).decode("ascii")


def decode_signature(signature: str) -> bytes | None:
    """key id || signature from its base64, only in the one spelling the writer produces."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != SIGNATURE_BYTES or base64.b64encode(raw).decode("ascii") != signature:
        return None
    return raw


def signature_verifies(verifier: Verifier, text: bytes, signature: str) -> bool:
    raw = decode_signature(signature)
    return raw is not None and raw[:4] == verifier.key_id and verifier.verifies(text, raw[4:])


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root: bytes


def open_note(note: str, verifier: Verifier) -> Checkpoint:
    """Check a signed checkpoint note with `verifier` and read its body; NoteError when it does not verify."""
    if "\n\n" not in note or not note.endswith("\n"):
        raise NoteError("not a signed note (no blank line before the signatures)")
    split = note.rindex("\n\n")
    text, signatures = note[: split + 1], note[split + 2 :]
    verified = False
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_MARK) or line.count(" ") != 2:
            raise NoteError(f"malformed signature line {line!r}")
        name, signature = line[len(SIGNATURE_MARK) :].split(" ")
        raw = decode_signature(signature)
        if name != verifier.name or raw is None or raw[:4] != verifier.key_id:
            continue  # another key's signature (a witness, say): not ours to check
        if not verifier.verifies(text.encode("utf-8"), raw[4:]):
            raise NoteError(f"the signature of {name} does not verify: the checkpoint was altered")
        verified = True
    if not verified:
        raise NoteError(f"the note carries no signature by {verifier.name}")
    return _checkpoint_body(text)


def _checkpoint_body(text: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    if len(lines) < 3 or not lines[0] or not lines[1].isdigit() or (lines[1] != "0" and lines[1][0] == "0"):
        raise NoteError("not a tlog checkpoint (expected origin, tree size and base64 root lines)")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"checkpoint root is not base64: {lines[2]!r}") from error
    return Checkpoint(lines[0], int(lines[1]), root)
