"""What people see first (issue 22 items 8, 9 and 10), on a phone (390 px) and a desktop (1440 px), in bokmål,
nynorsk and English, each page checked with axe-core and saved as a screenshot: the workshop sign-up form with each
perspective's description, the manage page where a participant changes their ranking (a refusal first), the
console's programme editor by day and room with a danger-coloured cancel button, the groups page with rankings,
the dashboard as a table that fits at 1440 px and as cards on a phone, and the public programme's content as wide
as its header and footer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from tests.browser.conftest import LiveServer, in_days, screenshot
from tests.browser.test_console import ORGANISER, assert_accessible, link_code, sign_in_by_keyboard  # noqa: F401
from tests.browser.test_public_pages import PHONE

pytestmark = pytest.mark.browser

WIDE: ViewportSize = {"width": 1440, "height": 900}
VIEWPORTS = {"phone": PHONE, "wide": WIDE}
LANGUAGES = ["nb", "nn", "en"]
WORKSHOP = "se-forst-verksted"
CONFERENCE = "se-forst-konferansen"
GROUPS = (
    ("pasient", {"nb": "Pasient", "nn": "Pasient", "en": "Patient"}, "pasientens", "pasienten sin", "the patient's"),
    ("ansatt", {"nb": "Ansatt", "nn": "Tilsett", "en": "Employee"}, "de ansattes", "dei tilsette sine", "staff's"),
)


@pytest.fixture(scope="module")
def world(live_server: LiveServer, link_code: str) -> dict[str, Any]:
    """A workshop with two described perspectives, and a two-day conference with sessions in two rooms."""
    live_server.create_event(
        slug=WORKSHOP,
        kind="workshop",
        title={"nb": "Verksted om tjenestedesign", "nn": "Verkstad om tenestedesign", "en": "Service design workshop"},
        starts_at=in_days(30, 9),
        ends_at=in_days(30, 15),
        capacity=20,
        status="published",
    )
    for key, name, nb, nn, en in GROUPS:
        perspective = {
            "nb": f"Se tjenesten fra {nb} side.",
            "nn": f"Sjå tenesta frå {nn} side.",
            "en": f"See the service from {en} side.",
        }
        group = {"key": key, "name": name, "perspective": perspective, "capacity": 10}
        answer = live_server.api("POST", f"/api/v1/events/{WORKSHOP}/groups", json=group)
        assert answer.status_code == 201, answer.text
    live_server.create_event(
        slug=CONFERENCE,
        kind="conference",
        title={"nb": "Se først-konferansen", "en": "The First Look Conference"},
        venue="Alrek helseklynge",
        starts_at=in_days(31, 9),
        ends_at=in_days(32, 16),
        capacity=50,
        status="published",
    )
    for title, day, start, room, kind in (
        ("Åpning", 31, 9, "Aula", "plenary"),
        ("Læring i kommunen", 31, 10, "Aula", "parallel"),
        ("Velferdsteknologi i praksis", 31, 10, "Rom 2", "parallel"),
        ("Lunsj", 31, 12, "", "break"),
        ("Dag to: forskning", 32, 9, "Aula", "plenary"),
    ):
        session: dict[str, Any] = {
            "kind": kind,
            "title": {"nb": title},
            "starts_at": in_days(day, start),
            "ends_at": in_days(day, start + 1),
            "room": room,
        }
        if kind == "parallel":
            session["capacity"] = 20
        answer = live_server.api("POST", f"/api/v1/events/{CONFERENCE}/sessions", json=session)
        assert answer.status_code == 201, answer.text
    return {}


def sign_up(live_server: LiveServer, tag: str, *perspectives: str) -> str:
    """A participant of the workshop with a ranking; returns their manage link's path."""
    body = {"name": f"Åse {tag}", "email": f"ase.{tag}@example.no", "accept_privacy": True}
    answer = live_server.api(
        "POST",
        f"/api/v1/events/{WORKSHOP}/registrations",
        json={**body, "perspectives": list(perspectives)},
        headers={"Authorization": ""},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["manage_url"]).removeprefix(live_server.url)


@pytest.fixture(params=list(VIEWPORTS))
def context(world: dict[str, Any], browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=VIEWPORTS[request.param], locale="nb-NO", reduced_motion="reduce")
    made.set_default_timeout(15_000)
    yield made
    made.close()


def viewport_of(page: Page) -> str:
    size = page.viewport_size
    assert size is not None
    return "phone" if size["width"] == PHONE["width"] else "wide"


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_up_form_describes_each_perspective(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    page = context.new_page()

    page.goto(f"{live_server.url}/workshops/{WORKSHOP}/register?lang={language}")

    items = page.locator(".perspective-list li").all_inner_texts()
    assert (
        items
        == {
            "nb": ["Pasient: Se tjenesten fra pasientens side.", "Ansatt: Se tjenesten fra de ansattes side."],
            "nn": ["Pasient: Sjå tenesta frå pasienten sin side.", "Tilsett: Sjå tenesta frå dei tilsette sine side."],
            "en": ["Patient: See the service from the patient's side.", "Employee: See the service from staff's side."],
        }[language]
    )
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"workshop-signup-perspectives-{language}-{viewport_of(page)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_manage_page_shows_the_ranking_and_changes_it_after_a_refusal(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    page = context.new_page()
    manage = sign_up(live_server, f"{language}{len(context.pages)}{id(context) % 10**6}", "pasient")
    page.goto(f"{live_server.url}{manage}?lang={language}")
    names = {key: name[language] for key, name, *_ in GROUPS}
    assert page.locator("#ranking li").all_inner_texts()[0].startswith(f"{names['pasient']}: ")
    assert_accessible(page, axe_source)
    screenshot(page, f"workshop-manage-ranking-{language}-{viewport_of(page)}")

    page.locator("#rank_1").select_option("ansatt")
    page.locator("#rank_2").select_option("ansatt")
    page.locator("#save-ranking").click()
    page.wait_for_load_state()

    assert page.locator("#error-summary").is_visible()
    assert page.locator("#rank_1").input_value() == "ansatt"
    assert page.locator("#rank_2").input_value() == "ansatt"
    assert_accessible(page, axe_source)
    screenshot(page, f"workshop-manage-ranking-refused-{language}-{viewport_of(page)}")

    page.locator("#rank_2").select_option("pasient")
    page.locator("#save-ranking").click()
    page.wait_for_url("**notice=perspectives**")

    ranked = [text.split(":")[0] for text in page.locator("#ranking li").all_inner_texts()]
    assert ranked == [names["ansatt"], names["pasient"]]
    assert page.locator("#error-summary").count() == 0
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"workshop-manage-ranking-saved-{language}-{viewport_of(page)}")


def signed_in(context: BrowserContext, live_server: LiveServer) -> Page:
    page = context.new_page()
    sign_in_by_keyboard(page, live_server.url, ORGANISER)
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_programme_editor_is_grouped_by_day_and_room_with_a_danger_cancel_button(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    page = signed_in(context, live_server)

    page.goto(f"{live_server.url}/console/events/{CONFERENCE}/programme?lang={language}")

    assert page.locator("section.programme-day h2").count() == 2
    assert page.locator("section.programme-day").first.locator("h3").count() == 3
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", page.locator("td.time").all_inner_texts()[0])
    cancel = page.locator("a.cancel-session").first
    edit = page.locator(".row-actions a.ds-link").first
    assert cancel.get_attribute("data-color") == "danger"
    styles = "e => [getComputedStyle(e).color, getComputedStyle(e).borderTopWidth]"
    cancel_color, cancel_border = cancel.evaluate(styles)
    edit_color, edit_border = edit.evaluate(styles)
    assert (cancel_color != edit_color, cancel_border != "0px", edit_border) == (True, True, "0px")
    edit_box, cancel_box = edit.bounding_box(), cancel.bounding_box()
    assert edit_box is not None
    assert cancel_box is not None
    apart = cancel_box["x"] >= edit_box["x"] + edit_box["width"] + 8 or cancel_box["y"] >= edit_box["y"] + 8
    assert apart
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"console-programme-by-day-{language}-{viewport_of(page)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_groups_page_shows_rankings_before_placement(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    sign_up(live_server, f"groups-{language}-{id(context) % 10**6}", "ansatt", "pasient")
    page = signed_in(context, live_server)

    page.goto(f"{live_server.url}/console/events/{WORKSHOP}/groups?lang={language}")

    rankings = page.locator("td.choice ol.ranking").all_inner_texts()
    assert rankings
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"console-groups-rankings-{language}-{viewport_of(page)}")
    page.goto(f"{live_server.url}/console/events/{WORKSHOP}/registrations?lang={language}")
    assert page.locator("td.perspective").count() >= 1
    assert_accessible(page, axe_source)
    screenshot(page, f"console-registrations-perspective-{language}-{viewport_of(page)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_fits_at_1440_and_is_cards_on_a_phone(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    page = signed_in(context, live_server)

    page.goto(f"{live_server.url}/console?lang={language}")

    if viewport_of(page) == "wide":
        assert page.locator(".dashboard-table").is_visible()
        assert page.locator(".dashboard-cards").is_hidden()
        fits = page.locator(".dashboard-wide").evaluate("e => e.scrollWidth <= e.clientWidth")
        assert fits, "the dashboard's table scrolls sideways at 1440 px"
    else:
        assert page.locator(".dashboard-table").is_hidden()
        cards = page.locator(".dashboard-card")
        assert cards.count() >= 2
        titles = cards.locator("h3").all_inner_texts()
        assert len(titles) == cards.count()
        assert cards.first.locator("dd").count() == 4
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"console-dashboard-{language}-{viewport_of(page)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_programme_is_as_wide_as_its_header_and_footer(
    context: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    page = context.new_page()

    page.goto(f"{live_server.url}/events/{CONFERENCE}/programme?lang={language}")

    edges = page.evaluate(
        """() => ['.site-header .site-width', 'main', '.site-footer .site-width'].map(selector => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return [Math.round(box.left), Math.round(box.right)];
        })"""
    )
    assert edges[0] == edges[1] == edges[2], edges
    assert_accessible(page, axe_source)
    assert no_sideways_scroll(page)
    screenshot(page, f"programme-widths-{language}-{viewport_of(page)}")
