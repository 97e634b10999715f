"""The workshop API: groups (public list, organiser edits), placement, hand moves, publishing, group lists,
series sign-up and cancelling a whole series from a manage link."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, JSONBody, QueryParameter

from .. import idempotency, ratelimit, spreadsheet
from ..events import domain as events
from ..events import series as series_owners
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from ..registrations import links
from ..registrations.access import by_code
from ..registrations.domain import ATTENDEE
from ..registrations.routes import manage_secret
from . import domain, queries, series
from .schemas import (
    DateRegistration,
    Group,
    GroupIn,
    GroupPatch,
    PlacementIn,
    Placements,
    Published,
    Ranking,
    RankingIn,
    Series,
    SeriesCancelled,
    SeriesDate,
    SeriesOrganisers,
    SeriesOrganisersIn,
    SeriesRegistrationCreated,
    SeriesRegistrationIn,
)

ORGANISER = ("organiser",)


class GroupController(Controller):
    path = "/api/v1/events/{slug:str}/groups"
    tags = ["workshops"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(404))
    async def list_groups(self, slug: FromPath[str], conn: Conn) -> list[Group]:
        """A workshop's perspective groups, with capacity and how many are placed."""
        event = await events.get_event(conn, slug)
        return await queries.groups(conn, event.id)

    @post("/", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def add(self, slug: FromPath[str], data: JSONBody[GroupIn], conn: Conn, principal: Caller, now: Now) -> Group:
        """Define a group: key, name, perspective (nb/nn/en) and capacity."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.add_group(conn, event, data, actor=principal.actor, now=now)

    @patch("/{key:str}", responses=responses(401, 403, 404, 409, 422))
    async def change(
        self,
        slug: FromPath[str],
        key: FromPath[str],
        data: JSONBody[GroupPatch],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Group:
        """Change a group's name, perspective or capacity."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.change_group(conn, event, key, data, actor=principal.actor, now=now)

    @delete("/{key:str}", status_code=204, responses=responses(401, 403, 404, 409))
    async def remove(self, slug: FromPath[str], key: FromPath[str], conn: Conn, principal: Caller, now: Now) -> None:
        """Remove a group nobody is placed in."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.remove_group(conn, event, key, actor=principal.actor, now=now)

    @post("/assign", status_code=200, responses=responses(401, 403, 404, 409))
    async def assign(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Placements:
        """Place every confirmed participant in a group (locked placements stay); says who got which choice."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.assign_groups(conn, event, actor=principal.actor, now=now)

    @post("/publish", status_code=200, responses=responses(401, 403, 404, 409))
    async def publish(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Published:
        """Mail each participant their group and perspective, in their language (only news: safe to repeat)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        published_at, mails = await domain.publish_groups(conn, event, actor=principal.actor, now=now)
        return Published(published_at=published_at, mails=mails)

    @get("/lists", responses=responses(401, 403, 404, 422))
    async def lists(
        self,
        slug: FromPath[str],
        conn: Conn,
        principal: Caller,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Response[Placements]:
        """Group lists for organisers and facilitators: names, organisations, backgrounds, needs, choices."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        found = await domain.placements_of(conn, event)
        if format == "csv":
            return _csv(event.slug, found)
        return Response(found)

    @patch("/placements/{registration_id:uuid}", responses=responses(401, 403, 404, 409, 422))
    async def move(
        self,
        slug: FromPath[str],
        registration_id: FromPath[UUID],
        data: JSONBody[PlacementIn],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Placements:
        """Move someone to a group by hand (locked, so assigning again keeps it) or (un)lock their placement."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.move_participant(conn, event, registration_id, data, actor=principal.actor, now=now)


def _csv(slug: str, found: Placements) -> Response[Any]:
    lines: list[list[object]] = [
        ["group", "name", "email", "organisation", "background", "accessibility", "choice", "locked"]
    ]
    lists = [(g.group.key, g.members) for g in found.groups] + [("", found.unplaced)]
    for key, members in lists:
        for p in members:
            lines.append(
                [key, p.name, p.email, p.organisation, p.background or "", p.accessibility, p.choice or "", p.locked]
            )
    return spreadsheet.csv_response(f"{slug}-groups.csv", lines)


class SeriesController(Controller):
    tags = ["workshops"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/api/v1/series/{series_slug:str}", responses=responses(404))
    async def dates(self, series_slug: FromPath[str], conn: Conn, now: Now) -> Series:
        """The published workshops of a series, with their groups."""
        dates = await series.series_dates(conn, series_slug)
        return Series(
            series=series_slug,
            dates=[
                SeriesDate(
                    slug=e.slug,
                    title=e.title,
                    starts_at=e.starts_at,
                    ends_at=e.ends_at,
                    remaining=e.remaining,
                    registration=e.registration_state(now),
                    groups=groups,
                )
                for e, groups in dates
            ],
        )

    @post(
        "/api/v1/series/{series_slug:str}/registrations",
        status_code=201,
        responses=responses(404, 409, 413, 422, 429),
    )
    async def register(
        self,
        series_slug: FromPath[str],
        data: JSONBody[SeriesRegistrationIn],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
        idempotency_key: idempotency.Key = None,
    ) -> Response[SeriesRegistrationCreated]:
        """Register for every open date of a series (or those in `events`) with one ranking of perspectives.
        Each date has its own registration, ticket and waiting list. Honours `Idempotency-Key`."""
        await ratelimit.limit(request, conn, data.email, now=now)

        async def action() -> tuple[int, bytes]:
            created, already = await series.register_for_series(conn, series_slug, data, now=now)
            body = SeriesRegistrationCreated(
                series=series_slug,
                registrations=[
                    DateRegistration(
                        event=slug,
                        id=r.id,
                        status=r.status,
                        waitlist_position=r.waitlist_position,
                        ticket_url=links.ticket_url(settings, r),
                        manage_url=links.manage_url(settings, r),
                    )
                    for slug, r in created
                ],
                already_registered=already,
            )
            return 201, msgspec.json.encode(body)

        return await idempotency.respond(
            request, conn, principal=f"series:{series_slug}", key=idempotency_key, action=action
        )

    @put("/api/v1/series/{series_slug:str}/organisers", responses=responses(401, 403, 404, 422))
    async def set_organisers(
        self, series_slug: FromPath[str], data: JSONBody[SeriesOrganisersIn], conn: Conn, principal: Caller
    ) -> SeriesOrganisers:
        """Replace who may add dates to the series (its organisers, or an admin, may)."""
        organisers = await series_owners.set_series_organisers(conn, series_slug, data.emails, actor=principal)
        return SeriesOrganisers(series=series_slug, organisers=organisers)

    @delete("/api/v1/registrations/self/series", status_code=200, responses=responses(404))
    async def cancel_all(
        self, request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> SeriesCancelled:
        """Cancel every date that the sign-up of this manage link made (not other registrations of the address)."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        return SeriesCancelled(
            cancelled=await series.cancel_series(
                conn, registration, actor="attendee", now=now, end_hooks=REGISTRATION_END_HOOKS
            )
        )


class RankingController(Controller):
    """A participant's ranked perspectives, reached with the code of their manage link."""

    path = "/api/v1/registrations/self/perspectives"
    tags = ["self-service"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(404), cache_control=CacheControlHeader(no_store=True))
    async def view(self, request: Request[Any, Any, Any], conn: Conn, settings: Config) -> Ranking:
        """The perspectives (group keys) the participant ranked, most wanted first."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        return Ranking(perspectives=await queries.ranking_of(conn, registration.id))

    @put("/", responses=responses(404, 409, 422))
    async def change(
        self, data: JSONBody[RankingIn], request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> Ranking:
        """Rank the perspectives again, while registration is open and the groups are not published."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        ranking = await domain.change_ranking(conn, registration.id, data.perspectives, actor=ATTENDEE, now=now)
        return Ranking(perspectives=ranking)


WORKSHOP_ROUTES = [GroupController, SeriesController, RankingController]
