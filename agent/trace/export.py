"""`export(path, format, out)`: a trace as OTLP JSON or as a self-contained HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from agent.trace.canonical import jsonable
from agent.trace.html_report import render_html
from agent.trace.otel import to_otlp
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace
from agent.trace.verify import verify

ExportFormat = Literal["otel", "html"]
SUFFIXES: dict[str, str] = {"otel": ".otlp.json", "html": ".html"}


def export(path: Path, format: ExportFormat, out: Path | None = None) -> Path:
    """Write the export next to the trace (or to `out`) and return where it went."""
    if format not in SUFFIXES:
        raise ValueError(f"unknown export format {format!r}; choose otel or html")
    path = Path(path)
    records = read_trace(path).valid_records()
    target = out or path.with_name(path.name.removesuffix(".jsonl") + SUFFIXES[format])
    if format == "otel":
        text = json.dumps(to_otlp(records), indent=1)
    else:
        report = verify(path).to_dict()
        text = render_html(records, TraceBlobs(path), jsonable(report))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
