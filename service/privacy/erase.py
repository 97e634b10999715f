"""Erasing one person everywhere, on request: every registration (a held seat passes on first), their
nominations, sign-in failures, and the jobs and stored answers that still carry the address.

Administrators do it from /console/people or the API; other domains (a person's page) call `erase_person`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from ..registrations import domain as registrations
from ..registrations.domain import RegistrationEndHook
from . import queries
from .records import normalise
from .schemas import Erasure

ACTION_ERASED = "privacy.person_erased"
ACTION_VIEWED = "privacy.person_viewed"
ACTION_EXPORTED = "privacy.person_exported"

REGISTRATION_IDS = "SELECT id FROM registrations WHERE email_norm = $1 ORDER BY created_at FOR UPDATE"
# A winner stays in the prize's history under their public name; whoever asked loses their part in it.
DELETE_NOMINATIONS = """
DELETE FROM nominations
 WHERE status <> 'winner' AND (lower(nominator_email) = $1 OR lower(nominee_email) = $1)
"""
STRIP_WINNER_NOMINATOR = """
UPDATE nominations SET nominator_name = '', nominator_email = '', nominator_relation = ''
 WHERE status = 'winner' AND lower(nominator_email) = $1
"""
STRIP_WINNER_NOMINEE = "UPDATE nominations SET nominee_email = '' WHERE status = 'winner' AND lower(nominee_email) = $1"
DELETE_SIGN_IN_FAILURES = "DELETE FROM console_sign_in_failures WHERE lower(email) = $1"
# Finished jobs about the erased registrations, or carrying the address (a prepared mail, a result that names
# the recipient). Jobs still to run are left: the erasure itself queues the CANCELs for the person's calendar,
# which carry the address until they are sent (the retention purge then empties their payload).
_ABOUT = """
(payload ->> 'registration_id' = ANY($2::text[])
 OR strpos(lower(payload::text), $1) > 0 OR strpos(lower(coalesce(result::text, '')), $1) > 0)
"""
# Composed of constants only (no input reaches the text; the address is $1).
DELETE_JOBS = f"DELETE FROM jobs WHERE {_ABOUT} AND (done_at IS NOT NULL OR dead_at IS NOT NULL)"  # noqa: S608
PENDING_JOBS = f"SELECT count(*) FROM jobs WHERE {_ABOUT} AND done_at IS NULL AND dead_at IS NULL"  # noqa: S608
# Stored answers of retried requests (a registration's answer names the address).
DELETE_IDEMPOTENCY = "DELETE FROM idempotency_keys WHERE strpos(lower(encode(body, 'escape')), $1) > 0"
# Finished jobs about one erased registration (its mails), and stored answers of requests that returned it.
DELETE_JOBS_OF = """
DELETE FROM jobs WHERE payload ->> 'registration_id' = $1 AND (done_at IS NOT NULL OR dead_at IS NOT NULL)
"""
DELETE_IDEMPOTENCY_OF = "DELETE FROM idempotency_keys WHERE strpos(encode(body, 'escape'), $1) > 0"
WINNERS = """
SELECT id FROM nominations WHERE status = 'winner' AND (lower(nominator_email) = $1 OR lower(nominee_email) = $1)
"""
ACCOUNT = "SELECT 1 FROM users WHERE email = $1 AND role <> 'door'"
AS_ACTOR = "SELECT count(*) FROM audit_log WHERE actor = 'user:' || $1"


def subject_key(secret: bytes, email: str) -> str:
    """A keyed hash of the address for the audit log: whoever holds SECRET_KEY can check whether an entry is
    about a given address; the log itself names nobody."""
    return hmac.new(secret, normalise(email).encode(), hashlib.sha256).hexdigest()[:32]


async def erase_person(
    conn: asyncpg.Connection,
    email: str,
    *,
    actor: str,
    now: datetime,
    key: bytes,
    end_hooks: Sequence[RegistrationEndHook],
) -> Erasure:
    """Remove everything held about an address in one transaction, audited; says what was removed and what
    remains. Idempotent: a second call removes nothing more."""
    address = normalise(email)
    async with conn.transaction():
        ids = [row["id"] for row in await conn.fetch(REGISTRATION_IDS, address)]
        for registration_id in ids:
            await registrations.delete_registration(conn, registration_id, now=now, end_hooks=end_hooks, actor=actor)
        winners = await conn.fetch(WINNERS, address)
        removed = {
            "registrations": len(ids),
            "nominations": queries.count_of(await conn.execute(DELETE_NOMINATIONS, address)),
            "winner_nominations_stripped": queries.count_of(await conn.execute(STRIP_WINNER_NOMINATOR, address))
            + queries.count_of(await conn.execute(STRIP_WINNER_NOMINEE, address)),
            "sign_in_failures": queries.count_of(await conn.execute(DELETE_SIGN_IN_FAILURES, address)),
            "jobs": queries.count_of(await conn.execute(DELETE_JOBS, address, [str(i) for i in ids])),
            "idempotency_records": queries.count_of(await conn.execute(DELETE_IDEMPOTENCY, address)),
        }
        remains = []
        if ids:
            remains.append("anonymous_counts")
        if winners:
            remains.append("prize_history")
        if await conn.fetchval(PENDING_JOBS, address, [str(i) for i in ids]):
            remains.append("queued_mails")
        if await conn.fetchval(ACCOUNT, address):
            remains.append("console_account")
        if await conn.fetchval(AS_ACTOR, address):
            remains.append("console_actions_in_audit_log")
        await queries.audit(
            conn,
            at=now,
            actor=actor,
            action=ACTION_ERASED,
            data={"subject": subject_key(key, address), **removed, "remains": remains},
        )
    return Erasure(email=address, removed=removed, remains=remains, erased_at=now)


async def erase_registration(
    conn: asyncpg.Connection,
    registration_id: UUID,
    *,
    actor: str,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
) -> None:
    """Erase one registration on the person's request, by an organiser of its event: the registration (a held
    seat passes on first), its history, choices and check-ins, the finished jobs about it and stored answers
    that name it; audited (`registration.erased`). Other events' registrations of the same address stay (that
    is `erase_person`, for administrators). Raises NotFound."""
    async with conn.transaction():
        await registrations.delete_registration(conn, registration_id, now=now, end_hooks=end_hooks, actor=actor)
        await conn.execute(DELETE_JOBS_OF, str(registration_id))
        await conn.execute(DELETE_IDEMPOTENCY_OF, str(registration_id))
