"""Every secret lives in the system keyring; nothing else in Flambeau stores one.

On a machine without an OS keyring (headless Linux), keyring picks the file backend of the
`keyrings.alt` plugin (`PlaintextKeyring`, a file under `$XDG_DATA_HOME/python_keyring/` readable by
the user); `backend_note()` says so in words the user can act on.
"""

from __future__ import annotations

import json
from types import ModuleType

SERVICE = "flambeau"
INDEX_ENTRY = "_index"
"""Names of the entries Flambeau stored, so every stored value can be redacted from traces."""


class SecretStoreError(RuntimeError):
    """No usable keyring; the message says how to get one."""


def _keyring() -> ModuleType:
    import keyring
    import keyring.errors

    backend = keyring.get_keyring()
    if type(backend).__name__ == "Keyring" and type(backend).__module__.endswith("fail"):
        raise SecretStoreError(
            "no keyring backend is available; install one (for example 'pip install keyrings.alt' for a file "
            "backend on a headless machine) and try again"
        )
    return keyring


def backend_note() -> str:
    backend = _keyring().get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if "keyrings.alt" in name:
        path = getattr(backend, "file_path", "a file in your data folder")
        return (
            f"no OS keyring found; secrets are kept by the keyrings.alt file backend in {path} "
            "(readable by your user only, not encrypted). Install and unlock an OS keyring for stronger storage."
        )
    return f"secrets are kept in the system keyring ({name})"


def get_secret(name: str) -> str | None:
    value = _keyring().get_password(SERVICE, name)
    return str(value) if value is not None else None


def set_secret(name: str, value: str) -> None:
    if not value:
        raise ValueError("an empty secret cannot be stored")
    keyring = _keyring()
    keyring.set_password(SERVICE, name, value)
    names = set(_names(keyring))
    names.add(name)
    keyring.set_password(SERVICE, INDEX_ENTRY, json.dumps(sorted(names)))


def delete_secret(name: str) -> bool:
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    names = set(_names(keyring)) - {name}
    keyring.set_password(SERVICE, INDEX_ENTRY, json.dumps(sorted(names)))
    return True


def stored_names() -> list[str]:
    return _names(_keyring())


def all_secret_values() -> set[str]:
    """Every value Flambeau keeps in the keyring, for redaction; empty when no keyring works."""
    try:
        keyring = _keyring()
    except SecretStoreError:
        return set()
    values = set()
    for name in _names(keyring):
        value = keyring.get_password(SERVICE, name)
        if value:
            values.add(str(value))
    return values


def _names(keyring: ModuleType) -> list[str]:
    raw = keyring.get_password(SERVICE, INDEX_ENTRY)
    if not raw:
        return []
    try:
        names = json.loads(raw)
    except json.JSONDecodeError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []
