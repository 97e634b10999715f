"""When the survey goes: a moved event or send time queues a new job and the old one finds itself stale; a
cancelled event sends none; the questions of a survey with answers stay as they are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from tests.conftest import Client, RunJobs, auth
from tests.smtp import SmtpServer
from tests.surveys.conftest import DUE, ENDS, QUESTIONS, make_due, put_survey
from tests.surveys.test_answers import fields_of
from tests.surveys.test_delivery import link_of, received, surveys_in


async def test_moving_the_end_reschedules_and_the_old_job_sends_nothing(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await (await door())(await register("Kari Nordmann", "kari@example.no"))
    await put_survey(client, organiser_token)
    moved = await client.patch(
        "/api/v1/events/kk", json={"ends_at": (ENDS + timedelta(hours=1)).isoformat()}, headers=auth(organiser_token)
    )
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    at_old_time = surveys_in(received(smtp))

    clock.now = DUE + timedelta(hours=1)
    await make_due(conn)
    await run_jobs()

    results = await conn.fetch("SELECT result FROM jobs WHERE kind = 'event.survey' ORDER BY run_after")
    assert moved.status_code == 200, moved.text
    assert at_old_time == []
    assert [r["result"] for r in results] == [{"skipped": "event moved"}, {"claimed": 1, "queued": 1}]
    assert [str(m["To"]) for m in surveys_in(received(smtp))] == ["Kari Nordmann <kari@example.no>"]


async def test_a_new_send_time_makes_the_old_job_stale(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await (await door())(await register("Kari Nordmann", "kari@example.no"))
    await put_survey(client, organiser_token)
    later = await put_survey(client, organiser_token, send_after="PT5H")

    clock.now = ENDS + timedelta(hours=5)
    await make_due(conn)
    await run_jobs()

    results = await conn.fetch("SELECT result FROM jobs WHERE kind = 'event.survey' ORDER BY run_after")
    assert later.json()["events"][0]["sends_at"] == (ENDS + timedelta(hours=5)).isoformat().replace("+00:00", "Z")
    assert [r["result"] for r in results] == [{"skipped": "survey changed"}, {"claimed": 1, "queued": 1}]
    assert len(surveys_in(received(smtp))) == 1


async def test_a_cancelled_event_sends_no_survey(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await (await door())(await register("Kari Nordmann", "kari@example.no"))
    await put_survey(client, organiser_token)
    await client.patch("/api/v1/events/kk", json={"status": "cancelled"}, headers=auth(organiser_token))

    clock.now = DUE
    await make_due(conn)
    await run_jobs()

    assert surveys_in(received(smtp)) == []
    assert await conn.fetchval("SELECT count(*) FROM survey_invitations") == 0


async def test_questions_of_an_answered_survey_cannot_change_but_its_send_time_can(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await (await door())(await register("Kari Nordmann", "kari@example.no"))
    await put_survey(client, organiser_token)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    link = link_of(surveys_in(received(smtp))[0])
    await client.post(link, data={fields_of((await client.get(link)).text)["rating"]: "3"})

    changed = await client.put(
        "/api/v1/events/kk/survey", json={"questions": QUESTIONS[:2]}, headers=auth(organiser_token)
    )
    same = await put_survey(client, organiser_token, send_after="PT3H")

    assert (changed.status_code, changed.json()["code"]) == (409, "survey_answered")
    assert same.status_code == 200, same.text
    assert await conn.fetchval("SELECT count(*) FROM survey_questions") == len(QUESTIONS)


async def test_sharing_needs_a_series(event: Any, client: Client, organiser_token: str) -> None:
    refused = await put_survey(client, organiser_token, shared_with_series=True)

    assert (refused.status_code, refused.json()["code"]) == (409, "not_in_series")
