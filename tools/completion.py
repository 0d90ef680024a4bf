"""attempt_completion: the model says the task is done."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolResult


class AttemptCompletionArgs(ToolArgs):
    result: str = Field(description="What was done, in a few sentences, for the user.")


class AttemptCompletion(Tool[AttemptCompletionArgs]):
    name: ClassVar[str] = "attempt_completion"
    category: ClassVar[Category] = Category.META
    description: ClassVar[str] = "Finish the task: call this once the task is done, with a short summary."
    args_model = AttemptCompletionArgs

    def summary(self, args: AttemptCompletionArgs) -> str:
        return "complete the task"

    async def run(self, args: AttemptCompletionArgs, ctx: ToolContext) -> ToolResult:
        return ToolResult(ok=True, output=args.result, data={"completed": True})
