"""A trace's spans through the official OpenTelemetry SDK: OTLP protobuf, and sending to a collector.

The spans of `otel.to_otlp` become the SDK's `ReadableSpan`s, which the OTLP exporter's own encoder
turns into an `ExportTraceServiceRequest` (the protobuf export) and `OTLPSpanExporter` (OTLP/HTTP,
protobuf) sends — what Phoenix, Jaeger, Tempo or Langfuse accept. Span ids are derived from the task
id, so sending a trace again gives the collector the same spans. A trace that reached a collector gets
a marker file next to it (`<task id>.otlp-sent`); `flambeau trace push` sends those that did not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.trace.otel import SPAN_KIND_CLIENT, STATUS_ERROR, to_otlp
from agent.trace.reading import read_trace

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

SENT_SUFFIX = ".otlp-sent"
PUSH_TIMEOUT_S = 3.0
"""Per request: a collector that is down costs at most this, after the task has ended."""


def tool_descriptions() -> dict[str, str]:
    from tools.registry import default_tools

    return {tool.name: tool.description for tool in default_tools()}


def trace_spans(path: Path) -> dict[str, Any]:
    """The OTLP JSON document of a trace file."""
    return to_otlp(read_trace(path).valid_records(), tool_descriptions())


def _python(value: Mapping[str, Any]) -> Any:
    kind, inner = next(iter(value.items()))
    if kind == "intValue":
        return int(inner)
    if kind == "arrayValue":
        return [_python(v) for v in inner.get("values", [])]
    return inner


def readable_spans(document: Mapping[str, Any]) -> list[ReadableSpan]:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

    spans = []
    for resource_spans in document["resourceSpans"]:
        resource = Resource({a["key"]: _python(a["value"]) for a in resource_spans["resource"]["attributes"]})
        for scope_spans in resource_spans["scopeSpans"]:
            scope = InstrumentationScope(scope_spans["scope"]["name"], scope_spans["scope"].get("version"))
            for span in scope_spans["spans"]:
                trace_id = int(span["traceId"], 16)
                parent = span.get("parentSpanId")
                status = span.get("status")
                spans.append(
                    ReadableSpan(
                        name=span["name"],
                        context=SpanContext(trace_id, int(span["spanId"], 16), False, TraceFlags(TraceFlags.SAMPLED)),
                        parent=SpanContext(trace_id, int(parent, 16), False) if parent else None,
                        resource=resource,
                        attributes={a["key"]: _python(a["value"]) for a in span["attributes"]},
                        kind=SpanKind.CLIENT if span["kind"] == SPAN_KIND_CLIENT else SpanKind.INTERNAL,
                        status=Status(StatusCode.ERROR, status.get("message"))
                        if status and status.get("code") == STATUS_ERROR
                        else Status(StatusCode.UNSET),
                        start_time=int(span["startTimeUnixNano"]),
                        end_time=int(span["endTimeUnixNano"]),
                        instrumentation_scope=scope,
                    )
                )
    return spans


def otlp_protobuf(document: Mapping[str, Any]) -> bytes:
    """The spans as a serialized OTLP `ExportTraceServiceRequest` (the exporter's own encoder)."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return bytes(encode_spans(readable_spans(document)).SerializeToString())


def endpoint_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The OTLP/HTTP traces URL the standard variables name, or None: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    as is, else OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return traces_url(base) if base else None


def traces_url(endpoint: str) -> str:
    """A collector's base URL (`http://127.0.0.1:4318`) as its traces URL; a URL with a path is kept."""
    trimmed = endpoint.rstrip("/")
    return trimmed if trimmed.endswith("/v1/traces") else trimmed + "/v1/traces"


@dataclass(frozen=True)
class PushResult:
    path: Path
    ok: bool
    spans: int
    message: str


def sent_marker(trace: Path) -> Path:
    return trace.with_name(trace.name.removesuffix(".jsonl") + SENT_SUFFIX)


def push(trace: Path, endpoint: str, timeout: float = PUSH_TIMEOUT_S) -> PushResult:
    """Send one trace's spans; on success leave its marker. Never raises for a collector problem."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

    spans = readable_spans(trace_spans(trace))
    exporter = OTLPSpanExporter(endpoint=endpoint, timeout=timeout)
    try:
        result = exporter.export(spans)
    except Exception as error:  # the exporter reports failures as results; be safe about the rest
        return PushResult(trace, False, len(spans), f"{endpoint}: {error}")
    finally:
        exporter.shutdown()  # type: ignore[no-untyped-call]
    if result is not SpanExportResult.SUCCESS:
        return PushResult(trace, False, len(spans), f"{endpoint} did not accept the spans (is the collector up?)")
    sent_marker(trace).write_text(f"{endpoint}\n{datetime.now(UTC).isoformat()}\n", encoding="utf-8")
    return PushResult(trace, True, len(spans), f"sent {len(spans)} spans to {endpoint}")


def unsent(traces: Iterable[Path]) -> list[Path]:
    return [t for t in traces if not sent_marker(t).exists()]
