"""What a command sees in the bubblewrap sandbox, as bubblewrap arguments.

- The file system is read-only, except the workspace (writable) and a private, empty `/tmp`, `/var/tmp`
  and `/dev/shm`; the workspace's `.git/` and `.flambeau/` are read-only inside it.
- The home folder is an empty tmpfs; only what toolchains need comes back, read-only (`TOOLCHAIN_PATHS`,
  where they exist), with their credential files still hidden.
- Secrets are absent: the key store, `~/.ssh`, `~/.gnupg`, cloud-credential folders, `~/.netrc`, registry
  tokens, Flambeau's own state, and the workspace's never_to_cloud matches (`SECRET_PATHS`, masked even
  where the workspace or a toolchain folder would show them).
- `/run` (and a real `/var/run`) are empty: no host daemon's socket is there; AF_UNIX sockets cannot be
  created at all (tools/policy/seccomp.py), and abstract ones live in the network namespace.
- Its own PID namespace and `/proc`, IPC, UTS, cgroup and user namespaces, no network (unless that one
  command was approved for it), no capabilities, and it dies with Flambeau.
"""

from __future__ import annotations

import contextlib
import glob
import os
import posixpath
import pwd
from dataclasses import dataclass, field
from pathlib import Path

from tools.policy.places import key_store_dirs, user_config_dir, user_state_dir
from tools.policy.seccomp import filter_program

TOOLCHAIN_PATHS = (
    ".gitconfig", ".config/git", ".pyenv", ".rustup", ".cargo", ".nvm", ".volta", ".deno", ".bun", "go",
    ".local/bin", ".local/lib", ".sdkman", ".gradle/wrapper", ".m2/repository", ".elan", ".ghcup",
)  # fmt: skip
"""Home paths shown read-only (where they exist): git's settings, version managers, user-installed tools."""
SECRET_PATHS = (
    ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".docker", ".kube", ".netrc", ".npmrc", ".pypirc",
    ".git-credentials", ".config/gh", ".config/hub", ".cargo/credentials", ".cargo/credentials.toml",
    ".gradle/gradle.properties", ".m2/settings.xml", ".local/share/python_keyring", ".local/share/keyrings",
    ".password-store", ".vault-token", ".terraform.d/credentials.tfrc.json",
)  # fmt: skip
"""Home paths that hold credentials: absent in the sandbox even where a bound folder would show them."""
PRIVATE_TMP = ("/tmp", "/var/tmp")
EMPTIED = ("/run", "/var/run")


def _real(path: str | Path) -> str:
    return posixpath.normpath(os.path.realpath(path))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@dataclass
class SandboxPlan:
    bwrap: str
    workspace: str
    homes: list[str]
    """$HOME and the account's home folder from the password database, when they differ."""
    toolchains: list[str] = field(default_factory=list)
    """Existing home paths bound read-only."""
    protected: list[str] = field(default_factory=list)
    """Workspace folders bound read-only over the writable workspace."""
    masked: list[str] = field(default_factory=list)
    """Existing paths replaced by an empty folder or /dev/null (secrets visible otherwise)."""
    emptied: list[str] = field(default_factory=list)
    seccomp: bytes | None = None

    @classmethod
    def for_workspace(cls, workspace: Path, bwrap: str, hidden_globs: list[str]) -> SandboxPlan:
        root = _real(workspace)
        homes = [_real(os.path.expanduser("~"))]
        with contextlib.suppress(KeyError, OSError):
            account = _real(pwd.getpwuid(os.getuid()).pw_dir)
            if account not in homes and account != "/":
                homes.append(account)
        state = Path(root) / ".flambeau"
        with contextlib.suppress(OSError):  # present from the start, so a command cannot create it writable
            state.mkdir(exist_ok=True)
        protected = [p for p in (f"{root}/.git", str(state)) if os.path.isdir(p)]
        toolchains: list[str] = []
        for home in homes:
            found = [_real(posixpath.join(home, name)) for name in TOOLCHAIN_PATHS]
            toolchains += [p for p in found if os.path.exists(p) and _inside(p, home) and not _inside(root, p)]
        plan = cls(bwrap, root, homes, toolchains, protected, seccomp=filter_program())
        plan.emptied = [p for p in EMPTIED if os.path.isdir(p) and not os.path.islink(p)]
        plan.masked = plan._secrets(hidden_globs)
        return plan

    def _visible(self, path: str) -> bool:
        """Would `path` be seen in the sandbox without a mask (so a mask is needed)?"""
        if _inside(path, self.workspace) or any(_inside(path, t) for t in self.toolchains):
            return True
        return not any(_inside(path, hidden) for hidden in (*PRIVATE_TMP, *self.emptied, *self.homes))

    def _secrets(self, hidden_globs: list[str]) -> list[str]:
        candidates = [posixpath.join(home, name) for home in self.homes for name in SECRET_PATHS]
        candidates += [str(p) for p in (*key_store_dirs(), user_config_dir(), user_state_dir())]
        for pattern in hidden_globs:
            candidates += glob.glob(posixpath.join(self.workspace, pattern), recursive=True, include_hidden=True)
        found: list[str] = []
        for candidate in candidates:
            if not os.path.lexists(candidate):
                continue
            real = _real(candidate)
            if os.path.exists(real) and self._visible(real) and real != self.workspace and real not in found:
                found.append(real)
        # A path inside a masked folder is hidden with it.
        return sorted(p for p in found if not any(p != q and _inside(p, q) for q in found))

    # -- what it shows ----------------------------------------------------------------------------
    def writable(self) -> list[str]:
        return [self.workspace, "a private /tmp, /var/tmp and /dev/shm"]

    def read_only(self) -> list[str]:
        return [*self.protected, *self.toolchains, "the rest of the file system"]

    def hidden(self) -> list[str]:
        homes = [f"{home} (except the read-only toolchain paths)" for home in self.homes]
        return [*homes, *self.emptied, *self.masked]

    # -- as arguments ----------------------------------------------------------------------------
    def argv(self, network: bool = False, seccomp_fd: int | None = None) -> list[str]:
        """The argv prefix that runs a command in the sandbox; `network` shares the host's network.

        No `--new-session`: the sandboxed shell stays in the process group the caller kills on timeout.
        """
        args = [self.bwrap, "--unshare-all", *(["--share-net"] if network else []), "--die-with-parent"]
        args += ["--cap-drop", "ALL", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for folder in (*PRIVATE_TMP, *self.emptied):
            args += ["--tmpfs", folder]
        for home in self.homes:
            args += ["--tmpfs", home]
        for path in self.toolchains:
            args += ["--ro-bind", path, path]
        args += ["--bind", self.workspace, self.workspace]
        for path in self.protected:
            args += ["--ro-bind", path, path]
        for path in self.masked:
            args += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        return [*args, "--chdir", self.workspace, "--"]
