"""ask_followup_question: the model asks the user something it cannot decide alone."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolResult

NO_ANSWER = "no answer is available; decide yourself and say what you assumed"
MAX_SUGGESTIONS = 6


class AskFollowupQuestionArgs(ToolArgs):
    question: str = Field(description="One clear question.")
    suggestions: list[str] | None = Field(default=None, description="Answers to pick from.")


class AskFollowupQuestion(Tool[AskFollowupQuestionArgs]):
    name: ClassVar[str] = "ask_followup_question"
    category: ClassVar[Category] = Category.META
    description: ClassVar[str] = "Ask the user when you cannot go on without their answer."
    args_model = AskFollowupQuestionArgs

    def summary(self, args: AskFollowupQuestionArgs) -> str:
        return f"ask: {args.question}"

    async def run(self, args: AskFollowupQuestionArgs, ctx: ToolContext) -> ToolResult:
        suggestions = [s.strip() for s in args.suggestions or [] if s.strip()][:MAX_SUGGESTIONS]
        if ctx.ask is None:
            return ToolResult(ok=True, output=NO_ANSWER, data={"answered": False})
        reply = await ctx.ask(ctx.call_id, args.question.strip(), suggestions)
        return ToolResult(ok=True, output=reply, data={"answered": reply != NO_ANSWER})
