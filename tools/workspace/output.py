"""Capping long text: keep the head and the tail, and say exactly how much was cut."""

from __future__ import annotations


def cap_middle(text: str, max_chars: int) -> str:
    """Return `text` unchanged if it fits, else its head and tail around a marker naming the cut size."""
    if len(text) <= max_chars:
        return text
    marker_budget = 80
    keep = max(max_chars - marker_budget, 0)
    head_len = keep * 2 // 3
    tail_len = keep - head_len
    cut = len(text) - head_len - tail_len
    head = text[:head_len]
    tail = text[len(text) - tail_len :] if tail_len else ""
    return f"{head}\n[... {cut:,} characters cut from the middle of {len(text):,} ...]\n{tail}"


def cap_bytes_middle(data: bytes, max_bytes: int) -> tuple[bytes, int]:
    """Head and tail of `data` within `max_bytes`; returns the kept bytes and how many were cut."""
    if len(data) <= max_bytes:
        return data, 0
    head_len = max_bytes * 2 // 3
    tail_len = max_bytes - head_len
    return data[:head_len] + data[len(data) - tail_len :], len(data) - max_bytes
