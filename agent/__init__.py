"""The agent: the loop (session), approval, events, context budget, models, tool-call parsing and the trace.

Only `new_task_id` lives here: front ends need it before anything heavy is imported.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_task_id() -> str:
    """`<UTC time>-<8 hex>`: sortable by start time, unique, and a safe file name for the trace."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
