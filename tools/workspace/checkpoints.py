"""Checkpoints: snapshots of the workspace in a shadow git repository outside the user's `.git`.

The shadow repository lives in the user's data folder (`$XDG_DATA_HOME/flambeau/checkpoints/<hash of
the workspace path>`), and every git command names it with `--git-dir` and the workspace with
`--work-tree`, so the user's `.git` is never renamed, read for writing, or written. Snapshots use git
plumbing (`update-index`, `write-tree`, `commit-tree`): no hooks run, no user config is changed.
`.gitignore` files (and a root `.flambeauignore`, the user's `.git/info/exclude` and global excludes)
are honoured; files above a size cap are skipped and named; the whole snapshot runs within a time
budget. The shadow repository's
`info/attributes` turns off every conversion (line endings, filters) so a restore is byte-exact.

Plain `subprocess` rather than gitpython here: each call needs its own stdin, a deadline and an
environment without inherited `GIT_*` variables, which is simplest to state directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tools.workspace.checkpoint_files import CheckpointError, TreeChange, apply_changes, parse_diff_tree

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_FILES = 50_000
DEFAULT_TIME_BUDGET_S = 20.0
BRANCH = "refs/heads/checkpoints"
NO_CONVERSION = "* -text -filter -ident -working-tree-encoding -diff\n"
SHADOW_EXCLUDES = ".flambeau/\n"
"""Flambeau's own folder (traces, caches) is never part of a checkpoint."""
CHECKPOINT_ID = re.compile(r"^[0-9a-f]{7,40}$")
Overlay = Mapping[str, bytes]
"""Workspace-relative path → the bytes an editor buffer holds for it (unsaved), snapshotted instead of the disk's."""
IDENTITY = {
    "GIT_AUTHOR_NAME": "Flambeau checkpoint",
    "GIT_AUTHOR_EMAIL": "checkpoints@flambeau.invalid",
    "GIT_COMMITTER_NAME": "Flambeau checkpoint",
    "GIT_COMMITTER_EMAIL": "checkpoints@flambeau.invalid",
}


@dataclass(frozen=True)
class Checkpoint:
    id: str
    label: str
    created: float
    """Unix time."""
    task_id: str = ""
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    """Workspace-relative paths left out (above the size cap, nested repositories)."""
    duration_s: float = 0.0


@dataclass(frozen=True)
class FileDelta:
    """A file that differs between a checkpoint and the workspace now."""

    path: str
    checkpoint_sha: str | None
    """Its blob in the checkpoint; None when the checkpoint does not have it (made since)."""
    checkpoint_mode: str | None = None


@dataclass(frozen=True)
class RestoreReport:
    checkpoint: Checkpoint
    safety_checkpoint: Checkpoint
    """Taken just before restoring, so the restore itself can be undone."""
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def default_data_dir() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "flambeau"


def workspace_key(workspace: Path) -> str:
    return hashlib.sha256(str(workspace).encode("utf-8")).hexdigest()[:24]


class ShadowCheckpoints:
    """Create, list and restore checkpoints of one workspace. Nothing happens until a method is called."""

    def __init__(
        self,
        workspace: Path,
        *,
        data_dir: Path | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_files: int = DEFAULT_MAX_FILES,
        time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    ) -> None:
        self.workspace = Path(os.path.realpath(workspace))
        self.git_dir = (data_dir or default_data_dir()) / "checkpoints" / workspace_key(self.workspace)
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.time_budget_s = time_budget_s

    # -- public -------------------------------------------------------------------------------------
    def create(self, label: str, task_id: str = "", overlay: Overlay | None = None) -> Checkpoint:
        """A snapshot of the workspace; `overlay`: files whose editor buffers differ from the disk (the
        agent's edits to open documents live there until the editor saves), by workspace-relative path."""
        with self._locked():
            return self._create(label, task_id, overlay)

    def list_checkpoints(self) -> list[Checkpoint]:
        """Newest first; empty when no checkpoint was ever taken."""
        if not (self.git_dir / "HEAD").exists():
            return []
        with self._locked():
            return self._history()

    def restore(self, checkpoint_id: str, overlay: Overlay | None = None) -> RestoreReport:
        """Bring every file of the checkpoint back byte-exact and remove files made since (ignored files,
        files skipped by the size cap and `.flambeau/` are left alone). `overlay` as for `create`: what the
        safety checkpoint keeps, and what "now" is."""
        if not CHECKPOINT_ID.match(checkpoint_id):
            raise CheckpointError(f"{checkpoint_id!r} is not a checkpoint id; list them to see the ids")
        with self._locked():
            target = self._find(checkpoint_id)
            safety = self._create(f"before restoring {target.id[:12]}", target.task_id, overlay)
            changes = self._git("diff-tree", "-r", "-z", "--no-renames", safety.id, target.id).decode(
                "utf-8", "surrogateescape"
            )
            return self._apply(target, safety, parse_diff_tree(changes))

    def find(self, checkpoint_id: str) -> Checkpoint:
        """The checkpoint with this id (or id prefix); `CheckpointError` when the store has none."""
        if not CHECKPOINT_ID.match(checkpoint_id):
            raise CheckpointError(f"{checkpoint_id!r} is not a checkpoint id; list them to see the ids")
        with self._locked():
            return self._find(checkpoint_id)

    def changes_since(self, checkpoint_id: str, overlay: Overlay | None = None) -> list[FileDelta]:
        """What a restore of the checkpoint would change in the workspace as it is now (`overlay` as for
        `create`), without taking a checkpoint: each file that differs, with its blob in the checkpoint
        (None: not in it)."""
        target = self.find(checkpoint_id)
        with self._locked():
            now = self._snapshot_tree(time.monotonic() + self.time_budget_s, overlay)[0]
            raw = self._git("diff-tree", "-r", "-z", "--no-renames", target.id, now).decode("utf-8", "surrogateescape")
        deltas: list[FileDelta] = []
        fields = raw.split("\0")
        for header, path in zip(fields[0::2], fields[1::2], strict=False):
            if not header.startswith(":"):
                continue
            old_mode, new_mode, old_sha, _new_sha, status = header[1:].split(" ")
            if old_mode == "160000" or new_mode == "160000" or path in target.skipped:
                continue
            in_checkpoint = status != "A"
            deltas.append(FileDelta(path, old_sha if in_checkpoint else None, old_mode if in_checkpoint else None))
        return deltas

    def read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """File contents stored in the shadow repository, by blob id."""
        with self._locked():
            return self._read_blobs(shas)

    # -- creating -----------------------------------------------------------------------------------
    def _create(self, label: str, task_id: str, overlay: Overlay | None = None) -> Checkpoint:
        started = time.monotonic()
        deadline = started + self.time_budget_s
        tree, files, skipped = self._snapshot_tree(deadline, overlay)
        parent = self._git("rev-parse", "-q", "--verify", BRANCH, check=False).decode().strip()
        duration = round(time.monotonic() - started, 4)
        meta = {"task_id": task_id, "files": files, "skipped": skipped, "duration_s": duration}
        message = f"{label}\n\n{json.dumps(meta, ensure_ascii=False)}\n"
        parents = ["-p", parent] if parent else []
        commit = (
            self._git(
                "commit-tree", "--no-gpg-sign", tree, *parents, "-F", "-", stdin=message.encode(), deadline=deadline
            )
            .decode()
            .strip()
        )
        self._git("update-ref", BRANCH, commit, *([parent] if parent else []), deadline=deadline)
        return Checkpoint(commit, label, time.time(), task_id, files, skipped, duration)

    def _snapshot_tree(self, deadline: float, overlay: Overlay | None = None) -> tuple[str, int, list[str]]:
        """The workspace as a tree in the shadow repository (no commit): (tree id, files, skipped paths)."""
        self._ensure_repository()
        listing = self._git(*self._ls_files_args(), deadline=deadline)
        include: list[str] = []
        remove: list[str] = []
        skipped: list[str] = []
        for rel in dict.fromkeys(p for p in listing.decode("utf-8", "surrogateescape").split("\0") if p):
            if time.monotonic() > deadline:
                raise CheckpointError(self._over_budget())
            if rel.endswith("/"):
                skipped.append(rel)  # a nested repository: git records no content for it
                continue
            try:
                info = os.lstat(self.workspace / rel)
            except FileNotFoundError:
                remove.append(rel)
                continue
            if not stat.S_ISLNK(info.st_mode) and info.st_size > self.max_file_bytes:
                skipped.append(rel)
                remove.append(rel)
                continue
            include.append(rel)
        if len(include) > self.max_files:
            raise CheckpointError(
                f"the workspace has {len(include):,} files, more than the checkpoint limit of {self.max_files:,}; "
                "add large generated folders to .gitignore or .flambeauignore"
            )
        if remove:
            self._git("update-index", "--force-remove", "-z", "--stdin", stdin=_nul_list(remove), deadline=deadline)
        if include:
            self._git("update-index", "--add", "-z", "--stdin", stdin=_nul_list(include), deadline=deadline)
        if overlay:
            self._overlay(overlay, set(include), deadline)
        return self._git("write-tree", deadline=deadline).decode().strip(), len(include), skipped

    def _overlay(self, overlay: Overlay, included: set[str], deadline: float) -> None:
        """Index the buffers' bytes instead of the disk's for files the snapshot holds."""
        entries: list[str] = []
        for rel, data in overlay.items():
            if rel not in included or os.path.islink(self.workspace / rel):
                continue
            sha = self._git("hash-object", "-w", "--stdin", stdin=data, deadline=deadline).decode().strip()
            mode = "100755" if os.access(self.workspace / rel, os.X_OK) else "100644"
            entries.append(f"{mode} {sha}\t{rel}")
        if entries:
            self._git("update-index", "-z", "--index-info", stdin=_nul_list(entries), deadline=deadline)

    def _ls_files_args(self) -> list[str]:
        args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
        for extra in (self.workspace / ".git" / "info" / "exclude", self.workspace / ".flambeauignore"):
            if extra.is_file():
                args.append(f"--exclude-from={extra}")
        return args

    def _over_budget(self) -> str:
        return (
            f"the checkpoint took longer than its time budget of {self.time_budget_s:g}s and was skipped; "
            "add large folders to .gitignore or .flambeauignore"
        )

    # -- restoring ----------------------------------------------------------------------------------
    def _find(self, checkpoint_id: str) -> Checkpoint:
        for checkpoint in self._history():
            if checkpoint.id.startswith(checkpoint_id):
                return checkpoint
        raise CheckpointError(f"no checkpoint {checkpoint_id} for {self.workspace}; list them to see the ids")

    def _history(self) -> list[Checkpoint]:
        if not (self.git_dir / "HEAD").exists():
            return []
        if not self._git("rev-parse", "-q", "--verify", BRANCH, check=False).strip():
            return []
        out = self._git("log", "-z", "--format=%H%x1f%ct%x1f%B", BRANCH).decode("utf-8", "replace")
        return [self._parse_log_entry(entry) for entry in out.split("\0") if entry.strip()]

    def _apply(self, target: Checkpoint, safety: Checkpoint, changes: list[TreeChange]) -> RestoreReport:
        written, deleted, failed = apply_changes(self.workspace, changes, set(target.skipped), self._read_blobs)
        return RestoreReport(target, safety, written, deleted, failed)

    def _read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        if not shas:
            return {}
        unique = list(dict.fromkeys(shas))
        out = self._git("cat-file", "--batch", stdin="".join(f"{s}\n" for s in unique).encode())
        blobs: dict[str, bytes] = {}
        position = 0
        for sha in unique:
            header_end = out.index(b"\n", position)
            name, kind, size = out[position:header_end].decode().split(" ")
            if kind != "blob" or name != sha:
                raise CheckpointError(f"the shadow repository is damaged: {sha} is not a stored file")
            start = header_end + 1
            blobs[sha] = out[start : start + int(size)]
            position = start + int(size) + 1
        return blobs

    # -- plumbing -----------------------------------------------------------------------------------
    def _ensure_repository(self) -> None:
        if self.workspace == self.git_dir or self.workspace in self.git_dir.parents:
            raise CheckpointError(
                f"the checkpoint folder {self.git_dir} is inside the workspace; set XDG_DATA_HOME to a folder "
                "outside it"
            )
        if (self.git_dir / "HEAD").exists():
            return
        self.git_dir.mkdir(parents=True, exist_ok=True)
        _run(["git", "init", "-q", "--bare", "--template=", str(self.git_dir)], "init", cwd=self.git_dir, timeout=30)
        (self.git_dir / "info").mkdir(exist_ok=True)
        (self.git_dir / "info" / "attributes").write_text(NO_CONVERSION)
        (self.git_dir / "info" / "exclude").write_text(SHADOW_EXCLUDES)
        (self.git_dir / "workspace").write_text(f"{self.workspace}\n")
        self._git("symbolic-ref", "HEAD", BRANCH)

    def _git(
        self,
        *args: str,
        stdin: bytes | None = None,
        deadline: float | None = None,
        check: bool = True,
    ) -> bytes:
        command = [
            "git",
            f"--git-dir={self.git_dir}",
            f"--work-tree={self.workspace}",
            "-c", "core.autocrlf=false",
            "-c", "core.safecrlf=false",
            "-c", "core.fsmonitor=false",
            "-c", "core.untrackedCache=false",
            "-c", "core.quotePath=false",
            "-c", "gc.auto=0",
            *args,
        ]  # fmt: skip
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.01)
        try:
            return _run(command, args[0], cwd=self.workspace, stdin=stdin, timeout=timeout, check=check)
        except subprocess.TimeoutExpired as error:
            with contextlib.suppress(FileNotFoundError):
                (self.git_dir / "index.lock").unlink()
            raise CheckpointError(self._over_budget()) from error

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One checkpoint operation per workspace at a time, across processes."""
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.git_dir.parent / f"{self.git_dir.name}.lock"
        with open(lock_path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _parse_log_entry(entry: str) -> Checkpoint:
        sha, created, body = entry.lstrip("\n").split("\x1f", 2)
        label, _, rest = body.partition("\n")
        try:
            meta = json.loads(rest.strip() or "{}")
        except json.JSONDecodeError:
            meta = {}
        return Checkpoint(
            id=sha,
            label=label,
            created=float(created),
            task_id=str(meta.get("task_id", "")),
            files=int(meta.get("files", 0)),
            skipped=[str(s) for s in meta.get("skipped", [])],
            duration_s=float(meta.get("duration_s", 0.0)),
        )


def _run(
    command: list[str],
    name: str,
    *,
    cwd: Path,
    stdin: bytes | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(IDENTITY, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    if shutil.which("git") is None:
        raise CheckpointError("git is not installed; checkpoints need it (Debian/Ubuntu: apt-get install git)")
    proc = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, env=env, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise CheckpointError(f"git {name} failed in the checkpoint repository: {detail}")
    return proc.stdout


def _nul_list(paths: list[str]) -> bytes:
    return b"".join(os.fsencode(p) + b"\0" for p in paths)


__all__ = [
    "Checkpoint",
    "CheckpointError",
    "FileDelta",
    "RestoreReport",
    "ShadowCheckpoints",
    "default_data_dir",
    "workspace_key",
]
