"""The model's questions through the editor: `flambeau/ask` when the client declared `questions`, else
`window/showMessageRequest` with the suggested answers as its buttons (any LSP editor shows those).

The request's params have the shape of a `flambeau/event` notification (`{taskId, event}`) whose event is
the session's `question_asked` event. No answer (a dismissed dialog, a timeout, a gone editor) is not an
error: the model is told that no answer is available and decides itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.client_requests import ClientGone, ClientRequestTimeout, request_client
from lsp.features import ASK as ASK_METHOD

if TYPE_CHECKING:
    from agent.events import QuestionAsked
    from agent.questions import Answer
    from lsp.server import FlambeauServer


class LspAsker:
    def __init__(self, server: FlambeauServer) -> None:
        self.server = server

    async def ask(self, question: QuestionAsked) -> Answer:
        from agent.questions import Answer

        timeout = self.server.settings.approval_timeout_s
        try:
            if self.server.client.questions:
                reply = await request_client(self.server.protocol, ASK_METHOD, ask_params(question), timeout_s=timeout)
                return answer_from_reply(reply)
            item = await request_client(
                self.server.protocol, types.WINDOW_SHOW_MESSAGE_REQUEST, message_request(question), timeout_s=timeout
            )
        except ClientGone:
            return Answer(None, "cancelled")
        except ClientRequestTimeout:
            return Answer(None, "timeout")
        except JsonRpcException:
            return Answer(None, "nobody")
        if isinstance(item, types.MessageActionItem) and item.title:
            return Answer(item.title, "user")
        return Answer(None, "nobody")


def ask_params(question: QuestionAsked) -> dict[str, Any]:
    return {"taskId": question.task_id, "event": question.to_dict()}


def answer_from_reply(reply: Any) -> Answer:
    """`{answer: str | null}`; anything else counts as no answer."""
    from agent.questions import Answer

    text = reply.get("answer") if isinstance(reply, dict) else None
    return Answer(text, "user") if isinstance(text, str) and text.strip() else Answer(None, "nobody")


def message_request(question: QuestionAsked) -> types.ShowMessageRequestParams:
    return types.ShowMessageRequestParams(
        type=types.MessageType.Info,
        message=f"Flambeau asks: {question.question}",
        actions=[types.MessageActionItem(title=text) for text in question.suggestions] or None,
    )


__all__ = ["LspAsker"]
