"""The registration's fast lane (service/lanes.py): a well-formed `POST /api/v1/events/{slug}/registrations`
answered in front of Litestar's routing, its requests counted and registered in batches (batching.py).

The lane takes the common request: no Idempotency-Key, no answers to questions, no sessions or workshop ranking,
the privacy notice accepted. It counts the request against the rate limits and registers it with those arriving
beside it, and answers 201 with exactly the body the route gives. Everything else goes to the route, and a
request it counted goes marked with the verdict (ratelimit.COUNTED): over a rate limit, the route answers 429;
counted but not registered — the address is registered already, the event is unknown, closed, paused or asks
questions — the route's checked path says why (or registers it after all) without counting it again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from .. import ratelimit
from ..lanes import Answer, Lane, hand_over_counted, header
from . import domain
from .batching import Made, Pending
from .routes import created
from .schemas import RegistrationIn

if TYPE_CHECKING:
    from litestar.types import Scope

TEMPLATE = "/api/v1/events/{slug}/registrations"
_PATH = re.compile(r"/api/v1/events/([^/]+)/registrations")
_decoder = msgspec.json.Decoder(RegistrationIn)


class RegistrationLane(Lane):
    template = TEMPLATE

    def route_of(self, scope: Scope) -> dict[str, str] | None:
        match = _PATH.fullmatch(scope["path"])
        return {"slug": match.group(1)} if match else None

    async def answer(self, scope: Scope, body: bytes) -> Answer | None:
        if header(scope, b"idempotency-key") is not None:
            return None
        try:
            data = _decoder.decode(body)
        except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):  # the route answers 400 or 422
            return None
        if data.answers or data.sessions or data.perspectives is not None or not data.accept_privacy:
            return None
        state = self.state
        settings = state.settings
        peer = client[0] if (client := scope.get("client")) else ""
        caller = ratelimit.client_address(peer, header(scope, b"x-forwarded-for"), settings.trusted_proxies)
        values = domain.registration_values(data, "web")
        outcome = await state.registrations.register(
            Pending(scope["path_params"]["slug"], values, ratelimit.Caller(caller, (data.email,)))
        )
        if not isinstance(outcome, Made):  # refused by a rate limit, or not registered: the route says why
            hand_over_counted(scope, ratelimit.COUNTED, outcome or True)
            return None
        if outcome.row.seat_may_be_free:
            async with state.pool.acquire() as conn:
                registration = await domain.promote_waiting(conn, outcome.row, now=outcome.at)
        else:
            registration = domain.as_registration(outcome.row, values, now=outcome.at, source="web")
        return Answer(201, msgspec.json.encode(created(settings, registration)))
