"""Exports: OTLP JSON that validates against the OTLP trace schema with GenAI spans, and an HTML
report that headless Chromium renders with its timeline and a diff."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from agent.trace import export, verify
from tests.conftest import ROOT
from tests.otlp_trace_schema import OTLP_TRACES_SCHEMA
from tests.scripted_server import ScriptedModelServer, call
from tests.trace_mutations import records
from tests.trace_sessions import editing_script, record_session

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def trace(model_server: ScriptedModelServer, workspace: Path) -> Path:
    (workspace / "notes.txt").write_text("hello\n")
    return record_session(model_server, workspace, editing_script())


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}


def test_otlp_export_validates_and_follows_the_genai_conventions(trace: Path, tmp_path: Path) -> None:
    out = export(trace, "otel", tmp_path / "trace.otlp.json")
    document = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(OTLP_TRACES_SCHEMA)
    jsonschema.validate(document, OTLP_TRACES_SCHEMA, cls=jsonschema.Draft202012Validator)

    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    by_operation: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        by_operation.setdefault(_attributes(span)["gen_ai.operation.name"], []).append(span)
    [agent] = by_operation["invoke_agent"]
    recorded = records(trace)
    assert len(by_operation["chat"]) == sum(1 for r in recorded if r["kind"] == "model_response") == 6
    call_ids = [r["call_id"] for r in recorded if r["kind"] == "tool_call"]
    assert [_attributes(s)["gen_ai.tool.call.id"] for s in by_operation["execute_tool"]] == call_ids
    assert {s["traceId"] for s in spans} == {agent["traceId"]}
    assert all(s["parentSpanId"] == agent["spanId"] for s in spans if s is not agent)
    assert all(int(s["startTimeUnixNano"]) <= int(s["endTimeUnixNano"]) for s in spans)
    chat = _attributes(by_operation["chat"][0])
    assert chat["gen_ai.request.model"] == "scripted" and chat["flambeau.model_route"] == "openai/scripted"
    assert chat["gen_ai.provider.name"] == "openai" and int(chat["gen_ai.usage.input_tokens"]) > 0
    assert chat["gen_ai.conversation.id"] == trace.name.removesuffix(".jsonl")
    assert isinstance(chat["gen_ai.request.stream"], bool) and chat["gen_ai.response.id"]
    assert chat["gen_ai.response.finish_reasons"] == {"values": [{"stringValue": "tool_calls"}]}
    assert chat["server.address"] == "127.0.0.1" and int(chat["server.port"]) > 0
    costs = [a["value"] for s in spans for a in s["attributes"] if a["key"] == "flambeau.cost_usd"]
    assert costs and all(set(value) == {"doubleValue"} for value in costs)
    assert all(_attributes(s)["gen_ai.tool.description"] for s in by_operation["execute_tool"])
    assert _attributes(agent)["flambeau.outcome"] == "completed"
    assert all("status" not in s for s in spans), "success leaves the status unset"

    broken = json.loads(out.read_text())
    broken["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = "not-hex"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, OTLP_TRACES_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_a_failed_tool_span_has_an_error_type_and_the_protobuf_export_decodes(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    script = [call("read_file", path="missing.txt"), call("attempt_completion", result="gave up")]
    trace = record_session(model_server, workspace, script)
    document = json.loads(export(trace, "otel", tmp_path / "t.json").read_text())
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    [read] = [s for s in spans if s["name"] == "execute_tool read_file"]
    assert read["status"]["code"] == 2 and _attributes(read)["error.type"] == "tool_error"

    decoded = ExportTraceServiceRequest.FromString(export(trace, "otel-protobuf", tmp_path / "t.pb").read_bytes())
    proto_spans = decoded.resource_spans[0].scope_spans[0].spans
    assert [s.name for s in proto_spans] == [s["name"] for s in spans]
    assert [s.span_id.hex() for s in proto_spans] == [s["spanId"] for s in spans]
    assert proto_spans[0].trace_id.hex() == spans[0]["traceId"]
    [proto_read] = [s for s in proto_spans if s.name == "execute_tool read_file"]
    assert proto_read.status.code == 2 and proto_read.parent_span_id.hex() == spans[0]["spanId"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: scripts/install-system-packages installs it")
        pytest.skip("chromium is not installed (Debian package 'chromium', in scripts/system-packages)")
    return found


def _headless(chromium: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(home)},
        check=False,
    )


def test_html_report_renders_offline_in_headless_chromium_with_timeline_and_diff(trace: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    report = export(trace, "html", tmp_path / "report.html")
    html = report.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained

    dom = _headless(chromium, "--dump-dom", report.as_uri(), home=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<ol class="timeline">' in dom.stdout
    assert '<span class="add">+shouted: HELLO</span>' in dom.stdout
    assert '<span class="add">+and more</span>' in dom.stdout
    assert "$ cat out/result.txt &amp;&amp; echo ran-ok" in dom.stdout and "ran-ok" in dom.stdout
    assert "approved</span> by auto" in dom.stdout
    assert verify(trace).message in dom.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "trace-report.png"
    screenshot.unlink(missing_ok=True)
    shot = _headless(chromium, f"--screenshot={screenshot}", "--window-size=1200,1800", report.as_uri(), home=tmp_path)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
