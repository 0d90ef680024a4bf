"""Asking for approval on the terminal; without a terminal, `ask` denies and says so."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from agent.approval import Decision, denial_reason
from agent.events import ApprovalRequested

NO_TTY_REASON = (
    "denied: approval mode 'ask' needs a terminal to ask on and standard input is not one; "
    "run in a terminal, or choose --approve auto-edit or --approve auto-all"
)


class TerminalApprover:
    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stderr

    async def decide(self, request: ApprovalRequested) -> Decision:
        if not sys.stdin.isatty():
            print(f"  ✗ {request.summary}: {NO_TTY_REASON}", file=self.out)
            return Decision(approved=False, by="rule", reason=NO_TTY_REASON)
        if request.preview and request.preview != request.summary:
            print(request.preview.rstrip(), file=self.out)
        prompt = f"  ? {request.summary} ({request.reason}) — approve? [y]es / [n]o / [a]lways: "
        answer = (await asyncio.to_thread(_ask, prompt, self.out)).strip().lower()
        if answer in ("a", "always"):
            return Decision(approved=True, by="user", reason="approved for the rest of this task", remember=True)
        if answer in ("y", "yes"):
            return Decision(approved=True, by="user", reason="approved on the terminal")
        why = (await asyncio.to_thread(_ask, "  why? (told to the model; Enter to skip): ", self.out)).strip()
        return Decision(approved=False, by="user", reason=denial_reason("on the terminal", why))


def _ask(prompt: str, out: TextIO) -> str:
    out.write(prompt)
    out.flush()
    line = sys.stdin.readline()
    return line if line else "n"
