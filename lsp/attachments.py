"""What a `flambeau/startTask` or `flambeau/sendMessage` attaches: its text's @-mentions (the editor's
`context` for `@problems`, `@selection` and `@terminal`) and its pasted `images`, resolved before the
task starts. A mention that cannot be resolved fails the request with a message naming it: no task
starts (no message is sent) without what it asked for.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

if TYPE_CHECKING:
    from agent.attachments import Attachment
    from lsp.server import FlambeauServer

MAX_IMAGES = 8


def _load() -> None:
    import agent.attachments.resolve  # noqa: F401  (pydantic and the tools: off the event loop)


async def resolve_attachments(
    server: FlambeauServer, method: str, text: str, raw: dict[str, Any], refused: str = "the task was not started"
) -> list[Attachment]:
    """The attachments of a task or message; `JsonRpcInvalidParams` (starting with `refused`) names what failed."""
    images = raw.get("images")
    if "@" not in text and not images:
        return []
    if images is not None and (not isinstance(images, list) or len(images) > MAX_IMAGES):
        raise JsonRpcInvalidParams(f"{method}: 'images' must be a list of at most {MAX_IMAGES} images")
    await asyncio.to_thread(_load)
    from agent.attachments import EditorContext, MentionError
    from agent.attachments.images import image_from_wire
    from agent.attachments.resolve import resolve_mentions

    workspace = server.settings.workspace
    if workspace is None:
        raise JsonRpcInvalidParams(f"{method}: the server has no workspace folder to resolve mentions in")
    try:
        attachments = await resolve_mentions(
            text, workspace, EditorContext.from_wire(raw.get("context")), server.documents
        )
        for index, image in enumerate(images or []):
            if not isinstance(image, dict) or not isinstance(image.get("data"), str):
                raise MentionError(f"image {index + 1} has no base64 'data'; paste or drop it again")
            attachments.append(image_from_wire(str(image.get("name") or f"image {index + 1}"), image["data"]))
    except MentionError as error:
        raise JsonRpcInvalidParams(f"{refused}: {error}") from error
    return attachments
