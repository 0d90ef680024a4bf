"""The places a command's targets are judged against: the workspace, the home folder, and Flambeau's own
state outside every workspace (the user's policy and model config, the witness log, the key store)."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from tools.policy.command_paths import ancestors, inside

APP = "flambeau"


def _xdg(variable: str, fallback: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / fallback)


def user_config_dir() -> Path:
    """`$XDG_CONFIG_HOME/flambeau`: the user's policy.toml and models.toml."""
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def user_state_dir() -> Path:
    """`$XDG_STATE_HOME/flambeau`: the witness log of every task's final signed checkpoint."""
    return _xdg("XDG_STATE_HOME", ".local/state") / APP


def key_store_dirs() -> list[Path]:
    """Where keyring backends keep their files (the keyrings.alt file backend, the Secret Service's)."""
    data = _xdg("XDG_DATA_HOME", ".local/share")
    return [data / "python_keyring", data / "keyrings", Path.home() / ".local/share/keyrings"]


SYSTEM_FOLDERS_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")
SYSTEM_FOLDERS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root",
                  "/run", "/sbin", "/snap", "/srv", "/sys", "/usr", "/var")  # fmt: skip
"""Folders of the system itself: nothing in them is deleted or written by a command."""
HARMLESS_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero", "/dev/full")
PERSISTENCE = (
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile",
    ".zlogin", ".kshrc", ".cshrc", ".tcshrc", ".config/fish", ".inputrc", ".pam_environment", ".xprofile",
    ".xinitrc", ".xsession", ".ssh", ".gnupg", ".gitconfig", ".config/git", ".config/autostart",
    ".config/systemd", ".config/environment.d", ".local/bin", ".bin", "bin", ".pythonrc", ".npmrc", ".pypirc",
    ".netrc", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".vimrc", ".config/nvim", ".emacs",
    ".emacs.d", ".config/Code", ".vscode", ".vscode-server", ".cargo/config.toml", ".config/pip",
)  # fmt: skip
"""Home-folder files a shell, ssh, git, an editor or the desktop runs or trusts; writing one persists."""


@dataclass(frozen=True)
class Places:
    workspace: str
    home: str
    guarded: tuple[str, ...] = ()
    """Flambeau's own state outside the workspace: never written or deleted by a command."""

    @classmethod
    def of(cls, workspace: str, home: str | None = None) -> Places:
        guarded = [user_config_dir(), user_state_dir(), *key_store_dirs()]
        return cls(
            workspace=posixpath.normpath(os.path.realpath(workspace)),
            home=posixpath.normpath(home or os.path.expanduser("~")),
            guarded=tuple(str(p) for p in guarded),
        )

    @property
    def state(self) -> str:
        return posixpath.join(self.workspace, ".flambeau")

    def in_workspace(self, path: str) -> bool:
        return inside(path, self.workspace)

    def temporary(self, path: str) -> bool:
        """In a temporary folder (and not in the home folder, which may itself live in one)."""
        tmp = os.environ.get("TMPDIR")
        roots = (*SYSTEM_FOLDERS_WRITABLE, *([tmp] if tmp else []))
        return any(inside(path, t) for t in roots) and not inside(path, self.home)

    def system(self, path: str) -> bool:
        return any(inside(path, folder) for folder in SYSTEM_FOLDERS) and not self.temporary(path)

    def persistence(self, path: str) -> str | None:
        """The home-folder start-up file or folder `path` is or is in, if any."""
        for name in PERSISTENCE:
            if inside(path, posixpath.join(self.home, name)):
                return name
        return None

    def holds_home_or_workspace(self, path: str) -> str | None:
        if path in (self.home, *ancestors(self.home)):
            return "your home folder" if path == self.home else f"{path}, which holds your home folder"
        if path in ancestors(self.workspace):
            return f"{path}, which holds the workspace"
        return None

    def flambeau_state(self, path: str) -> str | None:
        if inside(path, self.state):
            return "the workspace's .flambeau folder (this task's trace and policy)"
        for folder in self.guarded:
            if inside(path, folder) or inside(folder, path):
                return f"{folder}, Flambeau's own state (policy, witness log or key store)"
        return None


def in_git_dir(path: str) -> bool:
    """A `.git` component, in any letter case."""
    return any(part.lower() == ".git" for part in path.split("/"))
