"""One local model server process: started with its output in a log, counted as ready only once it has
answered a one-token completion, watched for death, and stopped.

Live servers are listed by their API base, so that a model call that cannot reach one can ask whether
the process behind it died (and report how) instead of retrying a dead endpoint.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from typing import IO

from agent.errors import ConfigError
from agent.models.crash_report import ServerCrashed

READY_PROMPT = [{"role": "user", "content": "Hi"}]
EXIT_GRACE_S = 5.0
"""After a refused or dropped connection, how long a dying process gets to show its exit status."""

_live: dict[str, ServerProcess] = {}
_live_lock = threading.Lock()


class ServerProcess:
    def __init__(self, command: list[str], api_base: str, env: dict[str, str] | None = None) -> None:
        self.command = command
        self.api_base = api_base
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, timeout_s: float) -> None:
        """Start the process and wait until it answers one token; ServerCrashed if it dies first."""
        self._log = tempfile.TemporaryFile(prefix="flambeau-llama-")  # noqa: SIM115 (lives as long as the server)
        self._process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=self.env,
        )
        try:
            self._wait_until_ready(time.monotonic() + timeout_s, timeout_s)
        except BaseException:
            self.stop()
            raise
        with _live_lock:
            _live[self.api_base] = self

    def _wait_until_ready(self, deadline: float, timeout_s: float) -> None:
        import httpx

        listening = False
        while time.monotonic() < deadline:
            self._raise_if_dead()
            try:
                if not listening:
                    listening = httpx.get(f"{self.api_base}/models", timeout=1.0).status_code == 200
                if listening and self._one_token(httpx, max(1.0, deadline - time.monotonic())):
                    return
            except httpx.HTTPError:
                self._raise_if_dead(wait_s=EXIT_GRACE_S if listening else 0.0)
            time.sleep(0.1)
        raise ConfigError(
            f"the embedded model server did not answer a first token within {timeout_s:.0f} s "
            "(the machine may be busy); try again, or see docs/embedded-model.md"
        )

    def _one_token(self, httpx: object, timeout_s: float) -> bool:
        response = httpx.post(  # type: ignore[attr-defined]
            f"{self.api_base}/chat/completions",
            json={"messages": READY_PROMPT, "max_tokens": 1, "temperature": 0.0},
            timeout=timeout_s,
        )
        return bool(response.status_code == 200 and response.json().get("choices"))

    def _raise_if_dead(self, wait_s: float = 0.0) -> None:
        code = self.exit_code(wait_s)
        if code is not None:
            raise ServerCrashed(code, self.log_text())

    def exit_code(self, wait_s: float = 0.0) -> int | None:
        """The exit status if the process has ended (waiting up to `wait_s` for it), else None."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=wait_s) if wait_s else self._process.poll()
        except subprocess.TimeoutExpired:
            return None

    def log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        with _live_lock:
            if _live.get(self.api_base) is self:
                del _live[self.api_base]
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def death_at(api_base: str | None, wait_s: float = EXIT_GRACE_S) -> tuple[int, str] | None:
    """(exit status, log) of the server we started at `api_base` if it has died; None if it lives or is not ours."""
    if not api_base:
        return None
    with _live_lock:
        server = _live.get(api_base.rstrip("/"))
    if server is None:
        return None
    code = server.exit_code(wait_s)
    return None if code is None else (code, server.log_text())
