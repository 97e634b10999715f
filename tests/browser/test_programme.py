"""The programme in a real browser: a grid on desktop and a list on phones, session choice on the form and
the manage page, add-to-calendar links; axe-core (WCAG 2.1 AA) in bokmål, nynorsk and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import DESKTOP, PHONE, axe_violations, readable

pytestmark = pytest.mark.browser
LANGUAGES = ["nb", "nn", "en"]


def session(live_server: LiveServer, title: dict[str, str], start: int, end: int, **extra: Any) -> dict[str, Any]:
    response = live_server.api(
        "POST",
        "/api/v1/events/kk-programme/sessions",
        json={
            "title": title,
            "starts_at": in_days(60, start),
            "ends_at": in_days(60, end),
            "kind": "parallel",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def programme(live_server: LiveServer) -> dict[str, Any]:
    live_server.create_event(
        slug="kk-programme",
        kind="conference",
        capacity=300,
        status="published",
        title={"nb": "Kunnskapskommunekonferansen", "nn": "Kunnskapskommunekonferansen", "en": "The KK Conference"},
        venue="Alrek helseklynge",
        starts_at=in_days(60, 9),
        ends_at=in_days(60, 16),
        registration_opens_at=in_days(-1, 9),
        registration_closes_at=in_days(50, 23),
    )
    speaker = {
        "name": "Kari Nordmann",
        "organisation": "Høgskulen på Vestlandet",
        "bio": "Forskar på brukarmedverknad.",
    }
    return {
        "opening": session(
            live_server,
            {"nb": "Åpning og velkommen", "nn": "Opning og velkomen", "en": "Opening and welcome"},
            9,
            10,
            kind="plenary",
            room="Auditoriet",
            abstract={"nb": "Vi åpner konferansen.", "en": "We open the conference."},
            speakers=[speaker],
        ),
        "a": session(live_server, {"nb": "Velferdsteknologi"}, 10, 11, room="Rom 1", track="A", capacity=40),
        "b": session(live_server, {"nb": "Pårørende som ressurs"}, 10, 11, room="Rom 2", track="B"),
        "lunch": session(live_server, {"nb": "Lunsj", "en": "Lunch"}, 11, 12, kind="break"),
        "dinner": session(live_server, {"nb": "Konferansemiddag"}, 13, 14, kind="social", room="Kantina"),
    }


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer, programme: dict[str, Any]) -> Iterator[Any]:
    contexts = []

    def open_(path: str, *, viewport: ViewportSize = PHONE, language: str = "nb") -> Page:
        context = browser.new_context(viewport=viewport, locale="nb-NO", reduced_motion="reduce")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        separator = "&" if "?" in path else "?"
        page.goto(f"{live_server.url}{path}{separator}lang={language}", wait_until="load")
        return page

    yield open_
    for context in contexts:
        context.close()


def register(live_server: LiveServer, n: int, sessions: list[str]) -> dict[str, Any]:
    response = live_server.api(
        "POST",
        "/api/v1/events/kk-programme/registrations",
        json={"name": f"Deltakar {n}", "email": f"prog{n}@example.no", "accept_privacy": True, "sessions": sessions},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("which", ["programme", "form", "manage", "ticket"])
def test_programme_pages_meet_wcag_21_aa(
    open_page: Any,
    live_server: LiveServer,
    programme: dict[str, Any],
    axe_source: Path,
    which: str,
    viewport: str,
    language: str,
) -> None:
    paths = {"programme": "/events/kk-programme/programme", "form": "/events/kk-programme/register"}
    if which in ("manage", "ticket"):
        created = register(live_server, hash((which, viewport, language)) % 10**8, [programme["a"]["id"]])
        paths[which] = (created["manage_url"] if which == "manage" else created["ticket_url"]).removeprefix(
            live_server.url
        )
    page = open_page(paths[which], viewport=DESKTOP if viewport == "desktop" else PHONE, language=language)

    violations = axe_violations(page, axe_source)

    assert page.locator("html").get_attribute("lang") == language
    assert violations == [], f"{which} ({viewport}, {language}):\n{readable(violations)}"
    width = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert width, f"{which} scrolls sideways on {viewport}"


def test_parallel_sessions_sit_side_by_side_on_desktop_and_stack_on_phones(
    open_page: Any, programme: dict[str, Any]
) -> None:
    boxes = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page("/events/kk-programme/programme", viewport=viewport)
        a = page.locator(f"#session-{programme['a']['id']}").bounding_box()
        b = page.locator(f"#session-{programme['b']['id']}").bounding_box()
        boxes[name] = (a, b)

    desktop_a, desktop_b = boxes["desktop"]
    phone_a, phone_b = boxes["phone"]
    assert desktop_a["y"] == desktop_b["y"]
    assert desktop_b["x"] > desktop_a["x"]
    assert phone_b["y"] > phone_a["y"]
    assert phone_a["x"] == phone_b["x"]


def test_programme_page_shows_times_rooms_and_calendar_links(open_page: Any, programme: dict[str, Any]) -> None:
    page = open_page("/events/kk-programme/programme", viewport=DESKTOP, language="nn")

    opening = page.locator(f"#session-{programme['opening']['id']}")
    links = page.get_by_role("region", name="Legg til i kalender").get_by_role("link")

    assert opening.get_by_role("heading").inner_text() == "Opning og velkomen"
    assert "Rom: Auditoriet" in opening.inner_text()
    assert "Kari Nordmann, Høgskulen på Vestlandet" in opening.inner_text()
    assert [link.get_attribute("href").split(":")[0] for link in links.all()] == ["webcal", "http", "https", "https"]


def test_registering_with_a_session_from_the_form_shows_it_on_the_manage_page(
    open_page: Any, programme: dict[str, Any]
) -> None:
    page = open_page("/events/kk-programme/register", viewport=PHONE, language="nb")
    page.get_by_label("Navn").fill("Ola Nordmann")
    page.get_by_label("E-post").fill("ola.programme@example.no")
    page.get_by_label("Pårørende som ressurs").check()
    page.get_by_label("Konferansemiddag").check()
    page.get_by_label("Jeg har lest hvordan opplysningene mine brukes").check()

    page.get_by_role("button", name="Meld deg på").click()

    chosen = page.locator("#chosen-sessions li")
    assert chosen.count() == 2
    assert "Pårørende som ressurs" in chosen.nth(0).inner_text()
    assert "du har plass" in chosen.nth(0).inner_text()
    assert "Konferansemiddag" in chosen.nth(1).inner_text()


def test_manage_page_changes_the_choice(open_page: Any, live_server: LiveServer, programme: dict[str, Any]) -> None:
    created = register(live_server, 424242, [programme["a"]["id"]])
    page = open_page(created["manage_url"].removeprefix(live_server.url), viewport=PHONE, language="en")

    page.get_by_label("Pårørende som ressurs").check()
    page.get_by_role("button", name="Save my sessions").click()

    assert page.get_by_role("status").inner_text() == "Your choice of sessions is saved."
    assert "Pårørende som ressurs" in page.locator("#chosen-sessions").inner_text()
    assert "Velferdsteknologi" not in page.locator("#chosen-sessions").inner_text()
