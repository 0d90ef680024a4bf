"""`python -m lsp.schema`: the protocol of lsp/protocol.py and agent/events.py as one JSON Schema document.

The extension generates its TypeScript types from this document (extension/scripts/gen-protocol.mjs),
so a type is written once, here on the server side. Events are the `agent.events.Event` dataclasses as
`to_dict()` sends them: their `type` is a constant and wire-excluded fields are left out.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.events import Event

REF = "#/definitions/{model}"


def _adapter_schema(kind: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ConfigDict, TypeAdapter

    # Field docstrings become descriptions (set on the class: TypeAdapter takes no config for these types).
    kind.__pydantic_config__ = ConfigDict(use_attribute_docstrings=True)
    schema: dict[str, Any] = TypeAdapter(kind).json_schema(ref_template=REF, mode="serialization")
    definitions.update(schema.pop("$defs", {}))
    return schema


def _field_docstrings(cls: type) -> dict[str, str]:
    """The docstrings under a dataclass's fields: pydantic reads only the adapted class's own, not its bases'."""
    import ast
    import dataclasses
    import inspect
    import textwrap

    if not dataclasses.is_dataclass(cls):
        return {}
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for statement, following in zip(body.body, body.body[1:], strict=False):
        named = isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
        documented = isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
        if named and documented and isinstance(following.value.value, str):  # type: ignore[attr-defined]
            docs[statement.target.id] = inspect.cleandoc(following.value.value)  # type: ignore[attr-defined]
    return docs


def _event_classes() -> list[type[Event]]:
    from agent import events

    found: list[type[Event]] = []
    pending = list(events.Event.__subclasses__())
    while pending:
        cls = pending.pop(0)
        if cls.__module__.startswith("agent."):  # the agent's own events, not a test's or a plug-in's
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def _event_schema(cls: type[Event], definitions: dict[str, Any]) -> dict[str, Any]:
    from agent.events import WIRE_EXCLUDED_FIELDS

    schema = _adapter_schema(cls, definitions)
    properties: dict[str, Any] = schema.setdefault("properties", {})
    for base in cls.__mro__[1:]:
        for name, doc in _field_docstrings(base).items():
            if name in properties and "description" not in properties[name]:
                properties[name] = {"description": doc, **properties[name]}
    properties["type"] = {"const": cls.type, "type": "string"}
    for name in WIRE_EXCLUDED_FIELDS:
        properties.pop(name, None)
    # to_dict() always sends every field: defaults do not make a field optional on the wire.
    schema["required"] = sorted(properties)
    schema["additionalProperties"] = False
    return schema


def _wire_dataclasses(definitions: dict[str, Any], nested: tuple[type, ...]) -> None:
    """Dataclasses nested in events (e.g. FileChange) are sent whole, without their wire-excluded fields."""
    from agent.events import WIRE_EXCLUDED_FIELDS

    for cls in nested:
        schema = definitions.get(cls.__name__)
        if schema is None:
            continue
        properties = schema.get("properties", {})
        for name in WIRE_EXCLUDED_FIELDS:
            properties.pop(name, None)
        schema["required"] = sorted(properties)


def _resolve_refs(value: Any) -> Any:
    """`{"x-ref": NAME}` (how lsp/protocol.py names an event type) becomes a JSON Schema `$ref`."""
    if isinstance(value, dict):
        if "x-ref" in value:
            return {"$ref": REF.format(model=value["x-ref"])}
        return {key: _resolve_refs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_refs(item) for item in value]
    return value


def _untitled(value: Any) -> Any:
    """pydantic titles every field ("Taskid"); generators would turn those into type names."""
    if isinstance(value, dict):
        return {key: _untitled(item) for key, item in value.items() if key != "title"}
    if isinstance(value, list):
        return [_untitled(item) for item in value]
    return value


def _titled_definitions(definitions: dict[str, Any]) -> dict[str, Any]:
    """Each definition keeps one title, its own name; nothing inside it is titled."""
    return {name: {"title": name, **_untitled(schema)} for name, schema in sorted(definitions.items())}


def protocol_schema() -> dict[str, Any]:
    from lsp import protocol

    definitions: dict[str, Any] = {}
    events = _event_classes()
    for cls in events:
        definitions[cls.__name__] = _event_schema(cls, definitions)
    definitions["AgentEvent"] = {
        "title": "AgentEvent",
        "description": "Any agent event, as agent/events.py sends it.",
        "anyOf": [{"$ref": REF.format(model=cls.__name__)} for cls in events],
    }
    methods: dict[str, Any] = {}
    kinds = (("client", protocol.CLIENT_REQUESTS), ("server", protocol.SERVER_REQUESTS))
    for direction, requests in kinds:
        for method, (params, result) in requests.items():
            for kind in (params, result):
                definitions[kind.__name__] = _adapter_schema(kind, definitions)
            methods[method] = {"direction": direction, "params": params.__name__, "result": result.__name__}
    for method, params in protocol.SERVER_NOTIFICATIONS.items():
        definitions[params.__name__] = _adapter_schema(params, definitions)
        methods[method] = {"direction": "server", "params": params.__name__, "notification": True}
    for kind in protocol.EXTRA_TYPES:
        definitions[kind.__name__] = _adapter_schema(kind, definitions)
    from agent.events import Attached
    from tools.base import FileChange

    _wire_dataclasses(definitions, (FileChange, Attached))
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "FlambeauProtocol",
        "description": "Generated by `python -m lsp.schema` from lsp/protocol.py and agent/events.py; do not edit.",
        "protocolVersion": protocol.PROTOCOL_VERSION,
        "methods": dict(sorted(methods.items())),
        "definitions": _resolve_refs(_titled_definitions(definitions)),
    }


def main() -> int:
    json.dump(protocol_schema(), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
