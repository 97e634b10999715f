"""Who may act on a prize, a call and a nomination: its organisers (and admins), and the call's jury.

A juror is a user with the `jury` role listed in `prize_jurors` for that call: a juror of another prize, or
of another year's call of the same prize, is refused (403). Nominators reach their own nomination only with
the secret of their link (see links.py); the public sees prizes, open calls and published winners.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import asyncpg

from ..accounts.domain import require_role
from ..accounts.schemas import Principal
from ..errors import Forbidden, NotFound
from . import queries
from .schemas import Call, Nomination, Prize

Standing = Literal["organiser", "juror"]


async def prize_for_organiser(conn: asyncpg.Connection, slug: str, principal: Principal) -> Prize:
    """The prize, when the principal runs it. Raises NotFound, Forbidden."""
    require_role(principal, "organiser")
    prize = await queries.prize_by_slug(conn, slug)
    if prize is None:
        raise NotFound("prize_not_found", f"no prize {slug!r}")
    await require_prize_organiser(conn, principal, prize.id)
    return prize


async def prizes_for(conn: asyncpg.Connection, principal: Principal) -> list[Prize]:
    """The prizes the principal runs (every prize for an admin). Raises Forbidden."""
    require_role(principal, "organiser")
    return await queries.prizes_of(conn, None if principal.role == "admin" else principal.user_id)


async def require_prize_organiser(conn: asyncpg.Connection, principal: Principal, prize_id: UUID) -> None:
    require_role(principal, "organiser")
    if principal.role != "admin" and not await queries.is_prize_organiser(conn, prize_id, principal.user_id):
        raise Forbidden("not_in_scope", "you do not run this prize")


async def call_for_organiser(conn: asyncpg.Connection, call_id: UUID, principal: Principal) -> Call:
    """The call, when the principal runs its prize. Raises NotFound, Forbidden."""
    require_role(principal, "organiser")
    call = await get_call(conn, call_id)
    await require_prize_organiser(conn, principal, call.prize_id)
    return call


async def get_call(conn: asyncpg.Connection, call_id: UUID) -> Call:
    call = await queries.call_by_id(conn, call_id)
    if call is None:
        raise NotFound("call_not_found", "no such call")
    return call


async def standing_on_call(conn: asyncpg.Connection, call: Call, principal: Principal) -> Standing:
    """ "organiser" or "juror" of this call. Raises Forbidden (not_on_jury) for anyone else."""
    if principal.role == "jury":
        if await queries.is_juror(conn, call.id, principal.user_id):
            return "juror"
        raise Forbidden("not_on_jury", "you are not on the jury of this prize")
    require_role(principal, "organiser", "jury")
    await require_prize_organiser(conn, principal, call.prize_id)
    return "organiser"


async def nomination_for(
    conn: asyncpg.Connection, nomination_id: UUID, principal: Principal
) -> tuple[Nomination, Call, Standing]:
    """A nomination with its call and the principal's standing. Raises NotFound, Forbidden."""
    require_role(principal, "organiser", "jury")
    nomination = await queries.nomination_by_id(conn, nomination_id)
    if nomination is None:
        raise NotFound("nomination_not_found", "no such nomination")
    call = await get_call(conn, nomination.call_id)
    standing = await standing_on_call(conn, call, principal)
    if standing == "juror" and nomination.status == "withdrawn":
        raise NotFound("nomination_not_found", "the nomination was withdrawn")
    return nomination, call, standing


async def require_no_conflict(conn: asyncpg.Connection, nomination_id: UUID, principal: Principal) -> None:
    """Raises Forbidden (conflict_of_interest) when the juror declared a conflict with this nomination."""
    if await queries.has_conflict(conn, nomination_id, principal.user_id):
        raise Forbidden("conflict_of_interest", "you declared a conflict of interest with this nomination")
