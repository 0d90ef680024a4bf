"""A trace's records as the events the live task sent: what the panel's cards are drawn from.

Each record kind maps back to the event it was written from (agent/trace/records.py in reverse), in the
wire shape of `Event.to_dict()`, so a past task is drawn by the same reducer and cards as a live one.
A tool's output comes from its blob in full; its file changes join its `tool_result` as they did live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.trace.blobs import BlobReader

Record = dict[str, Any]
WireEvent = dict[str, Any]

USAGE_FIELDS = (
    "step",
    "model",
    "response_model",
    "locality",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "latency_s",
    "system_fingerprint",
    "provenance",
    "total_prompt_tokens",
    "total_completion_tokens",
    "total_cost_usd",
)


CONDENSED_FIELDS = {
    "step": 0,
    "trigger": "auto",
    "first_turn": 0,
    "last_turn": 0,
    "turns_replaced": 0,
    "tokens_before": 0,
    "tokens_after": 0,
    "summary": "",
    "profile": "",
    "model": "",
    "locality": "local",
}
TRIMMED_FIELDS = {
    "step": 0,
    "first_turn": 0,
    "last_turn": 0,
    "turns_dropped": 0,
    "tokens_before": 0,
    "tokens_after": 0,
    "reason": "",
}
CONDENSE_FAILED_FIELDS = {"step": 0, "trigger": "auto", "error": "", "profile": ""}


def _fields(record: Record, defaults: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name, default) for name, default in defaults.items()}


def blob_text(blobs: BlobReader, digest: object, fallback: str = "") -> str:
    data = blobs.get(digest) if isinstance(digest, str) else None
    return data.decode("utf-8", errors="replace") if data is not None else fallback


class EventReplay:
    """Turns the records of one trace, in order, into wire events of task `task_id`."""

    def __init__(self, task_id: str, blobs: BlobReader) -> None:
        self.task_id = task_id
        self.blobs = blobs
        self.events: list[WireEvent] = []
        self._failed = False
        self._kinds: dict[str, Callable[[Record], WireEvent | None]] = {
            "task_start": self._task_start,
            "user_message": lambda r: self._event("user_message", text=r.get("text", "")),
            "assistant_text": lambda r: self._event("text_delta", text=r.get("text", "")),
            "model_response": lambda r: self._event(
                "usage", **{k: r.get(k) for k in USAGE_FIELDS}, role=r.get("role") or "main"
            ),
            "condensation": lambda r: self._event("context_condensed", **_fields(r, CONDENSED_FIELDS)),
            "context_trim": lambda r: self._event("context_trimmed", **_fields(r, TRIMMED_FIELDS)),
            "condense_failure": lambda r: self._event("condense_failed", **_fields(r, CONDENSE_FAILED_FIELDS)),
            "tool_call": self._tool_call,
            "approval_request": self._approval_request,
            "approval": self._approval,
            "tool_result": self._tool_result,
            "question": lambda r: self._event(
                "question_asked",
                call_id=r.get("call_id", ""),
                question=r.get("question", ""),
                suggestions=r.get("suggestions") or [],
            ),
            "answer": lambda r: self._event(
                "question_answered", call_id=r.get("call_id", ""), answer=r.get("answer"), by=r.get("by", "user")
            ),
            "context_attached": self._context_attached,
            "workspace_checkpoint": self._workspace_checkpoint,
            "workspace_checkpoint_failed": lambda r: self._event(
                "checkpoint_failed", step=r.get("step", 0), error=r.get("error", "")
            ),
            "error": self._error,
            "task_end": self._task_end,
            "event": self._generic,
        }

    def add(self, record: Record) -> None:
        kind = str(record.get("kind", ""))
        if kind == "file_change":
            self._file_change(record)
            return
        build = self._kinds.get(kind)
        event = build(record) if build is not None else None
        if event is not None:
            self.events.append(event)

    def _event(self, kind: str, **fields: Any) -> WireEvent:
        return {"task_id": self.task_id, "type": kind, **fields}

    def _task_start(self, r: Record) -> WireEvent:
        config: dict[str, Any] = r["config"] if isinstance(r.get("config"), dict) else {}
        return self._event(
            "task_started",
            task=r.get("task", ""),
            workspace=r.get("workspace", ""),
            model=r.get("model", ""),
            profile=r.get("profile", ""),
            locality=r.get("locality", "local"),
            rules=r.get("rules") or [],
            tools=config.get("tools") or [],
            prompt=config.get("prompt") or "full",
            extra=config.get("extra") or {},
        )

    def _tool_call(self, r: Record) -> WireEvent:
        return self._event(
            "tool_call_proposed",
            call_id=r.get("call_id", ""),
            tool=r.get("tool", ""),
            category=r.get("category", ""),
            arguments=r.get("arguments") or {},
        )

    def _approval_request(self, r: Record) -> WireEvent:
        proposed = next(
            (
                e
                for e in reversed(self.events)
                if e["type"] == "tool_call_proposed" and e["call_id"] == r.get("call_id")
            ),
            {},
        )
        return self._event(
            "approval_requested",
            call_id=r.get("call_id", ""),
            tool=r.get("tool", ""),
            category=proposed.get("category", ""),
            arguments=proposed.get("arguments", {}),
            summary=r.get("summary", ""),
            reason=r.get("reason", ""),
            preview=r.get("preview", ""),
            firm=bool(r.get("firm")),
        )

    def _approval(self, r: Record) -> WireEvent:
        return self._event(
            "approval_decided",
            call_id=r.get("call_id", ""),
            tool=r.get("tool", ""),
            approved=bool(r.get("approved")),
            by=r.get("by", "auto"),
            reason=r.get("reason", ""),
            edited=bool(r.get("edited")),
        )

    def _tool_result(self, r: Record) -> WireEvent:
        return self._event(
            "tool_result",
            call_id=r.get("call_id", ""),
            tool=r.get("tool", ""),
            ok=bool(r.get("ok")),
            output=blob_text(self.blobs, r.get("output_blob"), str(r.get("output_preview", ""))),
            duration_s=r.get("duration_s", 0.0),
            file_changes=[],
            data=r.get("data") or {},
        )

    def _file_change(self, r: Record) -> None:
        result = next((e for e in reversed(self.events) if e["type"] == "tool_result"), None)
        if result is None or result["call_id"] != r.get("call_id"):
            return
        diff = r["diff"] if isinstance(r.get("diff"), str) else blob_text(self.blobs, r.get("diff_blob"))
        result["file_changes"].append(
            {
                "path": r.get("path", ""),
                "sha256_before": r.get("sha256_before"),
                "sha256_after": r.get("sha256_after"),
                "diff": diff,
            }
        )

    def _context_attached(self, r: Record) -> WireEvent:
        items = [{k: v for k, v in item.items() if k != "content_blob"} for item in r.get("items") or []]
        return self._event("context_attached", items=items)

    def _workspace_checkpoint(self, r: Record) -> WireEvent:
        return self._event(
            "checkpoint_created",
            checkpoint_id=r.get("checkpoint_id", ""),
            step=r.get("step", 0),
            files=r.get("files", 0),
            skipped=r.get("skipped") or [],
            duration_s=r.get("duration_s", 0.0),
        )

    def _error(self, r: Record) -> WireEvent:
        self._failed = True
        return self._event("task_failed", outcome="failed", error=r.get("error", ""), steps=r.get("steps", 0))

    def _task_end(self, r: Record) -> WireEvent | None:
        if r.get("restated"):  # the end restated after a restore or a mode change (agent/trace/writer.py)
            return None
        if self._failed:  # a failure is one `error` and one `task_end` record, one `task_failed` event
            self._failed = False
            return None
        return self._event(
            "task_finished", outcome=r.get("outcome", "completed"), result=r.get("result", ""), steps=r.get("steps", 0)
        )

    def _generic(self, r: Record) -> WireEvent | None:
        data = r.get("data")
        kind = r.get("event_type")
        if not isinstance(data, dict) or not isinstance(kind, str):
            return None
        return self._event(kind, **{k: v for k, v in data.items() if k not in ("task_id", "type")})


def replay_events(task_id: str, records: list[Record], blobs: BlobReader) -> list[WireEvent]:
    """The wire events of a trace's records (model requests and signed checkpoints have none)."""
    replay = EventReplay(task_id, blobs)
    for record in records:
        replay.add(record)
    return replay.events
