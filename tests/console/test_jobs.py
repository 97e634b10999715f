"""The administrator's page of background jobs: dead ones listed, and tried again from the page."""

from __future__ import annotations

import asyncpg

from service.jobs import enqueue, status_by_kind
from tests.conftest import Client
from tests.console.conftest import HTML, PostForm, add_console_user, sign_in


async def test_jobs_page_lists_dead_jobs_and_tries_one_again(
    client: Client, conn: asyncpg.Connection, post_form: PostForm
) -> None:
    admin = await add_console_user(conn, "admin@bergen.kommune.no", "admin")
    dead = await enqueue(conn, "mail.send", {"to": "kari@example.no", "subject": "s", "text": "t"})
    waiting = await enqueue(conn, "mail.send", {"to": "ola@example.no", "subject": "s", "text": "t"})
    await conn.execute(
        "UPDATE jobs SET dead_at = now(), attempts = 40, last_error = 'SMTP: 421 gone' WHERE id = $1", dead
    )
    await conn.execute("UPDATE jobs SET attempts = 2, run_after = now() + interval '5 minutes' WHERE id = $1", waiting)
    await enqueue(conn, "prize.jury_reminder", {}, run_after=await conn.fetchval("SELECT now() + interval '1 day'"))
    assert (await sign_in(client, admin.email)).status_code == 303
    counts = [(k.kind, k.ready, k.scheduled, k.retrying, k.dead) for k in await status_by_kind(conn)]

    page = await client.get("/console/jobs", headers=HTML)
    answer = await post_form("/console/jobs", "/console/jobs/requeue", {"id": str(dead)})
    after = await client.get("/console/jobs?requeued=1&lang=en", headers=HTML)

    assert counts == [("mail.send", 0, 0, 1, 1), ("prize.jury_reminder", 0, 1, 0, 0)]
    assert page.status_code == 200
    assert "SMTP: 421 gone" in page.text
    assert f"#{dead}" in page.text
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/jobs?requeued=1")
    row = await conn.fetchrow("SELECT dead_at, attempts FROM jobs WHERE id = $1", dead)
    assert (row["dead_at"], row["attempts"]) == (None, 0)
    assert "1 jobs will be tried again now." in after.text
    assert "No job is dead." in after.text
    audit = await conn.fetchrow("SELECT actor, action, data FROM audit_log WHERE action = 'jobs.requeued'")
    assert (audit["actor"], audit["data"]) == ("user:admin@bergen.kommune.no", {"job_id": dead, "count": 1})


async def test_jobs_page_is_for_administrators_only(signed_in: Client) -> None:
    page = await signed_in.get("/console/jobs", headers=HTML)
    requeue = await signed_in.post("/console/jobs/requeue", data={}, headers=HTML, follow_redirects=False)

    assert page.status_code == 403
    assert requeue.status_code == 403
