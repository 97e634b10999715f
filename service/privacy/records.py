"""Everything held about one registration, and about one e-mail address across every event.

`COVERED` names every table that holds an attendee's data (a foreign key to registrations, or an e-mail
column) and where it shows in the export, or why it does not; a test fails when a new such table is added
and not named here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

import asyncpg

from ..i18n import Language, gettext, pick
from ..registrations.notify import SUBJECTS
from ..reminders.mail import subject_of as reminder_subject
from ..surveys import queries as survey_queries
from ..surveys.domain import MAIL as MAIL_SURVEY
from ..surveys.notify import REMINDER_SUBJECT as SURVEY_REMINDER_SUBJECT
from ..surveys.notify import SUBJECT as SURVEY_SUBJECT
from ..workshops.domain import MAIL_PLACEMENT
from ..workshops.notify import SUBJECT as PLACEMENT_SUBJECT
from .schemas import (
    Answer,
    CalendarInvite,
    ConsoleAccount,
    EventRef,
    GroupRank,
    HistoryItem,
    NominationRecord,
    PersonRecords,
    Placement,
    ReceivedAnnouncement,
    RegistrationRecord,
    Scan,
    SentMail,
    SessionChoice,
    SurveyParticipation,
)

COVERED = {
    "registrations": "the registration itself",
    "registration_history": "history",
    "session_choices": "sessions",
    "group_preferences": "group_ranking",
    "group_placements": "group_placement",
    "checkin_scans": "check_ins",
    "checkin_admissions": "check_ins (admitted)",
    "announcement_recipients": "announcements",
    "calendar_invites": "calendar_invites",
    "jobs": "mails (those waiting to be sent or failed, and sent ones from before sent_mails was kept)",
    "sent_mails": "mails (every mail sent, with its subject and time, for as long as the registration is kept)",
    "certificate_mails": "mails (the certificate of attendance's mail is listed with the other mails)",
    "reminder_deliveries": "mails (each reminder before the event, with when it was sent)",
    "survey_invitations": "survey (sent, reminded, answered: never the answers, which name no one)",
    "ticket_images": "not exported: the QR image of the ticket link, which the attendee already has",
    "event_seats": "not exported: which seat row holds the registration (no personal data)",
    "nominations": "nominations (as nominator or nominee)",
    "users": "console_account",
    "console_sign_in_failures": "sign_in_failures (a count)",
}

REGISTRATION = """
SELECT r.*, e.slug, e.title, e.starts_at, e.ends_at FROM registrations r JOIN events e ON e.id = r.event_id
 WHERE r.id = $1
"""
QUESTIONS = "SELECT id, label FROM event_questions WHERE event_id = $1 ORDER BY position"
HISTORY = "SELECT at, actor, action, data FROM registration_history WHERE registration_id = $1 ORDER BY at, id"
SESSIONS = """
SELECT s.title, s.starts_at, c.status, c.chosen_at FROM session_choices c JOIN sessions s ON s.id = c.session_id
 WHERE c.registration_id = $1 ORDER BY s.starts_at, s.id
"""
RANKING = """
SELECT p.rank, g.name FROM group_preferences p JOIN workshop_groups g ON g.id = p.group_id
 WHERE p.registration_id = $1 ORDER BY p.rank
"""
PLACEMENT = """
SELECT g.name, p.choice, p.placed_by, p.placed_at FROM group_placements p JOIN workshop_groups g ON g.id = p.group_id
 WHERE p.registration_id = $1
"""
SCANS = """
SELECT s.scanned_at, s.result, d.name AS door, s.via, s.offline, (a.scan_id IS NOT NULL) AS admitted
  FROM checkin_scans s JOIN doors d ON d.id = s.door_id
  LEFT JOIN checkin_admissions a ON a.scan_id = s.id
 WHERE s.registration_id = $1 ORDER BY s.scanned_at, s.id
"""
# Sent mails are kept with the registration (sent_mails); the jobs add those waiting or failed.
SENT_MAILS = "SELECT kind, subject, sent_at FROM sent_mails WHERE registration_id = $1 ORDER BY sent_at, id"
MAILS = """
SELECT kind, payload, created_at, done_at, dead_at FROM jobs j
 WHERE payload ? 'registration_id' AND payload ->> 'registration_id' = $1::text
   AND NOT EXISTS (SELECT 1 FROM sent_mails m WHERE m.job_id = j.id)
 ORDER BY created_at, id
"""
REMINDERS = """
SELECT d.claimed_at, d.sent_at, d.sent_as FROM reminder_deliveries d
 WHERE d.registration_id = $1 AND d.sent_as IS DISTINCT FROM 'skipped' ORDER BY d.claimed_at
"""
ANNOUNCEMENTS = """
SELECT a.subject, r.status, r.done_at FROM announcement_recipients r JOIN announcements a ON a.id = r.announcement_id
 WHERE r.registration_id = $1 ORDER BY r.id
"""
INVITES = """
SELECT coalesce(sent ->> 'summary', '') AS summary, state, sent_at FROM calendar_invites
 WHERE registration_id = $1 ORDER BY id
"""
GROUP_NAME = "SELECT name FROM workshop_groups WHERE id = $1"

REGISTRATIONS_OF = """
SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
 WHERE r.email_norm = $1 ORDER BY e.starts_at, r.created_at
"""
NOMINATIONS_OF = """
SELECT n.*, p.name AS prize, c.year,
       CASE WHEN lower(n.nominator_email) = $1 THEN 'nominator' ELSE 'nominee' END AS as_
  FROM nominations n JOIN prize_calls c ON c.id = n.call_id JOIN prizes p ON p.id = c.prize_id
 WHERE lower(n.nominator_email) = $1 OR lower(n.nominee_email) = $1
 ORDER BY n.created_at
"""
ACCOUNT_OF = "SELECT email, name, role, created_at, disabled_at FROM users WHERE email = $1 AND role <> 'door'"
SIGN_IN_FAILURES_OF = "SELECT count(*) FROM console_sign_in_failures WHERE lower(email) = $1"


def normalise(email: str) -> str:
    return email.strip().lower()


async def _mails(
    conn: asyncpg.Connection, registration_id: UUID, language: Language, title: dict[str, str]
) -> list[SentMail]:
    mails = [
        SentMail(
            kind=row["kind"], subject=row["subject"], queued_at=row["sent_at"], sent_at=row["sent_at"], state="sent"
        )
        for row in await conn.fetch(SENT_MAILS, registration_id)
    ]
    for row in await conn.fetch(MAILS, str(registration_id)):
        values: dict[str, Any] = {"event": pick(title, language)}
        if row["kind"] in SUBJECTS:
            message = SUBJECTS[row["kind"]]
            subject = gettext(language, message) % values
        elif row["kind"] == MAIL_PLACEMENT:
            name = (
                await conn.fetchval(GROUP_NAME, UUID(row["payload"]["group_id"]))
                if "group_id" in row["payload"]
                else None
            )
            values["group"] = pick(name, language) if name else ""
            subject = gettext(language, PLACEMENT_SUBJECT) % values
        elif row["kind"] == MAIL_SURVEY:
            message = SURVEY_REMINDER_SUBJECT if row["payload"].get("reminder") else SURVEY_SUBJECT
            subject = gettext(language, message) % values
        else:
            continue  # calendar updates: listed under calendar_invites
        state = "sent" if row["done_at"] else "failed" if row["dead_at"] else "queued"
        mails.append(
            SentMail(
                kind=row["kind"], subject=subject, queued_at=row["created_at"], sent_at=row["done_at"], state=state
            )
        )
    for row in await conn.fetch(REMINDERS, registration_id):
        subject = reminder_subject(title, waitlisted=row["sent_as"] == "waitlist", language=language)
        state = "sent" if row["sent_at"] else "queued"
        mails.append(
            SentMail(
                kind="event.reminder", subject=subject, queued_at=row["claimed_at"], sent_at=row["sent_at"], state=state
            )
        )
    return mails


async def registration_record(conn: asyncpg.Connection, registration_id: UUID) -> RegistrationRecord | None:
    """Everything held about one registration (no links that open it), or None when there is none."""
    row = await conn.fetchrow(REGISTRATION, registration_id)
    if row is None:
        return None
    labels = {str(q["id"]): q["label"] for q in await conn.fetch(QUESTIONS, row["event_id"])}
    placement = await conn.fetchrow(PLACEMENT, registration_id)
    return RegistrationRecord(
        id=row["id"],
        event=EventRef(slug=row["slug"], title=row["title"], starts_at=row["starts_at"], ends_at=row["ends_at"]),
        status=row["status"],
        name=row["name"],
        email=row["email"],
        organisation=row["organisation"],
        role=row["role"],
        dietary=row["dietary"],
        accessibility=row["accessibility"],
        language=row["language"],
        answers=[Answer(question=labels.get(key, {"nb": key}), answer=value) for key, value in row["answers"].items()],
        privacy_accepted_at=row["privacy_accepted_at"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        cancelled_at=row["cancelled_at"],
        history=[HistoryItem(**dict(h)) for h in await conn.fetch(HISTORY, registration_id)],
        sessions=[SessionChoice(**dict(s)) for s in await conn.fetch(SESSIONS, registration_id)],
        group_ranking=[GroupRank(rank=g["rank"], group=g["name"]) for g in await conn.fetch(RANKING, registration_id)],
        group_placement=Placement(
            group=placement["name"],
            your_rank_of_it=placement["choice"],
            placed_by=placement["placed_by"],
            placed_at=placement["placed_at"],
        )
        if placement
        else None,
        check_ins=[Scan(**dict(s)) for s in await conn.fetch(SCANS, registration_id)],
        mails=await _mails(conn, registration_id, cast(Language, row["language"]), row["title"]),
        announcements=[
            ReceivedAnnouncement(subject=a["subject"], state=a["status"], at=a["done_at"])
            for a in await conn.fetch(ANNOUNCEMENTS, registration_id)
        ],
        calendar_invites=[CalendarInvite(**dict(i)) for i in await conn.fetch(INVITES, registration_id)],
        note=row["note"],
        source=row["source"],
        survey=await _survey(conn, registration_id),
    )


async def _survey(conn: asyncpg.Connection, registration_id: UUID) -> SurveyParticipation | None:
    found = await survey_queries.participation(conn, registration_id)
    if found is None:
        return None
    return SurveyParticipation(sent_at=found.sent_at, reminded_at=found.reminded_at, answered=found.answered)


async def person_records(conn: asyncpg.Connection, email: str, *, now: datetime) -> PersonRecords:
    """Everything held about an e-mail address across every event: registrations, nominations, a console
    account, sign-in failures. Reads only."""
    address = normalise(email)
    registrations = []
    for row in await conn.fetch(REGISTRATIONS_OF, address):
        record = await registration_record(conn, row["id"])
        if record is not None:
            registrations.append(record)
    nominations = [
        NominationRecord(
            id=n["id"],
            as_=n["as_"],
            prize=n["prize"],
            year=n["year"],
            status=n["status"],
            nominee_name=n["nominee_name"],
            nominee_organisation=n["nominee_organisation"],
            nominee_email=n["nominee_email"],
            title=n["title"],
            justification=n["justification"],
            nominator_name=n["nominator_name"],
            nominator_email=n["nominator_email"],
            nominator_relation=n["nominator_relation"],
            created_at=n["created_at"],
        )
        for n in await conn.fetch(NOMINATIONS_OF, address)
    ]
    account = await conn.fetchrow(ACCOUNT_OF, address)
    return PersonRecords(
        email=address,
        registrations=registrations,
        nominations=nominations,
        console_account=ConsoleAccount(**dict(account)) if account else None,
        sign_in_failures=int(await conn.fetchval(SIGN_IN_FAILURES_OF, address)),
        looked_up_at=now,
    )


def counts_of(records: PersonRecords) -> dict[str, int]:
    """How many records of each kind (for the audit log, which never holds the address itself)."""
    return {
        "registrations": len(records.registrations),
        "nominations": len(records.nominations),
        "console_account": int(records.console_account is not None),
        "sign_in_failures": records.sign_in_failures,
    }
