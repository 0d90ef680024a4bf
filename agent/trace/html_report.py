"""A self-contained HTML report of a trace: no scripts, no external files, opens offline."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from agent.trace.blobs import BlobReader

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


def render_html(records: list[dict[str, Any]], blobs: BlobReader, verification: dict[str, Any]) -> str:
    header = records[0] if records else {}
    start: dict[str, Any] = next((r for r in records if r.get("kind") == "task_start"), {})
    end: dict[str, Any] = next((r for r in reversed(records) if r.get("kind") == "task_end"), {})
    responses = [r for r in records if r.get("kind") == "model_response"]
    last = responses[-1] if responses else {}
    status = str(verification.get("status", "unknown"))
    meta = [
        f"model <b>{escape(str(start.get('model', '')))}</b> ({escape(str(start.get('locality', '')))})",
        f"outcome <b>{escape(str(end.get('outcome', 'unfinished')))}</b>",
        f"steps {escape(str(end.get('steps', '?')))}",
        f"tokens {last.get('total_prompt_tokens', 0)} in / {last.get('total_completion_tokens', 0)} out",
        f"cost {_usd(last.get('total_cost_usd', 0.0))}",
        f"git {escape(str(start.get('git_head') or 'no commit')[:12])}",
    ]
    items = "\n".join(_item(r, blobs) for r in records if r.get("kind") != "trace_header")
    changes = "\n".join(_change(r, blobs) for r in records if r.get("kind") == "file_change")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Flambeau trace {escape(str(header.get("task_id", "")))}</title>
<style>{CSS}</style></head><body>
<header><h1>{escape(str(start.get("task", "(no task start recorded)")))}</h1>
<div class="meta"><span>task {escape(str(header.get("task_id", "")))}</span>
<span class="status {escape(status)}">{escape(status)}</span>
<span>{escape(str(verification.get("message", "")))}</span></div>
<div class="meta">{"".join(f"<span>{m}</span>" for m in meta)}</div>
<div class="meta"><span>signer {escape(str(header.get("public_key", "")))}</span></div></header>
<main><h2>Changes</h2><div class="changes">{changes or "<p>No file was changed.</p>"}</div>
<h2>Timeline</h2><ol class="timeline">
{items}
</ol></main></body></html>
"""


def _item(record: dict[str, Any], blobs: BlobReader) -> str:
    kind = str(record.get("kind", "event"))
    body = _body(kind, record, blobs)
    stamp = escape(str(record.get("time", ""))[11:23])
    return (
        f'<li class="k-{escape(kind)}" id="r{record.get("seq")}"><span class="time">{stamp}</span>'
        f'<span class="kind">{escape(kind.replace("_", " "))}</span> <span class="seq">#{record.get("seq")}</span>'
        f"{body}</li>"
    )


def _body(kind: str, r: dict[str, Any], blobs: BlobReader) -> str:
    if kind == "task_start":
        rules = ", ".join(r.get("rules") or []) or "none"
        return (
            f"<div>workspace {escape(str(r.get('workspace')))} · profile {escape(str(r.get('profile')))} · "
            f"rules {escape(rules)} · config {escape(str(r.get('config_digest', ''))[:12])}</div>"
        )
    if kind == "model_request":
        return (
            f"<div>step {r.get('step')} → {escape(str(r.get('model')))} ({escape(str(r.get('locality')))}), "
            f"exact request {r.get('body_bytes')} bytes, sha256 "
            f"{escape(str(r.get('body_sha256') or r.get('body_blob', ''))[:12])}</div>"
        )
    if kind == "model_response":
        return (
            f"<div>{escape(str(r.get('response_model') or r.get('model')))} ({escape(str(r.get('locality')))}) · "
            f"{r.get('prompt_tokens')} in / {r.get('completion_tokens')} out · {_usd(r.get('cost_usd'))}"
            f" · {r.get('latency_s')} s</div>"
        )
    if kind == "assistant_text" or kind == "user_message":
        return f"<pre>{escape(str(r.get('text', '')))}</pre>"
    if kind == "tool_call":
        arguments = r.get("arguments") or {}
        if r.get("tool") == "run_command" and isinstance(arguments, dict):
            return f"<div>{escape(str(r.get('tool')))}</div><pre>$ {escape(str(arguments.get('command', '')))}</pre>"
        return f"<div>{escape(str(r.get('tool')))}</div><pre>{escape(json.dumps(arguments, indent=1))}</pre>"
    if kind == "approval_request":
        return f"<div>asks: {escape(str(r.get('summary')))} ({escape(str(r.get('reason', '')))})</div>"
    if kind == "approval":
        verdict = (
            '<span class="approved">approved</span>' if r.get("approved") else '<span class="denied">denied</span>'
        )
        return f"<div>{verdict} by {escape(str(r.get('by')))}: {escape(str(r.get('reason', '')))}</div>"
    if kind == "tool_result":
        output = blobs.get(str(r.get("output_blob", "")))
        text = output.decode("utf-8", errors="replace") if output is not None else str(r.get("output_preview", ""))
        if len(text) > OUTPUT_CHARS:
            text = text[:OUTPUT_CHARS] + f"\n… ({len(text) - OUTPUT_CHARS} more characters in the blob)"
        mark = "ok" if r.get("ok") else "failed"
        return f"<div>{escape(str(r.get('tool')))} {mark} in {r.get('duration_s')} s</div><pre>{escape(text)}</pre>"
    if kind == "file_change":
        return _change_body(r, blobs)
    if kind == "workspace_checkpoint":
        return (
            f"<div>snapshot {escape(str(r.get('checkpoint_id', ''))[:12])} of {r.get('files')} files "
            f"before step {r.get('step')}</div>"
        )
    if kind == "checkpoint":
        final = " (final)" if r.get("final") else ""
        return (
            f'<span class="checkpoint">signed{final} over {r.get("tree_size")} records, root '
            f"{escape(str(r.get('root', ''))[:16])}…</span>"
        )
    if kind in ("error", "cancellation", "task_end"):
        detail = r.get("error") or r.get("reason") or f"{r.get('outcome')}: {r.get('result', '')}"
        return f"<pre>{escape(str(detail))}</pre>"
    return (
        f"<pre>{escape(json.dumps({k: v for k, v in r.items() if k not in ('prev', 'seq', 'time')}, indent=1))}</pre>"
    )


def _change_body(r: dict[str, Any], blobs: BlobReader) -> str:
    diff = r.get("diff")
    if diff is None and r.get("diff_blob"):
        data = blobs.get(str(r["diff_blob"]))
        diff = data.decode("utf-8", errors="replace") if data else ""
    return (
        f"<div>{escape(str(r.get('path')))}: {escape(str(r.get('sha256_before') or 'new')[:12])} → "
        f"{escape(str(r.get('sha256_after') or 'deleted')[:12])}</div>{_diff(str(diff or ''))}"
    )


def _change(r: dict[str, Any], blobs: BlobReader) -> str:
    return f'<div class="change"><a href="#r{r.get("seq")}">#{r.get("seq")}</a> {_change_body(r, blobs)}</div>'


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


def _usd(value: object) -> str:
    """A recorded cost; None means no price was known for the model."""
    return f"${float(value):.4f}" if isinstance(value, int | float) else "unknown (no price for this model)"
