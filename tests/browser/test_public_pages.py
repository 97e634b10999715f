"""The public pages in a real browser: WCAG 2.1 AA by axe-core, on a phone and a desktop, in bokmål and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import LiveServer, in_days

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
WCAG_21_AA = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"
PAGES = {
    "list": "/",
    "event": "/events/kk-konferansen",
    "full-workshop": "/events/alrek-intro",
    "not-found": "/events/no-such-event",
    "registration-form": "/events/kk-konferansen/register",
}


@pytest.fixture(scope="module")
def events(live_server: LiveServer) -> None:
    live_server.create_event(
        slug="kk-konferansen",
        kind="conference",
        capacity=300,
        status="published",
        title={
            "nb": "Kunnskapskommunekonferansen",
            "nn": "Kunnskapskommunekonferansen",
            "en": "The Knowledge Municipality Conference",
        },
        description={
            "nb": "Plenum, parallelle sesjoner og utdeling av forsknings- og innovasjonsprisen.",
            "en": "Plenary and parallel sessions, and the research and innovation prize.",
        },
        venue="Alrek helseklynge",
        address="Årstadveien 17, 5009 Bergen",
        organiser_name="Kunnskapskommunen Helse Omsorg Vest",
        starts_at=in_days(60, 9),
        ends_at=in_days(60, 16),
        registration_opens_at=in_days(-1, 9),
        registration_closes_at=in_days(50, 23),
    )
    live_server.create_event(
        slug="alrek-intro",
        kind="workshop",
        capacity=0,
        status="published",
        title={"nb": "INTRO: designtenkning i helse"},
        venue="Alrek helseklynge",
        starts_at=in_days(30, 9),
        ends_at=in_days(30, 15),
    )
    live_server.create_event(
        slug="alrek-intro-september",
        kind="workshop",
        capacity=25,
        status="published",
        title={"nb": "INTRO: september", "en": "INTRO: September"},
        venue="Alrek helseklynge",
        starts_at=in_days(120, 9),
        ends_at=in_days(120, 15),
        registration_opens_at=in_days(90, 9),
    )


class OpenPage(Protocol):
    def __call__(self, path: str, *, viewport: ViewportSize = ..., language: str = ...) -> Page: ...


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer, events: None) -> Iterator[OpenPage]:
    """Open a path with `?lang=` in a fresh browser context (no cookies) of the given viewport."""
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


def axe_violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    # Evaluated by the browser's debugging protocol, which the page's Content-Security-Policy does not govern
    # (add_script_tag would add an inline script, which it refuses).
    page.evaluate(axe.read_text())
    result: dict[str, Any] = page.evaluate(f"async () => await axe.run(document, {WCAG_21_AA})")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            lines.extend(f"        {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_meets_wcag_21_aa(open_page: OpenPage, axe_source: Path, name: str, viewport: str, language: str) -> None:
    page = open_page(PAGES[name], viewport=VIEWPORTS[viewport], language=language)

    violations = axe_violations(page, axe_source)

    assert page.locator("html").get_attribute("lang") == language
    assert violations == [], f"{PAGES[name]} ({viewport}, {language}):\n{readable(violations)}"


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_page_does_not_scroll_sideways(open_page: OpenPage, name: str) -> None:
    page = open_page(PAGES[name], viewport=PHONE)

    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")

    assert widths[0] <= widths[1], f"{PAGES[name]} is {widths[0]}px wide on a {widths[1]}px phone"


def test_skip_link_comes_first_and_shows_when_focused(open_page: OpenPage) -> None:
    page = open_page("/", viewport=PHONE, language="nb")

    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const element = document.activeElement;
            const box = element.getBoundingClientRect();
            return [element.textContent.trim(), element.getAttribute('href'), box.width > 10 && box.height > 10];
        }"""
    )
    page.keyboard.press("Enter")

    assert focused == ["Hopp til hovedinnholdet", "#main", True]
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_keyboard_focus_is_visible_on_links(open_page: OpenPage) -> None:
    page = open_page("/", viewport=DESKTOP, language="en")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return [document.activeElement.textContent.trim(), style.outlineStyle, parseFloat(style.outlineWidth)];
        }"""
    )

    assert outline[:2] == ["Møteplass", "solid"]
    assert outline[2] >= 2


def test_language_switch_changes_the_page_and_sticks(open_page: OpenPage, live_server: LiveServer) -> None:
    page = open_page("/events/kk-konferansen", viewport=PHONE, language="nb")

    page.get_by_role("navigation", name="Språk").get_by_role("link", name="English").click()
    switched = (page.locator("html").get_attribute("lang"), page.locator("h1").inner_text())
    page.goto(f"{live_server.url}/")

    assert switched == ("en", "The Knowledge Municipality Conference")
    assert (page.locator("html").get_attribute("lang"), page.locator("h1").inner_text()) == ("en", "Upcoming events")


def test_event_page_links_to_the_registration_form(open_page: OpenPage) -> None:
    page = open_page("/events/kk-konferansen", viewport=PHONE, language="en")

    register = page.get_by_role("link", name="Register")

    assert register.get_attribute("href") == "/events/kk-konferansen/register?lang=en"
    assert register.is_visible()
