"""Live export: when a task ends, its trace's spans go to an OpenTelemetry collector.

An EventBus sink subscribed after the trace writer, so the trace is sealed when it runs. The send
happens in a background thread with a short timeout: a collector that is down never fails the task
nor holds it up; the spans wait in the trace and `flambeau trace push` sends them later.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from agent import events as ev
from agent.trace.otlp import PushResult, push

_running: list[threading.Thread] = []
_lock = threading.Lock()
results: list[PushResult] = []
"""What each send of this process did (for the CLI's note and the tests)."""


class LiveExport:
    def __init__(self, trace: Path, endpoint: str) -> None:
        self.trace = trace
        self.endpoint = endpoint

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.TaskFinished | ev.TaskFailed):
            thread = threading.Thread(target=self._send, name=f"otlp-export {self.trace.name}", daemon=True)
            with _lock:
                _running.append(thread)
            thread.start()

    def _send(self) -> None:
        try:
            outcome = push(self.trace, self.endpoint)
        except Exception as error:  # a broken trace or SDK problem must not reach the task either
            outcome = PushResult(self.trace, False, 0, f"{self.endpoint}: {error}")
        with _lock:
            results.append(outcome)


def wait_for_exports(timeout: float) -> None:
    """Give the sends started by this process up to `timeout` seconds in all (a CLI about to exit)."""
    deadline = time.monotonic() + timeout
    with _lock:
        threads = list(_running)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with _lock:
        _running[:] = [t for t in _running if t.is_alive()]
