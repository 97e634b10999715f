"""Prizes, calls and their jury; public nominations, grouped by nominee; the nominator's withdrawal.

Side effects go through the job queue in the transaction of the change: the nominator's confirmation
(with the manage link), the nominee's notice (when the organiser chose it; once per nominee and call) and
the jury's reminder three days before scoring closes. Slack posts about new nominations wait for the Slack
integration, so nothing is enqueued for them yet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from .. import jobs
from ..accounts.domain import require_event_scope, require_role
from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..events import queries as event_queries
from ..types import localized
from . import links, queries, trail
from .access import require_prize_organiser
from .schemas import Call, CallIn, NominationIn, Prize

PUBLIC = "public"
NOMINATOR = "nominator"

MAIL_RECEIVED = "nomination.received"
MAIL_NOMINEE = "nomination.nominee"
JURY_REMINDER = "prize.jury_reminder"
JUROR_REMINDER = "prize.juror_reminder"
REMINDER_BEFORE = timedelta(days=3)

_NOT_WORD = re.compile(r"[^\w]+")


def nominee_key(name: str, organisation: str) -> str:
    """Name and organisation, case-folded, without accents or punctuation: "Gamut (UiB)" ~ "GAMUT – UiB"."""

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return " ".join(_NOT_WORD.sub(" ", plain).split())

    return f"{fold(name)}|{fold(organisation)}"


async def create_prize(
    conn: asyncpg.Connection, *, slug: str, name: dict[str, str], description: dict[str, str], actor: Principal
) -> Prize:
    """Create a prize run by its creator. Raises Forbidden, Conflict (prize_slug_taken). Not idempotent."""
    require_role(actor, "organiser")
    async with conn.transaction():
        prize = await queries.insert_prize(conn, slug, name, description, actor.user_id)
        if prize is None:
            raise Conflict("prize_slug_taken", f"a prize with the address {slug!r} exists", field="slug")
        if actor.role != "admin":
            await queries.grant_prize(conn, prize.id, actor.user_id)
        await trail.record_prize(conn, "prize.created", prize=prize, actor=actor.actor, slug=slug)
    return prize


def _check_call_times(data: CallIn) -> None:
    if data.closes_at <= data.opens_at:
        raise Invalid("invalid_time", "closes_at must be after opens_at", field="closes_at")
    if data.scoring_closes_at < data.closes_at:
        raise Invalid("invalid_time", "scoring_closes_at must not be before closes_at", field="scoring_closes_at")


async def _jurors(conn: asyncpg.Connection, emails: list[str]) -> list[UUID]:
    """User ids of the jury. Raises Invalid (not_a_juror) for an address without a jury account."""
    wanted = sorted({email.strip().lower() for email in emails})
    found = {u.email: u for u in await queries.users_by_email(conn, wanted)}
    for index, email in enumerate(wanted):
        user = found.get(email)
        if user is None or user.role != "jury":
            raise Invalid("not_a_juror", f"{email} has no account with the jury role", field=f"jury[{index}]")
    return [found[email].id for email in wanted]


async def create_call(conn: asyncpg.Connection, prize: Prize, data: CallIn, *, actor: Principal, now: datetime) -> Call:
    """Open a yearly call with its criteria and jury. Raises Forbidden, Invalid, NotFound (event),
    Conflict (call_year_taken). Enqueues the jury's reminder. Not idempotent."""
    await require_prize_organiser(conn, actor, prize.id)
    _check_call_times(data)
    values = msgspec.structs.asdict(data)
    values["event_id"] = None
    async with conn.transaction():
        if data.event:
            event = await event_queries.event_by_slug(conn, data.event)
            if event is None:
                raise NotFound("event_not_found", f"no event {data.event!r}", field="event")
            await require_event_scope(conn, actor, event.id, "organiser")
            values["event_id"] = event.id
        call = await queries.insert_call(conn, prize.id, values)
        if call is None:
            raise Conflict("call_year_taken", f"the prize already has a call for {data.year}", field="year")
        for position, criterion in enumerate(data.criteria, start=1):
            await queries.insert_criterion(
                conn, call.id, position, localized(criterion.name), localized(criterion.description), criterion.weight
            )
        jurors = await _jurors(conn, data.jury)
        await queries.set_jury(conn, call.id, jurors)
        await _enqueue_reminder(conn, call)
        await trail.record_call(
            conn,
            "prize.call_created",
            call=call,
            actor=actor.actor,
            opens_at=call.opens_at.isoformat(),
            closes_at=call.closes_at.isoformat(),
            criteria=len(data.criteria),
            jurors=len(jurors),
        )
    return call


async def _enqueue_reminder(conn: asyncpg.Connection, call: Call) -> None:
    due = call.scoring_closes_at.isoformat()
    await jobs.enqueue(
        conn,
        JURY_REMINDER,
        {"call_id": str(call.id), "scoring_closes_at": due},
        dedupe_key=f"{JURY_REMINDER}:{call.id}:{due}",
        run_after=call.scoring_closes_at - REMINDER_BEFORE,
    )


async def set_jury(conn: asyncpg.Connection, call: Call, emails: list[str], *, actor: Principal) -> list[str]:
    """Replace the jury of a call. Raises Forbidden, Invalid (not_a_juror), InvalidState (scoring_locked)."""
    await require_prize_organiser(conn, actor, call.prize_id)
    async with conn.transaction():
        locked = await queries.call_by_id(conn, call.id, for_update=True)
        if locked is None:
            raise NotFound("call_not_found", "no such call")
        if locked.scoring_locked_at is not None:
            raise InvalidState("scoring_locked", "scoring is locked")
        before = {juror.email for juror in await queries.jury(conn, call.id)}
        await queries.set_jury(conn, call.id, await _jurors(conn, emails))
        after = {juror.email for juror in await queries.jury(conn, call.id)}
        if after != before:  # jurors are staff accounts: their addresses may stand in the trail
            await trail.record_call(
                conn,
                "prize.jury_changed",
                call=locked,
                actor=actor.actor,
                added=sorted(after - before),
                removed=sorted(before - after),
            )
    return sorted(after)


def _window(call: Call) -> dict[str, str]:
    return {"opens_at": call.opens_at.isoformat(), "closes_at": call.closes_at.isoformat()}


async def open_call(conn: asyncpg.Connection, slug: str, now: datetime) -> tuple[Prize, Call]:
    """The prize's call open at `now`. Raises NotFound (prize), InvalidState with the window otherwise."""
    prize = await queries.prize_by_slug(conn, slug)
    if prize is None:
        raise NotFound("prize_not_found", f"no prize {slug!r}")
    calls = await queries.calls_of_prize(conn, prize.id)
    for call in calls:
        if call.state(now) == "open":
            return prize, call
    upcoming = [c for c in calls if c.state(now) == "not_open_yet"]
    if upcoming:
        call = upcoming[0]
        raise InvalidState("nominations_not_open", f"nominations open at {call.opens_at.isoformat()}", **_window(call))
    if calls:
        call = calls[-1]
        raise InvalidState("nominations_closed", f"nominations closed at {call.closes_at.isoformat()}", **_window(call))
    raise InvalidState("nominations_closed", "the prize has no call for nominations")


async def nominate(conn: asyncpg.Connection, slug: str, *, data: NominationIn, now: datetime) -> tuple[UUID, str]:
    """Nominate while the prize's call is open; returns (id, manage secret). A nominee already nominated
    is grouped with the earlier nominations, never refused. Raises NotFound, InvalidState (window)."""
    async with conn.transaction():
        _prize, call = await open_call(conn, slug, now)
        secret = links.new_secret()
        values = msgspec.structs.asdict(data)
        values["nominee_name"] = " ".join(data.nominee_name.split())
        values["nominee_organisation"] = " ".join(data.nominee_organisation.split())
        values["nominee_email"] = (data.nominee_email or "").strip()
        values["nominee_key"] = nominee_key(values["nominee_name"], values["nominee_organisation"])
        values["nominator_email"] = data.nominator_email.strip()
        values["secret_hash"] = links.hash_secret(secret)
        nomination_id = await queries.insert_nomination(conn, call.id, values, now)
        await queries.history(conn, nomination_id, now, PUBLIC, "nomination.submitted", {})
        # The secret travels in the job only until the mail is sent: the handler then scrubs it.
        await jobs.enqueue(
            conn,
            MAIL_RECEIVED,
            {"nomination_id": str(nomination_id), "secret": secret},
            dedupe_key=f"{MAIL_RECEIVED}:{nomination_id}",
        )
        if call.notify_nominees and values["nominee_email"]:
            group = hashlib.sha256(values["nominee_key"].encode()).hexdigest()[:32]
            await jobs.enqueue(
                conn,
                MAIL_NOMINEE,
                {"nomination_id": str(nomination_id)},
                dedupe_key=f"{MAIL_NOMINEE}:{call.id}:{group}",
            )
    return nomination_id, secret


async def withdraw(conn: asyncpg.Connection, nomination_id: UUID, *, now: datetime) -> None:
    """The nominator withdraws until the call closes. Raises InvalidState (already_withdrawn,
    withdrawal_closed, nomination_decided). Repeating it is refused, never doubled."""
    async with conn.transaction():
        row = await queries.nomination_for_update(conn, nomination_id)
        if row is None:
            raise NotFound("nomination_not_found", "no such nomination")
        call = await queries.call_by_id(conn, row.call_id)
        assert call is not None
        if row.status == "withdrawn":
            raise InvalidState("already_withdrawn", "the nomination is already withdrawn")
        if now >= call.closes_at:
            raise InvalidState(
                "withdrawal_closed", "the call has closed; ask the organisers", closes_at=call.closes_at.isoformat()
            )
        if row.status != "submitted":
            raise InvalidState("nomination_decided", "the nomination has been decided on; ask the organisers")
        await queries.set_status(conn, nomination_id, "withdrawn", "", now)
        await queries.history(conn, nomination_id, now, NOMINATOR, "nomination.withdrawn", {})
