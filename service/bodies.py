"""Request bodies that stall: a client that sends a few bytes and then nothing must not hold a worker's
connection (and perhaps a database connection) for as long as it likes.

`with_timeout(receive, seconds)` wraps an ASGI `receive` so that waiting longer than `seconds` for the next part
of a request body raises BodyTimeout; the application answers it with 408. A client that hangs up while its body
is being read is an ordinary event, logged at INFO (see app.py), not an error of ours.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Receive, ReceiveMessage

log = logging.getLogger("moteplass.http")


class BodyTimeout(Exception):
    """The next part of the request body did not arrive in time."""


def with_timeout(receive: Receive, seconds: float) -> Receive:
    """`receive`, waiting at most `seconds` for each part of the body while more is to come."""
    done = False

    async def receive_in_time() -> ReceiveMessage:
        nonlocal done
        if done:  # the body is read: what comes now is the disconnect, which may come whenever it likes
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), seconds)
        except TimeoutError:
            log.info("request body timed out", extra={"seconds": seconds})
            raise BodyTimeout(f"no part of the request body arrived within {seconds:g} s") from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            done = True
        return message

    return receive_in_time
