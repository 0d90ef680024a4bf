"""The world a hostile case runs in: a git workspace with uncommitted work, a throwaway HOME full of
credentials, a secret in the parent's environment, listeners on 127.0.0.1 and on host AF_UNIX sockets;
and the promises every case must leave standing (`World.broken`)."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import host_pids_running

APP_WORK = "print('uncommitted work')\n"


def _git(workspace: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, text=True).stdout


class Listener:
    """A host listener that records every byte anyone sends it (TCP on 127.0.0.1, or an AF_UNIX address)."""

    def __init__(self, family: int, address: str | tuple[str, int]) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(address)
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.received = bytearray()
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.settimeout(1)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@dataclass
class World:
    workspace: Path
    home: Path
    canaries: dict[str, str]
    tcp: Listener
    unix: Listener
    abstract: Listener
    unix_path: str
    abstract_name: str
    marker: str
    """A number no other process has in its command line: `sleep <marker>` must not outlive a command."""
    head: str = ""
    git_config: bytes = b""
    home_files: dict[str, bytes] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.tcp.sock.getsockname()[1])

    def fill(self, command: str) -> str:
        """`command` with `{port}`, `{py}`, `{unix}`, `{abstract}` and `{marker}` put in (other braces kept)."""
        values = {
            "port": str(self.port),
            "py": os.path.realpath(sys.executable),
            "unix": self.unix_path,
            "abstract": self.abstract_name,
            "marker": self.marker,
        }
        for name, value in values.items():
            command = command.replace("{" + name + "}", value)
        return command

    def close(self) -> None:
        for listener in (self.tcp, self.unix, self.abstract):
            listener.close()

    def _marker_alive(self) -> bool:
        return bool(host_pids_running(self.marker))

    def broken(self) -> list[str]:
        """Every promise the case broke (empty: it held)."""
        problems: list[str] = []
        for rel, data in self.home_files.items():
            path = self.home / rel
            if not path.is_file() or path.read_bytes() != data:
                problems.append(f"~/{rel} changed or is gone")
        if (self.home / "keep.txt").stat().st_mode & 0o777 != 0o644:
            problems.append("~/keep.txt changed mode")
        if (self.workspace / "app.py").read_text() != APP_WORK:
            problems.append("uncommitted work in app.py lost")
        if not (self.workspace / "untracked.txt").is_file():
            problems.append("untracked.txt deleted")
        if not (self.workspace / ".flambeau" / "keep").is_file():
            problems.append(".flambeau/ changed")
        if _git(self.workspace, "rev-parse", "HEAD").strip() != self.head:
            problems.append("HEAD moved")
        if (self.workspace / ".git" / "config").read_bytes() != self.git_config:
            problems.append(".git/config changed")
        hooks = [p.name for p in (self.workspace / ".git" / "hooks").iterdir() if not p.name.endswith(".sample")]
        if hooks:
            problems.append(f"hooks planted: {hooks}")
        for root in (self.workspace, self.home):
            if list(root.rglob("planted")):
                problems.append(f"a file was planted in {root}")
        problems += self._leaks()
        deadline = time.monotonic() + 5
        while self._marker_alive():
            if time.monotonic() > deadline:
                problems.append("a process outlived its command")
                break
            time.sleep(0.02)
        return problems

    def _leaks(self) -> list[str]:
        problems: list[str] = []
        if self.tcp.connections or self.tcp.received:
            problems.append(f"the 127.0.0.1 listener was reached ({bytes(self.tcp.received[:60])!r})")
        if self.unix.connections or self.unix.received:
            problems.append("the host AF_UNIX socket was reached")
        if self.abstract.connections or self.abstract.received:
            problems.append("the host abstract socket was reached")
        files = [p for p in self.workspace.rglob("*") if p.is_file() and ".git" not in p.parts]
        for path in files:
            data = path.read_bytes()
            for name, value in self.canaries.items():
                if value.encode() in data or base64.b64encode(value.encode()) in data:
                    problems.append(f"the {name} secret reached {path.name}")
        listing = self.workspace / "proc.txt"
        if listing.is_file() and str(os.getpid()) in listing.read_text().split():
            problems.append("the command saw the host's processes")
        return problems


def make_world(tmp_path: Path, workspace: Path) -> World:
    home = Path(os.environ["HOME"])
    tag = uuid.uuid4().hex[:10]
    canaries = {
        "ssh key": f"CANARY-SSH-{tag}",
        "aws credentials": f"CANARY-AWS-{tag}",
        "keyring": f"CANARY-KEYRING-{tag}",
        "parent environment": f"sk-CANARY-ENV-{tag}",
        "netrc": f"CANARY-NETRC-{tag}",
    }
    home_files = {
        "keep.txt": b"the user's file\n",
        ".ssh/id_ed25519": canaries["ssh key"].encode(),
        ".aws/credentials": f"[default]\naws_secret_access_key = {canaries['aws credentials']}\n".encode(),
        ".netrc": f"machine example.invalid password {canaries['netrc']}\n".encode(),
        ".bashrc": b"# the user's shell\n",
    }
    for rel, data in home_files.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_bytes(data)
    import keyring

    keyring.set_password("flambeau-hostile", "canary", canaries["keyring"])
    store = Path(keyring.get_keyring().file_path)  # type: ignore[attr-defined]
    home_files[str(store.relative_to(home))] = store.read_bytes()
    (home / "keep.txt").chmod(0o644)
    _git(workspace, "init", "-q", "-b", "main")
    _git(workspace, "config", "user.email", "t@example.invalid")
    _git(workspace, "config", "user.name", "T")
    (workspace / "app.py").write_text("print('committed')\n")
    (workspace / "payload.sh").write_text("#!/bin/sh\ntouch planted\n")
    (workspace / "sweep.sh").write_text("#!/bin/sh\nrm -rf ~\n")
    (workspace / "net.py").write_text(
        "import socket, sys\ns = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=3)\n"
        "s.sendall(open(sys.argv[2], 'rb').read() if len(sys.argv) > 2 else b'hello')\n"
    )
    (workspace / "unix.py").write_text(
        "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.settimeout(3)\n"
        "s.connect(sys.argv[1].replace('@', '\\0', 1))\ns.sendall(b'out')\n"
    )
    (workspace / "hook.py").write_text("open('.git/hooks/pre-commit', 'w').write('#!/bin/sh\\ntouch planted\\n')\n")
    (workspace / "environ.py").write_text(
        "import os\nopen('leak.txt', 'wb').write(open(f'/proc/{os.getppid()}/environ', 'rb').read())\n"
    )
    _git(workspace, "add", ".")
    _git(workspace, "commit", "-q", "-m", "start")
    (workspace / "app.py").write_text(APP_WORK)
    (workspace / "untracked.txt").write_text("not in any commit\n")
    (workspace / ".flambeau").mkdir(exist_ok=True)
    (workspace / ".flambeau" / "keep").write_text("state\n")
    os.mkfifo(workspace / "pipe.fifo")
    unix_path = str(workspace / "host.sock")
    abstract = f"@flambeau-hostile-{tag}"
    world = World(
        workspace=workspace,
        home=home,
        canaries=canaries,
        tcp=Listener(socket.AF_INET, ("127.0.0.1", 0)),
        unix=Listener(socket.AF_UNIX, unix_path),
        abstract=Listener(socket.AF_UNIX, "\0" + abstract[1:]),
        unix_path=unix_path,
        abstract_name=abstract,
        marker=f"{4000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}",
        home_files=home_files,
    )
    world.head = _git(workspace, "rev-parse", "HEAD").strip()
    world.git_config = (workspace / ".git" / "config").read_bytes()
    return world
