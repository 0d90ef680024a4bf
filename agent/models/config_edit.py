"""Editing the user's models.toml in place with tomlkit: their comments, order and layout stay as they wrote them.

Every change is one small edit of the parsed document (set a profile, the default, a role; remove a
profile), validated by re-reading the result as configuration before the file is replaced atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from agent.errors import ConfigError


def _load(path: Path) -> Any:
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return tomlkit.document()
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as error:
        raise ConfigError(f"{path} is not valid TOML ({error}); fix or remove it") from error


def _save(path: Path, document: Any) -> None:
    import tomlkit

    from agent.models.config import check_user_text

    text = tomlkit.dumps(document)
    check_user_text(text, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".models-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _table(document: Any, key: str) -> Any:
    import tomlkit

    if key not in document:
        document[key] = tomlkit.table(is_super_table=key == "profiles")
    return document[key]


def set_profile(path: Path, name: str, table: dict[str, Any]) -> None:
    """Add or replace `[profiles.NAME]`; a replaced profile keeps its place in the file."""
    import tomlkit

    document = _load(path)
    profiles = _table(document, "profiles")
    fresh = tomlkit.table()
    for key, value in table.items():
        fresh[key] = value
    profiles[name] = fresh
    _save(path, document)


def remove_profile(path: Path, name: str) -> None:
    document = _load(path)
    profiles = document.get("profiles")
    if profiles is None or name not in profiles:
        raise ConfigError(f"there is no profile {name!r} in {path}")
    del profiles[name]
    if document.get("default") == name:
        del document["default"]
    roles = document.get("roles")
    for role in [r for r, chosen in (roles or {}).items() if chosen == name]:
        del roles[role]
    _save(path, document)


def set_default(path: Path, name: str) -> None:
    document = _load(path)
    document["default"] = name
    _save(path, document)


def set_role(path: Path, role: str, name: str) -> None:
    document = _load(path)
    _table(document, "roles")[role] = name
    _save(path, document)


def set_local_only(path: Path, enabled: bool) -> None:
    document = _load(path)
    if enabled:
        document["local_only"] = True
    elif "local_only" in document:
        del document["local_only"]
    _save(path, document)


def set_escalation(path: Path, name: str | None) -> None:
    """`escalate_to = NAME`, or no escalation at all with None."""
    document = _load(path)
    if name is not None:
        document["escalate_to"] = name
    elif "escalate_to" in document:
        del document["escalate_to"]
    _save(path, document)
