"""`export(path, format, out)`: a trace as OTLP JSON or protobuf, or as a self-contained HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from agent.trace.canonical import jsonable
from agent.trace.html_report import render_html
from agent.trace.otlp import otlp_protobuf, trace_spans
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace
from agent.trace.verify import verify

ExportFormat = Literal["otel", "otel-protobuf", "html"]
SUFFIXES: dict[str, str] = {"otel": ".otlp.json", "otel-protobuf": ".otlp.pb", "html": ".html"}


def export(path: Path, format: ExportFormat, out: Path | None = None, language: str | None = None) -> Path:
    """Write the export next to the trace (or to `out`) and return where it went. `language`: the HTML
    report's (a VS Code display language such as "ja"; English when it has no catalog)."""
    if format not in SUFFIXES:
        raise ValueError(f"unknown export format {format!r}; choose {', '.join(SUFFIXES)}")
    path = Path(path)
    records = read_trace(path).valid_records()
    target = out or path.with_name(path.name.removesuffix(".jsonl") + SUFFIXES[format])
    target.parent.mkdir(parents=True, exist_ok=True)
    if format == "otel-protobuf":
        target.write_bytes(otlp_protobuf(trace_spans(path)))
        return target
    if format == "otel":
        text = json.dumps(trace_spans(path), indent=1)
    else:
        report = verify(path).to_dict()
        text = render_html(records, TraceBlobs(path), jsonable(report), language)
    target.write_text(text, encoding="utf-8")
    return target
