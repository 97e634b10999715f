"""Perspective groups of a workshop: defining them, participants' rankings, placing, moving, publishing.

Everything that fills or moves group seats takes the workshop's group lock first (queries.lock_groups); the
late-placement trigger of migration 008 takes the same lock, so capacities hold under concurrency.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from .. import audit
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..events import queries as event_queries
from ..events.schemas import Event
from ..i18n import gettext, ngettext, pick
from ..registrations import queries as registration_queries
from ..registrations.schemas import Registration, RegistrationIn
from ..slack.posts import post_to_event_channel
from ..types import localized
from . import placement, queries
from .schemas import Group, GroupIn, GroupList, GroupPatch, PlacedPerson, PlacementIn, Placements

MAIL_PLACEMENT = "workshops.placement"
# Path segments next to a group's key in the API (/groups/assign …), so no group may be called that.
RESERVED_KEYS = frozenset({"assign", "publish", "lists", "placements"})


def _require_workshop(event: Event) -> None:
    if event.kind != "workshop":
        raise InvalidState("not_a_workshop", "only workshops have perspective groups")


async def add_group(conn: asyncpg.Connection, event: Event, data: GroupIn, *, actor: str, now: datetime) -> Group:
    """Define a group. Raises InvalidState (not_a_workshop), Conflict (group_key_taken)."""
    _require_workshop(event)
    if data.key in RESERVED_KEYS:
        raise Invalid("reserved_group_key", f"{data.key!r} cannot be a group's key", field="key")
    async with conn.transaction():
        group_id = await queries.insert_group(
            conn, event.id, data.key, localized(data.name), localized(data.perspective), data.capacity
        )
        if group_id is None:
            raise Conflict("group_key_taken", f"the workshop already has a group {data.key!r}", field="key")
        await audit.record(
            conn, "workshops.group_added", actor=actor, event_id=event.id, data={"key": data.key}, at=now
        )
        group = await queries.group_by_key(conn, event.id, data.key)
    assert group is not None
    return group


async def change_group(
    conn: asyncpg.Connection, event: Event, key: str, patch: GroupPatch, *, actor: str, now: datetime
) -> Group:
    """Change a group. Raises NotFound, Conflict (group_capacity_below_members)."""
    changes = {n: getattr(patch, n) for n in patch.__struct_fields__ if getattr(patch, n) is not msgspec.UNSET}
    for name in ("name", "perspective"):
        if name in changes:
            changes[name] = localized(changes[name])
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        group = await _group(conn, event.id, key)
        if changes.get("capacity", group.capacity) < group.members:
            raise Conflict(
                "group_capacity_below_members",
                f"{group.members} participants are placed in the group; move some first",
                field="capacity",
            )
        await queries.update_group(conn, group.id, changes)
        await audit.record(
            conn,
            "workshops.group_changed",
            actor=actor,
            event_id=event.id,
            data={"key": key, "fields": sorted(changes)},
            at=now,
        )
        return await _group(conn, event.id, key)


async def remove_group(conn: asyncpg.Connection, event: Event, key: str, *, actor: str, now: datetime) -> None:
    """Remove a group nobody is placed in. Raises NotFound, Conflict (group_has_members)."""
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        group = await _group(conn, event.id, key)
        if group.members:
            raise Conflict("group_has_members", f"{group.members} participants are placed in the group")
        await queries.delete_group(conn, group.id)
        await audit.record(conn, "workshops.group_removed", actor=actor, event_id=event.id, data={"key": key}, at=now)


async def _group(conn: asyncpg.Connection, event_id: UUID, key: str) -> Group:
    group = await queries.group_by_key(conn, event_id, key)
    if group is None:
        raise NotFound("group_not_found", f"the workshop has no group {key!r}")
    return group


def ranking_ids(groups: list[Group], keys: list[str]) -> list[UUID]:
    """Group ids in the order of `keys`. Raises Invalid (unknown_group, duplicate_perspective)."""
    by_key = {g.key: g.id for g in groups}
    for index, key in enumerate(keys):
        if key not in by_key:
            raise Invalid("unknown_group", f"the workshop has no group {key!r}", field=f"perspectives[{index}]")
        if key in keys[:index]:
            raise Invalid("duplicate_perspective", f"{key!r} is ranked twice", field=f"perspectives[{index}]")
    return [by_key[key] for key in keys]


async def store_preferences(
    conn: asyncpg.Connection, registration: Registration, data: RegistrationIn, now: datetime
) -> None:
    """Registration hook: keep the ranked perspectives. Raises Invalid (unknown_group, duplicate_perspective)."""
    if not data.perspectives:
        return
    groups = await queries.groups(conn, registration.event_id)
    await queries.insert_preferences(conn, registration.id, ranking_ids(groups, data.perspectives))


# Why a ranking cannot be changed, by the workshop's registration state (service/events/schemas.py).
_RANKING_REFUSED = {
    "not_open_yet": "registration_not_open",
    "draft": "registration_not_open",
    "closed": "registration_closed",
    "paused": "registration_closed",
    "cancelled": "event_cancelled",
    "over": "event_over",
}


async def change_ranking(
    conn: asyncpg.Connection, registration_id: UUID, keys: list[str], *, actor: str, now: datetime
) -> list[str]:
    """Replace a participant's ranked perspectives while registration is open and the groups are unpublished; a
    placement already made keeps its group (its choice follows the new ranking). Returns the ranking.

    Raises NotFound, InvalidState (already_cancelled, registration_closed, registration_not_open, event_cancelled,
    event_over, groups_published), Invalid (perspectives_required, unknown_group, duplicate_perspective).
    Idempotent: the same ranking again changes nothing but the audit log.
    """
    registration = await registration_queries.registration_by_id(conn, registration_id)
    if registration is None:
        raise NotFound("registration_not_found", "no such registration")
    event = await event_queries.event_by_id(conn, registration.event_id)
    assert event is not None  # a registration's event is only deleted with it
    _require_workshop(event)
    if not keys:
        raise Invalid("perspectives_required", "rank at least one perspective", field="perspectives")
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        current = await registration_queries.registration_by_id(conn, registration_id)
        if current is None or current.status == "cancelled":
            raise InvalidState("already_cancelled", "the registration is cancelled")
        state = event.registration_state(now)
        if state in _RANKING_REFUSED:
            raise InvalidState(_RANKING_REFUSED[state], f"registration is {state.replace('_', ' ')}")
        round_ = await queries.round_of(conn, event.id)
        if round_ is not None and round_.published_at is not None:
            raise InvalidState("groups_published", "the groups are published; the organisers can move you")
        groups = await queries.groups(conn, event.id)
        await queries.replace_preferences(conn, registration_id, ranking_ids(groups, keys))
        await audit.record(
            conn,
            "workshops.ranking_changed",
            actor=actor,
            event_id=event.id,
            data={"registration_id": str(registration_id), "ranking": keys},
            at=now,
        )
    return list(keys)


async def assign_groups(conn: asyncpg.Connection, event: Event, *, actor: str, now: datetime) -> Placements:
    """Place every confirmed participant in one group; locked placements stay. Raises InvalidState (no_groups),
    Conflict (not_enough_group_seats). Running it again with nothing changed gives the same placement."""
    _require_workshop(event)
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        groups = await queries.groups(conn, event.id)
        if not groups:
            raise InvalidState("no_groups", "the workshop has no groups yet")
        rows = await queries.participants(conn, event.id)
        people = [
            placement.Participant(
                id=r.id,
                background=r.role,
                ranking=tuple(r.ranking),
                locked_in=r.group_id if r.locked else None,
            )
            for r in rows
        ]
        try:
            placed = placement.place([placement.Group(g.id, g.capacity) for g in groups], people)
        except placement.NotEnoughSeats as error:
            raise Conflict(
                "not_enough_group_seats",
                f"{error.participants} confirmed participants but the groups have {error.seats} seats; "
                "raise a group's capacity or add a group",
                seats=error.seats,
                participants=error.participants,
            ) from error
        await queries.replace_unlocked(
            conn,
            event.id,
            now,
            [(p.participant, p.group, p.choice) for p in placed if not p.locked],  # type: ignore[misc]
        )
        await queries.upsert_round(conn, event.id, now, actor)
        result = await placements_of(conn, event)
        await audit.record(
            conn, "workshops.groups_assigned", actor=actor, event_id=event.id, data={"choices": result.choices}, at=now
        )
    return result


async def move_participant(
    conn: asyncpg.Connection, event: Event, registration_id: UUID, data: PlacementIn, *, actor: str, now: datetime
) -> Placements:
    """Put someone in a group by hand (locked unless `locked` is false) or only (un)lock them.

    Raises NotFound, InvalidState (not_confirmed, not_placed), Conflict (group_full).
    """
    _require_workshop(event)
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        registration = await registration_queries.registration_by_id(conn, registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound("registration_not_found", "no such registration in this workshop")
        if registration.status != "confirmed":
            raise InvalidState("not_confirmed", "only confirmed participants are placed in groups")
        locked = True if data.locked is msgspec.UNSET else data.locked
        if data.group is msgspec.UNSET:
            if not await queries.set_locked(conn, registration_id, locked):
                raise InvalidState("not_placed", "the participant is not in a group yet")
        else:
            group = await _group(conn, event.id, data.group)
            current = await queries.group_of(conn, registration_id)
            already_in = current is not None and current.key == group.key
            if not already_in and group.members >= group.capacity:
                raise Conflict("group_full", f"the group {group.key!r} is full", field="group")
            await queries.upsert_placement(conn, registration_id, event.id, group.id, locked=locked, now=now)
        await audit.record(
            conn,
            "workshops.participant_moved",
            actor=actor,
            event_id=event.id,
            data={"registration_id": str(registration_id), "group": data.group or None, "locked": locked},
            at=now,
        )
        return await placements_of(conn, event)


async def publish_groups(conn: asyncpg.Connection, event: Event, *, actor: str, now: datetime) -> tuple[datetime, int]:
    """Tell every placed participant their group by mail (only those not yet told of this group).

    Raises InvalidState (not_assigned). Idempotent: publishing again sends nothing new.
    """
    async with conn.transaction():
        await queries.lock_groups(conn, event.id)
        if await queries.round_of(conn, event.id) is None:
            raise InvalidState("not_assigned", "assign the groups before publishing them")
        mails = await queries.publish_round(conn, event.id, now, actor)
        await audit.record(
            conn, "workshops.groups_published", actor=actor, event_id=event.id, data={"mails": mails}, at=now
        )
        sizes = await queries.group_sizes(conn, event.id)
        await post_to_event_channel(
            conn,
            event.id,
            message=lambda language: (
                gettext(language, "The groups of %(event)s are published") % {"event": pick(event.title, language)},
                [
                    ngettext(language, "%(group)s: %(n)s participant", "%(group)s: %(n)s participants", size.members)
                    % {"group": pick(size.name, language), "n": size.members}
                    for size in sizes
                ],
            ),
            effect_key=f"groups-published:{event.id}:{now.isoformat()}",
        )
    return now, mails


async def placements_of(conn: asyncpg.Connection, event: Event) -> Placements:
    """Groups with their members (names, organisations, backgrounds, needs, what they got) and who is unplaced."""
    groups = await queries.groups(conn, event.id)
    keys = {g.id: g.key for g in groups}
    people = [
        PlacedPerson(
            registration_id=r.id,
            name=r.name,
            email=r.email,
            organisation=r.organisation,
            background=r.role,
            accessibility=r.accessibility,
            ranking=[keys[g] for g in r.ranking if g in keys],
            group=keys.get(r.group_id) if r.group_id else None,
            choice=r.choice,
            locked=bool(r.locked),
            placed_by=r.placed_by,
        )
        for r in await queries.participants(conn, event.id)
    ]
    round_ = await queries.round_of(conn, event.id)
    choices: dict[str, int] = {}
    for person in people:
        if person.group is not None:
            label = str(person.choice) if person.choice else "unranked"
            choices[label] = choices.get(label, 0) + 1
    return Placements(
        event=event.slug,
        assigned_at=round_.assigned_at if round_ else None,
        published_at=round_.published_at if round_ else None,
        choices=dict(sorted(choices.items())),
        groups=[GroupList(group=g, members=[p for p in people if p.group == g.key]) for g in groups],
        unplaced=[p for p in people if p.group is None],
    )
