"""Asking for approval on the terminal; without a terminal, `ask` denies and says so."""

from __future__ import annotations

import sys
from typing import TextIO

from agent.approval import Decision, denial_reason
from agent.events import ApprovalRequested
from cli.terminal_input import read_line

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
        answer = ((await read_line(prompt, self.out)) or "n").strip().lower()
        if answer in ("a", "always"):
            return Decision(approved=True, by="user", reason="approved for the rest of this task", remember=True)
        if answer in ("y", "yes"):
            return Decision(approved=True, by="user", reason="approved on the terminal")
        why = (await read_line("  why? (told to the model; Enter to skip): ", self.out)).strip()
        return Decision(approved=False, by="user", reason=denial_reason("on the terminal", why))
