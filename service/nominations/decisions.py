"""The organiser's decisions: shortlist, reject with a reason, choose the winner, publish.

A winner is chosen only after scoring is locked; choosing another winner puts the previous one back on the
shortlist, and a partial unique index keeps one winner per call even when two organisers click at once.
Publishing shows the winner on the prize page. The announcement (Slack and e-mail) belongs to the
announcement feature, which does not exist yet, so publishing enqueues nothing for now.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..i18n import gettext, pick
from ..slack.posts import post_to_event_channel
from . import queries
from .access import call_for_organiser
from .schemas import Call, DecisionIn, Nomination


async def decide(
    conn: asyncpg.Connection, nomination_id: UUID, data: DecisionIn, *, actor: Principal, now: datetime
) -> Nomination:
    """Set a nomination's status. Raises NotFound, Forbidden, Invalid (reason_required), InvalidState
    (nomination_withdrawn, scoring_not_locked, results_published), Conflict (winner_already_chosen)."""
    nomination = await queries.nomination_by_id(conn, nomination_id)
    if nomination is None:
        raise NotFound("nomination_not_found", "no such nomination")
    await call_for_organiser(conn, nomination.call_id, actor)
    if data.status == "rejected" and not data.reason.strip():
        raise Invalid("reason_required", "give a reason for rejecting", field="reason")
    try:
        async with conn.transaction():
            call = await queries.call_by_id(conn, nomination.call_id, for_update=True)
            row = await queries.nomination_for_update(conn, nomination_id)
            assert call is not None
            assert row is not None
            if row.status == "withdrawn":
                raise InvalidState("nomination_withdrawn", "the nomination was withdrawn")
            if call.published_at is not None:
                raise InvalidState("results_published", "the results are published")
            if data.status == "winner":
                if call.scoring_locked_at is None:
                    raise InvalidState("scoring_not_locked", "lock scoring before choosing the winner")
                await queries.unset_winner(conn, call.id, now)
            await queries.set_status(conn, nomination_id, data.status, data.reason.strip(), now)
            await queries.history(
                conn, nomination_id, now, actor.actor, f"nomination.{data.status}", {"reason": data.reason.strip()}
            )
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name == "nominations_one_winner_key":
            raise Conflict("winner_already_chosen", "another winner was chosen at the same moment") from error
        raise
    decided = await queries.nomination_by_id(conn, nomination_id)
    assert decided is not None
    return decided


async def publish(conn: asyncpg.Connection, call: Call, *, actor: Principal, now: datetime) -> Call:
    """Publish the winner on the prize page. Raises InvalidState (no_winner, results_published)."""
    async with conn.transaction():
        current = await queries.call_by_id(conn, call.id, for_update=True)
        assert current is not None
        if current.published_at is not None:
            raise InvalidState("results_published", "the results are already published")
        winners = [n for n in await queries.nominations_of_call(conn, call.id) if n.status == "winner"]
        if not winners:
            raise InvalidState("no_winner", "choose a winner before publishing")
        await queries.publish(conn, call.id, now)
        await queries.history(conn, winners[0].id, now, actor.actor, "prize.published", {})
        if current.event_id is not None:
            prize = await queries.prize_by_id(conn, current.prize_id)
            assert prize is not None
            winner = winners[0]
            lines = [line for line in (winner.nominee_organisation, winner.title) if line]
            await post_to_event_channel(
                conn,
                current.event_id,
                message=lambda language: (
                    gettext(language, "%(prize)s %(year)s goes to %(winner)s")
                    % {"prize": pick(prize.name, language), "year": current.year, "winner": winner.nominee_name},
                    lines,
                ),
                effect_key=f"prize-published:{call.id}",
            )
    published = await queries.call_by_id(conn, call.id)
    assert published is not None
    return published
