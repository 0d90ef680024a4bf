"""The protocol is defined once on the server side: the schema covers every method and event, and real
events and answers validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from agent import events as ev
from lsp.features import CUSTOM_METHODS
from lsp.schema import protocol_schema
from tools.base import FileChange

ROOT = Path(__file__).resolve().parent.parent


def _validator(definition: str) -> jsonschema.Draft7Validator:
    schema = protocol_schema()
    return jsonschema.Draft7Validator({"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]})


def test_every_custom_method_is_in_the_schema() -> None:
    methods = protocol_schema()["methods"]
    assert set(CUSTOM_METHODS) <= set(methods)
    assert {"flambeau/event", "flambeau/approve"} <= set(methods)


def test_every_event_class_is_an_agent_event() -> None:
    union = protocol_schema()["definitions"]["AgentEvent"]["anyOf"]
    named = {ref["$ref"].rsplit("/", 1)[-1] for ref in union}
    pending, classes = list(ev.Event.__subclasses__()), set()
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("agent."):
            classes.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    assert classes == named


def test_a_real_event_validates_and_a_wrong_one_does_not() -> None:
    change = FileChange("a.txt", None, "ab" * 32, diff="+x\n", after_content=b"x\n")
    result = ev.ToolResultEvent(task_id="t", call_id="c", tool="write_file", output="ok", file_changes=[change])
    validator = _validator("AgentEvent")
    validator.validate(result.to_dict())
    wrong = {**result.to_dict(), "ok": "yes"}
    assert list(validator.iter_errors(wrong))
    stray = {**result.to_dict(), "after_content": "eA=="}
    assert list(_validator("ToolResultEvent").iter_errors(stray)), "wire-excluded fields are not part of the event"


def test_the_approve_request_is_the_approval_requested_event() -> None:
    from lsp.approver import approve_params

    request = ev.ApprovalRequested(task_id="t", call_id="c", tool="run_command", category="command", summary="run: ls")
    _validator("ApproveParams").validate(approve_params(request))


def test_the_checked_in_schema_is_the_generated_one() -> None:
    checked_in = json.loads((ROOT / "docs" / "protocol.schema.json").read_text())
    assert checked_in == protocol_schema(), "run 'make protocol' to regenerate docs/protocol.schema.json"
