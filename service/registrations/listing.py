"""The registrations table of an event, as the console shows it and the API and both exports give it: keyset
pages, the count a filter keeps, and every row streamed in batches. Reads only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg

from .. import db
from . import paging
from .queries import filter_where
from .schemas import ListedRegistration, RegistrationFilter

PAGE_SIZE = 50
EXPORT_BATCH = 2_000

# Waiting-list positions of the whole event (a filter must not renumber them), joined to the page.
_POSITIONS = """
WITH positions AS (
    SELECT id, row_number() OVER (ORDER BY queue_seq) AS waitlist_position
      FROM registrations WHERE event_id = $1 AND status = 'waitlisted'
)
"""
_ROW = """
r.id, r.status, p.waitlist_position, r.name, r.email, r.organisation, r.role, r.dietary, r.accessibility,
r.language, r.answers, r.queue_seq, r.created_at, lower(r.name) AS sort_name,
a.scanned_at AS checked_in_at, d.name AS checked_in_door, r.source
"""
# The admission (first valid scan) and its door, joined to the rows.
_CHECKED_IN = "LEFT JOIN checkin_admissions a ON a.registration_id = r.id LEFT JOIN doors d ON d.id = a.door_id"
_ORDER = {
    "created": ("r.queue_seq", "ASC"),
    "-created": ("r.queue_seq", "DESC"),
    "name": ("lower(r.name), r.queue_seq", "ASC"),
    "-name": ("lower(r.name), r.queue_seq", "DESC"),
}


def encode_cursor(row: ListedRegistration, sort: str) -> str:
    return paging.encode(paging.key_of(sort, sort_name=row.sort_name, queue_seq=row.queue_seq))


def _rows_sql(clauses: list[str], order: str, *, limit: str) -> str:
    """The table's rows (with waiting-list places and check-ins) that `clauses` keep, in `order`."""
    return (
        f"{_POSITIONS} SELECT {_ROW} FROM registrations r LEFT JOIN positions p ON p.id = r.id {_CHECKED_IN} "  # noqa: S608 - clauses, order from where/_ORDER: fixed SQL, values as $n
        f"WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT {limit}"
    )


def _page_sql(clauses: list[str], order: str, *, limit: str) -> str:
    """One page of the table: its rows first (a range of the sort's index), then the waiting-list places of its
    rows on the list (those ahead of the first counted in the index, the rest numbered over the page's stretch of
    the list, not over the whole list), then check-ins."""
    return f"""
WITH page AS MATERIALIZED (
    SELECT * FROM registrations r WHERE {" AND ".join(clauses)} ORDER BY {order} LIMIT {limit}
), stretch AS (
    SELECT min(queue_seq) AS first, max(queue_seq) AS last FROM page WHERE status = 'waitlisted'
), ahead AS (
    SELECT count(*) AS n FROM stretch JOIN registrations b
        ON b.event_id = $1 AND b.status = 'waitlisted' AND b.queue_seq < stretch.first
), positions AS (
    SELECT w.id, ahead.n + row_number() OVER (ORDER BY w.queue_seq) AS waitlist_position
      FROM stretch CROSS JOIN ahead JOIN registrations w
        ON w.event_id = $1 AND w.status = 'waitlisted' AND w.queue_seq BETWEEN stretch.first AND stretch.last
)
SELECT {_ROW} FROM page r LEFT JOIN positions p ON p.id = r.id {_CHECKED_IN} ORDER BY {order}
"""  # noqa: S608 - clauses, order from where/_ORDER: fixed SQL, values as $n


def where(event_id: UUID, chosen: RegistrationFilter) -> tuple[list[str], list[Any]]:
    """The filter's WHERE clauses on `registrations r` and their parameters (`$1` the event): the table's, the
    exports' and the badges'."""
    return filter_where(
        event_id,
        status=chosen.status,
        role=chosen.role,
        text=chosen.q.strip(),
        session=chosen.session,
        group=chosen.group,
        checked_in=chosen.checked_in,
    )


def page_query(
    event_id: UUID, chosen: RegistrationFilter, key: list[Any] | None, *, backwards: bool = False, limit: int
) -> tuple[str, list[Any]]:
    """The SQL and parameters of one page: `limit` rows after `key` (before it, backwards), or from the start."""
    column, direction = _ORDER[chosen.sort]
    clauses, params = where(event_id, chosen)
    forward = (direction == "ASC") != backwards
    if key is not None:
        placeholders = ", ".join(f"${len(params) + i + 1}" for i in range(len(key)))
        params.extend(key)
        clauses.append(f"({column}) {'>' if forward else '<'} ({placeholders})")
    order = ", ".join(f"{part} {'ASC' if forward else 'DESC'}" for part in column.split(", "))
    params.append(limit)
    return _page_sql(clauses, order, limit=f"${len(params)}"), params


async def registrations_page(
    conn: asyncpg.Connection,
    event_id: UUID,
    chosen: RegistrationFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[ListedRegistration], bool, bool, int]:
    """One page of the filtered table: (rows, has_previous, has_next, total matching).

    Keyset paging on the sort key and queue_seq: each page is an index range scan, as fast on page 100 as
    on page 1. `before` walks backwards (the order reversed, then the rows turned round).
    """
    total = await count_rows(conn, event_id, chosen)
    backwards = before is not None and after is None
    key = paging.decode(before if backwards else after, chosen.sort)
    sql, params = page_query(event_id, chosen, key, backwards=backwards, limit=limit + 1)
    rows = [ListedRegistration(**dict(row)) for row in await conn.fetch(sql, *params)]
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        return rows, more, True, total
    return rows, key is not None, more, total


async def count_rows(conn: asyncpg.Connection, event_id: UUID, chosen: RegistrationFilter) -> int:
    """How many registrations the filter keeps."""
    clauses, params = where(event_id, chosen)
    return int(await conn.fetchval(f"SELECT count(*) FROM registrations r WHERE {' AND '.join(clauses)}", *params))  # noqa: S608 - clauses from where: fixed SQL, values as $n


async def export_batches(
    pool: asyncpg.Pool, event_id: UUID, chosen: RegistrationFilter
) -> AsyncIterator[list[ListedRegistration]]:
    """Every row of the filter, in the table's order (for CSV and XLSX), EXPORT_BATCH rows at a time from a
    server-side cursor on a connection of its own (held while the download is being sent), so an export of
    50,000 rows never holds them all in memory; one read-only snapshot, so the rows are one moment's. No limit:
    the audit row counts every row the filter keeps, and the file holds them all."""
    column, direction = _ORDER[chosen.sort]
    clauses, params = where(event_id, chosen)
    order = ", ".join(f"{part} {direction}" for part in column.split(", "))
    sql = _rows_sql(clauses, order, limit="ALL")
    async with db.borrowed(pool) as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = await conn.cursor(sql, *params)
        while rows := await cursor.fetch(EXPORT_BATCH):
            yield [ListedRegistration(**dict(row)) for row in rows]
