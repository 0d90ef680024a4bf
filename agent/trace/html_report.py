"""A self-contained HTML report of a trace: no scripts, no external files, opens offline.

Its words are in the reader's language (`language`: a VS Code display language such as "ja" or "fr"; the
catalogs are in agent/trace/report_l10n/); what the trace recorded is shown as it was recorded."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from agent.trace.blobs import BlobReader
from agent.trace.report_l10n import Catalog
from agent.trace.report_words import decider_label, kind_label, locality_label, outcome_label, verdict_label

OUTPUT_CHARS = 20_000
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#20232a;color:#fff;padding:16px 24px}header h1{margin:0 0 6px;font-size:20px}
.meta span{display:inline-block;margin-right:18px;opacity:.9}
.status{padding:2px 8px;border-radius:4px;font-weight:600}
.intact{background:#1f883d}.tampered{background:#cf222e}.damaged{background:#bf8700}
main{padding:16px 24px}h2{font-size:16px;margin:20px 0 8px}
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #d0d7de}
ol.timeline li{margin:0 0 10px 0;padding:6px 12px;position:relative;background:#fff;border:1px solid #e5e7eb;
border-left:none;border-radius:0 6px 6px 0}
ol.timeline li::before{content:"";position:absolute;left:-8px;top:12px;width:11px;height:11px;border-radius:50%;
background:#8c959f}
li.k-model_request::before,li.k-model_response::before{background:#8250df}
li.k-tool_call::before{background:#0969da}li.k-approval::before{background:#bf8700}
li.k-file_change::before{background:#1f883d}li.k-error::before,li.k-cancellation::before{background:#cf222e}
li.k-checkpoint::before{background:#57606a}
.kind{font-weight:600}.time{color:#57606a;font-size:12px;margin-right:8px}.seq{color:#8c959f;font-size:12px}
pre{background:#f6f8fa;padding:8px;overflow:auto;border-radius:4px;margin:6px 0;font-size:12.5px}
pre.diff .add{color:#116329;background:#dafbe1;display:block}
pre.diff .del{color:#82071e;background:#ffebe9;display:block}
pre.diff .hunk{color:#0550ae;display:block}
.denied{color:#cf222e;font-weight:600}.approved{color:#1f883d;font-weight:600}
.checkpoint{color:#57606a;font-size:12px;display:inline;margin-left:8px}
ol.timeline li.k-checkpoint{padding:2px 12px;background:#f3f4f6}
.change{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:6px 12px;margin-bottom:8px}
"""


def render_html(
    records: list[dict[str, Any]], blobs: BlobReader, verification: dict[str, Any], language: str | None = None
) -> str:
    c = Catalog(language)
    header = records[0] if records else {}
    start: dict[str, Any] = next((r for r in records if r.get("kind") == "task_start"), {})
    end: dict[str, Any] = next((r for r in reversed(records) if r.get("kind") == "task_end"), {})
    responses = [r for r in records if r.get("kind") == "model_response"]
    last = responses[-1] if responses else {}
    status = str(verification.get("status", "unknown"))
    outcome = end.get("outcome")
    meta = [
        c.html("model {0} ({1})", _bold(start.get("model", "")), escape(locality_label(c, start.get("locality")))),
        c.html("outcome {0}", _bold(outcome_label(c, outcome) if outcome else c.text("unfinished"))),
        c.html("steps {0}", escape(str(end.get("steps", "?")))),
        c.html(
            "tokens {0} in / {1} out",
            str(last.get("total_prompt_tokens", 0)),
            str(last.get("total_completion_tokens", 0)),
        ),
        c.html("cost {0}", escape(_usd(c, last.get("total_cost_usd", 0.0)))),
        c.html("git {0}", escape(str(start.get("git_head") or c.text("no commit"))[:12])),
    ]
    items = "\n".join(_item(c, r, blobs) for r in records if r.get("kind") != "trace_header")
    changes = "\n".join(_change(c, r, blobs) for r in records if r.get("kind") == "file_change")
    task_id = escape(str(header.get("task_id", "")))
    title = escape(str(start["task"])) if "task" in start else c.html("(no task start recorded)")
    return f"""<!DOCTYPE html>
<html lang="{escape(c.locale)}"><head><meta charset="utf-8"><title>{c.html("Flambeau trace {0}", task_id)}</title>
<style>{CSS}</style></head><body>
<header><h1>{title}</h1>
<div class="meta"><span>{c.html("task {0}", task_id)}</span>
<span class="status {escape(status)}">{escape(verdict_label(c, status))}</span>
<span>{escape(str(verification.get("message", "")))}</span></div>
<div class="meta">{"".join(f"<span>{m}</span>" for m in meta)}</div>
<div class="meta"><span>{c.html("signer {0}", escape(str(header.get("public_key", ""))))}</span></div></header>
<main><h2>{c.html("Changes")}</h2><div class="changes">{changes or f"<p>{c.html('No file was changed.')}</p>"}</div>
<h2>{c.html("Timeline")}</h2><ol class="timeline">
{items}
</ol></main></body></html>
"""


def _bold(value: object) -> str:
    return f"<b>{escape(str(value))}</b>"


def _item(c: Catalog, record: dict[str, Any], blobs: BlobReader) -> str:
    kind = str(record.get("kind", "event"))
    body = _body(c, kind, record, blobs)
    stamp = escape(str(record.get("time", ""))[11:23])
    return (
        f'<li class="k-{escape(kind)}" id="r{record.get("seq")}"><span class="time">{stamp}</span>'
        f'<span class="kind">{escape(kind_label(c, kind))}</span> <span class="seq">#{record.get("seq")}</span>'
        f"{body}</li>"
    )


def _body(c: Catalog, kind: str, r: dict[str, Any], blobs: BlobReader) -> str:
    if kind == "task_start":
        rules = ", ".join(r.get("rules") or []) or c.text("none")
        return (
            "<div>"
            + c.html(
                "workspace {0} · profile {1} · rules {2} · config {3}",
                escape(str(r.get("workspace"))),
                escape(str(r.get("profile"))),
                escape(rules),
                escape(str(r.get("config_digest", ""))[:12]),
            )
            + "</div>"
        )
    if kind == "model_request":
        return (
            "<div>"
            + c.html(
                "step {0} → {1} ({2}), exact request {3} bytes, sha256 {4}",
                str(r.get("step")),
                escape(str(r.get("model"))),
                escape(locality_label(c, r.get("locality"))),
                str(r.get("body_bytes")),
                escape(str(r.get("body_sha256") or r.get("body_blob", ""))[:12]),
            )
            + "</div>"
        )
    if kind == "model_response":
        return (
            "<div>"
            + c.html(
                "{0} ({1}) · {2} in / {3} out · {4} · {5} s",
                escape(str(r.get("response_model") or r.get("model"))),
                escape(locality_label(c, r.get("locality"))),
                str(r.get("prompt_tokens")),
                str(r.get("completion_tokens")),
                escape(_usd(c, r.get("cost_usd"))),
                str(r.get("latency_s")),
            )
            + "</div>"
        )
    if kind == "assistant_text" or kind == "user_message":
        return f"<pre>{escape(str(r.get('text', '')))}</pre>"
    if kind == "tool_call":
        arguments = r.get("arguments") or {}
        if r.get("tool") == "run_command" and isinstance(arguments, dict):
            return f"<div>{escape(str(r.get('tool')))}</div><pre>$ {escape(str(arguments.get('command', '')))}</pre>"
        return f"<div>{escape(str(r.get('tool')))}</div><pre>{escape(json.dumps(arguments, indent=1))}</pre>"
    if kind == "approval_request":
        asks = c.html("asks: {0} ({1})", escape(str(r.get("summary"))), escape(str(r.get("reason", ""))))
        return f"<div>{asks}</div>"
    if kind == "approval":
        verdict = (
            f'<span class="approved">{c.html("approved")}</span>'
            if r.get("approved")
            else f'<span class="denied">{c.html("denied")}</span>'
        )
        decided = c.html(
            "{0} by {1}: {2}", verdict, escape(decider_label(c, r.get("by"))), escape(str(r.get("reason", "")))
        )
        return f"<div>{decided}</div>"
    if kind == "tool_result":
        output = blobs.get(str(r.get("output_blob", "")))
        text = output.decode("utf-8", errors="replace") if output is not None else str(r.get("output_preview", ""))
        if len(text) > OUTPUT_CHARS:
            text = text[:OUTPUT_CHARS] + "\n" + c.text("… ({0} more characters in the blob)", len(text) - OUTPUT_CHARS)
        tool, seconds = escape(str(r.get("tool"))), str(r.get("duration_s"))
        line = c.html("{0} ok in {1} s", tool, seconds) if r.get("ok") else c.html("{0} failed in {1} s", tool, seconds)
        return f"<div>{line}</div><pre>{escape(text)}</pre>"
    if kind == "file_change":
        return _change_body(c, r, blobs)
    if kind == "workspace_checkpoint":
        snapshot = c.html(
            "snapshot {0} of {1} files before step {2}",
            escape(str(r.get("checkpoint_id", ""))[:12]),
            str(r.get("files")),
            str(r.get("step")),
        )
        return f"<div>{snapshot}</div>"
    if kind == "checkpoint":
        size, root = str(r.get("tree_size")), escape(str(r.get("root", ""))[:16])
        final = r.get("final")
        signed = (
            c.html("signed (final) over {0} records, root {1}…", size, root)
            if final
            else c.html("signed over {0} records, root {1}…", size, root)
        )
        return f'<span class="checkpoint">{signed}</span>'
    if kind in ("error", "cancellation", "task_end"):
        detail = r.get("error") or r.get("reason") or f"{r.get('outcome')}: {r.get('result', '')}"
        return f"<pre>{escape(str(detail))}</pre>"
    return (
        f"<pre>{escape(json.dumps({k: v for k, v in r.items() if k not in ('prev', 'seq', 'time')}, indent=1))}</pre>"
    )


def _change_body(c: Catalog, r: dict[str, Any], blobs: BlobReader) -> str:
    diff = r.get("diff")
    if diff is None and r.get("diff_blob"):
        data = blobs.get(str(r["diff_blob"]))
        diff = data.decode("utf-8", errors="replace") if data else ""
    before = escape(str(r.get("sha256_before") or c.text("new"))[:12])
    after = escape(str(r.get("sha256_after") or c.text("deleted"))[:12])
    return f"<div>{escape(str(r.get('path')))}: {before} → {after}</div>{_diff(str(diff or ''))}"


def _change(c: Catalog, r: dict[str, Any], blobs: BlobReader) -> str:
    return f'<div class="change"><a href="#r{r.get("seq")}">#{r.get("seq")}</a> {_change_body(c, r, blobs)}</div>'


def _diff(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        cls = ""
        if line.startswith("+") and not line.startswith("+++"):
            cls = "add"
        elif line.startswith("-") and not line.startswith("---"):
            cls = "del"
        elif line.startswith("@@"):
            cls = "hunk"
        lines.append(f'<span class="{cls}">{escape(line)}</span>' if cls else escape(line) + "\n")
    return f'<pre class="diff">{"".join(lines)}</pre>'


def _usd(c: Catalog, value: object) -> str:
    """A recorded cost; None means no price was known for the model."""
    return f"${float(value):.4f}" if isinstance(value, int | float) else c.text("unknown (no price for this model)")
