"""SQL of doors and check-ins. The admission is decided by one statement (`checkin_sql`), never in Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from ..db import like_pattern
from .schemas import Counts, Result

# A door works until this long after its event ends (late leavers, the evening programme).
DOOR_GRACE = timedelta(hours=12)


class DoorRow(msgspec.Struct, frozen=True):
    """A door as the console lists it, with its counts (DOORS_OF_EVENT, DOOR_BY_ID)."""

    id: UUID
    event_id: UUID
    name: str
    created_at: datetime
    paired_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    scans: int
    admitted: int


class BearerDoor(msgspec.Struct, frozen=True):
    """The live door behind a bearer token, with its invalid codes in the current minute (DOOR_BY_BEARER)."""

    id: UUID
    event_id: UUID
    name: str
    guesses: int


class PairedDoor(msgspec.Struct, frozen=True):
    """A door just paired, with its event (PAIR_DOOR)."""

    id: UUID
    name: str
    user_id: UUID
    event_id: UUID
    expires_at: datetime
    slug: str
    title: dict[str, str]
    venue: str
    starts_at: datetime
    ends_at: datetime


class AtDoor(msgspec.Struct, frozen=True):
    """What the door shows about a person on a scan, search or offline row: who, and when and where they were let
    in (all None when the row has no person, or the person is not in yet)."""

    name: str | None
    organisation: str | None
    group_name: dict[str, str] | None  # the group's name in nb/nn/en
    admitted_at: datetime | None
    admitted_door: str | None


class ScanAnswer(AtDoor, frozen=True):
    """The answer row of one scan of the check-in statement (see checkin_sql); door columns None when the token
    is no live door, scan columns None when the scan was refused (a repeated nonce, a door over its limit)."""

    n: int
    door_id: UUID | None
    event_id: UUID | None
    door_name: str | None
    guesses: int | None
    scan_id: int | None
    result: Result | None
    scanned_at: datetime | None


class ScanView(AtDoor, frozen=True):
    """A scan as the door sees it later (_SCAN_VIEW): its answer then, the admission now."""

    scan_id: int
    result: Result
    scanned_at: datetime
    offline: bool
    duplicate: bool


class Found(AtDoor, frozen=True):
    """A confirmed attendee found by the door's name search."""

    id: UUID


class OfflineRow(AtDoor, frozen=True):
    """A registration of the event as the offline list carries it."""

    id: UUID
    status: str
    link_version: int


INSERT_DOOR_USER = """
INSERT INTO users (email, name, role)
VALUES ('door-' || replace($1::uuid::text, '-', '') || '@doors.moteplass.invalid', $2, 'door')
RETURNING id
"""
INSERT_DOOR = """
INSERT INTO doors (id, event_id, user_id, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
"""
GRANT_SCOPE = "INSERT INTO user_event_scopes (user_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"

_DOOR_COLUMNS = """
d.id, d.event_id, d.name, d.created_at, d.paired_at, d.revoked_at, e.ends_at + $2::interval AS expires_at,
(SELECT count(*) FROM checkin_scans s WHERE s.door_id = d.id) AS scans,
(SELECT count(*) FROM checkin_admissions a WHERE a.door_id = d.id) AS admitted
"""
DOORS_OF_EVENT = f"""
SELECT {_DOOR_COLUMNS} FROM doors d JOIN events e ON e.id = d.event_id
 WHERE d.event_id = $1 ORDER BY d.created_at, d.id
"""  # noqa: S608 - composed from this module's SQL constants
DOOR_BY_ID = f"SELECT {_DOOR_COLUMNS} FROM doors d JOIN events e ON e.id = d.event_id WHERE d.id = $1"  # noqa: S608 - composed from this module's SQL constants

REVOKE_DOOR = """
WITH door AS (
    UPDATE doors SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING user_id, event_id
), tokens AS (
    UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE user_id IN (SELECT user_id FROM door)
)
SELECT event_id FROM door
"""

# One use: only the first request sets paired_at. A revoked door or one past its event cannot pair.
PAIR_DOOR = """
UPDATE doors d SET paired_at = $2 FROM events e
 WHERE d.id = $1 AND d.paired_at IS NULL AND d.revoked_at IS NULL AND e.id = d.event_id AND e.ends_at + $3 > $2
RETURNING d.id, d.name, d.user_id, d.event_id, e.ends_at + $3 AS expires_at,
          e.slug, e.title, e.venue, e.starts_at, e.ends_at
"""
INSERT_DOOR_LOGIN = """
INSERT INTO api_tokens (user_id, token_hash, label, expires_at, created_at) VALUES ($1, $2, 'door', $3, $4)
"""


def _door_by_bearer(token_hash: str, now: str, grace: str) -> str:
    """The door behind a bearer token, with its invalid-code count in the current minute (for the rate limit): the
    one rule of which doors work, used alone and inside the check-in statement (there once per scan)."""
    return f"""
SELECT d.id, d.event_id, d.name,
       coalesce((SELECT l.hits FROM door_limits l
                  WHERE l.door_id = d.id AND l.kind = 'guess'
                    AND l.window_start = date_trunc('minute', {now}::timestamptz)), 0) AS guesses
  FROM api_tokens t
  JOIN doors d ON d.user_id = t.user_id
  JOIN events e ON e.id = d.event_id
 WHERE t.token_hash = {token_hash} AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > {now})
   AND d.revoked_at IS NULL AND e.ends_at + {grace} > {now}
"""  # noqa: S608 - fixed placeholders given by this module


DOOR_BY_BEARER = _door_by_bearer("$1", "$2", "$3")
DOOR_ID_BY_BEARER = f"SELECT id FROM ({DOOR_BY_BEARER}) door"  # noqa: S608 - composed from this module's SQL constants

LINK_VERSION = "SELECT link_version FROM registrations WHERE id = $1"

BUMP_LIMIT = """
INSERT INTO door_limits AS l (door_id, kind, window_start, hits)
VALUES ($1, $2, date_trunc('minute', $3::timestamptz), 1)
ON CONFLICT (door_id, kind) DO UPDATE
   SET hits = CASE WHEN l.window_start = EXCLUDED.window_start THEN l.hits + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
RETURNING hits
"""


def checkin_sql(*, earliest_wins: bool) -> str:
    """Scans judged and logged by one statement (a door's throughput is its round trips and statements): find each
    scan's door by its token (no row: not a live door), refuse a repeated nonce (the caller replays the first
    answer) and a door over its guessing limit, judge the registration, insert the admission (the unique
    registration_id decides which scan is first), log the scan with its answer, and count invalid codes against
    their door's limit. One answer row per scan, in the order given (`n`, from 1).

    Arrays, one element per scan: $1 token hashes, $2 registrations (NULL when the code failed its signature),
    $3 the link versions the signatures were checked with (NULL for a pick from the name search), $4 nonces, $5 via,
    $6 when each arrived (now), $7 when each was scanned. $8 DOOR_GRACE, $9 the guessing limit.

    Online scans happen now, so an existing admission is always earlier: DO NOTHING; two scans of one ticket in one
    statement admit the first inserted. Offline uploads carry their own scan time and take the admission over when
    they were earlier (DO UPDATE … WHERE earlier), so they go one per statement (DO UPDATE may not touch a row
    twice). Rows are inserted in key order, so that concurrent statements wait for each other without deadlock.
    """
    conflict = (
        """DO UPDATE SET door_id = EXCLUDED.door_id, scan_id = EXCLUDED.scan_id, scanned_at = EXCLUDED.scanned_at
     WHERE EXCLUDED.scanned_at < a.scanned_at"""
        if earliest_wins
        else "DO NOTHING"
    )
    return f"""
WITH input AS (
    SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::integer[], $4::text[], $5::text[], $6::timestamptz[],
                         $7::timestamptz[])
        WITH ORDINALITY AS i(token_hash, registration_id, version, nonce, via, now, scanned_at, n)
), door AS (
    SELECT i.n, d.* FROM input i CROSS JOIN LATERAL ({_door_by_bearer("i.token_hash", "i.now", "$8")}) d
), verdict AS (
    SELECT i.n, nextval('checkin_scans_id_seq') AS scan_id, door.id AS door_id, door.event_id, i.nonce, i.via,
           i.now, i.scanned_at,
           CASE WHEN r.id IS NULL AND i.registration_id IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM registrations WHERE id = i.registration_id) THEN 'not_registered'
                WHEN r.id IS NULL THEN 'invalid'
                WHEN r.event_id <> door.event_id THEN 'wrong_event'
                WHEN r.status = 'cancelled' THEN 'cancelled'
                WHEN r.status = 'waitlisted' THEN 'waitlisted'
                ELSE 'valid' END AS verdict,
           CASE WHEN r.event_id = door.event_id THEN r.id END AS registration_id
      FROM input i
      JOIN door ON door.n = i.n
      LEFT JOIN registrations r ON r.id = i.registration_id AND (i.version IS NULL OR r.link_version = i.version)
     WHERE door.guesses < $9
       AND NOT EXISTS (SELECT 1 FROM checkin_scans s WHERE s.door_id = door.id AND s.nonce = i.nonce)
), admit AS (
    INSERT INTO checkin_admissions AS a (registration_id, event_id, door_id, scan_id, scanned_at)
    SELECT v.registration_id, v.event_id, v.door_id, v.scan_id, v.scanned_at FROM verdict v
     WHERE v.verdict = 'valid'
     ORDER BY v.registration_id, v.n
    ON CONFLICT (registration_id) {conflict}
    RETURNING a.scan_id
), scan AS (
    INSERT INTO checkin_scans (id, door_id, registration_id, nonce, result, scanned_at, received_at, offline, via)
    SELECT v.scan_id, v.door_id, v.registration_id, v.nonce,
           CASE WHEN v.scan_id IN (SELECT admit.scan_id FROM admit) THEN 'admitted'
                WHEN v.verdict = 'valid' THEN 'already_checked_in'
                ELSE v.verdict END,
           v.scanned_at, v.now, {"true" if earliest_wins else "false"}, v.via
      FROM verdict v
     ORDER BY v.door_id, v.nonce
    ON CONFLICT (door_id, nonce) DO NOTHING
    RETURNING id, door_id, registration_id, result, scanned_at
), guess AS (
    INSERT INTO door_limits AS l (door_id, kind, window_start, hits)
    SELECT v.door_id, 'guess', date_trunc('minute', max(v.now)), count(*)
      FROM scan JOIN verdict v ON v.scan_id = scan.id
     WHERE scan.result = 'invalid'
     GROUP BY v.door_id
     ORDER BY v.door_id
    ON CONFLICT (door_id, kind) DO UPDATE
       SET hits = CASE WHEN l.window_start = EXCLUDED.window_start THEN l.hits + EXCLUDED.hits ELSE EXCLUDED.hits END,
           window_start = EXCLUDED.window_start
)
SELECT i.n, door.id AS door_id, door.event_id, door.name AS door_name, door.guesses,
       scan.id AS scan_id, scan.result, scan.scanned_at, r.name, r.organisation, wg.name AS group_name,
       CASE WHEN scan.result = 'admitted' THEN scan.scanned_at ELSE a.scanned_at END AS admitted_at,
       CASE WHEN scan.result = 'admitted' THEN door.name ELSE ad.name END AS admitted_door
  FROM input i
  LEFT JOIN door ON door.n = i.n
  LEFT JOIN verdict v ON v.n = i.n
  LEFT JOIN scan ON scan.id = v.scan_id
  LEFT JOIN registrations r ON r.id = scan.registration_id
  LEFT JOIN group_placements gp ON gp.registration_id = r.id
  LEFT JOIN workshop_groups wg ON wg.id = gp.group_id
  LEFT JOIN checkin_admissions a ON a.registration_id = scan.registration_id
  LEFT JOIN doors ad ON ad.id = a.door_id
 ORDER BY i.n
"""  # noqa: S608 - the conflict clause is one of two fixed strings


CHECKIN_ONLINE = checkin_sql(earliest_wins=False)
CHECKIN_OFFLINE = checkin_sql(earliest_wins=True)


@dataclass(frozen=True, slots=True)
class Scan:
    """One scan as the check-in statement takes it (see checkin_sql)."""

    token_hash: bytes
    registration_id: UUID | None
    version: int | None
    nonce: str
    via: str
    now: datetime
    scanned_at: datetime


async def check_in(
    conn: asyncpg.Connection, scans: Sequence[Scan], *, offline: bool, guess_limit: int
) -> list[ScanAnswer]:
    """Judge and log the scans: one answer row per scan, in their order."""
    rows = await conn.fetch(
        CHECKIN_OFFLINE if offline else CHECKIN_ONLINE,
        [scan.token_hash for scan in scans],
        [scan.registration_id for scan in scans],
        [scan.version for scan in scans],
        [scan.nonce for scan in scans],
        [scan.via for scan in scans],
        [scan.now for scan in scans],
        [scan.scanned_at for scan in scans],
        DOOR_GRACE,
        guess_limit,
    )
    return [ScanAnswer(**dict(row)) for row in rows]


# A scan as the door sees it later: its answer then, the admission now. `duplicate`: the door admitted the person
# but another scan turned out to be first, or an offline scan found someone already in (maybe let in twice).
_SCAN_VIEW = """
SELECT s.id AS scan_id, s.result, s.scanned_at, s.offline, r.name, r.organisation, wg.name AS group_name,
       a.scanned_at AS admitted_at, ad.name AS admitted_door,
       (a.scan_id IS DISTINCT FROM s.id AND (s.result = 'admitted' OR (s.offline AND s.result = 'already_checked_in')))
           AS duplicate
  FROM checkin_scans s
  LEFT JOIN registrations r ON r.id = s.registration_id
  LEFT JOIN group_placements gp ON gp.registration_id = r.id
  LEFT JOIN workshop_groups wg ON wg.id = gp.group_id
  LEFT JOIN checkin_admissions a ON a.registration_id = s.registration_id
  LEFT JOIN doors ad ON ad.id = a.door_id
"""
SCAN_BY_NONCE = _SCAN_VIEW + " WHERE s.door_id = $1 AND s.nonce = $2"
RECENT_SCANS = _SCAN_VIEW + " WHERE s.door_id = $1 ORDER BY s.id DESC LIMIT $2"

COUNTS = """
SELECT (SELECT count(*) FROM checkin_admissions WHERE event_id = $1) AS checked_in,
       (SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'confirmed') AS expected
"""

# Name search: confirmed attendees of this event only whose name has a word starting with the text; at most $3.
SEARCH = r"""
SELECT r.id, r.name, r.organisation, wg.name AS group_name, a.scanned_at AS admitted_at,
       ad.name AS admitted_door
  FROM registrations r
  LEFT JOIN group_placements gp ON gp.registration_id = r.id
  LEFT JOIN workshop_groups wg ON wg.id = gp.group_id
  LEFT JOIN checkin_admissions a ON a.registration_id = r.id
  LEFT JOIN doors ad ON ad.id = a.door_id
 WHERE r.event_id = $1 AND r.status = 'confirmed'
   AND (lower(r.name) LIKE $2 || '%' OR lower(r.name) LIKE '% ' || $2 || '%')
 ORDER BY lower(r.name) COLLATE "C", r.id
 LIMIT $3
"""

OFFLINE_ROWS = """
SELECT r.id, r.status, r.link_version, r.name, r.organisation, wg.name AS group_name, a.scanned_at AS admitted_at,
       ad.name AS admitted_door
  FROM registrations r
  LEFT JOIN group_placements gp ON gp.registration_id = r.id
  LEFT JOIN workshop_groups wg ON wg.id = gp.group_id
  LEFT JOIN checkin_admissions a ON a.registration_id = r.id
  LEFT JOIN doors ad ON ad.id = a.door_id
 WHERE r.event_id = $1
"""


# A walk-in's admission: the scan of the walk-in form (result admitted) and the admission it makes, in the
# registering transaction. A repeated nonce conflicts on checkin_scans_nonce_key and rolls it all back.
WALK_IN = """
WITH scan AS (
    INSERT INTO checkin_scans (door_id, registration_id, nonce, result, scanned_at, received_at, via)
    VALUES ($1, $3, $4, 'admitted', $5, $5, 'walk_in')
    RETURNING id
)
INSERT INTO checkin_admissions (registration_id, event_id, door_id, scan_id, scanned_at)
SELECT $3, $2, $1, scan.id, $5 FROM scan
RETURNING scan_id
"""


async def walk_in(
    conn: asyncpg.Connection, door_id: UUID, event_id: UUID, registration_id: UUID, nonce: str, now: datetime
) -> int:
    """Log the walk-in form's scan and admit the registration; returns the scan's id."""
    scan_id: int = await conn.fetchval(WALK_IN, door_id, event_id, registration_id, nonce, now)
    return scan_id


async def door_by_token(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> BearerDoor | None:
    row = await conn.fetchrow(DOOR_BY_BEARER, token_hash, now, DOOR_GRACE)
    return BearerDoor(**dict(row)) if row else None


async def pair_door(conn: asyncpg.Connection, door_id: UUID, now: datetime) -> PairedDoor | None:
    """Pair the door once (None: unknown, revoked, past its event or paired before)."""
    row = await conn.fetchrow(PAIR_DOOR, door_id, now, DOOR_GRACE)
    return PairedDoor(**dict(row)) if row else None


async def link_version(conn: asyncpg.Connection, registration_id: UUID) -> int | None:
    version: int | None = await conn.fetchval(LINK_VERSION, registration_id)
    return version


async def bump_limit(conn: asyncpg.Connection, door_id: UUID, kind: str, now: datetime) -> int:
    hits: int = await conn.fetchval(BUMP_LIMIT, door_id, kind, now)
    return hits


async def door_by_id(conn: asyncpg.Connection, door_id: UUID) -> DoorRow | None:
    row = await conn.fetchrow(DOOR_BY_ID, door_id, DOOR_GRACE)
    return DoorRow(**dict(row)) if row else None


async def doors_of_event(conn: asyncpg.Connection, event_id: UUID) -> list[DoorRow]:
    return [DoorRow(**dict(row)) for row in await conn.fetch(DOORS_OF_EVENT, event_id, DOOR_GRACE)]


async def scan_by_nonce(conn: asyncpg.Connection, door_id: UUID, nonce: str) -> ScanView | None:
    row = await conn.fetchrow(SCAN_BY_NONCE, door_id, nonce)
    return ScanView(**dict(row)) if row else None


async def recent_scans(conn: asyncpg.Connection, door_id: UUID, limit: int) -> list[ScanView]:
    return [ScanView(**dict(row)) for row in await conn.fetch(RECENT_SCANS, door_id, limit)]


async def counts(conn: asyncpg.Connection, event_id: UUID) -> Counts:
    """Checked in / expected (the confirmed registrations) of the event."""
    return Counts(**dict(await conn.fetchrow(COUNTS, event_id)))


async def search(conn: asyncpg.Connection, event_id: UUID, text: str, limit: int) -> list[Found]:
    pattern = like_pattern(text.lower(), contains=False)
    return [Found(**dict(row)) for row in await conn.fetch(SEARCH, event_id, pattern, limit)]


async def offline_rows(conn: asyncpg.Connection, event_id: UUID) -> list[OfflineRow]:
    return [OfflineRow(**dict(row)) for row in await conn.fetch(OFFLINE_ROWS, event_id)]
