"""What file tools never open, by where a file is rather than by what its content looks like.

Always: the key stores (the keyring backend's files, where the trace signing key lives) — a workspace
that holds the home folder must not hand them to any model. When the task's model is cloud: the
workspace's never-to-cloud globs and `.env`-style files (`.env`, `.env.*`, `*.pem`, private SSH keys).
`read_file` and the other tools that take a path refuse them with a message the model can act on;
`list_files`, `search_files`, `list_definitions`, `git_diff` and the repo map skip them and say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

SECRET_FILES = (".env", ".env.*", "*.pem", "*.key", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.p12", "*.pfx")
"""Files that hold secrets by convention, withheld from cloud models wherever they are in the workspace."""


def key_store_paths() -> list[Path]:
    """Where the key stores keep their files: the keyring backends' folders, and the active backend's file."""
    from tools.policy.places import key_store_dirs

    found = list(key_store_dirs())
    try:
        import keyring

        file_path = getattr(keyring.get_keyring(), "file_path", None)
    except Exception:  # any backend failure: the folders above still count
        file_path = None
    if isinstance(file_path, str) and file_path:
        found.append(Path(file_path))
    return found


MAX_KEY_STORE_FILE = 1_000_000
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]{12,}")


def key_store_contents(paths: Iterable[Path]) -> set[str]:
    """What the key store files hold, as values to redact: each file whole and each of its encoded lines
    (the keyrings.alt file backend keeps every value in base64, wrapped). A command that reads the file
    and encodes it again (`base64 -w0`, `xxd -p`) then shows these values in a form redaction knows."""
    values: set[str] = set()
    for root in paths:
        files = [root] if root.is_file() else [Path(d, f) for d, _, names in os.walk(root) for f in names]
        for path in files:
            try:
                if path.is_symlink() or path.stat().st_size > MAX_KEY_STORE_FILE:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            values.add(text)
            values |= {line.strip() for line in text.splitlines() if _BASE64_LINE.fullmatch(line.strip())}
    return values


def flambeau_state_dirs() -> list[Path]:
    """Flambeau's own state outside every workspace: the user's policy and model config, the witness log."""
    from tools.policy.places import user_config_dir, user_state_dir

    return [user_config_dir(), user_state_dir()]


@dataclass
class Withholding:
    key_stores: list[Path] = field(default_factory=list)
    guarded: list[Path] = field(default_factory=flambeau_state_dirs)
    """Never written by a tool (a workspace opened on the home folder holds them)."""
    never_to_cloud: list[str] = field(default_factory=list)
    cloud: bool = False
    """The model the next request goes to is a cloud one (the session keeps this up to date)."""

    @classmethod
    def default(cls) -> Withholding:
        """The key-store folders only (no keyring import); a session passes the full `key_store_paths()`."""
        from tools.policy.places import key_store_dirs

        return cls(key_stores=key_store_dirs())

    def __post_init__(self) -> None:
        self._stores = tuple(os.path.realpath(p) for p in self.key_stores)
        self._guarded = tuple(os.path.realpath(p) for p in self.guarded)
        self._cloud_spec = pathspec.GitIgnoreSpec.from_lines([*self.never_to_cloud, *SECRET_FILES])
        self._patterns = [(p, pathspec.GitIgnoreSpec.from_lines([p])) for p in [*self.never_to_cloud, *SECRET_FILES]]

    def reason(self, absolute: str, rel: str, is_dir: bool = False) -> str | None:
        """Why `rel` (at real path `absolute`) is withheld, in words for the model; None when it is not."""
        for store in self._stores:
            if absolute == store or absolute.startswith(store + os.sep):
                return f"'{rel}' is in a key store ({store}); no tool opens it"
        if self.cloud and rel not in ("", "."):
            pattern = self._cloud_pattern(rel, is_dir)
            if pattern is not None:
                return (
                    f"'{rel}' matches {pattern!r} and is withheld from the cloud model this task uses "
                    "(never-to-cloud and .env-style files stay on this machine); work without it, "
                    "or ask the user to run the task with a local model"
                )
        return None

    def write_reason(self, absolute: str, rel: str) -> str | None:
        """Why a tool may not write `rel`: it is in `.flambeau/` or in Flambeau's own state; None otherwise."""
        first = rel.split("/", 1)[0].lower()
        if first == ".flambeau":
            return (
                f"'{rel}' is in .flambeau/, where Flambeau keeps the task traces and the workspace's model policy; "
                "no tool writes there"
            )
        for folder in self._guarded:
            if absolute == folder or absolute.startswith(folder + os.sep):
                return f"'{rel}' is in {folder}, Flambeau's own state (policy, witness log); no tool writes there"
        return None

    def _cloud_pattern(self, rel: str, is_dir: bool) -> str | None:
        candidates = (rel + "/",) if is_dir else (rel, rel.rstrip("/") + "/")
        if not any(self._cloud_spec.match_file(c) for c in candidates):
            return None
        return next((p for p, spec in self._patterns if any(spec.match_file(c) for c in candidates)), "a secret")

    def skips(self, root: str, rel: str, is_dir: bool) -> bool:
        return self.reason(os.path.join(root, rel), rel, is_dir) is not None


def skipped_note(skipped: Iterable[str]) -> str:
    """The line a listing, search or diff adds when it left files out."""
    names = sorted(set(skipped))
    if not names:
        return ""
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return (
        f"[{len(names)} withheld file(s) skipped: {shown} — key stores, and for a cloud model never-to-cloud "
        "and .env-style files, are never opened]"
    )
