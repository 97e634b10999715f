"""Who gets a badge, and the audit entry of the download."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from ..errors import NotFound
from ..privacy.domain import audit_organiser_export
from ..registrations.schemas import RegistrationFilter
from . import queries
from .schemas import BadgeRow

FORMAT = "badges.pdf"


async def badges_for(
    conn: asyncpg.Connection, event_id: UUID, chosen: RegistrationFilter, *, actor: str, now: datetime
) -> list[BadgeRow]:
    """The confirmed registrations of the filter, by name; the download is audited like the exports (who, which
    filter, how many). Raises NotFound (no_badges) when the filter holds no confirmed registration."""
    async with conn.transaction():
        rows = await queries.badge_rows(conn, event_id, chosen)
        if not rows:
            raise NotFound("no_badges", "no confirmed registration matches the filter")
        await audit_organiser_export(
            conn, event_id, actor=actor, now=now, filters=msgspec.structs.asdict(chosen), rows=len(rows), fmt=FORMAT
        )
    return rows
