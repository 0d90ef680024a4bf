"""The path of a question: a `QuestionAsked` event, the front end's asker, a `QuestionAnswered` event.

Like approvals, every front end and the trace see the same two events; the asker is the terminal, the
editor, or nobody. No answer (no terminal, a timeout, a dismissed dialog) is not an error: the model is
told to decide itself and to say what it assumed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from agent.events import AnsweredBy, EventSink, QuestionAnswered, QuestionAsked
from tools.question import NO_ANSWER


@dataclass(frozen=True)
class Answer:
    text: str | None
    """None: nobody answered."""
    by: AnsweredBy = "user"


class Asker(Protocol):
    async def ask(self, question: QuestionAsked) -> Answer: ...


class NobodyToAsk:
    """Where no person can be asked (a batch run): every question gets no answer."""

    async def ask(self, question: QuestionAsked) -> Answer:
        return Answer(None, "nobody")


def answer_for_model(answer: Answer) -> str:
    text = (answer.text or "").strip()
    return f"The user answered: {text}" if text else NO_ANSWER


class QuestionChannel:
    """A `tools.base.QuestionAsker` for one task: asks through `asker`, emitting both events."""

    def __init__(self, task_id: str, asker: Asker, emit: EventSink) -> None:
        self.task_id = task_id
        self.asker = asker
        self.emit = emit

    async def __call__(self, call_id: str, question: str, suggestions: list[str]) -> str:
        asked = QuestionAsked(task_id=self.task_id, call_id=call_id, question=question, suggestions=suggestions)
        self.emit(asked)
        try:
            answer = await self.asker.ask(asked)
        except asyncio.CancelledError:
            self._answered(call_id, Answer(None, "cancelled"))
            raise
        text = (answer.text or "").strip() or None
        self._answered(call_id, Answer(text, answer.by if text else ("nobody" if answer.by == "user" else answer.by)))
        return answer_for_model(Answer(text, answer.by))

    def _answered(self, call_id: str, answer: Answer) -> None:
        self.emit(QuestionAnswered(task_id=self.task_id, call_id=call_id, answer=answer.text, by=answer.by))
