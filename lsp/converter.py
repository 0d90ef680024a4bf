"""The cattrs converter for the wire: lsprotocol's, but custom params and results stay plain JSON.

pygls' default converter turns the params of methods lsprotocol does not know (all `flambeau/*`
methods) into namedtuples; Flambeau's handlers and clients want the JSON objects as dicts.
"""

from __future__ import annotations

from typing import Any

import cattrs
from lsprotocol import converters
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage


def plain_json_converter() -> cattrs.Converter:
    converter = converters.get_converter()
    converter.register_structure_hook(JsonRPCRequestMessage, _request)
    converter.register_structure_hook(JsonRPCNotification, _notification)
    converter.register_structure_hook(JsonRPCResponseMessage, _response)
    return converter


def _request(obj: dict[str, Any], cls: type[JsonRPCRequestMessage]) -> JsonRPCRequestMessage:
    return cls(id=obj["id"], method=obj["method"], jsonrpc=obj["jsonrpc"], params=obj.get("params"))


def _notification(obj: dict[str, Any], cls: type[JsonRPCNotification]) -> JsonRPCNotification:
    return cls(method=obj["method"], jsonrpc=obj["jsonrpc"], params=obj.get("params"))


def _response(obj: dict[str, Any], cls: type[JsonRPCResponseMessage]) -> JsonRPCResponseMessage:
    return cls(id=obj["id"], jsonrpc=obj["jsonrpc"], result=obj.get("result"))
