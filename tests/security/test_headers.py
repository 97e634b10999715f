"""Attacks on the browser's side that must fail (issue #15 item 4): every answer carries the security headers (the
check-in fast lane's as much as the route's), pages whose URL holds a code send no Referer, only the door may use
the camera, and no link or redirect built from the request leads to another site."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.checkin.conftest import code_of
from tests.conftest import Client, Clock, MakeEvent, auth
from tests.console.conftest import HTML, PASSWORD, add_console_user, csrf_of

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
NO_CAMERA = (
    "camera=(), accelerometer=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
CAMERA = NO_CAMERA.replace("camera=()", "camera=(self)")
ELSEWHERE = "strict-origin-when-cross-origin"
NAMES = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "strict-transport-security",
)


def security_of(response: Any) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in NAMES}


def expected(csp: str, referrer: str = ELSEWHERE, permissions: str = NO_CAMERA) -> dict[str, str | None]:
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": referrer,
        "permissions-policy": permissions,
        "strict-transport-security": None,
    }


async def registered(client: AsyncTestClient[Any], make_event: Any) -> dict[str, Any]:
    await make_event(slug="kk")
    response = await client.post(
        "/api/v1/events/kk/registrations",
        json={"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def test_public_pages_get_the_page_policy(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    answers = [await client.get(path, headers=HTML) for path in ("/", "/events/kk", "/events/kk/register")]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [security_of(a) for a in answers] == [expected(PAGE_CSP)] * 3


async def test_pages_whose_url_holds_a_code_send_no_referrer(client: Client, make_event: MakeEvent) -> None:
    kari = await registered(client, make_event)
    ticket, manage = path_of(kari["ticket_url"]), path_of(kari["manage_url"])

    answers = [await client.get(path, headers=HTML) for path in (ticket, manage, f"{manage}?welcome=1")]
    image = await client.get(f"{ticket}.png")

    assert [a.status_code for a in (*answers, image)] == [200, 200, 200, 200]
    assert [security_of(a) for a in answers] == [expected(PAGE_CSP, "no-referrer")] * 3
    assert security_of(image) == expected(STRICT_CSP, "no-referrer")


async def test_a_wrong_code_is_answered_without_referrer_too(client: Client) -> None:
    answers = [await client.get(path, headers=HTML) for path in ("/r/M1NOSUCHCODE", "/nominations/nope")]

    assert [a.status_code for a in answers] == [404, 404]
    assert [security_of(a) for a in answers] == [expected(PAGE_CSP, "no-referrer")] * 2


async def test_only_the_door_page_may_use_the_camera(client: Client) -> None:
    door = await client.get("/door", headers=HTML)
    worker = await client.get("/door-sw.js")

    assert (door.status_code, worker.status_code) == (200, 200)
    assert security_of(door) == expected(PAGE_CSP, "no-referrer", CAMERA)
    assert security_of(worker) == expected(
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'", "no-referrer"
    )


async def test_console_pages_and_redirects_get_the_headers(client: Client) -> None:
    redirect = await client.get("/console", headers=HTML, follow_redirects=False)
    sign_in = await client.get("/console/sign-in", headers=HTML)
    password = await client.get("/console/password/not-a-code", headers=HTML)

    assert (redirect.status_code, sign_in.status_code, password.status_code) == (303, 200, 404)
    assert security_of(redirect) == expected(STRICT_CSP)
    assert security_of(sign_in) == expected(PAGE_CSP)
    assert security_of(password) == expected(PAGE_CSP, "no-referrer")


async def test_api_answers_and_errors_get_the_strict_policy(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    event = await client.get("/api/v1/events/kk")
    missing = await client.get("/api/v1/events/nope")
    no_route = await client.get("/api/v1/nothing-here")
    wrong_method = await client.put("/healthz")
    slack = await client.post("/slack/commands", content=b"text=x")

    assert [r.status_code for r in (event, missing, no_route, wrong_method, slack)] == [200, 404, 404, 405, 401]
    assert [security_of(r) for r in (event, missing, no_route, wrong_method, slack)] == [expected(STRICT_CSP)] * 5


async def test_html_404_and_static_files_get_the_headers(client: Client) -> None:
    missing = await client.get("/no/such/page", headers=HTML)
    stylesheet = await client.get("/static/site.css")
    script = await client.get("/static/console.js")

    assert (missing.status_code, stylesheet.status_code, script.status_code) == (404, 200, 200)
    assert security_of(missing) == expected(PAGE_CSP)
    assert security_of(stylesheet) == expected(STRICT_CSP)
    assert security_of(script) == expected(
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


async def test_the_api_docs_run_in_a_sandbox(client: Client) -> None:
    docs = await client.get("/schema/swagger")

    policy = docs.headers["content-security-policy"]
    assert docs.status_code == 200
    assert (policy.split("; ")[0], policy.endswith("frame-ancestors 'none'")) == (
        "sandbox allow-scripts allow-popups",
        True,
    )


async def test_a_scan_has_the_same_headers_by_the_fast_lane_and_by_the_route(
    client: Client, make_event: MakeEvent, organiser_token: str, settings: Settings
) -> None:
    kari = await registered(client, make_event)
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Inngang"}, headers=auth(organiser_token))
    ).json()
    pairing = door["pairing_url"].split("#pair=")[1]
    token = (await client.post("/api/v1/doors/pair", json={"code": pairing})).json()["token"]
    headers = {**auth(token), "content-type": "application/json", "x-request-id": "door-7"}

    by_lane = await client.post(
        "/api/v1/checkins", content=msgspec.json.encode({"code": code_of(kari), "nonce": "a"}), headers=headers
    )
    by_route = await client.post("/api/v1/checkins", content=b'{"code": ', headers=headers)

    assert (by_lane.status_code, by_lane.json()["result"]) == (200, "admitted")
    assert (by_route.status_code, by_route.headers["content-type"]) == (400, "application/problem+json")
    assert security_of(by_lane) == security_of(by_route) == expected(STRICT_CSP)
    assert by_lane.headers["x-request-id"] == by_route.headers["x-request-id"] == "door-7"


async def test_https_adds_strict_transport_security(settings: Settings, clock: Clock) -> None:
    app = create_app(msgspec.structs.replace(settings, base_url="https://moteplass.example"), clock=clock)

    async with AsyncTestClient(app=app, base_url="https://moteplass.example") as client:
        page = await client.get("/console/sign-in", headers=HTML)
        api = await client.get("/healthz")

    assert (page.status_code, api.status_code) == (200, 200)
    assert (
        page.headers["strict-transport-security"]
        == api.headers["strict-transport-security"]
        == ("max-age=31536000; includeSubDomains")
    )


@pytest.mark.parametrize(
    ("path", "own"),
    [
        ("//evil.example/x", "/evil.example/x"),
        ("///evil.example/x", "/evil.example/x"),
        ("/%5Cevil.example/x", "/%5Cevil.example/x"),
        ("/%09/evil.example/x", "/%09/evil.example/x"),
    ],
)
async def test_language_links_stay_on_our_origin(client: Client, path: str, own: str) -> None:
    response = await client.get(f"http://testserver.local{path}", headers=HTML)

    switch = set(re.findall(r'href="([^"]*)" hreflang', response.text))
    assert response.status_code == 404
    assert switch == {f"{own}?lang=nb", f"{own}?lang=nn", f"{own}?lang=en"}


OFF_SITE = [
    "//evil.example/console",
    "/\\evil.example/console",
    "\\\\evil.example/console",
    "/console\r\nLocation: https://evil.example/",
    "https://evil.example/console",
    "javascript:alert(1)//console",
    " //evil.example/console",
]


@pytest.mark.parametrize("target", OFF_SITE)
async def test_sign_in_next_never_leads_off_site(client: Client, conn: asyncpg.Connection, target: str) -> None:
    user = await add_console_user(conn, "kari@bergen.kommune.no", "organiser")
    form = await client.get("/console/sign-in", headers=HTML)

    signed_in = await client.post(
        "/console/sign-in",
        data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    again = await client.get("/console/sign-in", params={"next": target}, headers=HTML, follow_redirects=False)

    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/console")
    assert (again.status_code, again.headers["location"]) == (303, "/console")
