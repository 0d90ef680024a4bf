"""Live export of a task's spans to an OTLP/HTTP collector, and `flambeau trace push` when it was down.

The receiver below stands in for a collector on 127.0.0.1: it decodes each request with the official
OTLP protobuf classes (opentelemetry-proto). The Phoenix test (tests/test_phoenix_e2e.py, `make
e2e-phoenix`) does the same against a real collector.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from agent.trace import list_traces
from agent.trace.otlp import sent_marker
from tests.conftest import run_cli, run_scripted_cli
from tests.scripted_server import ScriptedModelServer, call


class Receiver(ThreadingHTTPServer):
    def __init__(self, port: int = 0) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", port), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def spans(self) -> list[Any]:
        return [s for r in self.requests for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.paths.append(self.path)
        self.server.requests.append(ExportTraceServiceRequest.FromString(body))
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(port: int = 0) -> Receiver:
    receiver = Receiver(port)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    served = _serve()
    yield served
    served.shutdown()
    served.server_close()


SCRIPT = [call("write_file", path="hello.txt", content="hi\n"), call("attempt_completion", result="wrote it")]


def _attributes(span: Any) -> dict[str, Any]:
    return {a.key: getattr(a.value, a.value.WhichOneof("value")) for a in span.attributes}


def test_a_task_s_spans_reach_the_collector_when_it_ends(
    model_server: ScriptedModelServer, workspace: Path, receiver: Receiver
) -> None:
    model_server.add(*SCRIPT)
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "write hello", env=env, timeout=600)
    assert result.code == 0, result.stderr
    assert receiver.paths == ["/v1/traces"]
    names = [span.name for span in receiver.spans()]
    assert names[0] == "invoke_agent flambeau" and "chat scripted" in names and "execute_tool write_file" in names
    chat = next(_attributes(s) for s in receiver.spans() if s.name == "chat scripted")
    assert chat["gen_ai.request.model"] == "scripted" and chat["gen_ai.provider.name"] == "openai"
    [trace] = list_traces(workspace)
    assert sent_marker(trace.path).exists()


def test_a_collector_that_is_down_never_fails_the_task_and_push_sends_later(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    model_server.add(*SCRIPT)
    url = f"http://127.0.0.1:{port}"
    result = run_scripted_cli(
        model_server, workspace, "--approve", "auto-all", "--otlp-endpoint", url, "write it", timeout=600
    )
    assert result.code == 0 and (workspace / "hello.txt").read_text() == "hi\n", result.stderr
    assert "flambeau trace push" in result.stderr
    [trace] = list_traces(workspace)
    assert not sent_marker(trace.path).exists()

    receiver = _serve(port)
    try:
        pushed = run_cli("trace", "push", "--workspace", str(workspace), "--endpoint", url, timeout=600)
        assert pushed.code == 0 and "sent" in pushed.stdout, pushed.stdout + pushed.stderr
        assert receiver.spans()[0].name == "invoke_agent flambeau"
        again = run_cli("trace", "push", "--workspace", str(workspace), "--endpoint", url)
        assert again.code == 0 and "sent already" in again.stdout
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert sent_marker(trace.path).exists()


def test_push_without_a_collector_says_what_to_set(workspace: Path) -> None:
    result = run_cli("trace", "push", "--workspace", str(workspace), env={"OTEL_EXPORTER_OTLP_ENDPOINT": ""})
    assert result.code == 2 and "OTEL_EXPORTER_OTLP_ENDPOINT" in result.stderr and "Traceback" not in result.stderr
