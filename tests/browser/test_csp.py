"""The Content-Security-Policy in a real browser: the main pages load and run with no violation reported, neither as
a `securitypolicyviolation` event nor on the console (issue #15 item 4). The door's scanner with its camera under
the policy is tested in test_door.py, the flows through the pages in the other browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_prize_pages import add_juror
from tests.browser.test_public_pages import PHONE

pytestmark = pytest.mark.browser

# Runs before any script of the page (through the debugging protocol, so the policy does not stop it).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass(frozen=True)
class Site:
    manage_url: str
    ticket_url: str
    juror_token: str


@pytest.fixture(scope="module")
def site(live_server: LiveServer) -> Site:
    """An event with a programme, a registration, and a prize call with a juror (before the browser starts)."""
    juror_token = asyncio.run(add_juror(live_server.database_url))
    live_server.create_event(
        slug="csp-dagen", kind="conference", title={"nb": "CSP-dagen", "nn": "CSP-dagen", "en": "CSP day"},
        venue="Alrek helseklynge", starts_at=in_days(20, 9), ends_at=in_days(20, 16), capacity=50,
        status="published", registration_opens_at=in_days(-1, 9), registration_closes_at=in_days(19, 23),
    )  # fmt: skip
    session = live_server.api(
        "POST",
        "/api/v1/events/csp-dagen/sessions",
        json={"kind": "plenary", "title": {"nb": "Opning"}, "starts_at": in_days(20, 9), "ends_at": in_days(20, 10)},
    )
    assert session.status_code == 201, session.text
    registered = live_server.api(
        "POST",
        "/api/v1/events/csp-dagen/registrations",
        json={"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True},
    )
    assert registered.status_code == 201, registered.text
    assert live_server.api("POST", "/api/v1/prizes", json={"slug": "csp-prisen", "name": {"nb": "Prisen"}}).is_success
    call = live_server.api(
        "POST",
        "/api/v1/prizes/csp-prisen/calls",
        json={
            "year": 2031, "opens_at": in_days(-1, 9), "closes_at": in_days(30, 12),
            "scoring_closes_at": in_days(60, 12), "criteria": [{"name": {"nb": "Relevans"}, "weight": 1}],
            "jury": ["ingrid@uib.no"],
        },
    )  # fmt: skip
    assert call.status_code == 201, call.text
    return Site(registered.json()["manage_url"], registered.json()["ticket_url"], juror_token)


@pytest.fixture
def visit(site: Site, browser: Browser) -> Iterator[Callable[..., tuple[Page, list[str]]]]:
    """Open a URL in a fresh context (with a bearer token when given); the page and the violations it reports."""
    contexts: list[BrowserContext] = []

    def open_(url: str, *, token: str | None = None, ready: str = "body") -> tuple[Page, list[str]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        context = browser.new_context(viewport=PHONE, locale="nb-NO", extra_http_headers=headers)
        context.set_default_timeout(10_000)
        context.add_init_script(RECORD_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(url, wait_until="load")
        page.wait_for_selector(ready, state="attached")
        page.wait_for_load_state("networkidle")
        violations: list[str] = page.evaluate("() => window.__violations")
        return page, violations + [text for text in console if "Content Security Policy" in text]

    yield open_
    for context in contexts:
        context.close()


def test_public_pages_run_without_policy_violations(
    visit: Callable[..., tuple[Page, list[str]]], live_server: LiveServer
) -> None:
    paths = [
        "/",
        "/events/csp-dagen",
        "/events/csp-dagen/register",
        "/events/csp-dagen/programme",
        "/prizes/csp-prisen",
    ]

    reported = {path: visit(f"{live_server.url}{path}")[1] for path in paths}

    assert reported == {path: [] for path in paths}


def test_ticket_and_manage_pages_run_without_policy_violations(
    visit: Callable[..., tuple[Page, list[str]]], site: Site
) -> None:
    ticket, ticket_violations = visit(site.ticket_url)
    manage, manage_violations = visit(site.manage_url)

    image_loaded = ticket.evaluate("() => Array.from(document.images).every((image) => image.naturalWidth > 0)")
    assert (ticket_violations, manage_violations, image_loaded) == ([], [], True)
    assert manage.get_by_role("heading", level=1).count() == 1


def test_door_page_pairs_without_policy_violations(
    visit: Callable[..., tuple[Page, list[str]]], live_server: LiveServer
) -> None:
    door = live_server.api("POST", "/api/v1/events/csp-dagen/doors", json={"name": "Inngang"})
    assert door.status_code == 201, door.text

    page, violations = visit(door.json()["pairing_url"], ready="body[data-ready='true']")

    assert violations == []
    assert page.locator("#door-app").is_visible()


def test_console_and_jury_pages_run_without_policy_violations(
    visit: Callable[..., tuple[Page, list[str]]], live_server: LiveServer, site: Site
) -> None:
    console, console_violations = visit(f"{live_server.url}/console", token=live_server.organiser_token)
    events, events_violations = visit(f"{live_server.url}/console/events", token=live_server.organiser_token)
    jury, jury_violations = visit(f"{live_server.url}/jury", token=site.juror_token)
    sign_in, sign_in_violations = visit(f"{live_server.url}/console/sign-in")

    assert (console_violations, events_violations, jury_violations, sign_in_violations) == ([], [], [], [])
    assert [page.url.split("?")[0] for page in (console, events, jury, sign_in)] == [
        f"{live_server.url}/console",
        f"{live_server.url}/console/events",
        f"{live_server.url}/jury",
        f"{live_server.url}/console/sign-in",
    ]


def test_an_inline_script_would_be_reported(
    visit: Callable[..., tuple[Page, list[str]]], live_server: LiveServer
) -> None:
    """The recording works: a script added inline by the page's own code is refused and reported."""
    page, _ = visit(f"{live_server.url}/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_function("() => window.__violations.length > 0")

    assert page.evaluate("() => [window.ran, window.__violations[0].split(' ')[0]]") == [None, "script-src-elem"]
