"""The prize API: prizes and calls (organisers), nominations (anyone, while a call is open), the
nominator's link, the jury's workspace and scores, and the organiser's results and decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, JSONBody, QueryParameter

from .. import idempotency, ratelimit, spreadsheet
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from ..types import localized
from . import decisions, domain, links, queries, scoring, trail, views
from .access import (
    call_for_organiser,
    get_call,
    nomination_for,
    prize_for_organiser,
    require_no_conflict,
    standing_on_call,
)
from .results import results as compute_results
from .schemas import (
    CallIn,
    CallOut,
    ConflictIn,
    DecisionIn,
    JuryIn,
    JuryNomination,
    Nomination,
    NominationCreated,
    NominationIn,
    NominationScores,
    NominationSelf,
    PrizeIn,
    PrizeOut,
    Results,
    ScoresIn,
)


def nominator_secret(request: Request[Any, Any, Any]) -> str | None:
    """The manage-link secret: `Authorization: Bearer N1…` or `?secret=N1…`."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("secret")


class PrizeController(Controller):
    path = "/api/v1/prizes"
    tags = ["prizes"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/", status_code=201, responses=responses(401, 403, 409, 422))
    async def create(self, data: JSONBody[PrizeIn], conn: Conn, principal: Caller, now: Now) -> PrizeOut:
        """Create a prize (organiser); its creator runs it."""
        prize = await domain.create_prize(
            conn, slug=data.slug, name=localized(data.name), description=localized(data.description), actor=principal
        )
        return await views.prize_out(conn, prize, now)

    @get("/{slug:str}", responses=responses(404))
    async def detail(self, slug: FromPath[str], conn: Conn, now: Now) -> PrizeOut:
        """A prize with its current call, criteria and published winners."""
        return await views.prize_out(conn, await views.get_prize(conn, slug), now)

    @post("/{slug:str}/calls", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def create_call(
        self, slug: FromPath[str], data: JSONBody[CallIn], conn: Conn, principal: Caller, now: Now
    ) -> CallOut:
        """Open a yearly call: the window, weighted criteria, the jury and the conference of the award."""
        prize = await prize_for_organiser(conn, slug, principal)
        call = await domain.create_call(conn, prize, data, actor=principal, now=now)
        return await views.call_out(conn, call, now, with_jury=True)

    @post("/{slug:str}/nominations", status_code=201, responses=responses(404, 409, 413, 422, 429))
    async def nominate(
        self,
        slug: FromPath[str],
        data: JSONBody[NominationIn],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
        idempotency_key: idempotency.Key = None,
    ) -> Response[NominationCreated]:
        """Nominate while the call is open (409 with the window otherwise); honours `Idempotency-Key`."""
        await ratelimit.limit(request, conn, data.nominator_email, data.nominee_email, now=now)

        async def action() -> tuple[int, bytes]:
            nomination_id, secret = await domain.nominate(conn, slug, data=data, now=now)
            created = NominationCreated(
                id=nomination_id, status="submitted", manage_url=links.manage_url(settings, secret)
            )
            return 201, msgspec.json.encode(created)

        return await idempotency.respond(
            request, conn, principal=f"nominate:{slug}", key=idempotency_key, action=action
        )


class CallController(Controller):
    path = "/api/v1/calls/{call_id:uuid}"
    tags = ["prizes"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(401, 403, 404))
    async def detail(self, call_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> CallOut:
        """A call (its organisers and jury); organisers also see the jury."""
        call = await get_call(conn, call_id)
        standing = await standing_on_call(conn, call, principal)
        return await views.call_out(conn, call, now, with_jury=standing == "organiser")

    @put("/jury", responses=responses(401, 403, 404, 409, 422))
    async def set_jury(
        self, call_id: FromPath[UUID], data: JSONBody[JuryIn], conn: Conn, principal: Caller
    ) -> list[str]:
        """Replace the jury (users with the jury role) until scoring is locked."""
        call = await call_for_organiser(conn, call_id, principal)
        return await domain.set_jury(conn, call, data.emails, actor=principal)

    @get("/nominations", responses=responses(401, 403, 404, 422))
    async def nominations(
        self,
        call_id: FromPath[UUID],
        conn: Conn,
        principal: Caller,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Response[list[JuryNomination]]:
        """The nominations, grouped by nominee. A juror sees the open ones with their own standing on each;
        organisers see all, and `format=csv` exports them with their results."""
        call = await get_call(conn, call_id)
        standing = await standing_on_call(conn, call, principal)
        found = await queries.nominations_of_call(conn, call.id)
        if standing == "juror":
            mine = await queries.juror_standing(conn, call.id, principal.user_id)
            return Response(
                [
                    JuryNomination(
                        nomination=views.redacted(n) if mine[n.id][0] else n,
                        conflict=mine[n.id][0],
                        submitted=mine[n.id][1] > 0,
                    )
                    for n in found
                    if n.status != "withdrawn"
                ]
            )
        if format == "csv":
            await trail.record_call(
                conn, "prize.exported", call=call, actor=principal.actor, list="nominations", rows=len(found)
            )
            return views.results_csv(f"nominations-{call.year}.csv", await compute_results(conn, call), found)  # type: ignore[return-value]
        return Response([JuryNomination(nomination=n, conflict=False, submitted=False) for n in found])

    @post("/lock", status_code=200, responses=responses(401, 403, 404, 409))
    async def lock(self, call_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> CallOut:
        """Lock scoring: jurors can no longer change scores."""
        call = await call_for_organiser(conn, call_id, principal)
        return await views.call_out(
            conn, await scoring.lock_scoring(conn, call, actor=principal, now=now), now, with_jury=True
        )

    @get("/results", responses=responses(401, 403, 404, 422))
    async def results(
        self,
        call_id: FromPath[UUID],
        conn: Conn,
        principal: Caller,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Response[Results]:
        """Per nomination: weighted mean, number of scores, spread, recusals, rank and normalised rank."""
        call = await call_for_organiser(conn, call_id, principal)
        found = await compute_results(conn, call)
        if format == "csv":
            nominations = await queries.nominations_of_call(conn, call.id)
            await trail.record_call(
                conn, "prize.exported", call=call, actor=principal.actor, list="results", rows=len(nominations)
            )
            return views.results_csv(f"results-{call.year}.csv", found, nominations)  # type: ignore[return-value]
        return Response(found)

    @get("/scores", responses=responses(401, 403, 404), media_type="text/csv")
    async def scores(self, call_id: FromPath[UUID], conn: Conn, principal: Caller) -> Response[bytes]:
        """Every score of the call as CSV: nomination, juror, criterion, score, comment."""
        call = await call_for_organiser(conn, call_id, principal)
        criteria = {c.id: c for c in await queries.criteria(conn, call.id)}
        nominations = {n.id: n for n in await queries.nominations_of_call(conn, call.id)}
        rows = [
            [
                r.nomination_id,
                nominations[r.nomination_id].nominee_name,
                r.email,
                criteria[r.criterion_id].name.get("nb", ""),
                criteria[r.criterion_id].weight,
                r.score,
                r.comment,
                r.scored_at.isoformat(),
            ]
            for r in await queries.scores_of_call(conn, call.id)
        ]
        header = ["nomination_id", "nominee_name", "juror", "criterion", "weight", "score", "comment", "scored_at"]
        await trail.record_call(conn, "prize.exported", call=call, actor=principal.actor, list="scores", rows=len(rows))
        return spreadsheet.csv_response(f"scores-{call.year}.csv", [header, *rows])

    @post("/publish", status_code=200, responses=responses(401, 403, 404, 409))
    async def publish(self, call_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> CallOut:
        """Publish the winner on the prize page."""
        call = await call_for_organiser(conn, call_id, principal)
        published = await decisions.publish(conn, call, actor=principal, now=now)
        return await views.call_out(conn, published, now, with_jury=True)


class NominationController(Controller):
    path = "/api/v1/nominations"
    tags = ["prizes"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/self", responses=responses(404), cache_control=CacheControlHeader(no_store=True))
    async def own(self, request: Request[Any, Any, Any], conn: Conn, now: Now) -> NominationSelf:
        """The nominator's own nomination, by the secret of their link."""
        return await views.self_view(conn, await views.by_secret(conn, nominator_secret(request)), now)

    @delete("/self", status_code=200, responses=responses(404, 409))
    async def withdraw(self, request: Request[Any, Any, Any], conn: Conn, now: Now) -> NominationSelf:
        """Withdraw the nomination until the call closes."""
        nomination = await views.by_secret(conn, nominator_secret(request))
        await domain.withdraw(conn, nomination.id, now=now)
        return await views.self_view(conn, await views.by_secret(conn, nominator_secret(request)), now)

    @get("/{nomination_id:uuid}", responses=responses(401, 403, 404))
    async def detail(self, nomination_id: FromPath[UUID], conn: Conn, principal: Caller) -> Nomination:
        """One nomination (its organisers and jury, except jurors who declared a conflict)."""
        nomination, _call, standing = await nomination_for(conn, nomination_id, principal)
        if standing == "juror":
            await require_no_conflict(conn, nomination_id, principal)
        return nomination

    @get("/{nomination_id:uuid}/scores", responses=responses(401, 403, 404))
    async def scores(self, nomination_id: FromPath[UUID], conn: Conn, principal: Caller) -> NominationScores:
        """The juror's own sheet, and the others' once theirs is submitted; organisers see all."""
        return await scoring.scores_for(conn, nomination_id, actor=principal)

    @put("/{nomination_id:uuid}/scores", responses=responses(401, 403, 404, 409, 422))
    async def score(
        self, nomination_id: FromPath[UUID], data: JSONBody[ScoresIn], conn: Conn, principal: Caller, now: Now
    ) -> NominationScores:
        """Submit or replace the juror's sheet: every criterion 1–5 with a comment."""
        return await scoring.submit_scores(conn, nomination_id, data, actor=principal, now=now)

    @post("/{nomination_id:uuid}/conflict", status_code=204, responses=responses(401, 403, 404, 409, 422))
    async def conflict(
        self, nomination_id: FromPath[UUID], data: JSONBody[ConflictIn], conn: Conn, principal: Caller, now: Now
    ) -> None:
        """Declare a conflict of interest: the juror can then neither see its scores nor score it."""
        await scoring.declare_conflict(conn, nomination_id, reason=data.reason, actor=principal, now=now)

    @post("/{nomination_id:uuid}/decision", status_code=200, responses=responses(401, 403, 404, 409, 422))
    async def decide(
        self, nomination_id: FromPath[UUID], data: JSONBody[DecisionIn], conn: Conn, principal: Caller, now: Now
    ) -> Nomination:
        """Shortlist, reject (with a reason), choose as winner, or put back to submitted."""
        return await decisions.decide(conn, nomination_id, data, actor=principal, now=now)


PRIZE_ROUTES = [PrizeController, CallController, NominationController]
