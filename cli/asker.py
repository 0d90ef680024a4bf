"""The model's questions on the terminal; without a terminal, nobody answers and the model decides."""

from __future__ import annotations

import sys
from typing import TextIO

from agent.events import QuestionAsked
from agent.questions import Answer
from cli.terminal_input import read_line
from tools.question import NO_ANSWER


class TerminalAsker:
    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stderr

    async def ask(self, question: QuestionAsked) -> Answer:
        if not sys.stdin.isatty():
            print(f"  ? {question.question}\n  ✗ no terminal to ask on: {NO_ANSWER}", file=self.out)
            return Answer(None, "nobody")
        lines = [f"  ? {question.question}"]
        lines += [f"    {number}. {text}" for number, text in enumerate(question.suggestions, start=1)]
        hint = "a number or your answer" if question.suggestions else "your answer"
        lines.append(f"  answer ({hint}; Enter for none): ")
        reply = (await read_line("\n".join(lines), self.out)).strip()
        if reply.isdigit() and 1 <= int(reply) <= len(question.suggestions):
            reply = question.suggestions[int(reply) - 1]
        return Answer(reply or None, "user" if reply else "nobody")
