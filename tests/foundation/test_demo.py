"""The demo that `make run` loads: every domain has something to show, and loading twice changes nothing."""

from __future__ import annotations

import asyncpg

from service import db
from service.console import passwords
from service.demo import ORGANISER_EMAIL, demo_console_password, load_demo
from tests.conftest import T0

COUNTS = """
SELECT (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM sessions) AS sessions,
       (SELECT count(DISTINCT registration_id) FROM session_choices) AS choosers,
       (SELECT count(*) FROM workshop_groups) AS groups,
       (SELECT count(*) FROM workshop_groups WHERE perspective ?& array['nb', 'nn', 'en']) AS described,
       (SELECT count(DISTINCT registration_id) FROM group_preferences) AS rankers,
       (SELECT count(*) FROM prize_calls) AS calls,
       (SELECT count(*) FROM nominations) AS nominations,
       (SELECT count(*) FROM registrations) AS registrations
"""


async def test_demo_fills_every_domain_once(database_url: str, conn: asyncpg.Connection) -> None:
    first_token = await load_demo(database_url, registrations=20)
    first = dict(await conn.fetchrow(COUNTS))

    await load_demo(database_url, registrations=20)
    second = dict(await conn.fetchrow(COUNTS))

    assert first_token.startswith("mp_")
    assert first == {
        "events": 3,
        "sessions": 10,
        "choosers": 20,
        "groups": 8,
        "described": 8,
        "rankers": 24,
        "calls": 1,
        "nominations": 3,
        "registrations": 44,
    }
    assert second == first


async def test_demo_organiser_signs_in_to_the_console_with_the_password_make_run_prints(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await load_demo(database_url, registrations=0)
    pool = await db.create_pool(database_url, size=2)
    try:
        first = await demo_console_password(database_url, b"k" * 32)
        again = await demo_console_password(database_url, b"k" * 32)
        other_key = await demo_console_password(database_url, b"o" * 32)
        signed_in = await passwords.sign_in(pool, ORGANISER_EMAIL, first or "", client="test", now=T0)
        await passwords.set_password_of(conn, ORGANISER_EMAIL, "chosen by the organiser", now=T0)
        after_change = await demo_console_password(database_url, b"k" * 32)
    finally:
        await pool.close()

    assert len(first or "") == 16
    assert (again, other_key, after_change) == (first, None, None)
    assert (signed_in.email, signed_in.role) == (ORGANISER_EMAIL, "organiser")
