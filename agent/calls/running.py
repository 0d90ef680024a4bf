"""Running one validated tool call: the policy's refusal at execution (whatever an approver said), the
tool itself, its errors as results the model can read, and how long it took."""

from __future__ import annotations

import time

from agent.calls.text import ParsedCall
from tools.base import ToolContext, ToolError, ToolResult
from tools.policy.evaluate import Policy
from tools.workspace.jail import PathError


async def run_tool(parsed: ParsedCall, ctx: ToolContext, policy: Policy) -> ToolResult:
    refusal = policy.refusal_at_execution(parsed.tool.category)
    if refusal is not None:
        return ToolResult(ok=False, output=f"Error: {refusal}")
    started = time.monotonic()
    ctx.call_id = parsed.call.id
    try:
        result = await parsed.tool.run(parsed.args, ctx)
    except (ToolError, PathError) as error:
        result = ToolResult(ok=False, output=f"Error: {error}")
    except OSError as error:
        result = ToolResult(ok=False, output=f"Error: {parsed.tool.name} failed: {error}")
    if "duration_s" not in result.data:
        result.data["duration_s"] = round(time.monotonic() - started, 4)
    return result
