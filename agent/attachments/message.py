"""The message that carries attachments: the user's text, each attachment in a tagged block, images as
content parts; every block through the same filter as tool output (what may go to a cloud model)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from agent.attachments.images import data_url
from agent.attachments.types import Attachment
from agent.context import IMAGE_PART_TOKENS
from agent.egress import WITHHELD
from agent.events import Attached, ContextAttached
from tools.workspace.output import cap_middle

Filter = Callable[[str, dict[str, Any], str], str]
TOTAL_SHARE = 0.6
"""Attachments together may take this share of the prompt's characters; each at most one tool result's."""


def attached_message(
    task_id: str,
    text: str,
    attachments: Sequence[Attachment],
    *,
    result_filter: Filter | None,
    cap_chars: int,
    count: Callable[[str], int],
) -> tuple[dict[str, Any], ContextAttached | None]:
    """The user message and the event that records what it attached (None: nothing attached)."""
    if not attachments:
        return {"role": "user", "content": text}, None
    budget = int(cap_chars / 0.25 * TOTAL_SHARE)
    blocks, parts, items, contents = [text], [], [], []
    for attachment in attachments:
        if attachment.kind == "image":
            withheld = _withheld(result_filter, attachment, "")
            if not withheld:
                parts.append({"type": "image_url", "image_url": {"url": data_url(attachment)}})
            items.append(_item(attachment, attachment.image or b"", 0 if withheld else IMAGE_PART_TOKENS, withheld))
            contents.append(attachment.image or b"")
            continue
        sent = attachment.text
        if result_filter is not None:
            sent = result_filter(attachment.tool or "read_file", attachment.arguments, sent)
        sent = cap_middle(sent, max(200, min(cap_chars, budget)))
        budget -= len(sent)
        block = f'<attachment mention="{attachment.mention}" kind="{attachment.kind}">\n{sent}\n</attachment>'
        blocks.append(block)
        withheld = sent if sent.startswith(WITHHELD) else ""
        items.append(_item(attachment, attachment.text.encode("utf-8"), count(block), withheld))
        contents.append(attachment.text.encode("utf-8"))
    body = "\n\n".join(blocks)
    content: str | list[dict[str, Any]] = [{"type": "text", "text": body}, *parts] if parts else body
    return {"role": "user", "content": content}, ContextAttached(task_id=task_id, items=items, contents=contents)


def _withheld(result_filter: Filter | None, attachment: Attachment, text: str) -> str:
    if result_filter is None:
        return ""
    answer = result_filter("read_file", {"path": attachment.path} if attachment.path else {}, text)
    return answer if answer.startswith(WITHHELD) else ""


def _item(attachment: Attachment, data: bytes, tokens: int, withheld: str) -> Attached:
    return Attached(
        mention=attachment.mention,
        kind=attachment.kind,
        label=attachment.label,
        path=attachment.path,
        chars=len(attachment.text),
        tokens=tokens,
        withheld=withheld,
        sha256=hashlib.sha256(data).hexdigest(),
    )
