"""The words for a dead embedded model server: how it ended (signal or exit code), the last lines of its
log, and what to do. `flambeau run`, `make demo`, `flambeau models test local` and the editor all show
these same words, at start and mid-task."""

from __future__ import annotations

import signal

from agent.errors import ConfigError, ModelError

REBUILD = (
    "reinstall llama-cpp-python built for any x86-64 CPU: `make install` in a Flambeau checkout, or "
    "CMAKE_ARGS=\"-DGGML_NATIVE=OFF\" pip install --force-reinstall --no-cache-dir 'llama-cpp-python[server]'"
)
MEANING = {
    signal.SIGSEGV: "a crash inside llama.cpp",
    signal.SIGILL: "an instruction this CPU does not have: llama.cpp was built for another CPU",
    signal.SIGBUS: "a crash inside llama.cpp",
    signal.SIGABRT: "llama.cpp aborted",
    signal.SIGKILL: "killed from outside, for example by the out-of-memory killer",
    signal.SIGTERM: "stopped from outside",
}
ADVICE = {
    signal.SIGSEGV: REBUILD,
    signal.SIGILL: REBUILD,
    signal.SIGBUS: REBUILD,
    signal.SIGABRT: REBUILD,
    signal.SIGKILL: "check free memory (`dmesg` names the out-of-memory killer), then start the task again",
}
DEFAULT_ADVICE = "start the task again; if it happens again, run `flambeau models test local`"
LOG_LINES = 12


def how_it_ended(returncode: int) -> str:
    """`killed by signal SIGSEGV (a crash inside llama.cpp)` or `exited with code 1`."""
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        number = signal.Signals(-returncode)
    except ValueError:
        return f"was killed by signal {-returncode}"
    meaning = MEANING.get(number)
    return f"was killed by signal {number.name}" + (f" ({meaning})" if meaning else "")


def advice_for(returncode: int) -> str:
    if returncode >= 0:
        return DEFAULT_ADVICE
    try:
        return ADVICE.get(signal.Signals(-returncode), DEFAULT_ADVICE)
    except ValueError:
        return DEFAULT_ADVICE


def crash_message(returncode: int, log: str, when: str) -> str:
    """The full report: what happened and when, the log's last lines, what to do."""
    lines = [line for line in log.splitlines() if line.strip()][-LOG_LINES:]
    shown = "\n".join(f"    {line}" for line in lines) or "    (the log is empty)"
    return (
        f"the embedded model server (llama.cpp) {how_it_ended(returncode)} {when}.\n"
        f"Last lines of its log:\n{shown}\n"
        f"What to do: {advice_for(returncode)}. More in docs/embedded-model.md."
    )


class ServerCrashed(ConfigError):
    """The embedded server died before it answered its first token."""

    def __init__(self, returncode: int, log: str, when: str = "while starting") -> None:
        super().__init__(crash_message(returncode, log, when))
        self.returncode = returncode
        self.log = log

    @property
    def by_signal(self) -> bool:
        return self.returncode < 0


class ServerDiedMidTask(ModelError):
    """The embedded server died while a task was using it."""

    def __init__(self, returncode: int, log: str) -> None:
        super().__init__(crash_message(returncode, log, "during the task"))
        self.returncode = returncode
