"""Server -> client requests that survive the task awaiting them being cancelled (pygls issue #621).

pygls 2.1.1 settles a request's future when the client's reply arrives without checking whether it was
cancelled, so a task cancelled while waiting for a reply makes the late reply raise `InvalidStateError`
inside the message loop. Here the pygls future is never cancelled: the wait is shielded, and when the
waiting task gives up (cancelled or timed out) the client is told with `$/cancelRequest` instead.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from lsprotocol import types
from pygls.protocol import JsonRPCProtocol


class ClientRequestTimeout(Exception):
    """The client did not answer in time."""


async def request_client(protocol: JsonRPCProtocol, method: str, params: Any, timeout_s: float | None = None) -> Any:
    """Send `method` to the client and wait for its answer; raises `ClientRequestTimeout` after `timeout_s`.

    A `JsonRpcException` is raised when the client answers with an error.
    """
    msg_id = f"flambeau-{uuid.uuid4().hex}"
    reply = asyncio.wrap_future(protocol.send_request(method, params, msg_id=msg_id))
    reply.add_done_callback(_consume)
    try:
        return await asyncio.wait_for(asyncio.shield(reply), timeout_s)
    except TimeoutError:
        _withdraw(protocol, msg_id)
        raise ClientRequestTimeout(f"no answer to {method} within {timeout_s:g}s") from None
    except asyncio.CancelledError:
        _withdraw(protocol, msg_id)
        raise


def _withdraw(protocol: JsonRPCProtocol, msg_id: str) -> None:
    """Tell the client we no longer wait for this request (it may close its dialog)."""
    protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))


def _consume(reply: asyncio.Future[Any]) -> None:
    """Mark a late error reply as seen, so asyncio does not log it as never retrieved."""
    if not reply.cancelled():
        reply.exception()
