"""SQL of registrations: seats are claimed row by row so one popular event never convoys on one row."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from ..checkin.schemas import Admission
from ..db import like_pattern
from . import paging
from .schemas import DayChange, HistoryEntry, Question, Registration, RegistrationStatus


class Registered(msgspec.Struct, frozen=True):
    """What the registration statement answers (see _register_sql)."""

    id: UUID
    event_id: UUID
    status: RegistrationStatus
    link_version: int
    queue_seq: int
    position: int | None  # on the waiting list; None when confirmed
    seat_may_be_free: bool


class EventForRegistration(msgspec.Struct, frozen=True):
    """What the checked registration path reads of an event: its window and its questions."""

    id: UUID
    slug: str
    status: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration_paused: bool
    questions: list[dict[str, Any]]


class TicketImages(msgspec.Struct, frozen=True):
    """A ticket's QR code, rendered once per link version."""

    png: bytes
    svg: str


_COLUMNS = """
r.id, r.event_id, r.status, r.name, r.email, r.organisation, r.role, r.dietary, r.accessibility, r.language,
r.answers, r.queue_seq, r.link_version, r.source, r.created_at, r.updated_at, r.confirmed_at, r.cancelled_at,
r.note
"""
_POSITION = """
CASE WHEN r.status = 'waitlisted' THEN (
    SELECT count(*) FROM registrations w
     WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queue_seq <= r.queue_seq)
END AS waitlist_position
"""

INSERT_REGISTRATION = """
INSERT INTO registrations (event_id, status, name, email, email_norm, organisation, role, dietary, accessibility,
                           language, answers, privacy_accepted_at, source, created_at, updated_at)
VALUES ($1, 'waitlisted', $2, $3, lower($3), $4, $5, $6, $7, $8, $9, $10, $11, $10, $10)
ON CONFLICT (event_id, email_norm) WHERE status <> 'cancelled' DO NOTHING
RETURNING id
"""


# A registration typed in by an organiser or at a door: waitlisted until place_by_hand (domain.py) gives it a
# seat or a number; the address may be missing. No row when the address is already registered for the event.
INSERT_BY_HAND = """
INSERT INTO registrations (event_id, status, name, email, email_norm, organisation, role, dietary, accessibility,
                           language, answers, privacy_accepted_at, source, created_at, updated_at, note)
VALUES ($1, 'waitlisted', $2, $3, lower($3), $4, $5, $6, $7, $8, $9, NULL, $11, $10, $10, $12)
ON CONFLICT (event_id, email_norm) WHERE status <> 'cancelled' DO NOTHING
RETURNING id
"""
# Onto the waiting list with the event's next number (the numbering every waiting place gets).
WAITLIST = """
UPDATE registrations SET status = 'waitlisted', confirmed_at = NULL, updated_at = $2,
       waitlist_no = nextval(waitlist_sequence(event_id))
 WHERE id = $1
"""
# Moving to another event of the series: a new event, no seat or number yet (place_by_hand gives them).
MOVE_TO_EVENT = """
UPDATE registrations SET event_id = $2, status = 'waitlisted', confirmed_at = NULL, waitlist_no = NULL,
       queue_seq = nextval('registrations_queue_seq'), updated_at = $3
 WHERE id = $1
"""
SERIES_OF = "SELECT series FROM events WHERE id = $1"
# A registration moved to another event leaves the old event's perspective groups (ranking and placement).
LEAVE_GROUPS = """
WITH placed AS (DELETE FROM group_placements WHERE registration_id = $1)
DELETE FROM group_preferences WHERE registration_id = $1
"""
SET_EMAIL = "UPDATE registrations SET email = $2, email_norm = lower($2), updated_at = $3 WHERE id = $1"
# A waitlisted registration leaving the list (moved away) keeps its number counted as having left it.
LEFT_WAITLIST = """
INSERT INTO waitlist_erasures (event_id, waitlist_no)
SELECT event_id, waitlist_no FROM registrations WHERE id = $1 AND waitlist_no IS NOT NULL
"""


# The whole registration in one statement (so one round trip and no explicit transaction), for one request or
# for many at once (the registration lane sends the requests that arrive together in one statement, see
# batching.py): take free seats nobody else is taking right now (SKIP LOCKED, from a random spot, see
# migrations/025_seat_spots.sql), insert the registrations as confirmed or waitlisted, give each its seat, and
# write their history lines and mail jobs. Each argument is an array with an element per request ($10, the time,
# is one for all); a request gets no row when its address is already registered for the event or the event is
# not open to it (then the caller's checked path says why). At most one request per event and address a call.
def _register_sql(event_match: str) -> str:
    """The registration statement for requests whose $1 element picks their event by `event_match` (a join
    condition on `e`, the events, and `r`, the request)."""
    return f"""
WITH req AS (
    SELECT r.*, e.id AS event_id, row_number() OVER (PARTITION BY e.id ORDER BY r.n) AS k
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::jsonb[], $11::text[]) WITH ORDINALITY
           AS r (event_key, name, email, organisation, role, dietary, accessibility, language, answers, source, n)
      JOIN events e ON {event_match}
       -- checked here as well as by ON CONFLICT so that a repeat does not use up a seat or a waiting-list number
     WHERE NOT EXISTS (SELECT 1 FROM registrations d
                        WHERE d.event_id = e.id AND d.email_norm = lower(r.email) AND d.status <> 'cancelled')
), wanted AS (
    SELECT event_id, count(*) AS n, random() AS start FROM req GROUP BY event_id
), pick AS (
    SELECT s.id, s.event_id, row_number() OVER (PARTITION BY s.event_id) AS k
      FROM wanted w CROSS JOIN LATERAL (
           SELECT * FROM (SELECT id, event_id FROM event_seats
                           WHERE event_id = w.event_id AND registration_id IS NULL AND spot >= w.start
                           ORDER BY event_id, spot LIMIT w.n FOR UPDATE SKIP LOCKED) above
           -- round from the start when the seats past the spot are too few
           UNION ALL
           SELECT * FROM (SELECT id, event_id FROM event_seats
                           WHERE event_id = w.event_id AND registration_id IS NULL AND spot < w.start
                           ORDER BY event_id, spot LIMIT w.n FOR UPDATE SKIP LOCKED) below
           LIMIT w.n) s
), placed AS (
    SELECT req.*, pick.id AS seat FROM req LEFT JOIN pick ON pick.event_id = req.event_id AND pick.k = req.k
), ins AS (
    INSERT INTO registrations (event_id, status, name, email, email_norm, organisation, role, dietary,
                               accessibility, language, answers, privacy_accepted_at, source, created_at,
                               updated_at, confirmed_at, waitlist_no)
    SELECT event_id, CASE WHEN seat IS NULL THEN 'waitlisted' ELSE 'confirmed' END, name, email, lower(email),
           organisation, role, dietary, accessibility, language, answers, $10, source, $10, $10,
           CASE WHEN seat IS NOT NULL THEN $10::timestamptz END,
           CASE WHEN seat IS NULL THEN nextval(waitlist_sequence(event_id)) END
      FROM placed ORDER BY n
    ON CONFLICT (event_id, email_norm) WHERE status <> 'cancelled' DO NOTHING
    RETURNING id, event_id, email_norm, status, link_version, queue_seq, waitlist_no
), done AS (
    SELECT ins.*, placed.n, placed.seat
      FROM ins JOIN placed ON placed.event_id = ins.event_id AND lower(placed.email) = ins.email_norm
), take AS (
    UPDATE event_seats SET registration_id = done.id FROM done
     WHERE event_seats.id = done.seat AND done.status = 'confirmed'
), history AS (
    INSERT INTO registration_history (registration_id, at, actor, action)
    SELECT id, $10, 'public', 'registration.' || status FROM ins
), job AS (
    INSERT INTO jobs (kind, payload, dedupe_key)
    SELECT 'registration.' || status, jsonb_build_object('registration_id', id),
           'registration.' || status || ':' || id
      FROM ins
)
SELECT done.n, done.id, done.event_id, done.status, done.link_version, done.queue_seq,
       -- Number in the list minus those ahead who have left it (promoted, cancelled, erased): exact unless
       -- others register at the same instant. The manage page and mails count the list itself.
       done.waitlist_no - (
           SELECT count(*) FROM registrations d
            WHERE d.event_id = done.event_id AND d.waitlist_no < done.waitlist_no AND d.status <> 'waitlisted'
       ) - (
           SELECT count(*) FROM waitlist_erasures x
            WHERE x.event_id = done.event_id AND x.waitlist_no < done.waitlist_no
       ) AS position,
       -- A seat that looked taken may be held by a registration still in flight (that may roll back).
       done.status = 'waitlisted' AND (
           SELECT s.id FROM event_seats s WHERE s.event_id = done.event_id AND s.registration_id IS NULL
            ORDER BY s.event_id, s.spot LIMIT 1) IS NOT NULL AS seat_may_be_free
  FROM done
"""  # noqa: S608 - `event_match` is one of this module's constant conditions


# By event id, after the caller has read the event and checked its window and answers.
REGISTER = _register_sql("e.id = r.event_key::uuid AND e.status = 'published'")
# By slug, for requests without answers: the window is checked here, and an event with required questions is
# left to the checked path (no row comes back).
REGISTER_BY_SLUG = _register_sql("""e.slug = r.event_key
       AND e.status = 'published' AND NOT e.registration_paused AND $10 < e.ends_at
       AND (e.registration_opens_at IS NULL OR e.registration_opens_at <= $10)
       AND (e.registration_closes_at IS NULL OR $10 < e.registration_closes_at)
       AND NOT EXISTS (SELECT 1 FROM event_questions q WHERE q.event_id = e.id AND q.required)""")

# Seat queries order by (event_id, spot), the order of the partial index of free seats, so that even a generic
# plan of a prepared statement walks that index instead of the primary key's (every seat ever taken).
HAS_FREE_SEAT = (
    "SELECT id FROM event_seats WHERE event_id = $1 AND registration_id IS NULL ORDER BY event_id, spot LIMIT 1"
)
# Take any free seat nobody else is taking right now.
CLAIM_FREE_SEAT = """
UPDATE event_seats SET registration_id = $2
 WHERE id = (SELECT id FROM event_seats WHERE event_id = $1 AND registration_id IS NULL
              ORDER BY event_id, spot LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""
# Near the end, free seats may be locked by transactions still in flight: wait for them and re-check.
CLAIM_FREE_SEAT_WAITING = """
UPDATE event_seats SET registration_id = $2
 WHERE id = (SELECT id FROM event_seats WHERE event_id = $1 AND registration_id IS NULL
              ORDER BY event_id, spot LIMIT 1 FOR UPDATE)
   AND registration_id IS NULL
RETURNING id
"""
CONFIRM = """
UPDATE registrations SET status = 'confirmed', confirmed_at = $2, updated_at = $2 WHERE id = $1
"""
REGISTRATION_BY_ID = f"SELECT {_COLUMNS}, {_POSITION} FROM registrations r WHERE r.id = $1"  # noqa: S608 - composed from this module's SQL constants
REGISTRATION_FOR_UPDATE = (
    f"SELECT {_COLUMNS}, NULL::bigint AS waitlist_position FROM registrations r WHERE r.id = $1 FOR UPDATE"  # noqa: S608 - composed from this module's SQL constants
)
ACTIVE_BY_EMAIL = f"""
SELECT {_COLUMNS}, {_POSITION} FROM registrations r
 WHERE r.event_id = $1 AND r.email_norm = lower($2) AND r.status <> 'cancelled'
"""  # noqa: S608 - composed from this module's SQL constants
WAITLIST_POSITION = """
SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND queue_seq <= $2
"""
CANCEL = """
UPDATE registrations SET status = 'cancelled', cancelled_at = $2, updated_at = $2 WHERE id = $1
"""
# The freed seat passes straight to the first on the waiting list, in the same transaction.
NEXT_WAITLISTED = """
SELECT id FROM registrations WHERE event_id = $1 AND status = 'waitlisted'
 ORDER BY queue_seq LIMIT 1 FOR UPDATE SKIP LOCKED
"""
MOVE_SEAT = "UPDATE event_seats SET registration_id = $2 WHERE registration_id = $1 RETURNING id"
FREE_SEAT_OF = "UPDATE event_seats SET registration_id = NULL WHERE registration_id = $1"
# Waits for seats locked by transactions in flight; may come back empty if the one it waited for was taken.
FREE_SEAT_LOCKED = """
SELECT id FROM event_seats WHERE event_id = $1 AND registration_id IS NULL ORDER BY event_id, spot LIMIT 1 FOR UPDATE
"""
GIVE_SEAT = "UPDATE event_seats SET registration_id = $2 WHERE id = $1"
HISTORY = "INSERT INTO registration_history (registration_id, at, actor, action, data) VALUES ($1, $2, $3, $4, $5)"
HISTORY_OF = "SELECT at, actor, action, data FROM registration_history WHERE registration_id = $1 ORDER BY at, id"
UPDATE_FIELDS_ALLOWED = {"name", "organisation", "role", "dietary", "accessibility", "language", "answers", "note"}
DELETE_REGISTRATION = """
WITH gone AS (DELETE FROM registrations WHERE id = $1 RETURNING event_id, waitlist_no)
INSERT INTO waitlist_erasures (event_id, waitlist_no)
SELECT event_id, waitlist_no FROM gone WHERE waitlist_no IS NOT NULL
"""
ACTIVE_OF_EVENT = """
SELECT id, status FROM registrations WHERE event_id = $1 AND status <> 'cancelled' ORDER BY queue_seq FOR UPDATE
"""
QUESTIONS = (
    "SELECT id, position, kind, label, choices, required FROM event_questions WHERE event_id = $1 ORDER BY position"
)
INSERT_QUESTION = """
INSERT INTO event_questions (event_id, position, kind, label, choices, required)
VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM event_questions WHERE event_id = $1), $2, $3, $4, $5)
RETURNING id, position, kind, label, choices, required
"""
DELETE_QUESTION = "DELETE FROM event_questions WHERE event_id = $1 AND id = $2"
COUNT_QUESTIONS = "SELECT count(*) FROM event_questions WHERE event_id = $1"
# One question added at a time per event, so the count of ten holds.
LOCK_QUESTIONS = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))"
# How an event filled up: per Oslo day, how many registered (+) or cancelled (−), and how many got a seat (+) or
# gave one up by cancelling (−). Someone moved down to the waiting list (a smaller capacity) no longer has a
# confirmed_at and counts as never seated: the chart shows how the event filled, not every later correction.
CHANGES_PER_DAY = """
WITH changes (day, registered, seated) AS (
    SELECT (created_at AT TIME ZONE $2)::date, 1, 0 FROM registrations WHERE event_id = $1
    UNION ALL
    SELECT (confirmed_at AT TIME ZONE $2)::date, 0, 1 FROM registrations
     WHERE event_id = $1 AND confirmed_at IS NOT NULL
    UNION ALL
    SELECT (cancelled_at AT TIME ZONE $2)::date, -1, CASE WHEN confirmed_at IS NULL THEN 0 ELSE -1 END
      FROM registrations WHERE event_id = $1 AND cancelled_at IS NOT NULL
)
SELECT day, sum(registered)::int AS registered, sum(seated)::int AS seated FROM changes GROUP BY day ORDER BY day
"""
COUNTS = """
SELECT status, count(*) AS n FROM registrations WHERE event_id = $1 GROUP BY status
"""
# A new link_version revokes every manage, ticket and agenda code signed with the old one (links.py).
RENEW_LINKS = """
UPDATE registrations SET link_version = link_version + 1, updated_at = $2 WHERE id = $1 RETURNING link_version
"""
OLD_TICKET_IMAGES = "DELETE FROM ticket_images WHERE registration_id = $1 AND link_version < $2"
LAST_RENEWED = "SELECT max(at) FROM registration_history WHERE registration_id = $1 AND action = $2"
TICKET_IMAGES = "SELECT png, svg FROM ticket_images WHERE registration_id = $1 AND link_version = $2"
STORE_TICKET_IMAGES = """
INSERT INTO ticket_images (registration_id, link_version, png, svg) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
"""


def to_registration(row: asyncpg.Record | dict[str, Any]) -> Registration:
    return Registration(**dict(row))


def _registration_args(values: dict[str, Any], now: Any) -> tuple[Any, ...]:
    """$2..$11 of INSERT_REGISTRATION and the registration statements."""
    return (
        values["name"],
        values["email"],
        values["organisation"],
        values["role"],
        values["dietary"],
        values["accessibility"],
        values["language"],
        values["answers"],
        now,
        values["source"],
    )


async def insert_registration(
    conn: asyncpg.Connection, event_id: UUID, values: dict[str, Any], now: Any
) -> UUID | None:
    result: UUID | None = await conn.fetchval(INSERT_REGISTRATION, event_id, *_registration_args(values, now))
    return result


async def insert_by_hand(conn: asyncpg.Connection, event_id: UUID, values: dict[str, Any], now: Any) -> UUID | None:
    result: UUID | None = await conn.fetchval(
        INSERT_BY_HAND, event_id, *_registration_args(values, now), values.get("note", "")
    )
    return result


async def waitlist(conn: asyncpg.Connection, registration_id: UUID, now: Any) -> None:
    await conn.execute(WAITLIST, registration_id, now)


async def move_to_event(conn: asyncpg.Connection, registration_id: UUID, event_id: UUID, now: Any) -> None:
    await conn.execute(LEFT_WAITLIST, registration_id)
    await conn.execute(MOVE_TO_EVENT, registration_id, event_id, now)


async def series_of(conn: asyncpg.Connection, event_id: UUID) -> str | None:
    series: str | None = await conn.fetchval(SERIES_OF, event_id)
    return series


async def leave_groups(conn: asyncpg.Connection, registration_id: UUID) -> None:
    await conn.execute(LEAVE_GROUPS, registration_id)


async def set_email(conn: asyncpg.Connection, registration_id: UUID, email: str | None, now: Any) -> None:
    await conn.execute(SET_EMAIL, registration_id, email, now)


async def register(conn: asyncpg.Connection, event_id: UUID, values: dict[str, Any], now: Any) -> Registered | None:
    return (await register_many(conn, REGISTER, [(str(event_id), values)], now))[0]


async def register_by_slug(conn: asyncpg.Connection, slug: str, values: dict[str, Any], now: Any) -> Registered | None:
    return (await register_many(conn, REGISTER_BY_SLUG, [(slug, values)], now))[0]


async def register_many(
    conn: asyncpg.Connection, statement: str, requests: list[tuple[str, dict[str, Any]]], now: Any
) -> list[Registered | None]:
    """Run REGISTER or REGISTER_BY_SLUG for `requests` (event id or slug, values), at most one per event and
    address; for each, what was registered, or None."""
    columns: list[list[Any]] = [[key for key, _ in requests]]
    columns += [list(column) for column in zip(*(_registration_args(v, now) for _, v in requests), strict=True)]
    columns[9] = now  # $10, one time for all
    rows = await conn.fetch(statement, *columns)
    answers: list[Registered | None] = [None] * len(requests)
    for row in rows:
        answers[row["n"] - 1] = Registered(**{k: v for k, v in row.items() if k != "n"})
    return answers


async def has_free_seat(conn: asyncpg.Connection, event_id: UUID) -> bool:
    return await conn.fetchval(HAS_FREE_SEAT, event_id) is not None


async def claim_seat(conn: asyncpg.Connection, event_id: UUID, registration_id: UUID) -> bool:
    if await conn.fetchval(CLAIM_FREE_SEAT, event_id, registration_id) is not None:
        return True
    return await conn.fetchval(CLAIM_FREE_SEAT_WAITING, event_id, registration_id) is not None


ADD_SEAT_FOR = """
WITH grown AS (UPDATE events SET capacity = capacity + 1, updated_at = now() WHERE id = $1)
INSERT INTO event_seats (event_id, registration_id) VALUES ($1, $2)
"""


async def add_seat_for(conn: asyncpg.Connection, event_id: UUID, registration_id: UUID) -> None:
    await conn.execute(ADD_SEAT_FOR, event_id, registration_id)


async def confirm(conn: asyncpg.Connection, registration_id: UUID, now: Any) -> None:
    await conn.execute(CONFIRM, registration_id, now)


async def registration_by_id(conn: asyncpg.Connection, registration_id: UUID) -> Registration | None:
    row = await conn.fetchrow(REGISTRATION_BY_ID, registration_id)
    return to_registration(row) if row else None


async def registration_for_update(conn: asyncpg.Connection, registration_id: UUID) -> Registration | None:
    row = await conn.fetchrow(REGISTRATION_FOR_UPDATE, registration_id)
    return to_registration(row) if row else None


async def active_by_email(conn: asyncpg.Connection, event_id: UUID, email: str) -> Registration | None:
    row = await conn.fetchrow(ACTIVE_BY_EMAIL, event_id, email)
    return to_registration(row) if row else None


async def waitlist_position(conn: asyncpg.Connection, event_id: UUID, queue_seq: int) -> int:
    return int(await conn.fetchval(WAITLIST_POSITION, event_id, queue_seq))


async def cancel(conn: asyncpg.Connection, registration_id: UUID, now: Any) -> None:
    await conn.execute(CANCEL, registration_id, now)


async def next_waitlisted(conn: asyncpg.Connection, event_id: UUID) -> UUID | None:
    result: UUID | None = await conn.fetchval(NEXT_WAITLISTED, event_id)
    return result


async def move_seat(conn: asyncpg.Connection, from_registration: UUID, to_registration: UUID) -> bool:
    return await conn.fetchval(MOVE_SEAT, from_registration, to_registration) is not None


async def free_seat_of(conn: asyncpg.Connection, registration_id: UUID) -> None:
    await conn.execute(FREE_SEAT_OF, registration_id)


async def free_seat_locked(conn: asyncpg.Connection, event_id: UUID) -> int | None:
    result: int | None = await conn.fetchval(FREE_SEAT_LOCKED, event_id)
    return result


async def give_seat(conn: asyncpg.Connection, seat_id: int, registration_id: UUID) -> None:
    await conn.execute(GIVE_SEAT, seat_id, registration_id)


async def history(
    conn: asyncpg.Connection,
    registration_id: UUID,
    now: Any,
    actor: str,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(HISTORY, registration_id, now, actor, action, data or {})


async def history_of(conn: asyncpg.Connection, registration_id: UUID) -> list[HistoryEntry]:
    return [HistoryEntry(**dict(row)) for row in await conn.fetch(HISTORY_OF, registration_id)]


async def update_fields(conn: asyncpg.Connection, registration_id: UUID, changes: dict[str, Any], now: Any) -> None:
    columns = [name for name in changes if name in UPDATE_FIELDS_ALLOWED]
    if not columns:
        return
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=3))
    await conn.execute(
        f"UPDATE registrations SET {assignments}, updated_at = $2 WHERE id = $1",  # noqa: S608 - column names from UPDATE_FIELDS_ALLOWED, values as $n
        registration_id,
        now,
        *(changes[name] for name in columns),
    )


async def delete_registration(conn: asyncpg.Connection, registration_id: UUID) -> None:
    await conn.execute(DELETE_REGISTRATION, registration_id)


async def active_of_event(conn: asyncpg.Connection, event_id: UUID) -> list[UUID]:
    """The ids of the event's registrations that are not cancelled, locked, in queue order."""
    return [row["id"] for row in await conn.fetch(ACTIVE_OF_EVENT, event_id)]


async def questions(conn: asyncpg.Connection, event_id: UUID) -> list[Question]:
    return [Question(**dict(r)) for r in await conn.fetch(QUESTIONS, event_id)]


async def insert_question(
    conn: asyncpg.Connection,
    event_id: UUID,
    kind: str,
    label: dict[str, str],
    choices: list[dict[str, str]],
    required: bool,
) -> Question:
    row = await conn.fetchrow(INSERT_QUESTION, event_id, kind, label, choices, required)
    return Question(**dict(row))


async def lock_questions(conn: asyncpg.Connection, event_id: UUID) -> None:
    await conn.execute(LOCK_QUESTIONS, str(event_id))


async def count_questions(conn: asyncpg.Connection, event_id: UUID) -> int:
    return int(await conn.fetchval(COUNT_QUESTIONS, event_id))


async def delete_question(conn: asyncpg.Connection, event_id: UUID, question_id: UUID) -> bool:
    status: str = await conn.execute(DELETE_QUESTION, event_id, question_id)
    return status.endswith(" 1")


async def counts(conn: asyncpg.Connection, event_id: UUID) -> dict[str, int]:
    found = {r["status"]: r["n"] for r in await conn.fetch(COUNTS, event_id)}
    return {status: int(found.get(status, 0)) for status in ("confirmed", "waitlisted", "cancelled")}


async def changes_per_day(conn: asyncpg.Connection, event_id: UUID, zone: str) -> list[DayChange]:
    return [DayChange(**dict(r)) for r in await conn.fetch(CHANGES_PER_DAY, event_id, zone)]


async def ticket_images(conn: asyncpg.Connection, registration_id: UUID, version: int) -> TicketImages | None:
    row = await conn.fetchrow(TICKET_IMAGES, registration_id, version)
    return TicketImages(png=bytes(row["png"]), svg=str(row["svg"])) if row else None


async def store_ticket_images(
    conn: asyncpg.Connection, registration_id: UUID, version: int, png: bytes, svg: str
) -> None:
    await conn.execute(STORE_TICKET_IMAGES, registration_id, version, png, svg)


def filter_where(
    event_id: UUID,
    *,
    status: str | None = None,
    role: str | None = None,
    text: str | None = None,
    session: UUID | None = None,
    group: UUID | None = None,
    checked_in: bool | None = None,
) -> tuple[list[str], list[Any]]:
    """The organiser's filter of an event's registrations, for the API list and the console's table and exports
    alike: WHERE clauses on `registrations r` and their parameters, `$1` being the event. `text` is looked for
    in the name, e-mail address and organisation, case-insensitively and literally."""
    clauses = ["r.event_id = $1"]
    params: list[Any] = [event_id]
    if checked_in is not None:
        exists = "EXISTS (SELECT 1 FROM checkin_admissions ca WHERE ca.registration_id = r.id)"
        clauses.append(exists if checked_in else f"NOT {exists}")
    if status:
        params.append(status)
        clauses.append(f"r.status = ${len(params)}")
    if role:
        params.append(role)
        clauses.append(f"r.role = ${len(params)}")
    if session:
        params.append(session)
        clauses.append(
            f"EXISTS (SELECT 1 FROM session_choices c WHERE c.registration_id = r.id AND c.session_id = ${len(params)})"  # noqa: S608 - only a $n placeholder is formatted in
        )
    if group:
        params.append(group)
        clauses.append(
            f"EXISTS (SELECT 1 FROM group_placements g WHERE g.registration_id = r.id AND g.group_id = ${len(params)})"  # noqa: S608 - only a $n placeholder is formatted in
        )
    if text:
        params.append(like_pattern(text.lower()))
        n = len(params)
        clauses.append(f"(lower(r.name) LIKE ${n} OR r.email_norm LIKE ${n} OR lower(r.organisation) LIKE ${n})")
    return clauses, params


_SEARCH_ORDER = {
    "created": ("r.queue_seq", "ASC"),
    "-created": ("r.queue_seq", "DESC"),
    "name": ("lower(r.name), r.queue_seq", "ASC"),
}
# Waiting-list positions of the rows of one page: the waiting list numbered up to the page's last place, by the
# (event_id, status, queue_seq) index; a filter does not renumber it.
# The places of a page's rows on the waiting list: those ahead of its first counted in the index, the rest
# numbered over the page's stretch of the list ($2 to $3), not over the whole list.
PAGE_POSITIONS = """
SELECT id, waitlist_position FROM (
    SELECT id, row_number() OVER (ORDER BY queue_seq) + (
               SELECT count(*) FROM registrations b
                WHERE b.event_id = $1 AND b.status = 'waitlisted' AND b.queue_seq < $2
           ) AS waitlist_position
      FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND queue_seq BETWEEN $2 AND $3) numbered
 WHERE id = ANY($4::uuid[])
"""


async def search(
    conn: asyncpg.Connection,
    event_id: UUID,
    *,
    status: str | None,
    role: str | None,
    text: str | None,
    sort: str,
    limit: int,
    offset: int = 0,
    after: list[Any] | None = None,
    checked_in: bool | None = None,
    counts: dict[str, int] | None = None,
) -> tuple[list[Registration], int, list[Any] | None]:
    """One page of the organiser's filter: (rows, how many match, the key the next page starts after, or None
    on the last). With `after` (a key from paging.decode) the page is an index range scan after it; `offset`
    skips rows the slow way and is kept for clients that page by it. `counts` (the event's, by status) gives the
    total without counting again when the filter is by status alone."""
    clauses, params = filter_where(event_id, status=status, role=role, text=text, checked_in=checked_in)
    where = " AND ".join(clauses)
    if counts is not None and not (role or text or checked_in is not None):
        total = counts.get(status, 0) if status else sum(counts.values())
    else:
        total = int(await conn.fetchval(f"SELECT count(*) FROM registrations r WHERE {where}", *params))  # noqa: S608 - where from filter_where: fixed SQL, values as $n
    column, direction = _SEARCH_ORDER.get(sort, _SEARCH_ORDER["created"])
    if after is not None:
        placeholders = ", ".join(f"${len(params) + n + 1}" for n in range(len(after)))
        params.extend(after)
        clauses.append(f"({column}) {'>' if direction == 'ASC' else '<'} ({placeholders})")
        offset = 0
    order = ", ".join(f"{part} {direction}" for part in column.split(", "))
    params.extend([limit + 1, offset])
    rows = await conn.fetch(
        f"SELECT {_COLUMNS}, lower(r.name) AS sort_name FROM registrations r WHERE {' AND '.join(clauses)} "  # noqa: S608 - clauses from filter_where, order from _SEARCH_ORDER: fixed SQL, values as $n
        f"ORDER BY {order} LIMIT ${len(params) - 1} OFFSET ${len(params)}",
        *params,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    positions: dict[UUID, int] = {}
    if waiting:
        stretch = [r["queue_seq"] for r in waiting]
        found = await conn.fetch(PAGE_POSITIONS, event_id, min(stretch), max(stretch), [r["id"] for r in waiting])
        positions = {p["id"]: int(p["waitlist_position"]) for p in found}
    page = [
        to_registration(
            {**{k: v for k, v in r.items() if k != "sort_name"}, "waitlist_position": positions.get(r["id"])}
        )
        for r in rows
    ]
    last_row = rows[-1] if more and rows else None
    following = (
        paging.key_of(sort, sort_name=last_row["sort_name"], queue_seq=last_row["queue_seq"]) if last_row else None
    )
    return page, total, following


EVENT_FOR_REGISTRATION = """
SELECT e.id, e.slug, e.status, e.starts_at, e.ends_at, e.registration_opens_at, e.registration_closes_at,
       e.registration_paused,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('id', q.id, 'kind', q.kind, 'choices', q.choices,
                                                     'required', q.required) ORDER BY q.position), '[]')
          FROM event_questions q WHERE q.event_id = e.id) AS questions
  FROM events e WHERE e.slug = $1
"""


async def event_for_registration(conn: asyncpg.Connection, slug: str) -> EventForRegistration | None:
    row = await conn.fetchrow(EVENT_FOR_REGISTRATION, slug)
    return EventForRegistration(**dict(row)) if row else None


async def renew_links(conn: asyncpg.Connection, registration_id: UUID, now: Any) -> int:
    """Raise the registration's link_version (dropping the QR images of the old ones); returns the new one."""
    version = int(await conn.fetchval(RENEW_LINKS, registration_id, now))
    await conn.execute(OLD_TICKET_IMAGES, registration_id, version)
    return version


async def last_renewed(conn: asyncpg.Connection, registration_id: UUID, action: str) -> Any:
    return await conn.fetchval(LAST_RENEWED, registration_id, action)


ADMISSIONS_OF = """
SELECT a.registration_id, a.scanned_at AS at, d.name AS door
  FROM checkin_admissions a JOIN doors d ON d.id = a.door_id
 WHERE a.registration_id = ANY($1::uuid[])
"""


async def admissions_of(conn: asyncpg.Connection, registration_ids: list[UUID]) -> dict[UUID, Admission]:
    """When and at which door each of these registrations was admitted (those not admitted are missing)."""
    if not registration_ids:
        return {}
    rows = await conn.fetch(ADMISSIONS_OF, registration_ids)
    return {row["registration_id"]: Admission(at=row["at"], door=row["door"]) for row in rows}
