"""The demo that `make run` loads: every domain has something to show, and loading twice changes nothing."""

from __future__ import annotations

import asyncpg

from service.demo import load_demo

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
