"""An attendee's own export holds everything held about them, and no table that holds an attendee's data
is left out of it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from service.accounts.domain import add_user
from service.i18n import gettext
from service.privacy.records import COVERED
from service.privacy.schemas import RegistrationRecord
from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.privacy.conftest import register


async def with_everything(conn: asyncpg.Connection, registration_id: UUID, event_id: UUID) -> None:
    """A session chosen, perspectives ranked, a group, a scan at the door, an announcement, a calendar invite."""
    session = await conn.fetchval(
        """INSERT INTO sessions (event_id, kind, title, starts_at, ends_at)
           VALUES ($1, 'parallel', '{"nb": "Velferdsteknologi"}', $2::timestamptz, $2::timestamptz + interval '1 hour')
           RETURNING id""",
        event_id,
        T0,
    )
    await conn.execute(
        "INSERT INTO session_choices (registration_id, session_id, status) VALUES ($1, $2, 'confirmed')",
        registration_id,
        session,
    )
    groups = [
        await conn.fetchval(
            """INSERT INTO workshop_groups (event_id, key, position, name, capacity)
               VALUES ($1, $2, $3, jsonb_build_object('nb', $2::text), 10) RETURNING id""",
            event_id,
            key,
            position,
        )
        for position, key in enumerate(("brukar", "tilsett"))
    ]
    await conn.execute(
        "INSERT INTO group_preferences VALUES ($1, 1, $2), ($1, 2, $3)", registration_id, groups[1], groups[0]
    )
    await conn.execute(
        """INSERT INTO group_placements (registration_id, event_id, group_id, choice, placed_by, placed_at)
           VALUES ($1, $2, $3, 1, 'solver', $4)""",
        registration_id,
        event_id,
        groups[1],
        T0,
    )
    door_user = await add_user(conn, email="door-1@doors.moteplass", role="door")
    door = await conn.fetchval(
        "INSERT INTO doors (event_id, user_id, name, created_at) VALUES ($1, $2, 'Hovudinngang', $3) RETURNING id",
        event_id,
        door_user.user_id,
        T0,
    )
    scan = await conn.fetchval(
        """INSERT INTO checkin_scans (door_id, registration_id, nonce, result, scanned_at, received_at)
           VALUES ($1, $2, 'n1', 'admitted', $3, $3) RETURNING id""",
        door,
        registration_id,
        T0,
    )
    await conn.execute(
        "INSERT INTO checkin_admissions VALUES ($1, $2, $3, $4, $5)", registration_id, event_id, door, scan, T0
    )
    announcement = await conn.fetchval(
        """INSERT INTO announcements (event_id, audience, subject, body, status, actor)
           VALUES ($1, 'confirmed', '{"nb": "Velkomen"}', '{"nb": "Kaffi frå 08.30"}', 'sent', 'user:x')
           RETURNING id""",
        event_id,
    )
    await conn.execute(
        """INSERT INTO announcement_recipients (announcement_id, registration_id, status, done_at)
           VALUES ($1, $2, 'sent', $3)""",
        announcement,
        registration_id,
        T0,
    )
    reminder = await conn.fetchval(
        """INSERT INTO event_reminders (event_id, before_seconds, created_at, updated_at)
           VALUES ($1, 3600, $2, $2) ON CONFLICT DO NOTHING RETURNING id""",
        event_id,
        T0,
    ) or await conn.fetchval("SELECT id FROM event_reminders WHERE event_id = $1 AND before_seconds = 3600", event_id)
    await conn.execute(
        """INSERT INTO reminder_deliveries (registration_id, reminder_id, claimed_at, sent_at, sent_as)
           VALUES ($1, $2, $3, $3, 'ticket')""",
        registration_id,
        reminder,
        T0,
    )
    survey = await conn.fetchval("INSERT INTO surveys (created_at, updated_at) VALUES ($1, $1) RETURNING id", T0)
    await conn.execute(
        """INSERT INTO survey_invitations (registration_id, survey_id, event_id, token_hash, claimed_at, sent_at,
                                           answered)
           VALUES ($1, $2, $3, '\\x01', $4, $4, true)""",
        registration_id,
        survey,
        event_id,
        T0,
    )


async def test_attendee_export_holds_every_category(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, run_jobs: RunJobs
) -> None:
    event = await make_event(slug="juni")
    registered = await register(client, "juni")
    registration_id = UUID(registered["id"])
    await with_everything(conn, registration_id, UUID(event["id"]))
    await run_jobs()  # the confirmation mail and the calendar invite are sent
    code = registered["manage_url"].rsplit("/", 1)[-1]

    response = await client.get("/api/v1/registrations/self/export", headers=auth(code))

    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()["record"]
    assert (record["name"], record["email"], record["language"]) == ("Kari Nordmann", "Kari.Nordmann@Example.no", "nn")
    assert [h["action"] for h in record["history"]] == ["registration.confirmed"]
    assert [(s["title"], s["status"]) for s in record["sessions"]] == [({"nb": "Velferdsteknologi"}, "confirmed")]
    assert [(g["rank"], g["group"]) for g in record["group_ranking"]] == [(1, {"nb": "tilsett"}), (2, {"nb": "brukar"})]
    assert (record["group_placement"]["group"], record["group_placement"]["your_rank_of_it"]) == ({"nb": "tilsett"}, 1)
    assert [(c["door"], c["result"], c["admitted"]) for c in record["check_ins"]] == [
        ("Hovudinngang", "admitted", True)
    ]
    assert [(m["kind"], m["subject"], m["state"]) for m in record["mails"]] == [
        ("registration.confirmed", "Du er påmeld: Kunnskapskommunekonferansen 2027", "sent"),
        (
            "event.reminder",
            gettext("nn", "Reminder: %(event)s") % {"event": "Kunnskapskommunekonferansen 2027"},
            "sent",
        ),
    ]
    assert [(a["subject"], a["state"]) for a in record["announcements"]] == [({"nb": "Velkomen"}, "sent")]
    assert record["survey"] == {"sent_at": "2027-03-01T09:00:00Z", "reminded_at": None, "answered": True}
    assert [(i["summary"], i["state"]) for i in record["calendar_invites"]] == [
        ("Kunnskapskommunekonferansen 2027", "sent"),
        ("Velferdsteknologi", "sent"),
    ]


async def test_every_table_with_attendee_data_is_covered_by_the_export(conn: asyncpg.Connection) -> None:
    """Fails when a table with an e-mail column, or one pointing at registrations, is added and the export
    (service/privacy/records.py COVERED) does not say where it shows."""
    rows = await conn.fetch(
        """SELECT DISTINCT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name LIKE '%email%'
           UNION
           SELECT DISTINCT cl.relname FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid
            WHERE k.contype = 'f' AND k.confrelid = 'registrations'::regclass"""
    )

    holding = {row[0] for row in rows}

    assert holding - set(COVERED) == set()
    assert holding >= {"registrations", "nominations", "checkin_scans", "group_preferences", "session_choices"}


async def test_attendee_export_holds_the_organisers_note_which_their_own_view_does_not_show(
    conn: asyncpg.Connection, client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="juni")
    registered = await register(client, "juni")
    await client.patch(
        f"/api/v1/events/juni/people/{registered['id']}", json={"note": "Talar kl. 10"}, headers=auth(organiser_token)
    )
    code = registered["manage_url"].rsplit("/", 1)[-1]

    own_view = await client.get("/api/v1/registrations/self", headers=auth(code))
    export = await client.get("/api/v1/registrations/self/export", headers=auth(code))

    assert "note" not in own_view.json()
    assert (export.json()["record"]["note"], export.json()["record"]["source"]) == ("Talar kl. 10", "web")


# Columns of registrations the export does not show as such, and why; every other column is in the record.
NOT_EXPORTED = {
    "event_id": "shown as the event",
    "email_norm": "the address again, in small letters",
    "queue_seq": "an ordering number (the waiting-list position is shown)",
    "link_version": "which generation of links is valid (no personal data)",
    "updated_at": "when anything last changed (the history has each change)",
    "waitlist_no": "a number in the event's waiting list (the position is shown)",
    "signup_id": "ties the dates of one series sign-up together (no personal data)",
}


async def test_every_registration_column_is_in_the_export(conn: asyncpg.Connection) -> None:
    columns = {
        row[0]
        for row in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'registrations'"
        )
    }

    exported = set(RegistrationRecord.__struct_fields__)

    assert columns - exported - set(NOT_EXPORTED) == set()
