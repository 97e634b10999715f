"""An administrator's look at one person across every event: search (which is the export), audited.

Only administrators: one person's records across all events are more than any event's organiser may see.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from ..accounts.schemas import Principal
from ..errors import Forbidden, Invalid
from . import queries
from .erase import ACTION_EXPORTED, ACTION_VIEWED, subject_key
from .records import counts_of, person_records
from .schemas import Email, PersonRecords

ORGANISER_EXPORT = "registrations.exported"


def require_admin(actor: Principal) -> None:
    """Raises Forbidden unless the caller is an administrator."""
    if actor.role != "admin":
        raise Forbidden("forbidden", "only an administrator may look up a person across all events")


def checked_email(text: str | None) -> str:
    """The address given, checked. Raises Invalid (invalid_email)."""
    try:
        return msgspec.convert(text, Email).strip().lower()
    except msgspec.ValidationError:
        raise Invalid("invalid_email", "give one e-mail address", field="email") from None


async def look_up_person(
    conn: asyncpg.Connection, email: str, *, actor: Principal, now: datetime, key: bytes, export: bool = False
) -> PersonRecords:
    """Everything held about the address, for an administrator; the look-up (or export) is audited with the
    counts and a keyed hash of the address. Raises Forbidden, Invalid."""
    require_admin(actor)
    address = checked_email(email)
    async with conn.transaction():
        records = await person_records(conn, address, now=now)
        await queries.audit(
            conn,
            at=now,
            actor=actor.actor,
            action=ACTION_EXPORTED if export else ACTION_VIEWED,
            data={"subject": subject_key(key, address), **counts_of(records)},
        )
    return records


async def audit_organiser_export(
    conn: asyncpg.Connection,
    event_id: object,
    *,
    actor: str,
    now: datetime,
    filters: dict[str, object],
    rows: int,
    fmt: str,
) -> None:
    """One audit entry per list an organiser downloads: who, which filter, how many rows, which format."""
    clean = {
        name: value if isinstance(value, (str, int, bool)) else str(value)  # a session or group id: its text
        for name, value in filters.items()
        if value not in (None, "")
    }
    await queries.audit(
        conn,
        at=now,
        actor=actor,
        action=ORGANISER_EXPORT,
        event_id=event_id,  # type: ignore[arg-type]
        data={"filter": clean, "rows": rows, "format": fmt},
    )
