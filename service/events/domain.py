"""Creating, changing, listing events. Capacity is a set of seat rows, kept equal to `capacity`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from .. import audit
from ..accounts.domain import require_event_scope, require_role
from ..accounts.queries import grant_event_scope
from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..types import localized
from . import queries
from .schemas import Event, EventIn, EventPatch
from .series import join_series

# Called inside the transaction that changed an event, with the event before and after the change.
EventChangeHook = Callable[[asyncpg.Connection, Event, Event, str, datetime], Awaitable[None]]

EDIT_ROLES = ("organiser",)


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _check_times(starts_at: datetime, ends_at: datetime, opens: datetime | None, closes: datetime | None) -> None:
    named = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "registration_opens_at": opens,
        "registration_closes_at": closes,
    }
    for name, value in named.items():
        if value is not None and not EARLIEST <= value < LATEST:
            raise Invalid("invalid_time", f"{name} must be between the years 2000 and 2099", field=name)
    if ends_at <= starts_at:
        raise Invalid("invalid_time", "ends_at must be after starts_at", field="ends_at")
    if opens and closes and closes <= opens:
        raise Invalid(
            "invalid_time", "registration_closes_at must be after registration_opens_at", field="registration_closes_at"
        )


async def create_event(conn: asyncpg.Connection, data: EventIn, *, actor: Principal, now: datetime) -> Event:
    """Create an event with its seats (in its series, when the actor may add dates to it). Raises Forbidden,
    Invalid, Conflict (slug_taken). Not idempotent."""
    require_role(actor, *EDIT_ROLES)
    _check_times(data.starts_at, data.ends_at, data.registration_opens_at, data.registration_closes_at)
    values = msgspec.structs.asdict(data)
    values["title"] = localized(data.title)
    values["description"] = localized(data.description)
    async with conn.transaction():
        if data.series is not None:
            await join_series(conn, data.series, actor=actor, now=now)
        event_id = await queries.insert_event(conn, values, actor.user_id)
        if event_id is None:
            raise Conflict("slug_taken", f"the address {data.slug!r} is taken", field="slug")
        await queries.add_seats(conn, event_id, data.capacity)
        if actor.role != "admin":
            await grant_event_scope(conn, actor.user_id, event_id)
        await audit.record(conn, "event.created", actor=actor.actor, event_id=event_id, data={"slug": data.slug})
        event = await queries.event_by_id(conn, event_id)
    assert event is not None
    return event


async def get_event(conn: asyncpg.Connection, slug: str, *, include_unpublished: bool = False) -> Event:
    """The event by slug. Raises NotFound (also for drafts unless include_unpublished)."""
    event = await queries.event_by_slug(conn, slug)
    if event is None or (event.status == "draft" and not include_unpublished):
        raise NotFound("event_not_found", f"no event {slug!r}")
    return event


async def get_event_for_actor(conn: asyncpg.Connection, slug: str, actor: Principal, *roles: str) -> Event:
    """The event, when the actor may act on it. Raises NotFound, Forbidden."""
    event = await queries.event_by_slug(conn, slug)
    if event is None:
        raise NotFound("event_not_found", f"no event {slug!r}")
    await require_event_scope(conn, actor, event.id, *roles)
    return event


async def update_event(
    conn: asyncpg.Connection,
    slug: str,
    patch: EventPatch,
    *,
    actor: Principal,
    now: datetime,
    hooks: Sequence[EventChangeHook] = (),
) -> Event:
    """Change an event (moving it into a series needs that series' organiser); hooks run in the same
    transaction. Raises NotFound, Forbidden, Invalid, Conflict."""
    changes: dict[str, Any] = {
        name: getattr(patch, name) for name in patch.__struct_fields__ if getattr(patch, name) is not msgspec.UNSET
    }
    for name in ("title", "description"):
        if name in changes:
            changes[name] = localized(changes[name])
    async with conn.transaction():
        locked = await queries.event_for_update(conn, slug)
        if locked is None:
            raise NotFound("event_not_found", f"no event {slug!r}")
        await require_event_scope(conn, actor, locked.id, *EDIT_ROLES)
        before = await queries.event_by_id(conn, locked.id)
        assert before is not None
        if before.status == "cancelled" and changes.get("status", "cancelled") != "cancelled":
            raise InvalidState("event_cancelled", "a cancelled event cannot be changed")
        if changes.get("series") is not None and changes["series"] != before.series:
            await join_series(conn, changes["series"], actor=actor, now=now)
        if "title" in changes and "nb" not in changes["title"]:
            raise Invalid("invalid_title", "title.nb is required", field="title.nb")
        _check_times(
            changes.get("starts_at", before.starts_at),
            changes.get("ends_at", before.ends_at),
            changes.get("registration_opens_at", before.registration_opens_at),
            changes.get("registration_closes_at", before.registration_closes_at),
        )
        if "capacity" in changes and changes["capacity"] != before.capacity:
            delta = changes["capacity"] - before.capacity
            if delta > 0:
                await queries.add_seats(conn, before.id, delta)
            else:
                removed = await queries.remove_free_seats(conn, before.id, -delta)
                if removed < -delta:
                    raise Conflict(
                        "capacity_below_confirmed",
                        f"{before.confirmed} registrations are confirmed; capacity cannot go below that",
                        field="capacity",
                        confirmed=before.confirmed,
                    )
        await queries.update_event(conn, before.id, changes)
        after = await queries.event_by_id(conn, before.id)
        assert after is not None
        for hook in hooks:
            await hook(conn, before, after, actor.actor, now)
        await audit.record(
            conn,
            "event.changed",
            actor=actor.actor,
            event_id=before.id,
            data={k: _jsonable(v) for k, v in changes.items()},
        )
        result = await queries.event_by_id(conn, before.id)
    assert result is not None
    return result


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def list_events(
    conn: asyncpg.Connection, *, now: datetime, limit: int = 50, offset: int = 0, actor: Principal | None = None
) -> list[Event]:
    """Upcoming published events; for an admin or organiser, every event they may see."""
    if actor is not None and actor.role in ("admin", "organiser"):
        return await queries.list_all(conn, limit, offset)
    return await queries.list_published(conn, now, limit, offset)
