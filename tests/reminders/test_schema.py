"""What migration 015 keeps in the database: a reminder between one minute and 60 days before the start, one per
length per event, and one delivery per (registration, reminder)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.reminders.schemas import format_duration, parse_duration


@pytest.mark.parametrize("seconds", [59, 60 * 86400 + 1, -86400])
async def test_reminder_length_outside_a_minute_to_60_days_is_refused_by_the_database(
    event: Any, conn: asyncpg.Connection, seconds: Any
) -> None:
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = 'kk'")

    with pytest.raises(asyncpg.CheckViolationError) as refused:
        await conn.execute(
            "INSERT INTO event_reminders (event_id, before_seconds, created_at, updated_at)"
            " VALUES ($1, $2, now(), now())",
            event_id,
            seconds,
        )

    assert refused.value.constraint_name == "event_reminders_before_check"


async def test_reminder_delivery_is_one_row_per_registration_and_reminder(
    event: Any, register: Any, conn: asyncpg.Connection
) -> None:
    kari = await register("Kari Nordmann", "kari@example.no")
    reminder = await conn.fetchval("SELECT id FROM event_reminders WHERE before_seconds = 86400")
    insert = "INSERT INTO reminder_deliveries (registration_id, reminder_id, claimed_at) VALUES ($1::uuid, $2, now())"
    await conn.execute(insert, kari["id"], reminder)

    with pytest.raises(asyncpg.UniqueViolationError) as refused:
        await conn.execute(insert, kari["id"], reminder)

    assert refused.value.constraint_name == "reminder_deliveries_pkey"


@pytest.mark.parametrize(
    ("text", "seconds", "normal"),
    [("P7D", 604800, "P7D"), ("P1W", 604800, "P7D"), ("PT90M", 5400, "PT1H30M"), ("p1dt12h", 129600, "P1DT12H")],
)
def test_duration_parses_and_prints_in_iso_8601(text: Any, seconds: Any, normal: Any) -> None:
    assert (parse_duration(text), format_duration(parse_duration(text))) == (seconds, normal)
