"""What every page load brings along (issue 22 item 10): no request answered 4xx (the favicon was a 404 on every
page), Inter served from our own origin and used, no sideways scroll; a screenshot of each page in each language
on a phone and a desktop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import LiveServer, in_days, screenshot
from tests.browser.test_public_pages import PHONE

pytestmark = pytest.mark.browser

WIDE: ViewportSize = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    live_server.create_event(
        slug="kunnskapskommunekonferansen-2027",
        kind="conference",
        title={"nb": "Kunnskapskommunekonferansen 2027", "en": "The Knowledge Municipality Conference 2027"},
        description={"nb": "Forskning og innovasjon i helse- og omsorgstjenestene. " * 8},
        venue="Alrek helseklynge",
        starts_at=in_days(60, 9),
        ends_at=in_days(60, 16),
        capacity=50,
        status="published",
    )
    return "kunnskapskommunekonferansen-2027"


@pytest.fixture(params=["phone", "wide"])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[str, Page]]:
    context = browser.new_context(viewport=PHONE if request.param == "phone" else WIDE, locale="nb-NO")
    context.set_default_timeout(10_000)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("path", ["/", "/events/{event}", "/events/{event}/register"])
def test_page_loads_everything_from_our_origin_without_sideways_scroll(
    page: tuple[str, Page], live_server: LiveServer, event: str, language: str, path: str
) -> None:
    viewport, tab = page
    failed: list[tuple[int, str]] = []
    tab.on(
        "response", lambda response: failed.append((response.status, response.url)) if response.status >= 400 else None
    )

    tab.goto(f"{live_server.url}{path.format(event=event)}?lang={language}")
    tab.wait_for_load_state("networkidle")
    tab.evaluate("document.fonts.ready")

    icon = tab.evaluate("document.querySelector('link[rel=icon]').href")
    assert failed == []
    assert icon == f"{live_server.url}/static/favicon.svg"
    assert tab.request.get(icon).headers["content-type"].startswith("image/svg+xml")
    assert tab.evaluate("document.fonts.check('16px Inter')") is True
    assert tab.evaluate("[...document.fonts].some(f => f.family === 'Inter' && f.status === 'loaded')") is True
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    name = path.format(event="event").strip("/").replace("/", "-") or "home"
    screenshot(tab, f"{name}-{language}-{viewport}")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_event_page_puts_the_register_button_before_the_long_text(
    page: tuple[str, Page], live_server: LiveServer, event: str, language: str
) -> None:
    _viewport, tab = page

    tab.goto(f"{live_server.url}/events/{event}?lang={language}")

    button_top = tab.locator("#register").bounding_box()
    text_top = tab.locator(".event-description").first.bounding_box()
    assert button_top is not None
    assert text_top is not None
    assert button_top["y"] < text_top["y"]
    assert tab.evaluate("getComputedStyle(document.querySelector('h1')).hyphens") == "auto"
