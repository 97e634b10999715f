"""The audit log: who did what to which event, one row per change an organiser, a door or an attendee made.

Every domain writes its entries through `record`, so the row has one shape (a dotted action name such as
`event.created`, the actor, the event or None for changes outside one event, and a small JSON object).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

# `at` falls back to the transaction's now() when the caller passes no time of its own.
RECORD = """
INSERT INTO audit_log (at, actor, event_id, action, data) VALUES (coalesce($1, now()), $2, $3, $4, $5)
"""


async def record(
    conn: asyncpg.Connection,
    action: str,
    *,
    actor: str,
    event_id: UUID | None,
    data: Mapping[str, Any],
    at: datetime | None = None,
) -> None:
    """Write one audit entry in the caller's transaction. Raises nothing of its own."""
    await conn.execute(RECORD, at, actor, event_id, action, dict(data))
