"""Where a task's conversation was rewound to: the last "restore task" recorded after its last model request.

A later request's body already holds the rewound conversation (agent/history/conversation.py rebuilds from
it), so only a rewind that no request followed yet changes what a rebuild starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.trace.layout import SAFE_TASK_ID

REWINDING = ("task", "both")


@dataclass(frozen=True)
class Rewind:
    task_id: str
    """The trace the conversation was rewound into (this task's, or one it continues)."""
    step: int
    """The conversation ends after this step of that trace (0: the task alone)."""
    at: int
    """Index of the restore record among the records."""


def last_rewind(records: list[dict[str, Any]]) -> Rewind | None:
    """The rewind recorded after the last model request of `records`, if any."""
    for index in range(len(records) - 1, -1, -1):
        record = records[index]
        if record.get("kind") == "model_request":
            return None
        data = record.get("data")
        if record.get("kind") != "event" or record.get("event_type") != "checkpoint_restored":
            continue
        if not isinstance(data, dict) or data.get("what") not in REWINDING:
            continue
        task_id, step = data.get("checkpoint_task_id"), data.get("rewound_to_step")
        if isinstance(task_id, str) and SAFE_TASK_ID.match(task_id) and isinstance(step, int) and step >= 0:
            return Rewind(task_id, step, index)
    return None
