"""Images for a model that sees: checked by their bytes, sent as litellm content parts."""

from __future__ import annotations

import base64
from pathlib import PurePosixPath

from agent.attachments.types import Attachment, MentionError
from agent.models.profile import ModelProfile

MAX_IMAGE_BYTES = 5_000_000
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})


def sniff(data: bytes) -> str | None:
    """The image type `data` starts with, or None."""
    for signature, mime in SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def looks_like_image(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in IMAGE_SUFFIXES


def image_attachment(name: str, data: bytes, mention: str = "", path: str = "") -> Attachment:
    """An image attachment; refuses what is not a PNG, JPEG, GIF or WebP, or is too large."""
    mime = sniff(data)
    if mime is None:
        raise MentionError(f"{name} is not a PNG, JPEG, GIF or WebP image; attach one of those")
    if len(data) > MAX_IMAGE_BYTES:
        raise MentionError(
            f"{name} is {len(data):,} bytes, over the {MAX_IMAGE_BYTES:,}-byte limit for an image; attach a smaller one"
        )
    return Attachment(mention or name, "image", name, path=path, image=data, mime=mime)


def image_from_wire(name: str, data_base64: str) -> Attachment:
    try:
        data = base64.b64decode(data_base64, validate=True)
    except ValueError as error:
        raise MentionError(f"the image {name} is not valid base64 ({error}); paste or drop it again") from error
    return image_attachment(name or "image", data)


def data_url(attachment: Attachment) -> str:
    assert attachment.image is not None
    return f"data:{attachment.mime};base64,{base64.b64encode(attachment.image).decode('ascii')}"


def refuse_without_vision(profile: ModelProfile, attachments: list[Attachment]) -> None:
    images = [a.label for a in attachments if a.kind == "image"]
    if images and not profile.vision:
        raise MentionError(
            f"the model profile {profile.name!r} ({profile.model}) does not declare vision, so the image(s) "
            f"{', '.join(images)} cannot be sent; if the model accepts images, set vision = true in its profile "
            f"([profiles.{profile.name}] in ~/.config/flambeau/models.toml), or choose a profile that declares it"
        )
