"""Long work shows its progress in the console: an announcement's page counts its mails (sent, failed, still to
go) from the recipients' rows while they go out, and the programme page counts the calendars a session change
updates, from its jobs; both pages poll a fragment of the figures until the work is done."""

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
    "subject_nb": "Endret rom",
    "subject_nn": "",
    "subject_en": "",
    "body_nb": "Vi møtes i Store sal.",
    "body_nn": "",
    "body_en": "",
    "audience": "confirmed",
    "audience_ref": "",
    "when": "now",
    "send_at": "",
}
PROGRAMME = "/console/events/kk/programme"


@pytest.fixture
async def kk(make_event: MakeEvent, client: Any) -> dict[str, Any]:
    event = await make_event(slug="kk", capacity=3)
    for n in (1, 2, 3):
        answer = await client.post("/api/v1/events/kk/registrations", json=attendee(n))
        assert answer.status_code == 201, answer.text
    return event


def figures(
    html: str, box: str = "announcement-progress", shown: str = "announcement-figures"
) -> tuple[str, str, bool]:
    """The figures shown, the address the part refreshes itself from (empty when it does not, or is itself the
    fragment), and whether it says the work is done."""
    page = Page(html)
    numbers = page.all(f"#{shown}")
    text = numbers[0].text if numbers else next(p.text for p in page.all("p") if p.text.startswith("Gjør klar"))
    boxes = page.all(f"#{box}")
    return text, boxes[0].attrs.get("data-refresh", "") if boxes else "", "data-refresh-done" in html


async def mail_job_of(conn: asyncpg.Connection, email: str) -> int:
    job: int = await conn.fetchval(
        "SELECT j.id FROM jobs j JOIN announcement_recipients rc ON rc.id = (j.payload->>'recipient_id')::bigint"
        " JOIN registrations r ON r.id = rc.registration_id WHERE j.kind = 'announcement.mail' AND r.email = $1",
        email,
    )
    return job


async def test_announcement_page_counts_the_mails_as_they_go_out(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await run_jobs()
    written = await post_form(PAGE, PAGE, WRITE)
    page = written.headers["location"]
    smtp.sink.deferred = {"p2@example.no", "p3@example.no"}

    sent = await post_form(page, f"{page}/send", {})
    before = await signed_in.get(sent.headers["location"], headers=HTML)
    await run_jobs()
    midway = await signed_in.get(page, headers=HTML)
    midway_fragment = await signed_in.get(f"{page}/progress", headers=HTML)
    smtp.sink.deferred = {"p3@example.no"}  # p2's relay is back; p3's mail fails for good on its last try
    await conn.execute(
        "UPDATE jobs SET max_attempts = attempts + 1 WHERE id = $1", await mail_job_of(conn, "p3@example.no")
    )
    await conn.execute("UPDATE jobs SET run_after = now() WHERE kind = 'announcement.mail' AND done_at IS NULL")
    await run_jobs()
    after = await signed_in.get(page, headers=HTML)
    fragment = await signed_in.get(f"{page}/progress", headers=HTML)

    poll = f"{page}/progress?lang=nb"
    assert sent.headers["location"] == f"{page}?notice=sending"
    assert figures(before.text) == ("Gjør klar til sending …", poll, False)
    assert figures(midway.text) == ("Sendt 1 av 3, 0 feilet", poll, False)
    assert (midway_fragment.status_code, figures(midway_fragment.text)) == (200, ("Sendt 1 av 3, 0 feilet", "", False))
    assert figures(after.text) == ("Sendt 2 av 3, 1 feilet", "", True)
    assert Page(after.text).one("progress").attrs == {
        "class": "work-progress",
        "max": "3",
        "value": "3",
        "aria-labelledby": "announcement-figures",
    }
    assert "/static/console.js" not in after.text
    assert (fragment.status_code, figures(fragment.text)) == (200, ("Sendt 2 av 3, 1 feilet", "", True))


async def test_a_calendar_change_shows_how_many_calendars_are_updated(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    organiser_token: str,
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Opning", "09:00", "10:00", kind="plenary"))
    await run_jobs()
    cancel = f"{PROGRAMME}/{session['id']}/cancel"

    done = await post_form(cancel, cancel, {})
    before = await signed_in.get(done.headers["location"], headers=HTML)
    await run_jobs()
    after = await signed_in.get(done.headers["location"], headers=HTML)
    fragment = await signed_in.get(f"{PROGRAMME}/{session['id']}/calendar-progress?revision=1", headers=HTML)
    wrong = await signed_in.get(f"{PROGRAMME}/{session['id']}/calendar-progress?revision=x", headers=HTML)

    poll = f"{PROGRAMME}/{session['id']}/calendar-progress?revision=1&lang=nb"
    assert done.headers["location"] == f"{PROGRAMME}?notice=cancelled&calendar={session['id']}&revision=1"
    shown = {"box": "calendar-progress", "shown": "calendar-figures"}
    assert figures(before.text, **shown) == ("Gjør klar til sending …", poll, False)
    assert figures(after.text, **shown) == ("Sendt 3 av 3, 0 feilet", "", True)
    assert Page(after.text).one("#calendar-update-heading").text == "Kalenderoppdatering: Opning"
    assert (fragment.status_code, figures(fragment.text, **shown)) == (200, ("Sendt 3 av 3, 0 feilet", "", True))
    assert wrong.status_code == 404


async def test_cancelling_the_event_shows_its_calendar_update_on_the_event_page(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], run_jobs: RunJobs
) -> None:
    await run_jobs()

    done = await post_form("/console/events/kk/cancel", "/console/events/kk/cancel", {})
    before = await signed_in.get(done.headers["location"], headers=HTML)
    await run_jobs()
    after = await signed_in.get(done.headers["location"], headers=HTML)
    fragment = await signed_in.get("/console/events/kk/calendar-progress?calendar=event&revision=1", headers=HTML)
    unnamed = await signed_in.get("/console/events/kk/calendar-progress", headers=HTML)

    poll = "/console/events/kk/calendar-progress?calendar=event&revision=1&lang=nb"
    shown = {"box": "calendar-progress", "shown": "calendar-figures"}
    assert done.headers["location"] == "/console/events/kk?notice=cancelled&calendar=event&revision=1"
    assert figures(before.text, **shown) == ("Gjør klar til sending …", poll, False)
    assert figures(after.text, **shown) == ("Sendt 3 av 3, 0 feilet", "", True)
    assert (fragment.status_code, figures(fragment.text, **shown)) == (200, ("Sendt 3 av 3, 0 feilet", "", True))
    assert unnamed.status_code == 404


async def test_a_change_that_touches_nobody_says_so_instead_of_zero_of_zero(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    run_jobs: RunJobs,
    organiser_token: str,
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Verkstad", "11:00", "12:00"))
    await run_jobs()
    cancel = f"{PROGRAMME}/{session['id']}/cancel"

    done = await post_form(cancel, cancel, {})
    await run_jobs()
    after = await signed_in.get(done.headers["location"], headers=HTML)
    fragment = await signed_in.get(f"{PROGRAMME}/{session['id']}/calendar-progress?revision=1", headers=HTML)

    told = '<p class="ds-paragraph" data-refresh-done>Endringen berørte ingen deltakers kalender.</p>'
    for html in (after.text, fragment.text):
        assert told in html
        assert "Sendt" not in html
        assert "<progress" not in html
