"""The reminders of an event through the API: read them, or replace the list (organisers of the event)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from ..events import domain as events
from ..http import Caller, Conn, Now
from ..openapi import responses
from . import domain
from .schemas import Reminder, ReminderIn

ORGANISER = ("organiser",)


class ReminderController(Controller):
    path = "/api/v1/events/{slug:str}/reminders"
    tags = ["reminders"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(401, 403, 404))
    async def list_reminders(self, slug: FromPath[str], conn: Conn, principal: Caller) -> list[Reminder]:
        """The reminders that are on: how long before the start (ISO 8601), when, and how many were sent."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.list_reminders(conn, event)

    @put("/", responses=responses(401, 403, 404, 409, 422))
    async def set_reminders(
        self, slug: FromPath[str], data: JSONBody[list[ReminderIn]], conn: Conn, principal: Caller, now: Now
    ) -> list[Reminder]:
        """Replace the list, e.g. `[{"before": "P7D"}, {"before": "P1D"}]` (PT1M to P60D; `[]` turns them off).
        A reminder turned on again later is not sent again to those who had it."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.set_reminders(conn, event, data, actor=principal, now=now)


REMINDER_ROUTES = [ReminderController]
