"""Announcements in the console: write in three languages, preview with the number of recipients, send now
or schedule, the list with status and counts, cancel; bad input shows the form again and saves nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent, RunJobs
from tests.console.conftest import HTML, PostForm
from tests.programme.helpers import add_session, attendee, session_body
from tests.smtp import SmtpServer
from tests.web.html import Page

PAGE = "/console/events/kk/announcements"
WRITE = {
    "subject_nb": "Endret rom for åpningen",
    "subject_nn": "Endra rom for opninga",
    "subject_en": "New room for the opening",
    "body_nb": "Vi møtes i Store sal, ærlig talt.",
    "body_nn": "",
    "body_en": "We meet in the Great Hall.",
    "audience": "confirmed",
    "audience_ref": "",
    "when": "now",
    "send_at": "",
}


@pytest.fixture
async def kk(make_event: MakeEvent, client: Any) -> dict[str, Any]:
    event = await make_event(slug="kk", capacity=2)
    for n in (1, 2, 3):
        answer = await client.post("/api/v1/events/kk/registrations", json=attendee(n))
        assert answer.status_code == 201, answer.text
    return event


async def stored(conn: Any) -> list[tuple[Any, ...]]:
    rows = await conn.fetch("SELECT audience, subject, body, status, send_at FROM announcements ORDER BY created_at")
    return [tuple(row) for row in rows]


async def test_write_preview_and_send_now(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    written = await post_form(PAGE, PAGE, WRITE)
    preview_path = written.headers["location"]
    preview = Page((await signed_in.get(preview_path, headers=HTML)).text)
    drafted = await stored(conn)

    sent = await post_form(preview_path, f"{preview_path}/send", {})
    await run_jobs()
    listed = Page((await signed_in.get(PAGE, headers=HTML)).text)

    assert written.status_code == 303
    assert preview.one("#recipients").text == "Mottakere: Alle med plass. Den når 2 personer nå."
    assert drafted == [
        (
            "confirmed",
            {"nb": "Endret rom for åpningen", "nn": "Endra rom for opninga", "en": "New room for the opening"},
            {"nb": "Vi møtes i Store sal, ærlig talt.", "en": "We meet in the Great Hall."},
            "draft",
            None,
        )
    ]
    assert (sent.status_code, sent.headers["location"]) == (303, f"{preview_path}?notice=sending")
    mails = [received.message for received in smtp.sink.mails]
    assert sorted(mail["To"] for mail in mails if "Endret rom for åpningen" in mail["Subject"]) == [
        "Deltaker 1 <p1@example.no>",
        "Deltaker 2 <p2@example.no>",
    ]
    assert listed.texts("th.announcement-subject") == ["Endret rom for åpningen"]
    assert listed.texts("td") == ["Alle med plass", "Sendt mandag 1. mars 2027 kl. 10:00", "2 / 0 / 0 (av 2)"]


async def test_schedule_for_a_chosen_time(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    written = await post_form(
        PAGE, PAGE, {**WRITE, "audience": "waitlisted", "when": "later", "send_at": "2027-03-02T08:00"}
    )
    preview_path = written.headers["location"]
    preview = Page((await signed_in.get(preview_path, headers=HTML)).text)

    await post_form(preview_path, f"{preview_path}/send", {})
    listed = Page((await signed_in.get(PAGE, headers=HTML)).text)

    assert preview.one("#recipients").text == "Mottakere: Ventelisten. Den når 1 person nå."
    assert [b.text for b in preview.all("button")][1:] == [
        "Planlegg sending tirsdag 2. mars 2027 kl. 08:00",
        "Avbryt kunngjøringen",
    ]
    assert [(row[3], row[4].isoformat()) for row in await stored(conn)] == [("scheduled", "2027-03-02T07:00:00+00:00")]
    assert listed.texts("td") == ["Ventelisten", "Planlagt sendt tirsdag 2. mars 2027 kl. 08:00", ""]


async def test_one_sessions_attendees(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], organiser_token: str, conn: asyncpg.Connection
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))

    written = await post_form(PAGE, PAGE, {**WRITE, "audience": "session", "audience_ref": session["id"]})
    preview = Page((await signed_in.get(written.headers["location"], headers=HTML)).text)

    assert preview.one("#recipients").text == "Mottakere: Deltakerne på én sesjon – Åpning. Den når 2 personer nå."
    assert await conn.fetchval("SELECT audience_ref FROM announcements") == session["id"]


async def test_cancel_a_draft(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    written = await post_form(PAGE, PAGE, WRITE)
    preview_path = written.headers["location"]

    cancelled = await post_form(preview_path, f"{preview_path}/cancel", {})

    assert (cancelled.status_code, cancelled.headers["location"]) == (303, f"{PAGE}?notice=cancelled")
    assert [row[3] for row in await stored(conn)] == ["cancelled"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"subject_nb": ""}, "subject_nb", "Fyll ut dette."),
        ({"body_nb": ""}, "body_nb", "Fyll ut dette."),
        ({"body_en": "x" * 3001}, "body_en", "Dette er for langt."),
        (
            {"audience": "session"},
            "audience_ref",
            "Velg hvem som får kunngjøringen (og sesjonen, for deltakerne i én sesjon).",
        ),
        (
            {"audience": "session", "audience_ref": "9b2f5d1e-0000-4000-8000-000000000000"},
            "audience_ref",
            "Velg hvem som får kunngjøringen (og sesjonen, for deltakerne i én sesjon).",
        ),
        (
            {"when": "later", "send_at": "i morgen"},
            "send_at",
            "Skriv dato og klokkeslett, for eksempel 10.06.2027 09:00.",
        ),
        ({"when": "later", "send_at": "2027-03-01T09:00"}, "send_at", "Velg et tidspunkt som ikke har passert."),
    ],
)
async def test_bad_input_shows_the_form_again_and_saves_nothing(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = await post_form(PAGE, PAGE, {**WRITE, **change})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}").attrs["aria-invalid"] == "true"
    assert page.one(f"#{field}-error").text == message
    assert page.one("#subject_en").attrs["value"] == "New room for the opening"
    assert await stored(conn) == []


CHANNEL_PAGE = f"{PAGE}/slack-channel"


async def test_choose_the_slack_channel_and_its_language_then_stop(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    chosen = await post_form(CHANNEL_PAGE, CHANNEL_PAGE, {"channel_id": " C0EVENT ", "language": "nn"})
    assert (chosen.status_code, chosen.headers["location"]) == (303, f"{CHANNEL_PAGE}?notice=channel_set")
    assert tuple(await conn.fetchrow("SELECT channel_id, language FROM event_slack_channels")) == ("C0EVENT", "nn")
    page = Page((await signed_in.get(f"{CHANNEL_PAGE}?notice=channel_set")).text)
    assert page.one("#channel_id").attrs["value"] == "C0EVENT"
    assert "checked" in page.one("#language-nn").attrs
    assert "C0EVENT" in (await signed_in.get(PAGE)).text

    stopped = await post_form(CHANNEL_PAGE, f"{CHANNEL_PAGE}/remove", {})
    assert stopped.headers["location"] == f"{CHANNEL_PAGE}?notice=channel_removed"
    assert await conn.fetchval("SELECT count(*) FROM event_slack_channels") == 0
    logged = await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'event.slack%' ORDER BY id")
    assert [row["action"] for row in logged] == ["event.slack_channel_set", "event.slack_channel_removed"]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"channel_id": "", "language": "nb"}, "channel_id"),
        ({"channel_id": "#generelt", "language": "nb"}, "channel_id"),
        ({"channel_id": "C0EVENT", "language": "sv"}, "language"),
    ],
)
async def test_a_bad_slack_channel_shows_the_form_again_and_saves_nothing(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    form: dict[str, str],
    field: str,
) -> None:
    response = await post_form(CHANNEL_PAGE, CHANNEL_PAGE, form)

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}").attrs["aria-invalid"] == "true"
    assert page.one(f"#{field}-error").text
    assert await conn.fetchval("SELECT count(*) FROM event_slack_channels") == 0
