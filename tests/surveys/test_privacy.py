"""The attendee's export shows their survey participation (sent, reminded, answered) and never the answers; the
retention purge takes the invitation (its token) with the registration and leaves the anonymous answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from service.privacy import retention
from tests.conftest import Client, RunJobs, auth
from tests.smtp import SmtpServer
from tests.surveys.conftest import DUE, ENDS, make_due, put_survey
from tests.surveys.test_answers import fields_of
from tests.surveys.test_delivery import link_of, received, surveys_in


async def test_export_shows_participation_but_not_the_answers_and_the_purge_takes_the_token(
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
    kari = await register("Kari Nordmann", "kari@example.no", language="nn")
    await (await door())(kari)
    await put_survey(client, organiser_token)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    link = link_of(surveys_in(received(smtp))[0])
    fields = fields_of((await client.get(link)).text)
    await client.post(link, data={fields["rating"]: "5", fields["text"]: "Særs nyttig dag"})
    code = kari["manage_url"].rsplit("/", 1)[-1]

    export = (await client.get("/api/v1/registrations/self/export", headers=auth(code))).json()
    counts = await retention.purge(conn, now=ENDS + timedelta(days=181), default_days=180)

    record = export["record"]
    assert (record["survey"]["answered"], record["survey"]["reminded_at"]) == (True, None)
    assert record["survey"]["sent_at"] is not None
    assert [(m["kind"], m["subject"]) for m in record["mails"] if m["kind"] == "registration.survey"] == [
        ("registration.survey", "Korleis var Kunnskapskommunekonferansen 2027?")
    ]
    assert "Særs nyttig" not in str(export)
    assert counts["registrations"] == 1
    assert await conn.fetchval("SELECT count(*) FROM survey_invitations") == 0
    assert await conn.fetchval("SELECT count(*) FROM survey_responses") == 1
