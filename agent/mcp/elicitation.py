"""What Flambeau answers when an MCP server asks the user something (`elicitation/create`).

An elicitation is a server asking *the person* for input in the middle of a call: a form (a flat JSON
schema) or a URL to open (a sign-in, a payment). Who answers depends on the front end:

- `decline` (headless runs, the default): there is nobody to ask, and answering on the user's behalf
  could consent to something they never saw ("delete them all? default: yes"), so every request is
  declined and the server carries on (or fails the call) knowing the user did not agree.
- `defaults`: a form is accepted with its schema's own defaults, as if the user had pressed OK on a
  form left untouched (SEP-1034: a client fills omitted fields with their defaults). Only when every
  required field has a default; anything else is declined. URL requests are always declined: opening
  a server's link is never done for the user. The conformance entry point uses this mode.

`fill_defaults` is the SEP-1034 rule for any front end that shows the form to a person: what the user
left empty is sent with the schema's default.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

ElicitationMode = Literal["decline", "defaults"]
PRIMITIVES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
}  # fmt: skip

log = logging.getLogger(__name__)


def schema_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """Each top-level property's `default`, when it has one of the property's own type (and is one of
    its `enum` values, when there is an enum)."""
    found: dict[str, Any] = {}
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return found
    for name, prop in properties.items():
        if isinstance(prop, dict) and "default" in prop and _fits(prop, prop["default"]):
            found[name] = prop["default"]
    return found


def fill_defaults(schema: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """`content` with every omitted field that has a default set to it (what the user gave wins)."""
    return {**schema_defaults(schema), **content}


def answer_with_defaults(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The content of an untouched form, or None when a required field has no default."""
    content = fill_defaults(schema, {})
    required = schema.get("required") or []
    if any(name not in content for name in required if isinstance(name, str)):
        return None
    return content


def elicitation_callback(mode: ElicitationMode, server: str) -> Any:
    """An SDK `elicitation_callback` for the server named `server`; each request and its answer is logged."""
    from mcp_types import ElicitRequestURLParams, ElicitResult

    async def answer(_context: Any, params: Any) -> ElicitResult:
        if isinstance(params, ElicitRequestURLParams):
            result, why = ElicitResult(action="decline"), f"declined: Flambeau opens no server's link ({params.url})"
        elif mode == "defaults" and (content := answer_with_defaults(dict(params.requested_schema))) is not None:
            result, why = ElicitResult(action="accept", content=content), f"answered with the form's defaults {content}"
        else:
            result, why = ElicitResult(action="decline"), "declined: nobody is here to answer it"
        log.info("the MCP server '%s' asked the user: %r; %s", server, params.message, why)
        return result

    return answer


def _fits(prop: dict[str, Any], value: Any) -> bool:
    kind = prop.get("type")
    expected = PRIMITIVES.get(kind) if isinstance(kind, str) else None
    if expected is None or (kind in ("integer", "number") and isinstance(value, bool)):
        return False
    if not isinstance(value, expected):
        return False
    enum = prop.get("enum")
    return not isinstance(enum, list) or value in enum
