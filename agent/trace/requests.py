"""Request bodies stored by what is new in them: content-addressed messages and delta manifests.

A body is recorded as canonical JSON (RFC 8785). Each message of its top-level `messages` list is a
blob of its own canonical bytes; the rest of the body is a template blob — the canonical body with
an empty `messages` list — and the byte offset where the messages go. A manifest names them:

    {"format": "flambeau-request/1", "template_blob": <digest>, "splice": <offset>,
     "base": <the previous request's manifest digest, or null>,
     "messages": [<message digest> | [start, end] (a run of the base's message list)]}

so a request that resends the conversation so far costs a manifest of a few runs plus its new
messages. Every 32nd manifest has no base (a bounded chain for whoever opens one request). The exact
body is `template[:splice] + b",".join(messages) + template[splice:]`, byte for byte; its SHA-256
is in the record (`body_sha256`), so `verify` and `request_body` check what they rebuild.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from agent.trace.canonical import plain_canonical_bytes

MANIFEST_FORMAT = "flambeau-request/1"
SNAPSHOT_EVERY = 32
Put = Callable[[bytes], str]
Get = Callable[[str], "bytes | None"]


class RequestError(ValueError):
    """A manifest that cannot be rebuilt into the body it names; the message says why."""


def _member(key: str, value: Any) -> bytes:
    return plain_canonical_bytes(key) + b":" + plain_canonical_bytes(value)


def split_body(body: Any) -> tuple[bytes, int, list[bytes]] | None:
    """(template, splice offset, canonical messages) of a plain-JSON body, or None when it has no
    top-level `messages` list."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return None
    keys = sorted(body, key=lambda k: k.encode("utf-16-be"))
    before = b",".join(_member(k, body[k]) for k in keys[: keys.index("messages")])
    after = b",".join(_member(k, body[k]) for k in keys[keys.index("messages") + 1 :])
    head = b"{" + before + (b"," if before else b"") + b'"messages":['
    template = head + b"]" + (b"," if after else b"") + after + b"}"
    return template, len(head), [plain_canonical_bytes(m) for m in body["messages"]]


def join_body(template: bytes, splice: int, messages: list[bytes]) -> bytes:
    return template[:splice] + b",".join(messages) + template[splice:]


def _runs(base: list[str], digests: list[str]) -> list[Any]:
    """`digests` as runs of `base` ([start, end]) and literal digests."""
    first_at: dict[str, int] = {}
    for i, digest in enumerate(base):
        first_at.setdefault(digest, i)
    items: list[Any] = []
    for digest in digests:
        last = items[-1] if items else None
        if isinstance(last, list) and last[1] < len(base) and base[last[1]] == digest:
            last[1] += 1
        elif digest in first_at:
            items.append([first_at[digest], first_at[digest] + 1])
        else:
            items.append(digest)
    return items


def _exact(body: bytes) -> dict[str, Any]:
    return {"body_sha256": hashlib.sha256(body).hexdigest(), "body_bytes": len(body)}


class RequestStore:
    """The writer's side: stores each body's new parts and returns what the record names."""

    def __init__(self, put: Put) -> None:
        self.put = put
        self._base: tuple[str, list[str]] | None = None  # (manifest digest, its message digests)
        self._since_snapshot = 0

    def store(self, body: Any) -> dict[str, Any]:
        """Record fields for one plain-JSON body: `request_blob` (a manifest) or `body_blob` (the whole
        body, when it has no messages list), with `body_sha256` and `body_bytes` of its exact bytes."""
        parts = split_body(body)
        if parts is None:
            whole = plain_canonical_bytes(body)
            return {"body_blob": self.put(whole), **_exact(whole)}
        template, splice, messages = parts
        exact = join_body(template, splice, messages)
        digests = [self.put(message) for message in messages]
        base = self._base if self._since_snapshot < SNAPSHOT_EVERY - 1 else None
        manifest = {
            "format": MANIFEST_FORMAT,
            "template_blob": self.put(template),
            "splice": splice,
            "base": base[0] if base else None,
            "messages": _runs(base[1], digests) if base else digests,
        }
        digest = self.put(plain_canonical_bytes(manifest))
        self._base = (digest, digests)
        self._since_snapshot = self._since_snapshot + 1 if base else 0
        return {"request_blob": digest, **_exact(exact)}


class RequestReader:
    """The reader's side: rebuilds bodies from manifests (each manifest resolved once)."""

    def __init__(self, get: Get) -> None:
        self.get = get
        self._messages: dict[str, list[str]] = {}
        self.blobs_read: set[str] = set()

    def _blob(self, digest: str) -> bytes:
        data = self.get(digest)
        if data is None:
            raise RequestError(f"blob {digest[:12]}… is missing")
        self.blobs_read.add(digest)
        return data

    def _manifest(self, digest: str) -> dict[str, Any]:
        try:
            manifest = orjson.loads(self._blob(digest))
        except orjson.JSONDecodeError as error:
            raise RequestError(f"manifest {digest[:12]}… is not JSON") from error
        if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
            raise RequestError(f"manifest {digest[:12]}… is not a {MANIFEST_FORMAT} manifest")
        return manifest

    def message_digests(self, digest: str, manifest: dict[str, Any] | None = None) -> list[str]:
        """The message digests a manifest resolves to; `manifest`: the one named `digest`, if parsed."""
        wanted = digest
        chain: list[tuple[str, dict[str, Any]]] = []
        while digest not in self._messages:
            if manifest is None or digest != wanted:
                manifest = self._manifest(digest)
            chain.append((digest, manifest))
            base = manifest.get("base")
            if base is None:
                break
            if not isinstance(base, str) or any(base == d for d, _ in chain):
                raise RequestError(f"manifest {digest[:12]}… has a malformed base")
            digest = base
        for name, manifest in reversed(chain):
            base_list = self._messages[manifest["base"]] if manifest.get("base") else []
            resolved: list[str] = []
            for item in manifest.get("messages", []):
                if isinstance(item, str):
                    resolved.append(item)
                elif isinstance(item, list) and len(item) == 2 and 0 <= item[0] < item[1] <= len(base_list):
                    resolved.extend(base_list[item[0] : item[1]])
                else:
                    raise RequestError(f"manifest {name[:12]}… has a malformed message run {item!r}")
            self._messages[name] = resolved
        return self._messages[wanted]

    def body(self, record: dict[str, Any]) -> bytes:
        """The exact bytes of a `model_request` record's body, checked against its `body_sha256`."""
        if "body_blob" in record:
            return self._blob(str(record["body_blob"]))
        digest = str(record.get("request_blob"))
        manifest = self._manifest(digest)
        template = self._blob(str(manifest.get("template_blob")))
        splice = manifest.get("splice")
        if not isinstance(splice, int) or not 0 < splice < len(template):
            raise RequestError(f"manifest {digest[:12]}… has a malformed splice offset")
        body = join_body(template, splice, [self._blob(d) for d in self.message_digests(digest, manifest)])
        if hashlib.sha256(body).hexdigest() != record.get("body_sha256") or len(body) != record.get("body_bytes"):
            raise RequestError("the body rebuilt from its manifest is not the one recorded (a part was altered)")
        return body


def request_body(trace: Path, seq: int) -> bytes:
    """The exact body of the model request at record `seq` of a trace (`flambeau trace request`)."""
    from agent.trace.packs import TraceBlobs
    from agent.trace.reading import TraceError, read_trace

    raw = read_trace(trace)
    record = raw.records[seq] if 0 <= seq < len(raw.records) else None
    if record is None or record.get("kind") != "model_request":
        raise TraceError(f"record {seq} of {trace} is not a model request; 'flambeau trace show' lists the records")
    try:
        return RequestReader(TraceBlobs(trace).get).body(record)
    except RequestError as error:
        raise TraceError(f"record {seq}: {error}; 'flambeau trace verify' says more") from error
