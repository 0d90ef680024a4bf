"""Garbage in keeps the server alive: every broken request gets a JSON-RPC error, and serving goes on."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.trace import find_trace, verify
from tests.lsp_harness import process_gone
from tests.raw_lsp import RawServer
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_cancel import LONG_COMMAND, running_pids

PARSE_ERROR, INVALID_REQUEST = -32700, -32600

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
non_objects = json_values.filter(lambda v: not isinstance(v, dict) and v is not None)
not_a_string = json_values.filter(lambda v: not isinstance(v, str))
unknown_ids = st.text(min_size=1, max_size=20) | not_a_string
bad_providers = st.text(max_size=10).filter(lambda s: not s[:1].isalnum() or "/" in s) | not_a_string


def with_fields(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(fields, optional={"extra": json_values}) | non_objects


BROKEN_PARAMS: dict[str, st.SearchStrategy[Any]] = {
    "flambeau/startTask": with_fields(task=not_a_string | st.sampled_from(["", "  "]), model=json_values),
    "flambeau/sendMessage": with_fields(taskId=unknown_ids, text=json_values),
    "flambeau/cancelTask": with_fields(taskId=unknown_ids),
    "flambeau/listTraces": non_objects,
    "flambeau/showTrace": with_fields(taskId=unknown_ids),
    "flambeau/verifyTrace": with_fields(taskId=unknown_ids),
    "flambeau/exportTrace": with_fields(taskId=unknown_ids, format=json_values),
    "flambeau/listModels": non_objects,
    "flambeau/selectModel": with_fields(name=st.text(max_size=10).filter(lambda s: "/" not in s) | not_a_string),
    "flambeau/setKey": with_fields(provider=bad_providers, key=json_values),
    "flambeau/providerModels": with_fields(provider=bad_providers),
    "flambeau/saveProfile": with_fields(name=bad_providers, model=json_values, contextWindow=json_values),
    "flambeau/removeProfile": with_fields(name=not_a_string | st.just("ghost")),
    "flambeau/assignRole": with_fields(role=json_values, name=json_values),
    "flambeau/setLocalOnly": with_fields(enabled=not_a_string.filter(lambda v: not isinstance(v, bool))),
    "flambeau/testModel": with_fields(name=not_a_string | st.just("ghost")),
    "workspace/executeCommand": st.fixed_dictionaries(
        {
            "command": st.sampled_from(
                ["flambeau.startTask", "flambeau.cancelTask", "flambeau.fixDiagnostic", "flambeau.fixSelection", "x"]
            ),
            "arguments": st.lists(not_a_string | st.just(""), max_size=4),
        }
    )
    | non_objects,
    "textDocument/codeAction": st.dictionaries(st.text(max_size=6), json_values, max_size=3) | non_objects,
    "textDocument/hover": json_values,
}

broken_requests = st.sampled_from(sorted(BROKEN_PARAMS)).flatmap(
    lambda method: st.tuples(st.just(method), BROKEN_PARAMS[method])
) | st.tuples(st.text(max_size=20).map(lambda m: f"flambeau/no-{m}"), json_values)

Message = tuple[str, Any]
messages: st.SearchStrategy[Message] = st.one_of(
    st.tuples(st.just("request"), broken_requests),
    st.tuples(st.just("not json"), st.binary(max_size=40).filter(lambda b: not _parses(b))),
    st.tuples(
        st.just("truncated json"), json_values.map(lambda v: json.dumps({"jsonrpc": "2.0", "id": 1, "p": v})[:-1])
    ),
    st.tuples(st.just("not an object"), non_objects),
    st.tuples(st.just("bad id"), st.lists(scalars, max_size=2) | st.booleans() | st.floats(allow_nan=False)),
    st.tuples(st.just("bad version"), json_values),
    st.tuples(st.just("notification"), broken_requests),
)


def _parses(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def send_and_check(server: RawServer, message: Message) -> None:
    kind, payload = message
    if kind == "request":
        method, params = payload
        msg_id = server.next_id()
        server.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        answer = server.response(msg_id)
        assert "error" in answer, f"{method} {params!r} was answered with {answer}"
    elif kind in ("not json", "truncated json"):
        server.send_bytes(payload if isinstance(payload, bytes) else payload.encode())
        assert server.response(None)["error"]["code"] == PARSE_ERROR
    elif kind == "not an object":
        server.send(payload)
        assert server.response(None)["error"]["code"] == INVALID_REQUEST
    elif kind == "bad id":
        server.send({"jsonrpc": "2.0", "id": payload, "method": "flambeau/listTraces", "params": {}})
        assert server.response(None)["error"]["code"] == INVALID_REQUEST
    elif kind == "bad version":
        msg_id = server.next_id()
        server.send({"jsonrpc": payload, "id": msg_id, "method": "flambeau/listTraces"} if payload != "2.0" else {})
        if payload != "2.0":
            assert server.response(msg_id)["error"]["code"] == INVALID_REQUEST
    else:
        method, params = payload
        server.send({"jsonrpc": "2.0", "method": method, "params": params})
    alive = server.request("flambeau/listTraces", {})
    assert alive.get("result") == {"traces": []}, alive


def test_a_thousand_broken_messages_each_get_an_error_and_the_server_keeps_serving(
    workspace: Path, tmp_path: Path
) -> None:
    server = RawServer(workspace, tmp_path / "server.log")
    try:
        assert "result" in server.initialize()
        sent = 0

        @settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(message=messages)
        def check(message: Message) -> None:
            nonlocal sent
            sent += 1
            send_and_check(server, message)

        check()
        assert sent >= 1000
        assert server.proc.poll() is None
    finally:
        assert server.close() == 0


def test_a_client_that_vanishes_mid_command_leaves_a_cancelled_verifiable_trace(
    workspace: Path, tmp_path: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("run_command", command=LONG_COMMAND))
    server = RawServer(workspace, tmp_path / "server.log")
    server.initialize({"model": "openai/scripted", "apiBase": model_server.base_url, "approvalMode": "auto-all"})
    task_id = server.request("flambeau/startTask", {"task": "wait a long time"})["result"]["taskId"]
    pids = asyncio.run(running_pids(workspace))
    assert server.close(vanish=True) == 0  # the editor crashed: both pipes closed
    assert all(process_gone(pid) for pid in pids)
    assert_cancelled_and_intact(workspace, task_id)


def test_a_client_that_vanishes_while_asked_to_approve_leaves_a_cancelled_verifiable_trace(
    workspace: Path, tmp_path: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("run_command", command="touch never.txt"))
    server = RawServer(workspace, tmp_path / "server.log")
    server.initialize({"model": "openai/scripted", "apiBase": model_server.base_url})
    task_id = server.request("flambeau/startTask", {"task": "touch a file"})["result"]["taskId"]
    asked = server.wait_for_method("window/showMessageRequest")
    assert "run: touch never.txt" in asked["params"]["message"]
    assert server.close(vanish=True) == 0
    assert not (workspace / "never.txt").exists()
    records = assert_cancelled_and_intact(workspace, task_id)
    assert any(r.get("by") == "cancelled" and r.get("approved") is False for r in records), records


def assert_cancelled_and_intact(workspace: Path, task_id: str) -> list[dict[str, Any]]:
    path = find_trace(workspace, task_id)
    report = verify(path)
    assert report.status == "intact", report.message
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r.get("outcome") for r in records if r.get("kind") == "task_end"] == ["cancelled"]
    return records
