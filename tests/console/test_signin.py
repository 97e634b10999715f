"""Signing in and out: cookie flags, wrong passwords, the lockout, CSRF on the sign-in form, sign-out."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.console import passwords
from service.console.guard import safe_next
from service.errors import Forbidden, Unauthorized
from service.settings import Settings
from tests.conftest import Client, Clock
from tests.console.conftest import HTML, PASSWORD, add_console_user, csrf_of, sign_in


def cookie_header(response: httpx.Response) -> str:
    [header] = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("mp_session=")]
    return header


async def test_sign_in_sets_an_httponly_lax_session_cookie_and_redirects(client: Client, organiser: Any) -> None:
    response = await sign_in(client, "Kari@Bergen.Kommune.no")

    header = cookie_header(response)
    assert (response.status_code, response.headers["location"]) == (303, "/console")
    assert {part.strip().lower() for part in header.split(";")[1:]} == {
        "httponly",
        "samesite=lax",
        "path=/",
        "max-age=43200",
    }


async def test_session_cookie_is_secure_over_https(settings: Settings, clock: Clock, organiser: Any) -> None:
    app = create_app(msgspec.structs.replace(settings, base_url="https://moteplass.example"), clock=clock)
    async with AsyncTestClient(app=app, base_url="https://moteplass.example") as client:
        response = await sign_in(client, organiser.email)

    assert "secure" in {part.strip().lower() for part in cookie_header(response).split(";")}


async def test_signed_in_user_sees_the_dashboard_in_their_language(signed_in: Client) -> None:
    response = await signed_in.get("/console?lang=nn", headers=HTML)

    assert response.status_code == 200
    assert '<h1 class="ds-heading" data-size="lg">Oversikt</h1>' in response.text
    assert "Logga inn som kari@bergen.kommune.no" in response.text


async def test_wrong_password_shows_the_form_again_without_a_session(client: Client, organiser: Any) -> None:
    response = await sign_in(client, organiser.email, "feil passord her")

    assert response.status_code == 401
    assert "E-postadressen eller passordet er feil." in response.text
    assert "mp_session" not in response.headers.get("set-cookie", "")


async def test_five_wrong_passwords_lock_even_the_right_one_for_fifteen_minutes(
    client: Client, organiser: Any, clock: Clock
) -> None:
    answers = [(await sign_in(client, organiser.email, f"gjetning {n}")).status_code for n in range(5)]
    locked = await sign_in(client, organiser.email)
    clock.advance(minutes=15, seconds=1)
    later = await sign_in(client, organiser.email)

    assert answers == [401] * 5
    assert locked.status_code == 403
    assert "Kontoen er låst i 15 minutter" in locked.text
    assert later.status_code == 303


async def test_unknown_address_is_refused_and_locked_like_a_known_one(client: Client) -> None:
    answers = [(await sign_in(client, "nobody@example.no", "gjetning")).status_code for _ in range(6)]

    assert answers == [401] * 5 + [403]


async def test_parallel_guesses_cannot_pass_the_limit(pool: asyncpg.Pool, organiser: Any, clock: Clock) -> None:
    async def guess(n: int) -> str:
        try:
            await passwords.sign_in(pool, organiser.email, f"gjetning {n}", client="192.0.2.7", now=clock())
        except (Unauthorized, Forbidden) as error:
            return error.code
        return "signed_in"

    codes = await asyncio.gather(*(guess(n) for n in range(8)))

    assert sorted(codes) == ["account_locked"] * 3 + ["sign_in_failed"] * 5


async def test_a_right_password_clears_earlier_failures(client: Client, organiser: Any) -> None:
    for n in range(4):
        await sign_in(client, organiser.email, f"gjetning {n}")
    await sign_in(client, organiser.email)
    client.cookies.clear()

    answers = [(await sign_in(client, organiser.email, f"gjetning {n}")).status_code for n in range(4)]

    assert answers == [401] * 4


async def test_sign_in_without_the_csrf_token_is_refused(client: Client, organiser: Any) -> None:
    await client.get("/console/sign-in", headers=HTML)

    response = await client.post(
        "/console/sign-in", data={"email": organiser.email, "password": PASSWORD}, headers=HTML, follow_redirects=False
    )

    assert response.status_code == 403
    assert "Skjemaet var utdatert" in response.text
    assert "mp_session" not in response.headers.get("set-cookie", "")


async def test_sign_out_ends_the_session_on_the_server(signed_in: Client) -> None:
    page = await signed_in.get("/console", headers=HTML)
    stolen = signed_in.cookies.get("mp_session")

    out = await signed_in.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert stolen is not None
    signed_in.cookies.set("mp_session", stolen)
    again = await signed_in.get("/console", headers=HTML, follow_redirects=False)

    assert (out.status_code, out.headers["location"]) == (303, "/console/sign-in?notice=signed_out")
    assert (again.status_code, again.headers["location"]) == (303, "/console/sign-in?next=%2Fconsole")


async def test_sign_out_without_the_csrf_token_is_refused(signed_in: Client) -> None:
    response = await signed_in.post("/console/sign-out", data={}, headers=HTML, follow_redirects=False)
    still = await signed_in.get("/console", headers=HTML)

    assert response.status_code == 403
    assert still.status_code == 200


async def test_session_expires_after_twelve_hours(signed_in: Client, clock: Clock) -> None:
    clock.advance(hours=12, seconds=1)

    response = await signed_in.get("/console/events", headers=HTML, follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/console/sign-in?next=%2Fconsole%2Fevents")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/console", "/events/x", "javascript:x"])
async def test_sign_in_never_redirects_outside_the_console(client: Client, organiser: Any, target: str) -> None:
    form = await client.get("/console/sign-in", headers=HTML)

    response = await client.post(
        "/console/sign-in",
        data={"email": organiser.email, "password": PASSWORD, "next": target, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )

    assert (response.status_code, response.headers["location"]) == (303, "/console")


async def test_sign_in_returns_to_the_page_asked_for(client: Client, organiser: Any) -> None:
    first = await client.get("/console/events?lang=en", headers=HTML, follow_redirects=False)
    form = await client.get(first.headers["location"], headers=HTML)

    response = await client.post(
        "/console/sign-in",
        data={
            "email": organiser.email,
            "password": PASSWORD,
            "next": "/console/events?lang=en",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )

    assert 'name="next" value="/console/events?lang=en"' in form.text
    assert response.headers["location"] == "/console/events?lang=en"


async def test_a_door_device_cannot_sign_in_even_with_a_password(client: Client, conn: asyncpg.Connection) -> None:
    await add_console_user(conn, "door@example.no", "door")

    response = await sign_in(client, "door@example.no")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/jury?lang=nn", "/jury?lang=nn"),
        ("/jury/nominations/1", "/jury/nominations/1"),
        ("/console/events", "/console/events"),
        ("/juryroom", "/console"),
        ("//evil.example/jury", "/console"),
        ("/prizes/x", "/console"),
    ],
)
def test_safe_next_returns_only_to_the_console_or_the_jury(target: str, kept: str) -> None:
    assert safe_next(target) == kept
