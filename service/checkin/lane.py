"""The door scan's fast lane (service/lanes.py): a well-formed `POST /api/v1/checkins` answered in front of
Litestar's routing.

A scan is the busiest request there is (a queue of 300 at each door), and its own work is small: decode the body,
one statement, encode the answer. In process, with the database left out, Litestar's way around that work cost a
scan ~0.13 ms of Python against ~0.06 ms through this lane; under load the benchmark does about a quarter more
scans a second.

The lane answers a body that decodes into CheckinIn and that domain.check_in judges. Anything else goes to the
route with the body replayed (see service/lanes.py); the route judges the scan again, which is harmless: the
errors store nothing, and a repeated nonce answers what the first request got.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from ..http import provide_now
from ..lanes import Answer, Lane, header
from . import domain
from .schemas import CheckinIn

if TYPE_CHECKING:
    from litestar.types import Scope

PATH = "/api/v1/checkins"
_decoder = msgspec.json.Decoder(CheckinIn)


class ScanLane(Lane):
    template = PATH

    def route_of(self, scope: Scope) -> dict[str, str] | None:
        return {} if scope["path"] == PATH else None

    async def answer(self, scope: Scope, body: bytes) -> Answer | None:
        try:
            data = _decoder.decode(body)
        except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):  # the route answers 400
            return None
        state = self.state
        scan = await domain.check_in(
            state.scans, header(scope, b"authorization"), data=data, settings=state.settings, now=provide_now(state)
        )
        return Answer(200, msgspec.json.encode(scan))
