"""Doors: created and revoked by organisers, paired once by opening a signed link, signed in by bearer token.

A door is its own account of role `door`, scoped to its one event, so every organiser route already refuses it.
The pairing code is a signed code (integrations/qr, purpose "door") over the door id: nothing secret is stored,
and `paired_at` makes it single-use. The door token is a normal api_tokens row (hashed), expiring DOOR_GRACE
after the event and revoked with the door.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from integrations import qr

from .. import audit
from ..accounts.domain import authenticate, hash_token, new_token
from ..accounts.schemas import Principal
from ..errors import Conflict, Forbidden, NotFound, Unauthorized
from ..events.schemas import Event
from ..settings import Settings
from . import queries
from .schemas import Door, DoorInfo, DoorState, EventInfo, Paired

PAIRING = "door"
PAIRING_VERSION = 1
_NOT_PAIRABLE = "the pairing link is unknown, already used, revoked or expired"


class Scanner(msgspec.Struct, frozen=True, kw_only=True):
    """The door a request comes from (authenticated by its token)."""

    id: UUID
    event_id: UUID
    name: str


def pairing_code(settings: Settings, door_id: UUID) -> str:
    return qr.sign(settings.require_secret_key(), PAIRING, door_id, PAIRING_VERSION)


def pairing_url(settings: Settings, door_id: UUID) -> str:
    """The link to open on the door's phone. The code sits in the fragment, so it never reaches a server log."""
    return f"{settings.base_url}/door#pair={pairing_code(settings, door_id)}"


def _door(settings: Settings, row: queries.DoorRow, now: datetime) -> Door:
    state: DoorState
    if row.revoked_at is not None:
        state = "revoked"
    elif row.expires_at <= now:
        state = "expired"
    else:
        state = "paired" if row.paired_at is not None else "unpaired"
    return Door(
        id=row.id,
        name=row.name,
        state=state,
        created_at=row.created_at,
        paired_at=row.paired_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        pairing_url=pairing_url(settings, row.id) if state == "unpaired" else None,
        scans=row.scans,
        admitted=row.admitted,
    )


async def create_door(
    conn: asyncpg.Connection, event: Event, *, name: str, settings: Settings, actor: Principal, now: datetime
) -> Door:
    """A new, unpaired door for the event. Raises Conflict (door_name_taken) when an active door has the name."""
    door_id = uuid.uuid4()
    try:
        async with conn.transaction():
            user_id = await conn.fetchval(queries.INSERT_DOOR_USER, door_id, name.strip())
            await conn.execute(queries.GRANT_SCOPE, user_id, event.id)
            await conn.execute(queries.INSERT_DOOR, door_id, event.id, user_id, name.strip(), actor.user_id, now)
            await audit.record(
                conn,
                "door.created",
                actor=actor.actor,
                event_id=event.id,
                data={"door_id": str(door_id), "name": name.strip()},
            )
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name == "doors_event_name_key":
            raise Conflict("door_name_taken", f"the event already has a door named {name!r}", field="name") from None
        raise
    return await get_door(conn, door_id, settings=settings, now=now)


async def get_door(conn: asyncpg.Connection, door_id: UUID, *, settings: Settings, now: datetime) -> Door:
    """Raises NotFound (door_not_found)."""
    row = await queries.door_by_id(conn, door_id)
    if row is None:
        raise NotFound("door_not_found", "no such door")
    return _door(settings, row, now)


async def door_event(conn: asyncpg.Connection, door_id: UUID) -> UUID:
    """The event of a door. Raises NotFound (door_not_found)."""
    row = await queries.door_by_id(conn, door_id)
    if row is None:
        raise NotFound("door_not_found", "no such door")
    event_id: UUID = row.event_id
    return event_id


async def list_doors(conn: asyncpg.Connection, event_id: UUID, *, settings: Settings, now: datetime) -> list[Door]:
    return [_door(settings, row, now) for row in await queries.doors_of_event(conn, event_id)]


async def revoke_door(
    conn: asyncpg.Connection, door_id: UUID, *, settings: Settings, actor: Principal, now: datetime
) -> Door:
    """Revoke the door and its tokens at once. Idempotent (the first revocation time stays). Raises NotFound."""
    async with conn.transaction():
        event_id = await conn.fetchval(queries.REVOKE_DOOR, door_id, now)
        if event_id is not None:
            await audit.record(
                conn, "door.revoked", actor=actor.actor, event_id=event_id, data={"door_id": str(door_id)}
            )
    return await get_door(conn, door_id, settings=settings, now=now)


async def pair_door(conn: asyncpg.Connection, code: str, *, settings: Settings, now: datetime) -> Paired:
    """Trade a pairing code for the door's token (once). Raises NotFound (pairing_invalid)."""
    door_id = qr.parse(settings.require_secret_key(), PAIRING, code)
    if door_id is None or not qr.check(settings.verification_keys(), PAIRING, door_id, PAIRING_VERSION, code):
        raise NotFound("pairing_invalid", _NOT_PAIRABLE)
    token = new_token()
    async with conn.transaction():
        row = await queries.pair_door(conn, door_id, now)
        if row is None:
            raise NotFound("pairing_invalid", _NOT_PAIRABLE)
        await conn.execute(queries.INSERT_DOOR_LOGIN, row.user_id, hash_token(token), row.expires_at, now)
        await audit.record(
            conn, "door.paired", actor=f"door:{door_id}", event_id=row.event_id, data={"door_id": str(door_id)}
        )
    return Paired(
        token=token,
        expires_at=row.expires_at,
        door=DoorInfo(id=row.id, name=row.name),
        event=EventInfo(slug=row.slug, title=row.title, venue=row.venue, starts_at=row.starts_at, ends_at=row.ends_at),
    )


async def authenticate_door(conn: asyncpg.Connection, authorization: str | None, *, now: datetime) -> Scanner:
    """The door behind `Authorization: Bearer …`. Raises Unauthorized (unknown, revoked or expired door token),
    Forbidden (door_only: a valid token of a person, not a door)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "send the door's Authorization: Bearer token")
    row = await queries.door_by_token(conn, hash_token(token.strip()), now)
    if row is None:
        principal = await authenticate(conn, authorization, now=now)  # raises invalid_token for unknown tokens
        if principal.role == "door":  # a door's token whose door is revoked or past its event
            raise Unauthorized("invalid_token", "the door token is revoked or expired")
        raise Forbidden("door_only", "only a paired door may do this")
    return Scanner(id=row.id, event_id=row.event_id, name=row.name)
