"""History from the trace: past tasks rebuilt from their traces, opened, exported and resumed.

The trace is the only store: nothing here keeps a copy that could disagree with it. Modules (imported
by name, so that importing the package loads nothing heavy):
`conversation` — `rebuild_conversation(trace, up_to_step)`, the messages a model continues from (also
what rewinding a task to step N uses); `replay` — a trace's records as the live events the panel draws;
`timeline` — a task and the tasks it continues, for opening; `resume` — `prepare_resume`, `ResumedSession`;
`export` — a conversation as Markdown or JSON.
"""
