"""A person's page in the console: edit, re-send, move within the series, erase after a confirmation step, and
"Add a person" on the registrations list, each through the people domain and in the audit log."""

from __future__ import annotations

import re

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.console.conftest import HTML, PostForm
from tests.programme.helpers import add_session, session_body
from tests.smtp import SmtpServer


@pytest.fixture
def english(signed_in: Client) -> Client:
    """The console in English, so that the tests read the texts as written."""
    signed_in.cookies.set("lang", "en")
    return signed_in


async def audit_actions(conn: asyncpg.Connection) -> list[str]:
    return [
        r["action"]
        for r in await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'registration.%' ORDER BY id")
    ]


async def test_add_person_form_asks_what_to_do_when_full_and_stores_nothing(
    english: Client, conn: asyncpg.Connection, make_event: MakeEvent, post_form: PostForm
) -> None:
    await make_event(slug="kk", capacity=0)
    page = "/console/events/kk/people/new"

    refused = await post_form(page, "/console/events/kk/people", {"name": "Kari Nordmann", "when_full": "refuse"})
    added = await post_form(
        page,
        "/console/events/kk/people",
        {"name": "Kari Nordmann", "email": "", "note": "Talar", "when_full": "over_capacity", "source": "public"},
    )

    assert refused.status_code == 422
    assert "The event is full. Choose to confirm the person beyond the capacity" in refused.text
    assert added.status_code == 303
    row = await conn.fetchrow("SELECT id, status, email, note, source FROM registrations")
    assert (row["status"], row["email"], row["note"], row["source"]) == ("confirmed", None, "Talar", "public")
    assert added.headers["location"] == f"/console/registrations/{row['id']}?notice=added"
    listing = await english.get("/console/events/kk/registrations", headers=HTML)
    assert "Typed in by an organiser" in listing.text
    assert "None" not in listing.text.split("<tbody>")[1]


async def test_person_page_edits_resends_and_audits(
    english: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    post_form: PostForm,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk", capacity=5)
    person = (
        await english.post("/api/v1/events/kk/people", json={"name": "Per"}, headers=auth(organiser_token))
    ).json()
    page = f"/console/registrations/{person['id']}"

    no_mail = await post_form(page, f"{page}/resend", {})
    bad = await post_form(page, f"{page}/edit", {"name": "Per", "email": "not-an-address", "language": "nb"})
    edited = await post_form(
        page,
        f"{page}/edit",
        {"name": "Per Hansen", "email": "per@example.no", "note": "VIP", "language": "nn", "role": ""},
    )
    resent = await post_form(page, f"{page}/resend", {})
    await run_jobs()

    assert no_mail.status_code == 422
    assert "The person has no e-mail address. Add one first." in no_mail.text
    assert bad.status_code == 422
    assert (edited.status_code, resent.status_code) == (303, 303)
    stored = await conn.fetchrow("SELECT name, email, note, language FROM registrations")
    assert tuple(stored) == ("Per Hansen", "per@example.no", "VIP", "nn")
    assert len(smtp.sink.to("per@example.no")) == 1
    assert await audit_actions(conn) == ["registration.added", "registration.edited", "registration.ticket_resent"]
    shown = await english.get(page, headers=HTML)
    assert "VIP" in shown.text
    assert "Send the ticket again" in shown.text


async def test_person_page_moves_within_the_series(
    english: Client, conn: asyncpg.Connection, make_event: MakeEvent, post_form: PostForm, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5, kind="workshop", series="intro")
    await make_event(slug="kk-sept", capacity=0, kind="workshop", series="intro")
    person = (
        await english.post("/api/v1/events/kk/people", json={"name": "Per"}, headers=auth(organiser_token))
    ).json()
    page = f"/console/registrations/{person['id']}"

    full = await post_form(page, f"{page}/move", {"event": "kk-sept", "when_full": "refuse"})
    moved = await post_form(page, f"{page}/move", {"event": "kk-sept", "when_full": "waitlist"})

    assert full.status_code == 422
    assert "The event is full." in full.text
    assert moved.status_code == 303
    row = await conn.fetchrow("SELECT e.slug, r.status FROM registrations r JOIN events e ON e.id = r.event_id")
    assert tuple(row) == ("kk-sept", "waitlisted")


async def test_erase_needs_the_box_ticked(
    english: Client, conn: asyncpg.Connection, make_event: MakeEvent, post_form: PostForm, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    person = (
        await english.post("/api/v1/events/kk/people", json={"name": "Per"}, headers=auth(organiser_token))
    ).json()
    page = f"/console/registrations/{person['id']}/erase"

    unconfirmed = await post_form(page, page, {})
    erased = await post_form(page, page, {"confirm": "yes"})

    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.text
    assert (erased.status_code, erased.headers["location"]) == (303, "/console/events/kk/registrations?notice=erased")
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 0
    assert "registration.erased" in await audit_actions(conn)


async def test_person_page_changes_answers_and_sessions_by_the_registration_rules(
    english: Client, conn: asyncpg.Connection, make_event: MakeEvent, post_form: PostForm, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=5)
    question = (
        await english.post(
            "/api/v1/events/kk/questions",
            headers=auth(organiser_token),
            json={
                "kind": "choice",
                "label": {"nb": "Parallell?"},
                "required": True,
                "choices": [{"nb": "Eldrehelse"}, {"nb": "Barn og unge"}],
            },
        )
    ).json()
    morning = await add_session(english, organiser_token, **session_body("Eldrehelse", "10:00", "11:00"))
    other = await add_session(english, organiser_token, **session_body("Barn og unge", "10:30", "11:30"))
    person = (
        await english.post(
            "/api/v1/events/kk/people",
            json={"name": "Per", "answers": {question["id"]: "Eldrehelse"}},
            headers=auth(organiser_token),
        )
    ).json()
    page = f"/console/registrations/{person['id']}"
    shown = await english.get(page, headers=HTML)
    q = f"q_{question['id']}"

    wrong = await post_form(page, f"{page}/edit", {"name": "Per", "language": "nb", q: "Golf"})
    changed = await post_form(page, f"{page}/edit", {"name": "Per", "language": "nb", q: "Barn og unge"})
    chosen = await post_form(page, f"{page}/sessions", {"block-1": other["id"]})
    after = await english.get(page, headers=HTML)

    assert 'value="Eldrehelse" checked' in shown.text  # the stored answer is in the form
    assert wrong.status_code == 422
    assert f'<a class="ds-link" href="#{q}">Parallell?: Choose one of the answers.</a>' in wrong.text
    assert f'id="{q}-error"' in wrong.text
    assert "Choose one of the answers." in wrong.text
    assert changed.status_code == 303
    assert await conn.fetchval("SELECT answers->>$1 FROM registrations", question["id"]) == "Barn og unge"
    assert chosen.status_code == 303
    assert chosen.headers["location"].endswith("?notice=sessions#sessions-heading")
    assert [str(r["session_id"]) for r in await conn.fetch("SELECT session_id FROM session_choices")] == [other["id"]]
    assert re.search(rf'id="choose-{other["id"]}"[^>]*checked', after.text)
    assert not re.search(rf'id="choose-{morning["id"]}"[^>]*checked', after.text)
    assert await audit_actions(conn) == ["registration.added", "registration.edited", "registration.edited"]
