"""Series of workshops: signing up for several dates at once and cancelling them all.

Each date gets an ordinary registration (its own ticket, capacity and waiting list) through the registration
domain's own function; the sign-up for all dates happens in one transaction, so a refused date (a bad
ranking, a closed window) leaves nothing behind.

The registrations of one sign-up carry its id, and only that ties them together: a manage link reaches the
other dates of its own sign-up, never registrations that merely share the e-mail address (anyone can sign
up with someone else's address). A date the address already has is not registered again; its own link is
mailed to that address instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

import asyncpg
import msgspec

from ..errors import Invalid, NotFound
from ..events import queries as event_queries
from ..events.schemas import Event
from ..registrations import domain as registrations
from ..registrations.schemas import Registration, RegistrationIn
from . import queries
from .domain import ranking_ids, store_preferences
from .schemas import Group, SeriesRegistrationIn


async def series_dates(conn: asyncpg.Connection, series: str) -> list[tuple[Event, list[Group]]]:
    """The published workshops of a series, soonest first, with their groups. Raises NotFound."""
    events = []
    for slug in await queries.series_event_slugs(conn, series):
        event = await event_queries.event_by_slug(conn, slug)
        assert event is not None
        events.append(event)
    if not events:
        raise NotFound("series_not_found", f"no workshops in the series {series!r}")
    groups = await queries.groups_of_events(conn, [e.id for e in events])
    return [(event, groups[event.id]) for event in events]


def _chosen(
    dates: list[tuple[Event, list[Group]]], data: SeriesRegistrationIn, now: datetime
) -> list[tuple[Event, list[Group]]]:
    if data.events is None:
        chosen = [(e, g) for e, g in dates if e.registration_state(now) == "open"]
        if not chosen:
            raise Invalid("registration_closed", "no date of the series is open for registration", field="events")
        return chosen
    by_slug = {e.slug: (e, g) for e, g in dates}
    for index, slug in enumerate(data.events):
        if slug not in by_slug:
            raise Invalid("unknown_date", f"{slug!r} is not a workshop of this series", field=f"events[{index}]")
    return [by_slug[slug] for slug in dict.fromkeys(data.events)]


def _perspectives_for(groups: list[Group], keys: list[str] | None, known: set[str]) -> list[str] | None:
    """The part of a series-wide ranking that one date's groups have."""
    if not groups:
        return None
    if not keys:
        raise Invalid("perspectives_required", "rank at least one perspective", field="perspectives")
    for index, key in enumerate(keys):
        if key not in known:
            raise Invalid(
                "unknown_group", f"no workshop of the series has a group {key!r}", field=f"perspectives[{index}]"
            )
    own = [key for key in keys if key in {g.key for g in groups}]
    if not own:
        raise Invalid("perspectives_required", "rank at least one perspective of every date", field="perspectives")
    ranking_ids(groups, own)  # refuses a key ranked twice
    return own


async def register_for_series(
    conn: asyncpg.Connection, series: str, data: SeriesRegistrationIn, *, now: datetime
) -> tuple[list[tuple[str, Registration]], list[str]]:
    """Register for the chosen (default: every open) date of a series with one ranking of perspectives.

    Returns the new registrations (tied together as one sign-up) and the dates the address was already
    registered for (whose own manage link is mailed to that address, and is never returned). Raises NotFound,
    Invalid, InvalidState, AlreadyRegistered (for every date).
    """
    dates = await series_dates(conn, series)
    return await register_for_dates(conn, _chosen(dates, data, now), data, now=now)


async def register_for_dates(
    conn: asyncpg.Connection, chosen: list[tuple[Event, list[Group]]], data: SeriesRegistrationIn, *, now: datetime
) -> tuple[list[tuple[str, Registration]], list[str]]:
    """Register for each of the chosen workshops in one transaction; see register_for_series."""
    known = {g.key for _, groups in chosen for g in groups}
    common = msgspec.structs.asdict(data)
    del common["events"], common["perspectives"]
    created: list[tuple[str, Registration]] = []
    already: list[str] = []
    async with conn.transaction():
        for event, groups in chosen:
            attendee = RegistrationIn(**common, perspectives=_perspectives_for(groups, data.perspectives, known))
            try:
                registration = await registrations.register_attendee(
                    conn, event.slug, data=attendee, now=now, hooks=[store_preferences]
                )
            except registrations.AlreadyRegistered:
                already.append(event.slug)
                continue
            created.append((event.slug, registration))
        if created:
            await queries.tie_to_signup(conn, uuid4(), [registration.id for _, registration in created])
    if not created:
        raise registrations.AlreadyRegistered(
            "already_registered",
            "this e-mail address is already registered for every date; we have sent the links to that address",
            field="email",
        )
    return created, already


async def cancel_series(
    conn: asyncpg.Connection,
    registration: Registration,
    *,
    actor: str,
    now: datetime,
    end_hooks: Sequence[registrations.RegistrationEndHook],
) -> list[str]:
    """Cancel every active date of the series that this registration's sign-up made (other registrations
    with the same address are not touched). Returns the dates cancelled (empty when nothing was active).
    Raises NotFound (not in a series)."""
    event = await event_queries.event_by_id(conn, registration.event_id)
    if event is None or not event.series:
        raise NotFound("series_not_found", "the workshop is not part of a series")
    cancelled: list[str] = []
    async with conn.transaction():
        for row in await queries.same_signup_in_series(conn, registration.id, event.series):
            await registrations.cancel_registration(conn, row.id, actor=actor, now=now, end_hooks=end_hooks)
            cancelled.append(row.slug)
    return cancelled


async def signup_dates(conn: asyncpg.Connection, registration: Registration) -> list[tuple[str, str]]:
    """(date slug, status) of the active registrations in this workshop's series that the same sign-up made."""
    event = await event_queries.event_by_id(conn, registration.event_id)
    if event is None or not event.series:
        return []
    return [(r.slug, r.status) for r in await queries.same_signup_in_series(conn, registration.id, event.series)]
