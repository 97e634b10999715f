"""Scanning at a door: the check-in itself, the door's live status, and the name search.

The ticket code's signature is checked here (integrations/qr); which scan is first is decided by the database
by one statement (queries.checkin_sql, sent with the scans beside it: batching.py): the unique admission per
registration, never a read-then-write here.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from integrations import qr

from .. import audit
from ..accounts.domain import hash_token
from ..errors import Invalid, RateLimited, Unauthorized, Unavailable
from ..events import queries as event_queries
from ..settings import Settings
from . import queries
from .batching import ScanBatcher
from .doors import Scanner, authenticate_door
from .schemas import (
    Admission,
    Attendee,
    CheckinAnswer,
    CheckinIn,
    DoorInfo,
    DoorStatus,
    EventInfo,
    RecentScan,
    SearchHit,
)

TICKET = "ticket"
GUESS_LIMIT = 30  # invalid codes a door may send per minute: a real scanner misreads a handful at most
SEARCH_LIMIT = 30  # name searches a door may make per minute: enough for a queue, too few to list everyone
SEARCH_RESULTS = 5  # a person at the door is found by name; a longer list would read out the guest list
RECENT = 10


def attendee_of(row: queries.AtDoor) -> Attendee | None:
    """The attendee on a scan or search row; the one place to add what the door shows about a person."""
    if row.name is None:
        return None
    return Attendee(name=row.name, organisation=row.organisation or "", group=row.group_name)


def admission_of(row: queries.AtDoor) -> Admission | None:
    if row.admitted_at is None or row.admitted_door is None:
        return None
    return Admission(at=row.admitted_at, door=row.admitted_door)


def scan_batcher(pool: asyncpg.Pool) -> ScanBatcher:
    """The process's batcher of scans (made once, in the application's lifespan)."""
    return ScanBatcher(pool, guess_limit=GUESS_LIMIT)


async def verified_ticket(pool: asyncpg.Pool, settings: Settings, code: str) -> tuple[UUID | None, int | None]:
    """(registration id, link version) of a genuine ticket code, or (None, None).

    Almost every ticket is at link version 1, so that is tried first with no database read; a re-issued ticket
    costs one read of its version. The check-in statement admits only at the version checked here.
    """
    keys = settings.verification_keys()
    found = qr.read(TICKET, code)
    if found is None:
        return None, None
    ident, tag = found
    if qr.tag_matches(keys, TICKET, ident, 1, tag):
        return ident, 1
    async with pool.acquire() as conn:
        version = await queries.link_version(conn, ident)
    if version is not None and version != 1 and qr.tag_matches(keys, TICKET, ident, version, tag):
        return ident, version
    return None, None


async def check_in(
    scans: ScanBatcher, authorization: str | None, *, data: CheckinIn, settings: Settings, now: datetime
) -> CheckinAnswer:
    """Judge one scan from the door whose `Authorization: Bearer` header is given, and log it. Idempotent per
    (door, nonce): a repeat answers what the first got. The door is authenticated by the same statement.
    Raises Invalid (code_or_registration), Unauthorized, Forbidden (door_only), RateLimited (too_many_guesses)."""
    if (data.code is None) == (data.registration_id is None):
        raise Invalid("code_or_registration", "send either code or registration_id", field="code")
    pool = scans.pool
    if data.code is not None:
        registration_id, version = await verified_ticket(pool, settings, data.code)
        via = "code"
    else:
        registration_id, version, via = data.registration_id, None, "search"
    # Offline scans keep the time they happened (never later than now); online ones happen now.
    scanned_at = min(data.scanned_at, now) if data.offline and data.scanned_at else now
    scheme, _, token = (authorization or "").partition(" ")
    token_hash = hash_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else b""
    scan = queries.Scan(token_hash, registration_id, version, data.nonce, via, now, scanned_at)
    row: queries.ScanAnswer | None
    try:
        row = await (scans.judge_offline(scan) if data.offline else scans.judge(scan))
        door_id = row.door_id
    except asyncpg.ForeignKeyViolationError as error:
        # The same nonce sent twice at once with different codes: the other request logged the scan first.
        if error.constraint_name != "checkin_admissions_scan_fk":
            raise
        row = None
        door_id = await pool.fetchval(queries.DOOR_ID_BY_BEARER, token_hash, now, queries.DOOR_GRACE)
    if door_id is None:
        async with pool.acquire() as conn:
            await authenticate_door(conn, authorization, now=now)  # raises the precise 401 or 403
        raise Unauthorized("invalid_token", "the door token is revoked or expired")
    if row is not None and (row.guesses or 0) >= GUESS_LIMIT:
        raise RateLimited("too_many_guesses", "too many invalid codes from this door; wait a minute", retry_after=60)
    if (
        row is not None
        and row.scan_id is not None
        and row.result is not None
        and row.scanned_at is not None
        and not (row.result == "already_checked_in" and row.admitted_at is None)
    ):
        return CheckinAnswer(
            result=row.result,
            scan_id=row.scan_id,
            scanned_at=row.scanned_at,
            attendee=attendee_of(row),
            admission=admission_of(row),
        )
    # A repeated nonce, or an admission committed while this statement waited for it (not in its snapshot).
    async with pool.acquire() as conn:
        logged = await queries.scan_by_nonce(conn, door_id, data.nonce)
    if logged is None:
        raise Unavailable("busy", "the scan could not be stored; send it again")
    return CheckinAnswer(
        result=logged.result,
        scan_id=logged.scan_id,
        scanned_at=logged.scanned_at,
        attendee=attendee_of(logged),
        admission=admission_of(logged),
    )


def recent_scan(row: queries.ScanView) -> RecentScan:
    return RecentScan(
        scan_id=row.scan_id,
        result=row.result,
        scanned_at=row.scanned_at,
        offline=row.offline,
        duplicate=row.duplicate,
        attendee=attendee_of(row),
        admission=admission_of(row),
    )


async def door_status(conn: asyncpg.Connection, scanner: Scanner) -> DoorStatus:
    """What the scanner page shows besides the answer: the event, counts, and this door's last scans."""
    event = await event_queries.event_by_id(conn, scanner.event_id)
    assert event is not None  # a door is deleted with its event
    return DoorStatus(
        door=DoorInfo(id=scanner.id, name=scanner.name),
        event=EventInfo(
            slug=event.slug,
            title=event.title,
            venue=event.venue,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            allow_walk_ins=event.allow_walk_ins,
        ),
        counts=await queries.counts(conn, scanner.event_id),
        recent=[recent_scan(row) for row in await queries.recent_scans(conn, scanner.id, RECENT)],
    )


async def search(conn: asyncpg.Connection, scanner: Scanner, text: str, *, now: datetime) -> list[SearchHit]:
    """At most five confirmed attendees of the door's event whose name has a word starting with `text` (3+
    characters); every search is written to the audit log with the door.
    Raises Invalid (search_too_short), RateLimited (too_many_searches)."""
    text = " ".join(text.split())
    if len(text) < 3:
        raise Invalid("search_too_short", "search with at least 3 characters", field="q")
    if await queries.bump_limit(conn, scanner.id, "search", now) > SEARCH_LIMIT:
        raise RateLimited("too_many_searches", "too many searches from this door; wait a minute", retry_after=60)
    rows = await queries.search(conn, scanner.event_id, text, SEARCH_RESULTS)
    await audit.record(
        conn,
        "door.searched",
        actor=f"door:{scanner.id}",
        event_id=scanner.event_id,
        data={"door_id": str(scanner.id), "door": scanner.name, "q": text, "hits": len(rows)},
    )
    return [
        SearchHit(
            registration_id=row.id,
            attendee=Attendee(name=row.name or "", organisation=row.organisation or "", group=row.group_name),
            admission=admission_of(row),
        )
        for row in rows
    ]
