"""Standard work-done progress for a task: created by the server, cancellable from the editor, worded in
the client's language (`initialize`'s `locale`) with the HTML report's catalogs (docs/l10n.md)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.client_requests import ClientGone, ClientRequestTimeout, request_client

if TYPE_CHECKING:
    from agent.trace.report_l10n import Catalog
    from lsp.server import FlambeauServer

CREATE_TIMEOUT_S = 10.0


class TaskProgress:
    def __init__(self, server: FlambeauServer, task_id: str, on_cancel: Callable[[], None]) -> None:
        self.server = server
        self.token = f"flambeau-progress-{task_id}"
        self.on_cancel = on_cancel
        self.active = False
        self._catalog: Catalog | None = None

    @property
    def c(self) -> Catalog:
        """The words of the client's language (imported on the first task: not before `initialize`)."""
        if self._catalog is None:
            from agent.trace.report_l10n import Catalog

            self._catalog = Catalog(self.server.locale)
        return self._catalog

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

    def end(self, outcome: str | None) -> None:
        """Ends the bar with the task's outcome (`completed`, `failed`, …; None: it never got one)."""
        if not self.active:
            return
        from agent.trace.report_words import outcome_label

        c = self.c
        message = outcome_label(c, outcome) if outcome else c.text("ended")
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
            c = self.c
            self.report(c.text("waiting for approval: {0}", event.get("tool")))
        elif kind == "usage":
            c = self.c
            self.report(c.text("step {0}: model answered", event.get("step")))
