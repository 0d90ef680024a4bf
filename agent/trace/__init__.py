"""The verifiable action trace: writer (an EventBus subscriber), verifier, listing and exports.

Stable API (documented in docs/trace.md): `TraceWriter`, `list_traces`, `TraceSummary`, `find_trace`,
`verify`, `VerifyReport`, `export`, `read_trace`, `TraceError`, `trace_path`, `local_public_key`.
"""

from agent.trace.export import export
from agent.trace.layout import trace_path
from agent.trace.listing import TraceSummary, find_trace, list_traces
from agent.trace.reading import TraceError, read_trace
from agent.trace.signing import local_public_key
from agent.trace.verify import EXIT_CODES, VerifyReport, verify
from agent.trace.writer import TraceWriter

__all__ = [
    "EXIT_CODES",
    "TraceError",
    "TraceSummary",
    "TraceWriter",
    "VerifyReport",
    "export",
    "find_trace",
    "list_traces",
    "local_public_key",
    "read_trace",
    "trace_path",
    "verify",
]
