"""`POST /api/v1/events/{slug}/copy`: next year's event as a draft copy (organiser of the event, or an admin)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import FromPath, JSONBody

from .. import idempotency
from ..events.schemas import EventOut
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from . import domain
from .schemas import Copied, CopyIn


class EventCopied(msgspec.Struct, kw_only=True):
    event: EventOut
    copied: Copied


class EventCopyController(Controller):
    tags = ["events"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/api/v1/events/{slug:str}/copy", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def copy(
        self,
        slug: FromPath[str],
        data: JSONBody[CopyIn],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
        idempotency_key: idempotency.Key = None,
    ) -> Response[EventCopied]:
        """A draft copy of the event at a new start (`{"slug": …, "starts_at": …}`): programme moved by the same
        offset, questions, workshop groups, reminders; no doors, registrations or Slack channel. 409 `slug_taken`
        when the address is in use. Honours `Idempotency-Key`."""

        async def action() -> tuple[int, bytes]:
            event, copied = await domain.copy_event(conn, slug, data, actor=principal, now=now)
            body = EventCopied(event=EventOut.of(event, now=now, base_url=settings.base_url), copied=copied)
            return 201, msgspec.json.encode(body)

        return await idempotency.respond(request, conn, principal=principal.actor, key=idempotency_key, action=action)


EVENT_COPY_ROUTES = [EventCopyController]
