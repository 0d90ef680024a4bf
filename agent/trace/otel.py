"""Export a trace as OTLP JSON with the OpenTelemetry GenAI semantic conventions.

One `invoke_agent` span for the task, a `chat` span per model call (request to response), and an
`execute_tool` span per tool call carrying `gen_ai.tool.call.id`. Encoding follows the OTLP JSON
Protobuf mapping (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"): lowerCamelCase
field names, trace and span ids as hex strings, enums as integers, 64-bit times as decimal strings.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

SPAN_KIND_INTERNAL = 1
SPAN_KIND_CLIENT = 3
STATUS_OK = 1
STATUS_ERROR = 2
SCOPE_NAME = "flambeau.trace"


def _nanos(iso: Any) -> str:
    if not isinstance(iso, str):
        return "0"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return str(int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000)


def _id(seed: str, size: int) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[: size * 2]


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _attributes(pairs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in pairs.items() if v is not None]


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"


def to_otlp(records: list[dict[str, Any]]) -> dict[str, Any]:
    header = records[0] if records else {}
    task_id = str(header.get("task_id", "unknown"))
    trace_id = _id(f"trace:{task_id}", 16)
    root_id = _id(f"span:{task_id}:agent", 8)
    start = next((r for r in records if r.get("kind") == "task_start"), {})
    end = next((r for r in reversed(records) if r.get("kind") == "task_end"), None)
    spans = [_agent_span(trace_id, root_id, task_id, start, end, records)]
    spans += _chat_spans(trace_id, root_id, task_id, records)
    spans += _tool_spans(trace_id, root_id, task_id, records)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes({"service.name": "flambeau"})},
                "scopeSpans": [{"scope": {"name": SCOPE_NAME, "version": "1"}, "spans": spans}],
            }
        ]
    }


def _span(
    trace_id: str,
    span_id: str,
    parent: str | None,
    name: str,
    kind: int,
    start: Any,
    end: Any,
    attributes: dict[str, Any],
    ok: bool = True,
    message: str = "",
) -> dict[str, Any]:
    span: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": span_id,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": _nanos(start),
        "endTimeUnixNano": _nanos(end if end is not None else start),
        "attributes": _attributes(attributes),
        "status": {"code": STATUS_OK} if ok else {"code": STATUS_ERROR, "message": message},
    }
    if parent:
        span["parentSpanId"] = parent
    return span


def _agent_span(
    trace_id: str,
    root_id: str,
    task_id: str,
    start: dict[str, Any],
    end: dict[str, Any] | None,
    records: list[dict[str, Any]],
) -> dict[str, Any]:
    responses = [r for r in records if r.get("kind") == "model_response"]
    last = responses[-1] if responses else {}
    outcome = str(end.get("outcome")) if end else "interrupted"
    return _span(
        trace_id,
        root_id,
        None,
        "invoke_agent flambeau",
        SPAN_KIND_INTERNAL,
        start.get("time") or (records[0].get("time") if records else None),
        (end or (records[-1] if records else {})).get("time"),
        {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "flambeau",
            "gen_ai.conversation.id": task_id,
            "gen_ai.provider.name": _provider(str(start.get("model", ""))),
            "gen_ai.request.model": start.get("model"),
            "gen_ai.usage.input_tokens": last.get("total_prompt_tokens"),
            "gen_ai.usage.output_tokens": last.get("total_completion_tokens"),
            "flambeau.locality": start.get("locality"),
            "flambeau.outcome": outcome,
            "flambeau.cost_usd": last.get("total_cost_usd"),
        },
        ok=outcome == "completed",
        message=str(end.get("result", "")) if end else "the trace ends before the task did",
    )


def _chat_spans(trace_id: str, root_id: str, task_id: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    spans = []
    request: dict[str, Any] | None = None
    for record in records:
        if record.get("kind") == "model_request":
            request = record
        elif record.get("kind") == "model_response":
            began = request or record
            model = str(record.get("model", ""))
            spans.append(
                _span(
                    trace_id,
                    _id(f"span:{task_id}:chat:{record.get('seq')}", 8),
                    root_id,
                    f"chat {model}",
                    SPAN_KIND_CLIENT,
                    began.get("time"),
                    record.get("time"),
                    {
                        "gen_ai.operation.name": "chat",
                        "gen_ai.provider.name": _provider(model),
                        "gen_ai.request.model": model,
                        "gen_ai.response.model": record.get("response_model") or None,
                        "gen_ai.usage.input_tokens": record.get("prompt_tokens"),
                        "gen_ai.usage.output_tokens": record.get("completion_tokens"),
                        "flambeau.locality": record.get("locality"),
                        "flambeau.cost_usd": record.get("cost_usd"),
                        "flambeau.request_sha256": began.get("body_sha256") or began.get("body_blob"),
                    },
                )
            )
            request = None
    return spans


def _tool_spans(trace_id: str, root_id: str, task_id: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    calls = {r.get("call_id"): r for r in records if r.get("kind") == "tool_call"}
    approvals = {r.get("call_id"): r for r in records if r.get("kind") == "approval"}
    results = {r.get("call_id"): r for r in records if r.get("kind") == "tool_result"}
    spans = []
    for call_id, call in calls.items():
        result = results.get(call_id)
        approval = approvals.get(call_id, {})
        ok = bool(result and result.get("ok"))
        reason = "" if ok else ("not approved: " + str(approval.get("reason", ""))) if not result else "the tool failed"
        spans.append(
            _span(
                trace_id,
                _id(f"span:{task_id}:tool:{call_id}", 8),
                root_id,
                f"execute_tool {call.get('tool')}",
                SPAN_KIND_INTERNAL,
                call.get("time"),
                (result or approval or call).get("time"),
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": call.get("tool"),
                    "gen_ai.tool.call.id": call_id,
                    "gen_ai.tool.type": "function",
                    "flambeau.tool.category": call.get("category"),
                    "flambeau.approved_by": approval.get("by"),
                },
                ok=ok,
                message=reason,
            )
        )
    return spans
