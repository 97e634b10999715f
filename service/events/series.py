"""Who owns a series of workshops: a series is created by the organiser (or admin) who first names it on an
event, and only the organisers scoped to it (and admins) may attach dates to it or name its organisers.

Without this, `series` was free text on events and anyone with the organiser role could attach a date to
another organiser's series, and so into its sign-up ("all dates").
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from .. import audit
from ..accounts.domain import require_series_scope
from ..accounts.queries import grant_series_scope
from ..accounts.schemas import Principal
from ..errors import Invalid, NotFound
from . import queries

EDIT_ROLES = ("organiser",)


async def join_series(conn: asyncpg.Connection, slug: str, *, actor: Principal, now: datetime) -> None:
    """Let the actor attach a date to the series `slug`: a name not yet in use creates the series, owned by
    the actor; an existing series needs one of its organisers or an admin. Raises Forbidden
    (not_series_organiser). Call inside the transaction that attaches the date."""
    created = await queries.insert_series(conn, slug, actor.user_id, now)
    if created is not None:
        if actor.role != "admin":
            await grant_series_scope(conn, actor.user_id, created)
        await audit.record(conn, "series.created", actor=actor.actor, event_id=None, data={"series": slug})
        return
    existing = await queries.series_id(conn, slug)
    assert existing is not None  # the insert found it taken, and series rows are never deleted
    await require_series_scope(conn, actor, existing, *EDIT_ROLES)


async def set_series_organisers(
    conn: asyncpg.Connection, slug: str, emails: list[str], *, actor: Principal
) -> list[str]:
    """Replace the organisers of a series (users with the organiser role). Raises NotFound, Forbidden, Invalid
    (not_an_organiser). Idempotent."""
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails))
    async with conn.transaction():
        series = await _series_for(conn, slug, actor)
        found = await queries.organisers_by_email(conn, wanted)
        for index, email in enumerate(wanted):
            if email not in found:
                raise Invalid("not_an_organiser", f"{email} is not an organiser", field=f"emails[{index}]")
        await queries.set_series_organisers(conn, series, [found[email] for email in wanted])
        await audit.record(
            conn, "series.organisers", actor=actor.actor, event_id=None, data={"series": slug, "emails": wanted}
        )
        return await queries.series_organisers(conn, series)


async def _series_for(conn: asyncpg.Connection, slug: str, actor: Principal) -> UUID:
    series = await queries.series_id(conn, slug)
    if series is None:
        raise NotFound("series_not_found", f"no series {slug!r}")
    await require_series_scope(conn, actor, series, *EDIT_ROLES)
    return series
