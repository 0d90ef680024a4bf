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


class ClientGone(Exception):
    """The client disconnected: nothing can be sent to it any more."""


def notify_client(protocol: JsonRPCProtocol, method: str, params: Any) -> bool:
    """Send a notification; False when the client has gone (its end of the pipe is closed)."""
    try:
        protocol.notify(method, params)
    except ConnectionError:
        return False
    return True


async def request_client(protocol: JsonRPCProtocol, method: str, params: Any, timeout_s: float | None = None) -> Any:
    """Send `method` to the client and wait for its answer; raises `ClientRequestTimeout` after `timeout_s`,
    `ClientGone` when the client has disconnected, `JsonRpcException` when it answers with an error.
    """
    msg_id = f"flambeau-{uuid.uuid4().hex}"
    try:
        sent = protocol.send_request(method, params, msg_id=msg_id)
    except ConnectionError as error:
        raise ClientGone(f"the editor disconnected before {method} could be sent") from error
    reply = asyncio.wrap_future(sent)
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
    notify_client(protocol, types.CANCEL_REQUEST, types.CancelParams(id=msg_id))


def _consume(reply: asyncio.Future[Any]) -> None:
    """Mark a late error reply as seen, so asyncio does not log it as never retrieved."""
    if not reply.cancelled():
        reply.exception()
