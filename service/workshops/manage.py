"""What the manage page shows of a workshop registration, kept below both page modules that use it."""

from __future__ import annotations

from typing import Any

import asyncpg

from ..events import domain as events
from ..registrations.schemas import Registration
from . import queries, series


async def workshop_context(conn: asyncpg.Connection, registration: Registration) -> dict[str, Any]:
    """What the manage page shows of a workshop: the person's group (once published) and the dates of the series
    that the same sign-up made, with their status only: a page never holds another registration's link."""
    group = await queries.group_of(conn, registration.id)
    dates = [
        {"event": await events.get_event(conn, slug, include_unpublished=True), "status": status}
        for slug, status in await series.signup_dates(conn, registration)
    ]
    return {"group": group if group and group.published else None, "series_dates": dates}
