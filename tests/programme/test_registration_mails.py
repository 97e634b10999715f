"""How many mails one registration sends: the confirmation (ticket, manage link, the day's programme), the
event's invite, and one invite mail per parallel session the person has a place in (an iTIP REQUEST holds one
UID; the event's invite stays out of the confirmation, as Outlook copies an invite's mail body into the calendar
entry). Plenaries, breaks and socials are in the programme, not invites of their own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import asyncpg

from tests.conftest import Client, MakeEvent, RunJobs, auth
from tests.programme.helpers import add_session, attendee, calendar_part, session_body
from tests.programme.parsers import parse_everywhere
from tests.smtp import SmtpServer, body_of


def mails_to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m.message for m in smtp.sink.messages if address in m.rcpt_tos]


async def _day(client: Client, token: str) -> dict[str, Any]:
    await add_session(client, token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    a = await add_session(client, token, **session_body("Spor A", "09:45", "10:45"))
    await add_session(client, token, **session_body("Spor B", "09:45", "10:45", room="Rom 2"))
    await add_session(client, token, **session_body("Lunsj", "12:00", "12:45", kind="break", room="Kantina"))
    await add_session(client, token, **session_body("Mingling", "15:15", "16:00", kind="social", room="Foajeen"))
    return a


async def test_registration_with_one_chosen_session_sends_three_mails(
    client: Client, make_event: MakeEvent, organiser_token: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    a = await _day(client, organiser_token)
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[a["id"]]))

    await run_jobs()
    await run_jobs()

    by_subject = {m["Subject"]: m for m in mails_to(smtp, "p1@example.no")}
    assert len(by_subject) == len(mails_to(smtp, "p1@example.no"))
    confirmation, event_invite, session_invite = (
        by_subject["Du er påmeldt: Kunnskapskommunekonferansen 2027"],
        by_subject["Invitasjon: Kunnskapskommunekonferansen 2027"],
        by_subject["Invitasjon: Spor A"],
    )
    assert sorted(by_subject) == [
        "Du er påmeldt: Kunnskapskommunekonferansen 2027",
        "Invitasjon: Kunnskapskommunekonferansen 2027",
        "Invitasjon: Spor A",
    ]
    assert [p.get_content_type() for p in confirmation.walk() if p.get_content_type() == "text/calendar"] == []
    views = [parse_everywhere(calendar_part(mail)[1]) for mail in (event_invite, session_invite)]
    assert [(v["method"], [(e["summary"], e["sequence"], e["start"]) for e in v["events"]]) for v in views] == [
        ("REQUEST", [("Kunnskapskommunekonferansen 2027", 0, "2027-06-10T07:00:00Z")]),
        ("REQUEST", [("Spor A", 0, "2027-06-10T07:45:00Z")]),
    ]
    for mail in (event_invite, session_invite):
        [ics] = [p for p in mail.walk() if p.get_filename() == "invite.ics"]
        assert (ics.get_content_type(), ics.get_content_charset(), ics.get_param("method")) == (
            "text/calendar",
            "utf-8",
            "REQUEST",
        )
        assert ics.get_payload(decode=True) == calendar_part(mail)[1]
    text = body_of(confirmation, "plain").replace("\r\n", "\n")
    assert "Hvor: Alrek helseklynge\n\nDagens program:\n" in text
    programme = text.split("Dagens program:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    assert programme == [
        "09:00–09:30 Åpning (Rom 1)",
        "09:45–10:45 Spor A (Rom 1)",
        "12:00–12:45 Lunsj (Kantina)",
        "15:15–16:00 Mingling (Foajeen)",
    ]
    html = body_of(confirmation, "html")
    assert "Spor B" not in text + html
    assert "<td>Mingling (Foajeen)</td>" in html


async def test_promotion_sends_the_seat_mail_and_the_event_invite(
    client: Client, make_event: MakeEvent, organiser_token: Any, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", capacity=1)
    first = (await client.post("/api/v1/events/kk/registrations", json=attendee(1))).json()
    await client.post("/api/v1/events/kk/registrations", json=attendee(2))
    await run_jobs()

    await client.delete("/api/v1/registrations/self", headers=auth(first["manage_url"].rsplit("/", 1)[1]))
    await run_jobs()
    await run_jobs()

    promoted = smtp.sink.to("p2@example.no")
    assert len(mails_to(smtp, "p2@example.no")) == 3
    assert [m["Subject"] for m in promoted] == [
        "Du står på venteliste: Kunnskapskommunekonferansen 2027",
        "Du har fått plass: Kunnskapskommunekonferansen 2027",
    ]
    [invite] = smtp.sink.invites_to("p2@example.no")
    assert parse_everywhere(calendar_part(invite)[1])["method"] == "REQUEST"
    assert "Dagens program:" not in body_of(promoted[1], "plain")  # no programme: no list
    assert [m["Subject"] for m in smtp.sink.invites_to("p1@example.no")] == [
        "Invitasjon: Kunnskapskommunekonferansen 2027",
        "Fjernet fra kalenderen din: Kunnskapskommunekonferansen 2027",
    ]


async def test_plenary_invite_sent_before_keeps_being_updated(
    client: Client,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: Any,
    run_jobs: RunJobs,
    smtp: SmtpServer,
) -> None:
    await make_event(slug="kk")
    plenary = await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    created = (await client.post("/api/v1/events/kk/registrations", json=attendee(1))).json()
    await run_jobs()
    sent = {
        "summary": "Åpning",
        "starts_at": datetime(2027, 6, 10, 7, 0, tzinfo=UTC).isoformat(),
        "ends_at": datetime(2027, 6, 10, 7, 30, tzinfo=UTC).isoformat(),
        "location": "Rom 1, Alrek helseklynge",
    }
    await conn.execute(  # an invite from before plenaries left the invites
        "INSERT INTO calendar_invites (registration_id, session_id, uid, sequence, state, sent)"
        " VALUES ($1, $2, 'old-plenary@testserver.local', 0, 'sent', $3)",
        created["id"],
        plenary["id"],
        json.loads(json.dumps(sent)),
    )

    await client.patch(f"/api/v1/sessions/{plenary['id']}", json={"room": "Auditoriet"}, headers=auth(organiser_token))
    await run_jobs()
    await run_jobs()

    updates = smtp.sink.invites_to("p1@example.no")[1:]
    assert [m["Subject"] for m in updates] == ["Endret: Åpning"]
    [event] = parse_everywhere(calendar_part(updates[0])[1])["events"]
    assert (event["uid"], event["sequence"], event["location"]) == (
        "old-plenary@testserver.local",
        1,
        "Auditoriet, Alrek helseklynge",
    )
