"""From session events to trace records: specific records for the known events, a generic one otherwise.

A record here is the payload only (`kind` plus fields); the writer adds `seq`, `time` and `prev`.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from agent import events as ev
from agent.trace.canonical import canonical_bytes, jsonable
from agent.trace.redaction import Redactor
from agent.trace.requests import RequestStore
from tools.base import FileChange, sha256_bytes

Record = dict[str, Any]


class BlobWriter(Protocol):
    def put(self, data: bytes) -> str: ...


INLINE_DIFF_CHARS = 16_000
OUTPUT_PREVIEW_CHARS = 400


class RecordBuilder:
    def __init__(self, blobs: BlobWriter, redactor: Redactor) -> None:
        self.blobs = blobs
        self.requests = RequestStore(blobs.put)
        self.redact = redactor
        self._specific: dict[type[ev.Event], Callable[[Any], list[Record]]] = {
            ev.TaskStarted: self._task_started,
            ev.UserMessage: lambda e: [{"kind": "user_message", "text": e.text}],
            ev.ModelRequest: self._model_request,
            ev.Usage: self._usage,
            ev.ToolCallProposed: self._tool_call,
            ev.ApprovalRequested: self._approval_request,
            ev.ApprovalDecided: self._approval,
            ev.ContextAttached: self._context_attached,
            ev.QuestionAsked: lambda e: [
                {"kind": "question", "call_id": e.call_id, "question": e.question, "suggestions": e.suggestions}
            ],
            ev.QuestionAnswered: lambda e: [{"kind": "answer", "call_id": e.call_id, "answer": e.answer, "by": e.by}],
            ev.ToolResultEvent: self._tool_result,
            ev.CheckpointCreated: self._workspace_checkpoint,
            ev.CheckpointFailed: lambda e: [{"kind": "workspace_checkpoint_failed", "step": e.step, "error": e.error}],
            ev.TaskFinished: self._task_finished,
            ev.TaskFailed: self._task_failed,
            ev.ContextCondensed: self._condensation,
            ev.ContextTrimmed: self._trim,
            ev.CondenseFailed: lambda e: [
                {
                    "kind": "condense_failure",
                    "step": e.step,
                    "trigger": e.trigger,
                    "error": e.error,
                    "profile": e.profile,
                }
            ],
        }

    def records(self, event: ev.Event) -> list[Record]:
        build = self._specific.get(type(event), self._generic)
        return [self.redact.value(jsonable(r)) for r in build(event)]

    def blob(self, data: bytes) -> tuple[str, bool]:
        """Store redacted `data`; (digest, whether redaction changed it)."""
        cleaned, changed = self.redact.data(data)
        return self.blobs.put(cleaned), changed

    # -- specific records -------------------------------------------------------------------------
    def _generic(self, event: ev.Event) -> list[Record]:
        data = event.to_dict()
        data.pop("task_id", None)
        data.pop("type", None)
        return [{"kind": "event", "event_type": event.type, "data": data}]

    def _task_started(self, e: ev.TaskStarted) -> list[Record]:
        config = {
            "model": e.model,
            "profile": e.profile,
            "locality": e.locality,
            "tools": e.tools,
            "prompt": e.prompt,
            "extra": e.extra,
        }
        head, dirty = git_state(Path(e.workspace))
        return [
            {
                "kind": "task_start",
                "task": e.task,
                "workspace": e.workspace,
                "git_head": head,
                "git_dirty": dirty,
                "config_digest": sha256_bytes(canonical_bytes(config)),
                "config": config,
                "rules": e.rules,
                "model": e.model,
                "profile": e.profile,
                "locality": e.locality,
            }
        ]

    def _model_request(self, e: ev.ModelRequest) -> list[Record]:
        plain = jsonable(self.redact.value(jsonable(e.body)))
        sent = {key: plain.get(key) for key in ("model", "stream", "max_tokens")} if isinstance(plain, dict) else {}
        return [
            {
                "kind": "model_request",
                "step": e.step,
                "model": e.model,
                "locality": e.locality,
                "request_model": sent.get("model"),
                "stream": bool(sent.get("stream")),
                "max_tokens": sent.get("max_tokens"),
                **self.requests.store(plain),
                **({"role": e.role} if e.role != "main" else {}),
            }
        ]

    def _usage(self, e: ev.Usage) -> list[Record]:
        return [
            {
                "kind": "model_response",
                "step": e.step,
                "model": e.model,
                "response_model": e.response_model,
                "locality": e.locality,
                "prompt_tokens": e.prompt_tokens,
                "completion_tokens": e.completion_tokens,
                "cost_usd": e.cost_usd,
                "latency_s": e.latency_s,
                "system_fingerprint": e.system_fingerprint,
                "provenance": e.provenance,
                "total_prompt_tokens": e.total_prompt_tokens,
                "total_completion_tokens": e.total_completion_tokens,
                "total_cost_usd": e.total_cost_usd,
                **({"role": e.role} if e.role != "main" else {}),
            }
        ]

    def _condensation(self, e: ev.ContextCondensed) -> list[Record]:
        """The summary, and which turns it replaced: what a resumed task sends instead of them."""
        return [
            {
                "kind": "condensation",
                "step": e.step,
                "trigger": e.trigger,
                "first_turn": e.first_turn,
                "last_turn": e.last_turn,
                "turns_replaced": e.turns_replaced,
                "tokens_before": e.tokens_before,
                "tokens_after": e.tokens_after,
                "summary": e.summary,
                "profile": e.profile,
                "model": e.model,
                "locality": e.locality,
            }
        ]

    def _trim(self, e: ev.ContextTrimmed) -> list[Record]:
        return [
            {
                "kind": "context_trim",
                "step": e.step,
                "first_turn": e.first_turn,
                "last_turn": e.last_turn,
                "turns_dropped": e.turns_dropped,
                "tokens_before": e.tokens_before,
                "tokens_after": e.tokens_after,
                "reason": e.reason,
            }
        ]

    def _tool_call(self, e: ev.ToolCallProposed) -> list[Record]:
        return [
            {
                "kind": "tool_call",
                "call_id": e.call_id,
                "tool": e.tool,
                "category": e.category,
                "arguments": e.arguments,
            }
        ]

    def _approval_request(self, e: ev.ApprovalRequested) -> list[Record]:
        return [
            {
                "kind": "approval_request",
                "call_id": e.call_id,
                "tool": e.tool,
                "summary": e.summary,
                "reason": e.reason,
                "preview": e.preview,
                "firm": e.firm,
            }
        ]

    def _approval(self, e: ev.ApprovalDecided) -> list[Record]:
        record: Record = {
            "kind": "approval",
            "call_id": e.call_id,
            "tool": e.tool,
            "approved": e.approved,
            "by": e.by,
            "reason": e.reason,
        }
        if e.final_content is not None:  # the user's version; the model's proposal is in the tool_call record
            record["edited"] = True
            record["final_blob"], _ = self.blob(e.final_content.encode("utf-8"))
        return [record]

    def _context_attached(self, e: ev.ContextAttached) -> list[Record]:
        """Each attachment's summary, with what it brought as a (redacted) blob: an image's bytes, a file's text."""
        items = []
        for index, item in enumerate(e.items):
            entry: Record = dataclasses.asdict(item)
            if index < len(e.contents):
                entry["content_blob"], _ = self.blob(e.contents[index])
            items.append(entry)
        return [{"kind": "context_attached", "items": items}]

    def _tool_result(self, e: ev.ToolResultEvent) -> list[Record]:
        output = e.output.encode("utf-8")
        digest, _ = self.blob(output)
        result: Record = {
            "kind": "tool_result",
            "call_id": e.call_id,
            "tool": e.tool,
            "ok": e.ok,
            "duration_s": e.duration_s,
            "output_blob": digest,
            "output_bytes": len(output),
            "output_preview": e.output[:OUTPUT_PREVIEW_CHARS],
            "data": e.data,
        }
        return [result, *(self._file_change(e.call_id, change) for change in e.file_changes)]

    def _file_change(self, call_id: str, change: FileChange) -> Record:
        record: Record = {
            "kind": "file_change",
            "call_id": call_id,
            "path": change.path,
            "sha256_before": change.sha256_before,
            "sha256_after": change.sha256_after,
        }
        if len(change.diff) <= INLINE_DIFF_CHARS:
            record["diff"] = change.diff
        else:
            record["diff_blob"], _ = self.blob(change.diff.encode("utf-8"))
        content = getattr(change, "after_content", None)
        if content is not None:
            digest, redacted = self.blob(content)
            record["after_blob"] = digest
            if redacted:
                record["after_redacted"] = True
        return record

    def _workspace_checkpoint(self, e: ev.CheckpointCreated) -> list[Record]:
        """A snapshot in the shadow repository (not to be confused with the trace's signed checkpoints)."""
        return [
            {
                "kind": "workspace_checkpoint",
                "checkpoint_id": e.checkpoint_id,
                "step": e.step,
                "files": e.files,
                "skipped": e.skipped,
                "duration_s": e.duration_s,
            }
        ]

    def _task_finished(self, e: ev.TaskFinished) -> list[Record]:
        end = {"kind": "task_end", "outcome": e.outcome, "result": e.result, "steps": e.steps}
        if e.outcome == "cancelled":
            return [{"kind": "cancellation", "reason": e.result, "steps": e.steps}, end]
        return [end]

    def _task_failed(self, e: ev.TaskFailed) -> list[Record]:
        return [
            {"kind": "error", "error": e.error, "steps": e.steps},
            {"kind": "task_end", "outcome": e.outcome, "result": e.error, "steps": e.steps},
        ]


def git_state(workspace: Path) -> tuple[str | None, bool | None]:
    """(HEAD commit, whether tracked files differ from it), or (None, None) outside a git repository."""
    try:
        head = subprocess.run(
            ["git", "-C", str(workspace), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0 or not head.stdout.strip():
            return None, None
        status = subprocess.run(
            ["git", "-C", str(workspace), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    return head.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else None
