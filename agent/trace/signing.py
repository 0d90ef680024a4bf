"""Ed25519 signing of checkpoints; the private key lives in keyring as `trace-signing-key`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_ENTRY = "trace-signing-key"
KEY_PREFIX = "ed25519:"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    persisted: bool
    """False when no keyring was usable: the key lives for this process only."""

    @property
    def public_id(self) -> str:
        return public_key_id(self.private.public_key())

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()

    @property
    def secret_hex(self) -> str:
        """The private key as the keyring holds it: a value to redact wherever it would appear."""
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def public_key_id(key: Ed25519PublicKey) -> str:
    """`ed25519:<64 hex>`: how a public key is written in a trace header and on the command line."""
    return KEY_PREFIX + key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """Read `ed25519:<hex>` (or bare hex); raises ValueError naming the expected form."""
    raw = text.strip().removeprefix(KEY_PREFIX)
    try:
        data = bytes.fromhex(raw)
        return Ed25519PublicKey.from_public_bytes(data)
    except ValueError as error:
        raise ValueError(f"not an Ed25519 public key: {text!r} (expected ed25519:<64 hex digits>)") from error


@lru_cache(maxsize=16)
def _cached_public_key(text: str) -> Ed25519PublicKey:
    return parse_public_key(text)


def verify_signature(public_key: str, signature_hex: str, message: bytes) -> bool:
    try:
        _cached_public_key(public_key).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def stored_signing_key() -> SigningKey | None:
    """This machine's trace key from keyring; None when there is none (or no keyring works)."""
    from agent.secret_store import SecretStoreError, get_secret

    try:
        stored = get_secret(KEY_ENTRY)
    except SecretStoreError:
        return None
    if not stored:
        return None
    try:
        return SigningKey(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(stored)), persisted=True)
    except ValueError:
        return None


def load_signing_key() -> SigningKey:
    """This machine's trace key, created in keyring on first use (an unreadable entry is replaced);
    without a usable keyring, a key for this process only (`persisted=False`)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    from agent.secret_store import SecretStoreError, set_secret

    existing = stored_signing_key()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    try:
        set_secret(KEY_ENTRY, private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex())
    except SecretStoreError:
        return SigningKey(private, persisted=False)
    return SigningKey(private, persisted=True)


def local_public_key() -> str | None:
    """The public half of this machine's trace key, or None when there is none yet."""
    key = stored_signing_key()
    return key.public_id if key is not None else None
