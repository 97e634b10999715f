"""Check-in API: organisers create, list and revoke doors; a door pairs once, then scans with its token."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from integrations import qr

from .. import ratelimit
from ..accounts.domain import require_event_scope
from ..errors import InvalidState
from ..events import domain as events
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from . import domain, doors, offline, walkins
from .doors import Scanner
from .schemas import (
    CheckinAnswer,
    CheckinIn,
    Door,
    DoorIn,
    DoorStatus,
    OfflineData,
    Paired,
    PairIn,
    SearchHit,
    WalkInIn,
)

ORGANISER = ("organiser",)
NO_STORE = {"cache-control": "no-store"}


async def provide_scanner(request: Request[Any, Any, Any], conn: Conn, now: Now) -> Scanner:
    return await doors.authenticate_door(conn, request.headers.get("authorization"), now=now)


DoorDevice = NamedDependency[Scanner]


async def _door_for_organiser(conn: Conn, principal: Caller, door_id: UUID) -> None:
    await require_event_scope(conn, principal, await doors.door_event(conn, door_id), *ORGANISER)


class DoorAdminController(Controller):
    """Organisers' side: doors of an event."""

    tags = ["doors"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/api/v1/events/{slug:str}/doors", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def create(
        self, slug: FromPath[str], data: JSONBody[DoorIn], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Door:
        """A new door for the event, with a one-time `pairing_url` to open on the door's phone or laptop."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await doors.create_door(conn, event, name=data.name, settings=settings, actor=principal, now=now)

    @get("/api/v1/events/{slug:str}/doors", responses=responses(401, 403, 404))
    async def list_doors(
        self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> list[Door]:
        """The event's doors, oldest first, with their state and scan counts."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await doors.list_doors(conn, event.id, settings=settings, now=now)

    @post("/api/v1/doors/{door_id:uuid}/revoke", status_code=200, responses=responses(401, 403, 404))
    async def revoke(self, door_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now, settings: Config) -> Door:
        """Revoke a door: its token stops working at once. Revoking again changes nothing."""
        await _door_for_organiser(conn, principal, door_id)
        return await doors.revoke_door(conn, door_id, settings=settings, actor=principal, now=now)

    @get(
        "/api/v1/doors/{door_id:uuid}/pairing.svg",
        media_type="image/svg+xml",
        responses=responses(401, 403, 404, 409),
    )
    async def pairing_qr(
        self, door_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Response[bytes]:
        """The pairing link as a QR code (SVG), while the door is unpaired."""
        await _door_for_organiser(conn, principal, door_id)
        door = await doors.get_door(conn, door_id, settings=settings, now=now)
        if door.pairing_url is None:
            raise InvalidState("door_not_pairable", f"the door is {door.state}")
        svg = qr.render_svg(door.pairing_url)
        return Response(svg.encode(), media_type="image/svg+xml", headers=NO_STORE)


class PairingController(Controller):
    tags = ["doors"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/api/v1/doors/pair", status_code=200, responses=responses(404, 422, 429))
    async def pair(
        self, data: JSONBody[PairIn], request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> Response[Paired]:
        """Trade the code of a pairing link for the door's bearer token. Works once per door."""
        await ratelimit.limit(request, conn, now=now)
        paired = await doors.pair_door(conn, data.code, settings=settings, now=now)
        return Response(paired, headers=NO_STORE)


class ScannerController(Controller):
    """The door's side: every route needs the door's bearer token and acts on the door's own event only."""

    tags = ["check-in"]  # noqa: RUF012 - Litestar reads it as an attribute
    dependencies = {  # noqa: RUF012 - Litestar reads it as an attribute
        "scanner": Provide(provide_scanner),
    }

    @post("/api/v1/checkins", status_code=200, responses=responses(401, 403, 422, 429))
    async def check_in(
        self, data: JSONBody[CheckinIn], request: Request[Any, Any, Any], state: State, settings: Config, now: Now
    ) -> CheckinAnswer:
        """Scan a ticket: `admitted`, `already_checked_in` (with when and where), `cancelled`, `waitlisted`,
        `wrong_event`, `not_registered` (a genuine ticket whose registration was deleted) or `invalid`. A repeated
        `nonce` answers what the first request got. `offline: true` with `scanned_at` uploads a scan decided
        offline: the earliest scan of a ticket is its admission."""
        # Well-formed scans are answered by the fast lane in front of the routing (lane.py), the rest here.
        # The door is authenticated inside the check-in statement, not by `scanner`.
        authorization = request.headers.get("authorization")
        return await domain.check_in(state.scans, authorization, data=data, settings=settings, now=now)

    @get("/api/v1/door", responses=responses(401, 403))
    async def status(self, scanner: DoorDevice, conn: Conn) -> Response[DoorStatus]:
        """The door, its event, checked-in and expected counts, and this door's last ten scans."""
        return Response(await domain.door_status(conn, scanner), headers=NO_STORE)

    @get("/api/v1/door/search", responses=responses(401, 403, 422, 429))
    async def search(
        self,
        scanner: DoorDevice,
        conn: Conn,
        now: Now,
        q: Annotated[str, QueryParameter(min_length=3, max_length=80, description="part of a name")],
    ) -> Response[list[SearchHit]]:
        """At most five confirmed attendees of this event whose name has a word starting with `q`; check in
        with `registration_id`. Every search is written to the event's audit log."""
        return Response(await domain.search(conn, scanner, q, now=now), headers=NO_STORE)

    @post("/api/v1/door/walk-ins", status_code=201, responses=responses(401, 403, 409, 422))
    async def walk_in(
        self, scanner: DoorDevice, data: JSONBody[WalkInIn], conn: Conn, now: Now
    ) -> Response[CheckinAnswer]:
        """Register a person on the spot (name, organisation, e-mail optional) and admit them: `admitted`, as
        a scan answers. Only when the event allows walk-ins (else 403 `walk_ins_not_allowed`), online only, and
        never beyond capacity: a full event answers 409 `event_full` and nothing is written. A repeated `nonce`
        answers what the first request got."""
        return Response(await walkins.admit_walk_in(conn, scanner, data, now=now), headers=NO_STORE, status_code=201)

    @get("/api/v1/door/offline", responses=responses(401, 403))
    async def offline(self, scanner: DoorDevice, conn: Conn, now: Now, settings: Config) -> Response[OfflineData]:
        """Sealed ticket data for deciding scans offline; a name can be read only with that ticket's code."""
        return Response(await offline.offline_data(conn, scanner, settings=settings, now=now), headers=NO_STORE)


CHECKIN_ROUTES = [DoorAdminController, PairingController, ScannerController]
