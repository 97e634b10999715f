"""Calendar invites by e-mail (iMIP): sent by the real worker to a real SMTP server, read back by three
parsers. Per UID the SEQUENCE only grows; a change a calendar does not show sends nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

import asyncpg
import icalendar

from service.programme.invites import sync_registration
from service.settings import Settings
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.programme.helpers import add_session, attendee, calendar_part, manage_headers, session_body
from tests.programme.parsers import parse_everywhere
from tests.smtp import SmtpServer, body_of


def invites(smtp: SmtpServer, address: str) -> list[tuple[Any, ...]]:
    """[(method, uid, sequence, status, start, location)] of every invite to `address`, in order received."""
    found: list[tuple[Any, ...]] = []
    for mail in smtp.sink.invites_to(address):
        method, body = calendar_part(mail)
        calendar = parse_everywhere(body)
        assert calendar["method"] == method
        for event in calendar["events"]:
            found.append((method, event["uid"], event["sequence"], event["status"], event["start"], event["location"]))
    return found


def by_uid(found: list[tuple[Any, ...]]) -> dict[str, list[tuple[str, int]]]:
    grouped: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for method, uid, sequence, *_ in found:
        grouped[uid].append((method, sequence))
    return dict(grouped)


async def test_lifecycle_register_choose_move_cancel_gives_sequences_0_1_2(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    a = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00"))
    c = await add_session(client, organiser_token, **session_body("Ettermiddag", "13:00", "14:00"))
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1))).json()
    await client.patch(
        "/api/v1/registrations/self", json={"sessions": [a["id"], c["id"]]}, headers=manage_headers(created)
    )
    await run_jobs()

    await client.patch(f"/api/v1/sessions/{a['id']}", json={"room": "Auditoriet"}, headers=auth(organiser_token))
    await run_jobs()
    await client.delete("/api/v1/registrations/self", headers=manage_headers(created))
    await run_jobs()

    found = invites(smtp, "p1@example.no")
    sequences = sorted(by_uid(found).values())
    assert sequences == sorted(
        [
            [("REQUEST", 0), ("CANCEL", 1)],  # the event
            [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)],  # the moved session
            [("REQUEST", 0), ("CANCEL", 1)],  # the other session
        ]
    )
    moved = [f for f in found if f[0] == "REQUEST" and f[2] == 1]
    assert [(f[4], f[5]) for f in moved] == [("2027-06-10T08:00:00Z", "Auditoriet, Alrek helseklynge")]
    assert {f[3] for f in found if f[0] == "CANCEL"} == {None}  # un-inviting one person: no STATUS:CANCELLED


async def test_invite_mail_is_imip_with_matching_method_and_attachment(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", organiser_name="Kunnskapskommunen")
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="nn"))

    await run_jobs()

    [mail] = smtp.sink.invites_to("p1@example.no")
    parts = [
        (p.get_content_type(), p.get_param("method"), p.get_content_charset(), p.get_filename()) for p in mail.walk()
    ]
    assert parts == [
        ("multipart/mixed", None, None, None),
        ("multipart/alternative", None, None, None),
        ("text/plain", None, "utf-8", None),
        ("text/html", None, "utf-8", None),
        ("text/calendar", "REQUEST", "utf-8", None),
        ("text/calendar", "REQUEST", "utf-8", "invite.ics"),
    ]
    assert mail["Subject"] == "Invitasjon: Kunnskapskommunekonferansen 2027"
    _method, body = calendar_part(mail)
    text = body.decode().replace("\r\n ", "")  # unfolded
    assert "ORGANIZER;CN=Kunnskapskommunen:mailto:no-reply@moteplass.local" in text.replace('"', "")
    assert "RSVP=FALSE" in text
    assert "mailto:p1@example.no" in text
    assert "DTSTART:20270610T070000Z" in text
    assert "VTIMEZONE" not in text


async def test_invite_carries_the_ticket_link_not_the_manage_link(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="en"))).json()
    manage_code = created["manage_url"].rsplit("/", 1)[1]

    await run_jobs()

    [mail] = smtp.sink.invites_to("p1@example.no")
    [event] = icalendar.Calendar.from_ical(calendar_part(mail)[1]).walk("VEVENT")
    text = body_of(mail, "plain")
    html = body_of(mail, "html")
    ticket = f"{created['ticket_url']}?lang=en"
    assert str(event["DESCRIPTION"]) == f"Your ticket (show it at the entrance): {ticket}"
    assert str(event["URL"]) == "http://testserver.local/events/kk?lang=en"
    assert f"Your ticket (show it at the entrance): {ticket}" in text
    assert f'<a href="{ticket}">Open your ticket</a>' in html
    assert [manage_code in part for part in (text, html, mail.as_string())] == [False, False, False]


async def test_plenaries_breaks_and_socials_are_in_the_programme_not_invites(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    await add_session(client, organiser_token, **session_body("Lunsj", "11:30", "12:00", kind="break"))
    social = await add_session(client, organiser_token, **session_body("Mingling", "15:00", "16:00", kind="social"))
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[social["id"]]))

    await run_jobs()
    await run_jobs()

    summaries = sorted(m["Subject"] for m in smtp.sink.invites_to("p1@example.no"))
    assert summaries == ["Invitasjon: Kunnskapskommunekonferansen 2027"]


async def test_abstract_typo_sends_no_invite_but_a_new_time_does(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    plenary = await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30"))
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[plenary["id"]]))
    await run_jobs()
    before = len(smtp.sink.invites_to("p1@example.no"))

    await client.patch(
        f"/api/v1/sessions/{plenary['id']}",
        json={"abstract": {"nb": "Rettet skrivefeil"}},
        headers=auth(organiser_token),
    )
    await run_jobs()
    after_typo = len(smtp.sink.invites_to("p1@example.no"))
    await client.patch(
        f"/api/v1/sessions/{plenary['id']}",
        json={"starts_at": "2027-06-10T09:15:00+02:00", "ends_at": "2027-06-10T09:45:00+02:00"},
        headers=auth(organiser_token),
    )
    await run_jobs()

    updates = smtp.sink.invites_to("p1@example.no")[after_typo:]
    assert (before, after_typo) == (2, 2)
    assert [m["Subject"] for m in updates] == ["Endret: Åpning"]
    assert "Tid: var torsdag 10. juni 2027 kl. 09:00–09:30, nå torsdag 10. juni 2027 kl. 09:15–09:45" in (
        body_of(updates[0], "plain")
    )


async def test_event_moved_updates_everyone_and_event_cancelled_cancels_with_status(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    for n in range(3):
        await client.post("/api/v1/events/kk/registrations", json=attendee(n))
    await run_jobs()

    await client.patch("/api/v1/events/kk", json={"venue": "Bergen rådhus"}, headers=auth(organiser_token))
    await run_jobs()
    await client.patch("/api/v1/events/kk", json={"status": "cancelled"}, headers=auth(organiser_token))
    await run_jobs()

    for n in range(3):
        found = invites(smtp, f"p{n}@example.no")
        assert [(f[0], f[2], f[3], f[5]) for f in found] == [
            ("REQUEST", 0, "CONFIRMED", "Alrek helseklynge"),
            ("REQUEST", 1, "CONFIRMED", "Bergen rådhus"),
            ("CANCEL", 2, "CANCELLED", "Bergen rådhus"),
        ]


async def test_session_cancelled_sends_cancel_with_status_to_those_who_chose_it(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    a = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00"))
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"]]))
    await client.post("/api/v1/events/kk/registrations", json=attendee(2))
    await run_jobs()

    await client.post(f"/api/v1/sessions/{a['id']}/cancel", headers=auth(organiser_token))
    await run_jobs()

    chose = [f for f in invites(smtp, "p1@example.no") if f[0] == "CANCEL"]
    assert [(f[2], f[3]) for f in chose] == [(1, "CANCELLED")]
    assert [f[0] for f in invites(smtp, "p2@example.no")] == ["REQUEST"]


async def test_sync_twice_sends_nothing_more_and_uids_are_stored(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    settings: Settings,
    clock: Clock,
) -> None:
    await make_event(slug="kk")
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1))).json()
    await run_jobs()
    sent: list[object] = []

    async def send(mail: object) -> None:
        sent.append(mail)

    again = await sync_registration(conn, settings, UUID(created["id"]), now=clock(), send=send)
    stored = await conn.fetch("SELECT uid, sequence, state FROM calendar_invites")

    assert (again, sent) == ([], [])
    assert [(r["sequence"], r["state"]) for r in stored] == [(0, "sent")]
    assert stored[0]["uid"].endswith("@testserver.local")


async def test_erasing_a_registration_cancels_every_invite_it_had(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    a = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00"))
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"]]))).json()
    await run_jobs()

    erased = await client.delete("/api/v1/registrations/self?erase=true", headers=manage_headers(created))
    await run_jobs()
    await run_jobs()

    found = invites(smtp, "p1@example.no")
    assert erased.status_code == 204
    assert sorted(by_uid(found).values()) == [[("REQUEST", 0), ("CANCEL", 1)], [("REQUEST", 0), ("CANCEL", 1)]]
    assert sorted(m["Subject"] for m in smtp.sink.invites_to("p1@example.no")[-2:]) == [
        "Fjernet fra kalenderen din: Kunnskapskommunekonferansen 2027",
        "Fjernet fra kalenderen din: Spor A",
    ]


async def test_person_moved_to_another_date_has_the_calendar_entry_moved_and_old_sessions_cancelled(
    client: Client, make_event: MakeEvent, organiser_token: str, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    """An organiser moves a person from the June workshop to the September one: the invite of the June date is
    updated to September (same UID, higher SEQUENCE), the June session they had chosen is cancelled."""
    await make_event(slug="kk", kind="workshop", series="intro")
    await make_event(
        slug="kk-sept",
        kind="workshop",
        series="intro",
        starts_at="2027-09-09T09:00:00+02:00",
        ends_at="2027-09-09T16:00:00+02:00",
    )
    june = await add_session(client, organiser_token, **session_body("Juni-spor", "10:00", "11:00"))
    created = (
        await client.post(
            "/api/v1/events/kk/people",
            json={"name": "Deltaker 1", "email": "p1@example.no", "sessions": [june["id"]]},
            headers=auth(organiser_token),
        )
    ).json()
    await run_jobs()

    moved = await client.post(
        f"/api/v1/events/kk/people/{created['id']}/move", json={"event": "kk-sept"}, headers=auth(organiser_token)
    )
    await run_jobs()

    assert moved.status_code == 200, moved.text
    found = invites(smtp, "p1@example.no")
    assert sorted(by_uid(found).values()) == sorted([[("REQUEST", 0), ("REQUEST", 1)], [("REQUEST", 0), ("CANCEL", 1)]])
    event_updates = [f for f in found if f[0] == "REQUEST" and f[2] == 1]
    assert [f[4][:10] for f in event_updates] == ["2027-09-09"]
