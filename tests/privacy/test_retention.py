"""The retention purge on the real database: each kind of personal data goes on time, the rest stays, a
winner stays as the prize's history, and the run is one audit entry with the counts."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from service.accounts.domain import add_user
from service.privacy import retention
from tests.conftest import T0, Client, MakeEvent, auth
from tests.privacy.conftest import insert_call, insert_event, insert_nomination, insert_registration

DAY = timedelta(days=1)

COUNTS = {
    "registrations": "SELECT count(*) FROM registrations",
    "nominations": "SELECT count(*) FROM nominations",
    "nominator_addresses": "SELECT count(*) FROM nominations WHERE nominator_email <> ''",
    "scores": "SELECT count(*) FROM nomination_scores",
    "sign_in_failures": "SELECT count(*) FROM console_sign_in_failures",
    "sessions": "SELECT count(*) FROM console_sessions",
    "jobs": "SELECT count(*) FROM jobs",
    "jobs_with_addresses": "SELECT count(*) FROM jobs WHERE payload ? 'to'",
    "idempotency_records": "SELECT count(*) FROM idempotency_keys",
}


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {name: int(await conn.fetchval(sql)) for name, sql in COUNTS.items()}


async def arrange(conn: asyncpg.Connection) -> dict[str, object]:
    """Something to purge and something to keep of every kind."""
    old = await insert_event(conn, "old", T0 - 200 * DAY)  # default 180 days: goes
    recent = await insert_event(conn, "recent", T0 - 100 * DAY)  # default: stays
    short = await insert_event(conn, "short", T0 - 40 * DAY, retention_days=30)  # its own 30 days: goes
    long = await insert_event(conn, "long", T0 - 200 * DAY, retention_days=400)  # its own 400 days: stays
    for event_id in (old, recent, short, long):
        await insert_registration(conn, event_id, f"kari-{event_id}@example.no")

    old_call = await insert_call(conn, "old-prize", T0 - 200 * DAY)
    new_call = await insert_call(conn, "new-prize", T0 - 10 * DAY)
    winner = await insert_nomination(conn, old_call, status="winner")
    await insert_nomination(conn, old_call, status="rejected")
    await insert_nomination(conn, old_call, status="withdrawn")
    await insert_nomination(conn, new_call, status="withdrawn")
    juror = await add_user(conn, email="ingrid@uib.no", role="jury")
    criterion = await conn.fetchval(
        'INSERT INTO prize_criteria (call_id, position, name, weight) VALUES ($1, 1, \'{"nb": "K"}\', 1) RETURNING id',
        old_call,
    )
    await conn.execute(
        "INSERT INTO nomination_scores VALUES ($1, $2, $3, 5, 'Sterk', $4)", winner, juror.user_id, criterion, T0
    )

    await conn.execute(
        "INSERT INTO console_sign_in_failures (email, at) VALUES ('a@example.no', $1), ('b@example.no', $2)",
        T0 - 8 * DAY,
        T0 - DAY,
    )
    await conn.execute(
        """INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
           VALUES ('\\x01', $1, $2, $3), ('\\x02', $1, $2, $4)""",
        juror.user_id,
        T0 - 3 * DAY,
        T0 - DAY,
        T0 + DAY,
    )
    await conn.execute(
        """INSERT INTO jobs (kind, payload, done_at, dead_at) VALUES
           ('mail.send', '{"to": "a@example.no", "subject": "Hei"}', $1, NULL),
           ('mail.send', '{"to": "b@example.no", "subject": "Hei"}', $2, NULL),
           ('mail.send', '{"to": "c@example.no", "subject": "Hei"}', NULL, $3),
           ('mail.send', '{"to": "d@example.no", "subject": "Hei"}', NULL, $2),
           ('mail.send', '{"to": "e@example.no", "subject": "Hei"}', NULL, NULL)""",
        T0 - 8 * DAY,
        T0 - DAY,
        T0 - 31 * DAY,
    )
    await conn.execute(
        """INSERT INTO idempotency_keys (principal, key, request_hash, status_code, body, created_at)
           VALUES ('p', 'old', '\\x00', 201, '\\x00', $1), ('p', 'new', '\\x00', 201, '\\x00', $2)""",
        T0 - 25 * timedelta(hours=1),
        T0 - timedelta(hours=1),
    )
    return {"winner": winner, "old": old, "recent": recent, "short": short, "long": long}


async def test_purge_removes_each_kind_that_is_due_and_keeps_the_rest(conn: asyncpg.Connection) -> None:
    await arrange(conn)
    before = await table_counts(conn)

    counts = await retention.purge(conn, now=T0, default_days=180)

    after = await table_counts(conn)
    assert before == {
        "registrations": 4,
        "nominations": 4,
        "nominator_addresses": 4,
        "scores": 1,
        "sign_in_failures": 2,
        "sessions": 2,
        "jobs": 5,
        "jobs_with_addresses": 5,
        "idempotency_records": 2,
    }
    assert after == {
        "registrations": 2,
        "nominations": 2,
        "nominator_addresses": 1,
        "scores": 0,
        "sign_in_failures": 1,
        "sessions": 1,
        "jobs": 3,
        "jobs_with_addresses": 2,
        "idempotency_records": 1,
    }
    assert counts == {
        "registrations": 2,
        "nominations": 2,
        "winners_kept_as_history": 1,
        "sign_in_failures": 1,
        "expired_sessions": 1,
        "password_links": 0,
        "finished_jobs": 2,
        "job_payloads_scrubbed": 1,
        "idempotency_records": 1,
        "winner_scores": 1,
    }
    kept = await conn.fetch("SELECT e.slug FROM registrations r JOIN events e ON e.id = r.event_id ORDER BY e.slug")
    assert [r["slug"] for r in kept] == ["long", "recent"]
    assert await conn.fetchval("SELECT count(*) FROM events") == 4


async def test_purge_keeps_a_winner_as_prize_history_without_contact_details(conn: asyncpg.Connection) -> None:
    ids = await arrange(conn)

    await retention.purge(conn, now=T0, default_days=180)

    winner = await conn.fetchrow("SELECT * FROM nominations WHERE id = $1", ids["winner"])
    assert {
        key: winner[key]
        for key in (
            "status",
            "nominee_name",
            "nominee_organisation",
            "title",
            "nominee_email",
            "nominator_name",
            "nominator_email",
            "nominator_relation",
            "justification",
            "purged_at",
        )
    } == {
        "status": "winner",
        "nominee_name": "GAMUT",
        "nominee_organisation": "Universitetet i Bergen",
        "title": "Musikkterapi",
        "nominee_email": "",
        "nominator_name": "",
        "nominator_email": "",
        "nominator_relation": "",
        "justification": "",
        "purged_at": T0,
    }


async def test_purge_writes_one_audit_entry_with_the_counts_each_run(conn: asyncpg.Connection) -> None:
    await arrange(conn)

    first = await retention.purge(conn, now=T0, default_days=180)
    second = await retention.purge(conn, now=T0 + timedelta(hours=1), default_days=180)

    entries = await conn.fetch("SELECT at, actor, event_id, action, data FROM audit_log ORDER BY id")
    assert [(e["actor"], e["event_id"], e["action"]) for e in entries] == [
        ("system:retention", None, "privacy.purged"),
        ("system:retention", None, "privacy.purged"),
    ]
    assert entries[0]["data"] == {"default_retention_days": 180, **first}
    assert entries[1]["data"] == {"default_retention_days": 180, **second}
    assert set(second.values()) == {0}


async def test_event_retention_days_out_of_range_is_refused_by_the_database(conn: asyncpg.Connection) -> None:
    event_id = await insert_event(conn, "e", T0)

    try:
        await conn.execute("UPDATE events SET retention_days = 0 WHERE id = $1", event_id)
    except asyncpg.CheckViolationError as error:
        refused = error.constraint_name
    else:
        refused = None

    assert refused == "events_retention_days_check"


async def test_an_event_carries_its_own_retention_period_through_the_api(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="juni", retention_days=30)

    changed = await client.patch("/api/v1/events/juni", json={"retention_days": 90}, headers=auth(organiser_token))
    refused = await client.patch("/api/v1/events/juni", json={"retention_days": 0}, headers=auth(organiser_token))

    assert (changed.status_code, changed.json()["retention_days"]) == (200, 90)
    assert refused.status_code == 422
    assert (await client.get("/api/v1/events/juni")).json()["retention_days"] == 90
