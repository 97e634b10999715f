"""Rate limits of anonymous POSTs: a script filling an event or mailing a victim from one or many addresses is
turned away with 429 before anything is stored or mailed; the limits can be switched off; X-Forwarded-For is
believed only from TRUSTED_PROXIES."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.console import passwords
from service.jobs import Worker
from service.ratelimit import client_address
from service.settings import Rate, Settings, from_env, parse_rate
from tests.conftest import SECRET, T0, Client, Clock, auth
from tests.console.conftest import HTML, add_console_user, csrf_of
from tests.nominations.conftest import call_body, nomination_body
from tests.security.clients import Connect, connect

LIMIT = 3  # requests per minute from one client address in these tests
Send = Callable[[AsyncTestClient[Any], int], Awaitable[httpx.Response]]

# Everything an anonymous POST could store or queue; a refused request changes none of it.
SNAPSHOT = """
SELECT (SELECT count(*) FROM registrations) AS registrations,
       (SELECT count(*) FROM group_preferences) AS preferences,
       (SELECT count(*) FROM nominations) AS nominations,
       (SELECT count(*) FROM jobs) AS jobs,
       (SELECT count(*) FROM idempotency_keys) AS idempotency_keys,
       (SELECT count(*) FROM doors WHERE paired_at IS NOT NULL) AS paired_doors,
       (SELECT count(*) FROM console_sessions) AS sessions,
       (SELECT count(*) FROM console_sign_in_failures) AS sign_in_failures,
       (SELECT count(*) FROM console_password_links WHERE used_at IS NULL) AS unused_links,
       (SELECT count(*) FROM console_passwords) AS passwords
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, public_rate_limit=Rate(hits=LIMIT, seconds=60), email_rate_limit=Rate(hits=100, seconds=3600)
    )


async def snapshot(conn: asyncpg.Connection) -> dict[str, int]:
    return dict(await conn.fetchrow(SNAPSHOT))


@pytest.fixture
async def places(client: AsyncTestClient[Any], conn: asyncpg.Connection, make_event: Any, organiser_token: str) -> Any:
    """A conference, a one-date workshop series with a group, an open prize call, doors and a console user."""
    headers = auth(organiser_token)
    await make_event(slug="kk")
    await make_event(slug="intro-juni", kind="workshop", series="intro")
    group = {"key": "patient", "name": {"nb": "Pasient"}, "perspective": {"nb": "Pasienten"}, "capacity": 20}
    assert (await client.post("/api/v1/events/intro-juni/groups", json=group, headers=headers)).status_code == 201
    prize = {"slug": "forskningsprisen", "name": {"nb": "Forsknings- og innovasjonsprisen"}}
    assert (await client.post("/api/v1/prizes", json=prize, headers=headers)).status_code == 201
    call = await client.post("/api/v1/prizes/forskningsprisen/calls", json=call_body(jury=[]), headers=headers)
    assert call.status_code == 201, call.text
    doors = []
    for n in range(LIMIT + 1):
        door = await client.post("/api/v1/events/kk/doors", json={"name": f"Dør {n}"}, headers=headers)
        assert door.status_code == 201, door.text
        doors.append(door.json()["pairing_url"].split("#pair=")[1])
    await add_console_user(conn, "per@bergen.kommune.no", "organiser")
    links = []  # a reset link each for users of their own (setting a password uses up all links of its user)
    for n in range(LIMIT + 1):
        user = await add_console_user(conn, f"jury{n}@example.no", "jury")
        link_id = await passwords.create_link(conn, user.user_id, "reset", actor="test", now=T0)
        links.append(passwords.link_code(SECRET.encode(), link_id))
    return {"doors": doors, "links": links}


def person(n: int) -> dict[str, Any]:
    return {"name": f"Deltakar {n}", "email": f"person{n}@example.no", "accept_privacy": True}


def person_form(n: int, **extra: str) -> dict[str, str]:
    return {"name": f"Deltakar {n}", "email": f"person{n}@example.no", "accept_privacy": "yes", **extra}


async def console_form(client: AsyncTestClient[Any], page: str, action: str, data: dict[str, str]) -> httpx.Response:
    client.cookies.clear()
    token = csrf_of((await client.get(page, headers=HTML)).text)
    return await client.post(action, data={**data, "csrf_token": token}, headers=HTML, follow_redirects=False)


_ = connect  # a fixture: reaching the app from chosen client addresses


def endpoints(places: Any) -> dict[str, tuple[Send, int, bool]]:
    """name -> (send the n-th request, its status under the limit, whether a browser's form sends it)."""
    post_form: Callable[..., Awaitable[httpx.Response]] = lambda client, path, data: client.post(  # noqa: E731
        path, data=data, headers=HTML, follow_redirects=False
    )
    nomination = nomination_body(nominee_email=None)
    return {
        "registration": (
            lambda c, n: c.post("/api/v1/events/kk/registrations", json=person(n)),
            201,
            False,
        ),
        "registration form": (lambda c, n: post_form(c, "/events/kk/register", person_form(n)), 303, True),
        "series sign-up": (
            lambda c, n: c.post("/api/v1/series/intro/registrations", json={**person(n), "perspectives": ["patient"]}),
            201,
            False,
        ),
        "series form": (
            lambda c, n: post_form(c, "/series/intro/register", person_form(n, rank_1="patient")),
            303,
            True,
        ),
        "workshop form": (
            lambda c, n: post_form(c, "/workshops/intro-juni/register", person_form(n, rank_1="patient")),
            303,
            True,
        ),
        "nomination": (
            lambda c, n: c.post(
                "/api/v1/prizes/forskningsprisen/nominations",
                json={**nomination, "nominator_email": f"nominator{n}@example.no"},
            ),
            201,
            False,
        ),
        "nomination form": (
            lambda c, n: post_form(
                c,
                "/prizes/forskningsprisen",
                {
                    **{key: str(value) for key, value in nomination.items() if isinstance(value, str)},
                    "nominator_email": f"nominator{n}@example.no",
                },
            ),
            303,
            True,
        ),
        "new link": (
            lambda c, n: c.post(
                "/api/v1/registrations/self/new-link", json={"event": "kk", "email": f"person{n}@example.no"}
            ),
            202,
            False,
        ),
        "new link form": (
            lambda c, n: post_form(c, "/events/kk/new-link", {"email": f"person{n}@example.no"}),
            200,
            True,
        ),
        "door pairing": (
            lambda c, n: c.post("/api/v1/doors/pair", json={"code": places["doors"][n]}),
            200,
            False,
        ),
        "console sign-in": (
            lambda c, n: console_form(
                c,
                "/console/sign-in",
                "/console/sign-in",
                {"email": "per@bergen.kommune.no", "password": "riktig hest batteri stift", "next": "/console"},
            ),
            303,
            True,
        ),
        "password forgot": (
            lambda c, n: console_form(
                c, "/console/password/forgot", "/console/password/forgot", {"email": "per@bergen.kommune.no"}
            ),
            200,
            True,
        ),
        "password reset": (
            lambda c, n: console_form(
                c,
                f"/console/password/{places['links'][n]}",
                f"/console/password/{places['links'][n]}",
                {"password": f"et nytt langt passord {n}", "password_again": f"et nytt langt passord {n}"},
            ),
            303,
            True,
        ),
    }


ENDPOINTS = [
    "registration",
    "registration form",
    "series sign-up",
    "series form",
    "workshop form",
    "nomination",
    "nomination form",
    "new link",
    "new link form",
    "door pairing",
    "console sign-in",
    "password forgot",
    "password reset",
]


@pytest.mark.parametrize("name", ENDPOINTS)
async def test_anonymous_post_over_the_limit_is_429_and_stores_nothing(
    name: str, client: Client, conn: asyncpg.Connection, places: Any
) -> None:
    send, allowed_status, is_form = endpoints(places)[name]
    answers = [(await send(client, n)).status_code for n in range(LIMIT)]
    before = await snapshot(conn)

    refused = await send(client, LIMIT)

    assert answers == [allowed_status] * LIMIT
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"  # T0 is 09:00:00; the minute's window ends at 09:01:00
    if is_form:
        assert refused.headers["content-type"].startswith("text/html")
        assert "Vent 60 sekunder, gå så tilbake og send skjemaet på nytt." in refused.text
    else:
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json() == {
            "type": "urn:moteplass:problem:too_many_requests",
            "code": "too_many_requests",
            "title": "For mange forespørsler",
            "status": 429,
            "detail": "too many requests; try again in 60 seconds",
            "extra": {"retry_after": 60},
        }
    assert await snapshot(conn) == before


async def test_the_limit_lets_requests_in_again_when_its_window_ends(
    client: Client, conn: asyncpg.Connection, places: Any, clock: Clock
) -> None:
    send, _, _ = endpoints(places)["registration"]
    for n in range(LIMIT):
        await send(client, n)
    clock.advance(seconds=30)
    refused = await send(client, LIMIT)
    clock.advance(seconds=30)

    again = await send(client, LIMIT + 1)

    assert (refused.status_code, refused.headers["retry-after"]) == (429, "30")
    assert again.status_code == 201


async def test_the_429_is_in_the_callers_language(client: Client, places: Any) -> None:
    for n in range(LIMIT):
        await client.post("/api/v1/events/kk/registrations", json=person(n))

    english = await client.post("/api/v1/events/kk/registrations?lang=en", json=person(LIMIT))
    nynorsk = await client.post(
        "/events/kk/register", data=person_form(LIMIT), headers={**HTML, "accept-language": "nn"}
    )

    assert (english.status_code, english.json()["title"]) == (429, "Too many requests")
    assert nynorsk.status_code == 429
    assert "Vent 60 sekund, gå så tilbake og send skjemaet på nytt." in nynorsk.text


async def test_one_address_is_not_mailed_over_and_over_from_many_clients(
    conn: asyncpg.Connection, places: Any, connect: Connect
) -> None:
    victim = {**person(0), "email": "victim@example.no"}
    only_two = Rate(hits=2, seconds=3600)
    answers = []
    for n in range(2):
        sender = await connect(f"198.51.100.{n}", email_rate_limit=only_two)
        answers.append((await sender.post("/api/v1/events/kk/registrations", json=victim)).status_code)
    before = await snapshot(conn)

    last = await connect("198.51.100.99", email_rate_limit=only_two)
    refused = await last.post("/api/v1/events/kk/registrations", json=victim)

    assert answers == [201, 409]  # the second mails the existing link again: one more mail to the victim
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "3600")  # the hour's window ends at 10:00
    assert await snapshot(conn) == before


async def test_limits_switched_off_let_every_request_through_without_counting(
    conn: asyncpg.Connection, places: Any, connect: Connect
) -> None:
    unlimited = await connect("192.0.2.10", public_rate_limit=None, email_rate_limit=None)

    answers = [(await unlimited.post("/api/v1/events/kk/registrations", json=person(n))).status_code for n in range(8)]

    assert answers == [201] * 8
    assert await conn.fetchval("SELECT count(*) FROM rate_limit_counts") == 0


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(places: Any, connect: Connect) -> None:
    peer = await connect("192.0.2.10")

    answers = [
        (
            await peer.post(
                "/api/v1/events/kk/registrations", json=person(n), headers={"x-forwarded-for": f"203.0.113.{n}"}
            )
        ).status_code
        for n in range(LIMIT + 1)
    ]

    assert answers == [201] * LIMIT + [429]


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(places: Any, connect: Connect) -> None:
    proxy = await connect("10.1.2.3", trusted_proxies=("10.0.0.0/8",))

    async def register(n: int, forwarded_for: str) -> int:
        response = await proxy.post(
            "/api/v1/events/kk/registrations", json=person(n), headers={"x-forwarded-for": forwarded_for}
        )
        return response.status_code

    many_clients = [await register(n, f"203.0.113.{n}") for n in range(LIMIT + 1)]
    one_client_lying = [await register(100 + n, f"198.18.0.{n}, 203.0.113.77") for n in range(LIMIT + 1)]

    assert many_clients == [201] * (LIMIT + 1)
    assert one_client_lying == [201] * LIMIT + [429]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "expected"),
    [
        ("192.0.2.1", "203.0.113.5", (), "192.0.2.1"),
        ("192.0.2.1", "203.0.113.5", ("10.0.0.0/8",), "192.0.2.1"),
        ("10.0.0.2", "203.0.113.5", ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", "198.18.0.1, 203.0.113.5, 10.0.0.9", ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", "10.0.0.7, 10.0.0.9", ("10.0.0.0/8",), "10.0.0.7"),
        ("10.0.0.2", None, ("10.0.0.0/8",), "10.0.0.2"),
        ("10.0.0.2", "not an address", ("10.0.0.0/8",), "not an address"),
        ("::1", "2001:db8::7", ("::1/128",), "2001:db8::7"),
    ],
)
def test_client_address_believes_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded_for: str | None, trusted: tuple[Any, ...], expected: str
) -> None:
    assert client_address(peer, forwarded_for, trusted) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60/minute", Rate(hits=60, seconds=60)),
        ("5/second", Rate(hits=5, seconds=1)),
        (" 1000 / Hour ", Rate(hits=1000, seconds=3600)),
        ("0", None),
    ],
)
def test_parse_rate_reads_n_per_unit_or_zero_for_off(text: str, expected: Rate | None) -> None:
    assert parse_rate(text) == expected


def test_settings_from_the_environment_refuse_a_bad_rate_naming_the_variable() -> None:
    with pytest.raises(ValueError, match=r"^PUBLIC_RATE_LIMIT: ") as raised:
        from_env({"PUBLIC_RATE_LIMIT": "60 per minute"})

    assert str(raised.value) == (
        "PUBLIC_RATE_LIMIT: a rate is N/second, N/minute or N/hour (N >= 1), or 0 for none; not '60 per minute'"
    )


def test_settings_from_the_environment_default_and_read_the_limits() -> None:
    default = from_env({})
    chosen = from_env(
        {"PUBLIC_RATE_LIMIT": "0", "EMAIL_RATE_LIMIT": "3/hour", "TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"}
    )

    assert (default.public_rate_limit, default.email_rate_limit, default.trusted_proxies) == (
        Rate(hits=60, seconds=60),
        Rate(hits=10, seconds=3600),
        (),
    )
    assert (chosen.public_rate_limit, chosen.email_rate_limit, chosen.trusted_proxies) == (
        None,
        Rate(hits=3, seconds=3600),
        ("10.0.0.1/32", "172.16.0.0/12"),
    )


async def test_the_worker_prune_drops_windows_that_have_ended(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    now = datetime.now(UTC)
    await conn.execute(
        "INSERT INTO rate_limit_counts (key, window_ends_at, hits) VALUES ('\\x01', $1, 5), ('\\x02', $2, 5)",
        now - timedelta(minutes=1),
        now + timedelta(minutes=59),
    )

    await Worker(pool, {}, None).prune()

    assert [row["key"] for row in await conn.fetch("SELECT key FROM rate_limit_counts")] == [b"\x02"]
