"""The people of a badge sheet: the console's registration filter (registrations.queries.filter_where), narrowed to
confirmed registrations, with the workshop group each is placed in, in name order."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ..registrations import listing
from ..registrations.schemas import RegistrationFilter
from .schemas import BadgeRow

BADGE_LIMIT = 10_000


async def badge_rows(conn: asyncpg.Connection, event_id: UUID, chosen: RegistrationFilter) -> list[BadgeRow]:
    clauses, params = listing.where(event_id, chosen)
    clauses.append("r.status = 'confirmed'")
    params.append(BADGE_LIMIT)
    sql = (
        "SELECT r.id, r.link_version, r.name, r.organisation, r.role, g.name AS group_name "  # noqa: S608 - clauses from filter_where: fixed SQL, values as $n
        "FROM registrations r LEFT JOIN group_placements p ON p.registration_id = r.id "
        "LEFT JOIN workshop_groups g ON g.id = p.group_id "
        f"WHERE {' AND '.join(clauses)} ORDER BY lower(r.name), r.queue_seq LIMIT ${len(params)}"
    )
    return [BadgeRow(**dict(row)) for row in await conn.fetch(sql, *params)]
