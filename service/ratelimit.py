"""Rate limits of anonymous POSTs, counted in PostgreSQL so that every web process shares them.

Each request is counted under the client's address (PUBLIC_RATE_LIMIT, 60 a minute by default) and, when it
names someone to mail, under that e-mail address (EMAIL_RATE_LIMIT, 10 an hour), so that a script can neither
fill an event from one machine nor mail one victim over and over from many. The counters are fixed windows:
one `INSERT … ON CONFLICT DO UPDATE … RETURNING` counts every key of a request at once, in autocommit (a
counter row is locked for microseconds, never for a whole registration); the registration lane counts all the
requests of a batch in one such statement (check_many). Keys are keyed hashes, so the table
holds no address; windows that have ended are dropped by the worker's hourly prune (service/jobs.py).

A route applies the limits first, before it reads or stores anything:

    await ratelimit.limit(request, conn, data.email, now=now)

Over a limit it raises RateLimited (too_many_requests, `retry_after` seconds): 429 problem+json with
Retry-After, or an HTML page for a browser's form (service/app.py).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec

from .errors import RateLimited
from .settings import Rate, Settings

if TYPE_CHECKING:
    from litestar import Request

# One hit for each key given (a key given twice, by two requests of a batch, counts twice); the new totals.
COUNT = """
INSERT INTO rate_limit_counts AS c (key, window_ends_at, hits)
SELECT key, window_ends_at, count(*) FROM unnest($1::bytea[], $2::timestamptz[]) AS t (key, window_ends_at)
 GROUP BY key, window_ends_at
    ON CONFLICT (key, window_ends_at) DO UPDATE SET hits = c.hits + excluded.hits
RETURNING key, hits
"""
# Set in a request's scope state by a fast lane that counted the request before handing it to its route: True,
# or the RateLimited it got.
COUNTED = "moteplass.rate_counted"
MAX_ADDRESS = 64  # longer "addresses" (a garbled header) are cut; they still count as one client


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client's address: the direct peer, or, when the peer is one of our proxies, the first address from
    the right of X-Forwarded-For that is not a proxy of ours (addresses further left are the caller's word)."""
    if not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer[:MAX_ADDRESS]
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop[:MAX_ADDRESS]
    return (hops[0] if hops else peer)[:MAX_ADDRESS]


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(block, strict=False) for block in trusted)


def request_client(request: Request[Any, Any, Any]) -> str:
    """The client address of a request (see client_address); TRUSTED_PROXIES decides whose header counts."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)


def window_end(now: datetime, rate: Rate) -> datetime:
    """The end of the fixed window `now` falls in (windows are aligned to the epoch)."""
    return datetime.fromtimestamp((math.floor(now.timestamp()) // rate.seconds + 1) * rate.seconds, UTC)


def _key(secret: bytes, kind: str, value: str) -> bytes:
    return hashlib.blake2b(f"{kind}:{value}".encode(), key=secret[:64], digest_size=16).digest()


class Caller(msgspec.Struct, frozen=True):
    """One anonymous POST to count: who sent it and the addresses it would mail."""

    client: str
    emails: tuple[str | None, ...] = ()


async def check(
    conn: asyncpg.Connection, settings: Settings, *, client: str, emails: Iterable[str | None] = (), now: datetime
) -> None:
    """Count one anonymous POST from `client` (about `emails`, the addresses it would mail). Raises RateLimited
    (too_many_requests, retry_after) when a limit is exceeded; rejected requests count too, so a flood stays
    out until its window ends. Costs one statement, none when both limits are off."""
    refusal = (await check_many(conn, settings, [Caller(client, tuple(emails))], now=now))[0]
    if refusal is not None:
        raise refusal


async def check_many(
    conn: asyncpg.Connection, settings: Settings, callers: Sequence[Caller], *, now: datetime
) -> list[RateLimited | None]:
    """Count the POSTs of `callers` as if they came one after the other, in one statement (none when both limits
    are off): for each, None or the RateLimited it gets."""
    secret = settings.require_secret_key()
    keys: list[dict[bytes, tuple[datetime, Rate]]] = []
    for caller in callers:
        limits: dict[bytes, tuple[datetime, Rate]] = {}
        if (rate := settings.public_rate_limit) is not None:
            limits[_key(secret, "client", caller.client)] = (window_end(now, rate), rate)
        if (rate := settings.email_rate_limit) is not None:
            for email in caller.emails:
                if address := (email or "").strip().lower()[:254]:
                    limits[_key(secret, "email", address)] = (window_end(now, rate), rate)
        keys.append(limits)
    given = [(key, end) for limits in keys for key, (end, _) in limits.items()]
    if not given:
        return [None] * len(callers)
    totals = {row["key"]: row["hits"] for row in await conn.fetch(COUNT, *map(list, zip(*given, strict=True)))}
    # The totals are after the whole batch: the first caller with a key got (total - its count in the batch + 1).
    hits = {key: totals[key] - count for key, count in Counter(key for key, _ in given).items()}
    refusals: list[RateLimited | None] = []
    for limits in keys:
        waits = []
        for key, (end, rate) in limits.items():
            hits[key] += 1
            if hits[key] > rate.hits:
                waits.append(end - now)
        refusals.append(_refusal(max(waits)) if waits else None)
    return refusals


def _refusal(wait: timedelta) -> RateLimited:
    retry_after = max(1, math.ceil(wait.total_seconds()))
    return RateLimited(
        "too_many_requests", f"too many requests; try again in {retry_after} seconds", retry_after=retry_after
    )


async def limit(request: Request[Any, Any, Any], conn: asyncpg.Connection, *emails: str | None, now: datetime) -> None:
    """Apply the public rate limits to an anonymous POST that would mail `emails` (if any); call it before
    anything else. Raises RateLimited. A request a fast lane has counted already (and handed over, see
    service/lanes.py) is not counted again."""
    counted = request.scope.get("state", {}).get(COUNTED)
    if isinstance(counted, RateLimited):
        raise counted
    if counted:
        return
    await check(conn, request.app.state.settings, client=request_client(request), emails=emails, now=now)
