"""What a session needs from outside the loop: a model to ask, and a filter of what may leave the machine."""

from __future__ import annotations

from typing import Any, Protocol

from agent.models.gateway import ModelReply
from agent.models.profile import ModelProfile


class Gateway(Protocol):
    profile: ModelProfile

    async def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        on_text: Any = None,
        extra_params: dict[str, Any] | None = None,
        on_request: Any = None,
    ) -> ModelReply: ...


class ResultFilter(Protocol):
    """Rewrites a tool result before it enters a cloud model's conversation (what may leave the machine)."""

    def __call__(self, tool: str, arguments: dict[str, Any], text: str) -> str: ...
