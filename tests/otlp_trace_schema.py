"""A JSON Schema for OTLP trace data in its JSON encoding, written for our export test.

Derived from opentelemetry-proto: opentelemetry/proto/trace/v1/trace.proto (TracesData, ResourceSpans,
ScopeSpans, Span, Span.Event, Span.Link, Status), common/v1/common.proto (AnyValue, KeyValue,
InstrumentationScope) and resource/v1/resource.proto (Resource), with the OTLP JSON rules of
opentelemetry-proto docs/specification.md "JSON Protobuf Encoding"
(https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase field names;
traceId and spanId as hex strings (not base64); enums as integers; 64-bit integers (fixed64 times,
int64 values) as decimal strings per the proto3 JSON mapping. Unknown fields are rejected.
"""

from __future__ import annotations

from typing import Any

HEX_TRACE_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
HEX_SPAN_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
UINT64_STRING = {"type": "string", "pattern": "^[0-9]{1,20}$"}
INT64_STRING = {"type": "string", "pattern": "^-?[0-9]{1,19}$"}
UINT32 = {"type": "integer", "minimum": 0, "maximum": 4294967295}

OTLP_TRACES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["resourceSpans"],
    "properties": {"resourceSpans": {"type": "array", "items": {"$ref": "#/$defs/ResourceSpans"}}},
    "$defs": {
        "AnyValue": {
            "type": "object",
            "additionalProperties": False,
            "maxProperties": 1,
            "properties": {
                "stringValue": {"type": "string"},
                "boolValue": {"type": "boolean"},
                "intValue": INT64_STRING,
                "doubleValue": {"type": "number"},
                "arrayValue": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"values": {"type": "array", "items": {"$ref": "#/$defs/AnyValue"}}},
                },
                "kvlistValue": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"values": {"type": "array", "items": {"$ref": "#/$defs/KeyValue"}}},
                },
                "bytesValue": {"type": "string", "contentEncoding": "base64"},
            },
        },
        "KeyValue": {
            "type": "object",
            "additionalProperties": False,
            "required": ["key", "value"],
            "properties": {"key": {"type": "string", "minLength": 1}, "value": {"$ref": "#/$defs/AnyValue"}},
        },
        "Attributes": {"type": "array", "items": {"$ref": "#/$defs/KeyValue"}},
        "Resource": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"attributes": {"$ref": "#/$defs/Attributes"}, "droppedAttributesCount": UINT32},
        },
        "InstrumentationScope": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "attributes": {"$ref": "#/$defs/Attributes"},
                "droppedAttributesCount": UINT32,
            },
        },
        "ResourceSpans": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "resource": {"$ref": "#/$defs/Resource"},
                "scopeSpans": {"type": "array", "items": {"$ref": "#/$defs/ScopeSpans"}},
                "schemaUrl": {"type": "string"},
            },
        },
        "ScopeSpans": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "scope": {"$ref": "#/$defs/InstrumentationScope"},
                "spans": {"type": "array", "items": {"$ref": "#/$defs/Span"}},
                "schemaUrl": {"type": "string"},
            },
        },
        "Span": {
            "type": "object",
            "additionalProperties": False,
            "required": ["traceId", "spanId", "name", "startTimeUnixNano", "endTimeUnixNano"],
            "properties": {
                "traceId": HEX_TRACE_ID,
                "spanId": HEX_SPAN_ID,
                "traceState": {"type": "string"},
                "parentSpanId": HEX_SPAN_ID,
                "flags": UINT32,
                "name": {"type": "string", "minLength": 1},
                "kind": {"type": "integer", "enum": [0, 1, 2, 3, 4, 5]},
                "startTimeUnixNano": UINT64_STRING,
                "endTimeUnixNano": UINT64_STRING,
                "attributes": {"$ref": "#/$defs/Attributes"},
                "droppedAttributesCount": UINT32,
                "events": {"type": "array", "items": {"$ref": "#/$defs/Event"}},
                "droppedEventsCount": UINT32,
                "links": {"type": "array", "items": {"$ref": "#/$defs/Link"}},
                "droppedLinksCount": UINT32,
                "status": {"$ref": "#/$defs/Status"},
            },
        },
        "Event": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "timeUnixNano": UINT64_STRING,
                "name": {"type": "string"},
                "attributes": {"$ref": "#/$defs/Attributes"},
                "droppedAttributesCount": UINT32,
            },
        },
        "Link": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "traceId": HEX_TRACE_ID,
                "spanId": HEX_SPAN_ID,
                "traceState": {"type": "string"},
                "attributes": {"$ref": "#/$defs/Attributes"},
                "droppedAttributesCount": UINT32,
                "flags": UINT32,
            },
        },
        "Status": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"message": {"type": "string"}, "code": {"type": "integer", "enum": [0, 1, 2]}},
        },
    },
}
