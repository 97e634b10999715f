"""The event pages: create in three languages, edit, publish, close and reopen, cancel after a warning,
custom questions; bad input shows the form again with the field's error and saves nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.console import registration_pages
from tests.conftest import Client, MakeEvent, RunJobs
from tests.console.conftest import HTML, PostForm, csrf_of
from tests.smtp import SmtpServer
from tests.web.html import Page

NEW_EVENT = {
    "slug": "kk-2027",
    "kind": "conference",
    "title_nb": "Kunnskapskommunekonferansen 2027",
    "title_nn": "Kunnskapskommunekonferansen 2027 på nynorsk",
    "title_en": "The Knowledge Municipality Conference 2027",
    "description_nb": "Plenum og parallelle sesjoner.",
    "description_en": "Plenary and parallel sessions.",
    "starts_at": "2027-06-10T09:00",
    "ends_at": "2027-06-10T16:00",
    "registration_opens_at": "",
    "registration_closes_at": "2027-06-01T23:59",
    "venue": "Alrek helseklynge",
    "address": "Årstadveien 17",
    "capacity": "2",
    "organiser_name": "Kunnskapskommunen",
    "series": "",
}


async def test_create_an_event_in_three_languages_as_a_draft(signed_in: Client, post_form: PostForm) -> None:
    response = await post_form("/console/new-event", "/console/new-event", NEW_EVENT)
    event = (await signed_in.get("/api/v1/events/kk-2027/registrations?limit=1")).json()
    stored = await signed_in.get("/console/events/kk-2027", headers=HTML)

    assert (response.status_code, response.headers["location"]) == (303, "/console/events/kk-2027?notice=created")
    assert event["total"] == 0
    page = Page(stored.text)
    assert page.one("h1").text == "Kunnskapskommunekonferansen 2027"
    assert [page.one(f"#title_{code}").attrs["value"] for code in ("nb", "nn", "en")] == [
        "Kunnskapskommunekonferansen 2027",
        "Kunnskapskommunekonferansen 2027 på nynorsk",
        "The Knowledge Municipality Conference 2027",
    ]
    assert page.one("#starts_at").attrs["value"] == "2027-06-10T09:00"
    assert "Utkast" in page.one("section.event-state").text


async def test_times_are_norwegian_time(signed_in: Client, post_form: PostForm, conn: asyncpg.Connection) -> None:
    await post_form("/console/new-event", "/console/new-event", NEW_EVENT)

    stored = await conn.fetchrow("SELECT starts_at, status, title FROM events WHERE slug = 'kk-2027'")

    assert stored["starts_at"].isoformat() == "2027-06-10T07:00:00+00:00"
    assert stored["status"] == "draft"
    assert stored["title"]["en"] == "The Knowledge Municipality Conference 2027"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title_nb": ""}, "title_nb", "Fyll ut dette."),
        ({"slug": "Ikke Gyldig"}, "slug", "Sjekk hva du skrev her."),
        ({"capacity": "mange"}, "capacity", "Skriv et helt tall, 0 eller mer."),
        ({"starts_at": "i morgen"}, "starts_at", "Skriv dato og klokkeslett, for eksempel 10.06.2027 09:00."),
        ({"ends_at": "2027-06-10T08:00"}, "ends_at", "Dette må være etter tidspunktet før."),
        ({"title_en": "x" * 201}, "title_en", "Dette er for langt."),
    ],
)
async def test_bad_input_shows_the_form_again_with_the_fields_error_and_saves_nothing(
    signed_in: Client, post_form: PostForm, conn: asyncpg.Connection, change: dict[str, Any], field: str, message: str
) -> None:
    response = await post_form("/console/new-event", "/console/new-event", {**NEW_EVENT, **change})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}").attrs["aria-invalid"] == "true"
    assert page.one(f"#{field}-error").text == message
    assert page.one("#title_nn").attrs["value"] == NEW_EVENT["title_nn"]
    assert await conn.fetchval("SELECT count(*) FROM events") == 0


async def test_bad_input_is_explained_in_english_too(signed_in: Client, post_form: PostForm) -> None:
    response = await post_form(
        "/console/new-event?lang=en", "/console/new-event?lang=en", {**NEW_EVENT, "capacity": "-1"}
    )

    assert Page(response.text).one("#capacity-error").text == "Write a whole number, 0 or more."
    assert "Please correct the following" in response.text


async def test_a_taken_address_is_refused_on_the_field(
    signed_in: Client, post_form: PostForm, make_event: MakeEvent
) -> None:
    await make_event(slug="kk-2027")

    response = await post_form("/console/new-event", "/console/new-event", NEW_EVENT)

    assert Page(response.text).one("#slug-error").text == "Et annet arrangement har allerede denne adressen."


async def test_edit_publish_close_reopen(signed_in: Client, post_form: PostForm, conn: asyncpg.Connection) -> None:
    await post_form("/console/new-event", "/console/new-event", NEW_EVENT)
    page = "/console/events/kk-2027"

    edited = await post_form(page, page, {**NEW_EVENT, "venue": "Bikuben", "capacity": "5"})
    published = await post_form(page, f"{page}/state", {"action": "publish"})
    closed = await post_form(page, f"{page}/state", {"action": "close"})
    state_closed = await conn.fetchrow("SELECT status, registration_paused FROM events WHERE slug = 'kk-2027'")
    reopened = await post_form(page, f"{page}/state", {"action": "reopen"})

    stored = await conn.fetchrow(
        "SELECT venue, capacity, status, registration_paused FROM events WHERE slug = 'kk-2027'"
    )
    assert [r.headers["location"] for r in (edited, published, closed, reopened)] == [
        f"{page}?notice=saved&calendar=event&revision=1",  # a new venue: the calendars are updated
        f"{page}?notice=publish",
        f"{page}?notice=close",
        f"{page}?notice=reopen",
    ]
    assert tuple(state_closed) == ("published", True)
    assert tuple(stored) == ("Bikuben", 5, "published", False)


async def test_edit_below_the_confirmed_count_is_refused_on_the_field(
    signed_in: Client, post_form: PostForm, make_event: MakeEvent, client: Client, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=2)
    for name in ("a", "b"):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": name, "email": f"{name}@example.no", "accept_privacy": True},
        )
    values = {**NEW_EVENT, "capacity": "1", "registration_closes_at": ""}

    response = await post_form("/console/events/kk", "/console/events/kk", values)

    assert response.status_code == 422
    assert Page(response.text).one("#capacity-error").text == "Flere enn dette har allerede fått bekreftet plass."
    assert await conn.fetchval("SELECT capacity FROM events WHERE slug = 'kk'") == 2


async def test_cancelling_warns_who_will_be_told_then_tells_them(
    signed_in: Client,
    post_form: PostForm,
    make_event: MakeEvent,
    client: Client,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk", capacity=1)
    for name in ("a", "b", "c"):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": name, "email": f"{name}@example.no", "accept_privacy": True},
        )
    smtp.sink.messages.clear()
    await run_jobs()
    smtp.sink.messages.clear()

    warning = await signed_in.get("/console/events/kk/cancel", headers=HTML)
    done = await signed_in.post(
        "/console/events/kk/cancel", data={"csrf_token": csrf_of(warning.text)}, headers=HTML, follow_redirects=False
    )
    await run_jobs()

    assert "3 personer får e-post om at arrangementet er avlyst: 1 bekreftet og 2 på ventelisten." in " ".join(
        Page(warning.text).one("div.ds-alert").text.split()
    )
    assert done.headers["location"] == "/console/events/kk?notice=cancelled&calendar=event&revision=1"
    assert await conn.fetchval("SELECT status FROM events WHERE slug = 'kk'") == "cancelled"
    assert sorted(m.rcpt_tos[0] for m in smtp.sink.mails) == ["a@example.no", "b@example.no", "c@example.no"]


async def test_questions_are_added_in_three_languages_and_removed(
    signed_in: Client, post_form: PostForm, make_event: MakeEvent
) -> None:
    await make_event(slug="kk")
    page = "/console/events/kk/questions"

    added = await post_form(
        page,
        page,
        {
            "label_nb": "Hvilken økt?",
            "label_en": "Which session?",
            "question_kind": "choice",
            "choices_nb": "Formiddag\nEttermiddag",
            "choices_en": "Morning\nAfternoon",
            "required": "yes",
        },
    )
    questions = (await signed_in.get("/api/v1/events/kk/questions")).json()
    removed = await post_form(page, f"{page}/{questions[0]['id']}/delete", {})
    after = (await signed_in.get("/api/v1/events/kk/questions")).json()

    assert added.headers["location"] == f"{page}?notice=added"
    assert [(q["label"], q["choices"], q["required"]) for q in questions] == [
        (
            {"nb": "Hvilken økt?", "en": "Which session?"},
            [{"nb": "Formiddag", "en": "Morning"}, {"nb": "Ettermiddag", "en": "Afternoon"}],
            True,
        )
    ]
    assert removed.headers["location"] == f"{page}?notice=deleted"
    assert after == []


async def test_a_choice_question_without_choices_is_refused_on_the_field(
    signed_in: Client, post_form: PostForm, make_event: MakeEvent
) -> None:
    await make_event(slug="kk")
    page = "/console/events/kk/questions"

    response = await post_form(page, page, {"label_nb": "Hvilken?", "question_kind": "choice", "choices_nb": "Bare én"})

    assert response.status_code == 422
    assert Page(response.text).one("#choices_nb-error").text == (
        "Et valgspørsmål trenger minst to valg; andre spørsmål har ingen."
    )
    assert (await signed_in.get("/api/v1/events/kk/questions")).json() == []


async def test_dashboard_lists_upcoming_events_with_their_numbers(
    signed_in: Client, make_event: MakeEvent, client: Client
) -> None:
    await make_event(slug="kk", capacity=1)
    for name in ("a", "b"):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": name, "email": f"{name}@example.no", "accept_privacy": True},
        )

    table = await signed_in.get("/console/dashboard/table", headers=HTML)

    [row] = Page(table.text).all("tr")[1:]
    assert row.text == ("Kunnskapskommunekonferansen 2027 torsdag 10. juni 2027 kl. 09:00 Publisert 1 / 1 1 0 –")


async def test_audit_log_names_who_changed_what(
    signed_in: Client, post_form: PostForm, make_event: MakeEvent, client: Client, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    answer = await client.post(
        "/api/v1/events/kk/registrations", json={"name": "Åse", "email": "a@example.no", "accept_privacy": True}
    )
    await post_form(
        f"/console/registrations/{answer.json()['id']}", f"/console/registrations/{answer.json()['id']}/cancel", {}
    )

    log = await signed_in.get("/console/events/kk/audit?lang=en", headers=HTML)

    cells = Page(log.text).texts("td")
    rows = [cells[i + 1 : i + 3] for i in range(0, len(cells), 4)]
    assert rows == [["kari@bergen.kommune.no", "Cancelled: Åse"], ["kari@bergen.kommune.no", "Event created"]]


async def test_audit_log_names_downloads_and_badges_and_every_kind_of_entry(
    signed_in: Client, make_event: MakeEvent, client: Client, conn: asyncpg.Connection
) -> None:
    """A list download and a badge sheet are in the log by name with their filter and rows; no entry an event's
    log can hold is shown by its raw action name."""
    await make_event(slug="kk", capacity=5)
    await client.post(
        "/api/v1/events/kk/registrations", json={"name": "Åse", "email": "a@example.no", "accept_privacy": True}
    )
    await signed_in.get("/console/events/kk/registrations.csv?status=confirmed")
    await signed_in.get("/api/v1/events/kk/badges.pdf")

    log = await signed_in.get("/console/events/kk/audit?lang=en", headers=HTML)

    cells = Page(log.text).texts("td")
    whats = [cells[i + 2] for i in range(0, len(cells), 4)]
    assert whats[:2] == ["List downloaded (who, which filter, how many rows)"] * 2
    assert "badges.pdf" in cells[3]
    assert "rows: 1" in cells[3]
    assert "'status': 'confirmed'" in cells[7]
    recorded = {r["action"] for r in await conn.fetch("SELECT DISTINCT action FROM audit_log")}
    assert recorded <= set(registration_pages.AUDIT_ACTIONS) | set(registration_pages.HISTORY_ACTIONS)
