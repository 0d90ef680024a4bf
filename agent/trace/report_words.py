"""The recorded words of a trace (record kinds, outcomes, verdicts, localities, deciders) in the report's
language. A value the catalogs do not know is shown as recorded."""

from __future__ import annotations

from agent.trace.report_l10n import Catalog


def kind_label(c: Catalog, kind: str) -> str:
    labels = {
        "task_start": c.text("task start"),
        "task_end": c.text("task end"),
        "model_request": c.text("model request"),
        "model_response": c.text("model response"),
        "assistant_text": c.text("assistant text"),
        "user_message": c.text("user message"),
        "tool_call": c.text("tool call"),
        "tool_result": c.text("tool result"),
        "approval_request": c.text("approval request"),
        "approval": c.text("approval"),
        "file_change": c.text("file change"),
        "workspace_checkpoint": c.text("workspace checkpoint"),
        "checkpoint": c.text("checkpoint"),
        "error": c.text("error"),
        "cancellation": c.text("cancellation"),
        "condensation": c.text("condensation"),
        "condense_failure": c.text("condensation failed"),
        "context_trim": c.text("turns left out"),
    }
    return labels.get(kind, kind.replace("_", " "))


def outcome_label(c: Catalog, outcome: object) -> str:
    labels = {
        "completed": c.text("completed"),
        "failed": c.text("failed"),
        "cancelled": c.text("cancelled"),
        "limit": c.text("stopped at a limit"),
    }
    return labels.get(str(outcome), str(outcome))


def verdict_label(c: Catalog, status: str) -> str:
    labels = {"intact": c.text("intact"), "tampered": c.text("tampered"), "damaged": c.text("damaged")}
    return labels.get(status, status)


def locality_label(c: Catalog, locality: object) -> str:
    labels = {"local": c.text("local"), "cloud": c.text("cloud")}
    return labels.get(str(locality), str(locality or ""))


def decider_label(c: Catalog, by: object) -> str:
    labels = {
        "user": c.text("user"),
        "rule": c.text("rule"),
        "auto": c.text("auto"),
        "timeout": c.text("timeout"),
        "cancelled": c.text("cancellation"),
    }
    return labels.get(str(by), str(by))
