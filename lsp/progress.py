"""Standard work-done progress for a task: created by the server, cancellable from the editor."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.client_requests import ClientGone, ClientRequestTimeout, request_client

if TYPE_CHECKING:
    from lsp.server import FlambeauServer

CREATE_TIMEOUT_S = 10.0


class TaskProgress:
    def __init__(self, server: FlambeauServer, task_id: str, on_cancel: Callable[[], None]) -> None:
        self.server = server
        self.token = f"flambeau-progress-{task_id}"
        self.on_cancel = on_cancel
        self.active = False

    def _supported(self) -> bool:
        window = self.server.client_capabilities.window
        return bool(window is not None and window.work_done_progress)

    async def begin(self, title: str) -> None:
        if not self._supported():
            return
        try:
            await request_client(
                self.server.protocol,
                types.WINDOW_WORK_DONE_PROGRESS_CREATE,
                types.WorkDoneProgressCreateParams(token=self.token),
                timeout_s=CREATE_TIMEOUT_S,
            )
        except (JsonRpcException, ClientRequestTimeout, ClientGone):
            return  # the client declined; the task runs without a progress bar
        progress = self.server.work_done_progress
        self.active = True
        self._send(
            lambda: progress.begin(
                self.token, types.WorkDoneProgressBegin(title="Flambeau", message=title[:120], cancellable=True)
            )
        )
        cancelled = progress.tokens.get(self.token)
        if cancelled is not None:
            cancelled.add_done_callback(self._cancelled)

    def _cancelled(self, future: Future[Any]) -> None:
        if future.cancelled() and self.active:
            self.on_cancel()

    def report(self, message: str) -> None:
        if self.active:
            report = types.WorkDoneProgressReport(message=message[:120])
            self._send(lambda: self.server.work_done_progress.report(self.token, report))

    def end(self, message: str) -> None:
        if not self.active:
            return
        end = types.WorkDoneProgressEnd(message=message[:120])
        self._send(lambda: self.server.work_done_progress.end(self.token, end))
        self.active = False
        self.server.work_done_progress.tokens.pop(self.token, None)

    def _send(self, notify: Callable[[], None]) -> None:
        """Progress is best effort: when the client has gone, the task goes on without it."""
        try:
            notify()
        except ConnectionError:
            self.active = False

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "tool_call_proposed":
            self.report(f"{event.get('tool')}")
        elif kind == "approval_requested":
            self.report(f"waiting for approval: {event.get('summary')}")
        elif kind == "usage":
            self.report(f"step {event.get('step')}: model answered")
