"""The organiser console in a real browser: the issue's whole flow (sign in by keyboard, create an event
in three languages, add two sessions, publish, see a public registration appear, export CSV and read it with csv, cancel
and see the waiting list move), and axe-core (WCAG 2.1 A/AA) on every console page in nb, nn and en.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from service import db
from service.accounts.domain import add_user
from service.console import passwords
from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import DESKTOP, axe_violations, readable
from tests.conftest import SECRET

pytestmark = pytest.mark.browser

PASSWORD = "riktig hest batteri stift"
ORGANISER = "kari@bergen.kommune.no"
ADMIN = "admin@bergen.kommune.no"


async def _prepare(database_url: str) -> str:
    """Passwords for Kari (organiser) and an admin; a reset link of Kari's for the password page."""
    conn = await db.connect(database_url)
    try:
        await add_user(conn, email=ADMIN, role="admin")
        now = datetime.now(UTC)
        for email in (ORGANISER, ADMIN):
            await passwords.set_password_of(conn, email, PASSWORD, now=now)
        user_id = await conn.fetchval("SELECT id FROM users WHERE email = $1", ORGANISER)
        link_id = await passwords.create_link(conn, user_id, "reset", actor="test", now=now)
        return passwords.link_code(SECRET.encode(), link_id)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def link_code(live_server: LiveServer) -> str:
    """Runs before the browser starts (asyncio.run cannot run inside Playwright's loop)."""
    return asyncio.run(_prepare(live_server.database_url))


@pytest.fixture(scope="module")
def axe_event(live_server: LiveServer, link_code: str) -> str:
    live_server.create_event(
        slug="axe-konferansen",
        kind="conference",
        title={"nb": "Axe-konferansen", "nn": "Axe-konferansen", "en": "The Axe Conference"},
        venue="Alrek helseklynge",
        starts_at=in_days(40, 9),
        ends_at=in_days(40, 16),
        capacity=1,
        status="published",
    )
    live_server.api(
        "POST", "/api/v1/events/axe-konferansen/questions", json={"kind": "yes_no", "label": {"nb": "Parkering?"}}
    )
    session = live_server.api(
        "POST",
        "/api/v1/events/axe-konferansen/sessions",
        json={
            "kind": "parallel",
            "title": {"nb": "Læring i kommunen", "en": "Learning in the municipality"},
            "starts_at": in_days(40, 10),
            "ends_at": in_days(40, 11),
            "room": "Store sal",
            "speakers": [{"name": "Åse Ødegård", "organisation": "Bergen kommune"}],
            "capacity": 20,
        },
    )
    assert session.status_code == 201, session.text
    door = live_server.api("POST", "/api/v1/events/axe-konferansen/doors", json={"name": "Hovudinngang"})
    assert door.status_code == 201, door.text
    _workshop(live_server)
    _prize(live_server)
    for name in ("Åse Ødegård", "Bjørn Æsøy"):
        email = name.split()[0].lower().replace("å", "a").replace("ø", "o") + "@example.no"
        answer = live_server.api(
            "POST",
            "/api/v1/events/axe-konferansen/registrations",
            json={"name": name, "email": email, "accept_privacy": True},
            headers={"Authorization": ""},
        )
        assert answer.status_code == 201, answer.text
    return "axe-konferansen"


def _workshop(live_server: LiveServer) -> None:
    """A workshop with two groups and two participants placed in them, for the groups page."""
    live_server.create_event(
        slug="axe-verksted",
        kind="workshop",
        title={"nb": "Axe-verkstedet", "en": "The Axe Workshop"},
        starts_at=in_days(41, 9),
        ends_at=in_days(41, 15),
        capacity=10,
        status="published",
    )
    for key, name in (("pasient", {"nb": "Pasient", "en": "Patient"}), ("ansatt", {"nb": "Ansatt"})):
        group = {"key": key, "name": name, "capacity": 5}
        assert live_server.api("POST", "/api/v1/events/axe-verksted/groups", json=group).status_code == 201
    for person, email in (("Åse Ødegård", "ase.verksted@example.no"), ("Bjørn Æsøy", "bjorn.verksted@example.no")):
        answer = live_server.api(
            "POST",
            "/api/v1/events/axe-verksted/registrations",
            json={"name": person, "email": email, "accept_privacy": True, "perspectives": ["pasient"]},
            headers={"Authorization": ""},
        )
        assert answer.status_code == 201, answer.text
    assert live_server.api("POST", "/api/v1/events/axe-verksted/groups/assign").status_code == 200


def _prize(live_server: LiveServer) -> None:
    """A prize with an open call and one nomination, for the prize pages."""
    prize = {"slug": "axe-prisen", "name": {"nb": "Axe-prisen", "en": "The Axe Prize"}}
    assert live_server.api("POST", "/api/v1/prizes", json=prize).status_code == 201
    call = {
        "year": datetime.now(UTC).year,
        "opens_at": in_days(-1, 9),
        "closes_at": in_days(30, 12),
        "scoring_closes_at": in_days(35, 12),
        "criteria": [{"name": {"nb": "Nyskaping"}, "weight": 2}, {"name": {"nb": "Overføringsverdi"}, "weight": 1}],
    }
    assert live_server.api("POST", "/api/v1/prizes/axe-prisen/calls", json=call).status_code == 201
    nomination = {
        "nominee_kind": "person",
        "nominee_name": "Åse Ødegård",
        "title": "Læring på tvers",
        "justification": "Hun har fått kommunene på Vestlandet til å lære av hverandre, år etter år.",
        "nominator_name": "Bjørn Æsøy",
        "nominator_email": "bjorn.pris@example.no",
    }
    answer = live_server.api(
        "POST", "/api/v1/prizes/axe-prisen/nominations", json=nomination, headers={"Authorization": ""}
    )
    assert answer.status_code == 201, answer.text


def sign_in_by_keyboard(page: Page, url: str, email: str) -> None:
    """Tab through the page as a keyboard user: skip link first, then the form, Enter to send."""
    page.goto(f"{url}/console/sign-in")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/console")


@pytest.fixture
def desk(link_code: str, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", accept_downloads=True, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def assert_accessible(page: Page, axe: Path) -> None:
    violations = axe_violations(page, axe)
    assert violations == [], f"{page.url}:\n{readable(violations)}"


def local(days: int, hour: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def test_run_an_event_from_the_console(desk: BrowserContext, live_server: LiveServer, axe_source: Path) -> None:
    page = desk.new_page()
    page.goto(f"{live_server.url}/console")
    page.wait_for_url("**/console/sign-in?next=*")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    sign_in_by_keyboard(page, live_server.url, ORGANISER)
    assert page.locator("h1").inner_text() == "Oversikt"

    page.get_by_role("link", name="Lag et arrangement").first.click()
    page.get_by_label("Nettadresse").fill("flyt-console")
    page.get_by_label("Konferanse").check()
    page.locator("#title_nb").fill("Helsedagen på Årstad")
    page.locator("#title_nn").fill("Helsedagen på Årstad (nynorsk)")
    page.locator("#title_en").fill("Health Day at Årstad")
    page.locator("#starts_at").fill(local(50, 9))
    page.locator("#ends_at").fill(local(50, 15))
    page.get_by_label("Antall plasser").fill("1")
    page.get_by_role("button", name="Lag arrangementet").click()
    page.wait_for_url("**/console/events/flyt-console?notice=created")
    assert page.locator("h1").inner_text() == "Helsedagen på Årstad"
    tabs = page.get_by_role("navigation", name="Dette arrangementet")
    tabs.get_by_role("link", name="Program", exact=True).click()
    for title, start, end in (("Åpning i Store sal", 9, 10), ("Læring i kommunen", 10, 11)):
        page.get_by_role("link", name="Legg til en sesjon").click()
        page.get_by_label("Plenum").check()
        page.locator("#title_nb").fill(title)
        page.locator("#starts_at").fill(local(50, start))
        page.locator("#ends_at").fill(local(50, end))
        page.get_by_label("Rom", exact=True).fill("Store sal")
        page.get_by_role("button", name="Legg til sesjonen").click()
        # A plenary is in every attendee's calendar: the console says how many get an invite first.
        assert page.locator("h1").inner_text() == "Sende kalenderinvitasjoner?"
        assert page.locator("#affected").inner_text().endswith(": 0 personer får en invitasjon på e-post.")
        assert axe_violations(page, axe_source) == []
        page.get_by_role("button", name="Legg til og send invitasjonene").click()
        page.wait_for_url("**/programme?notice=added&calendar=*")
    assert page.locator("th.session-title").all_inner_texts() == ["Åpning i Store sal", "Læring i kommunen"]
    tabs.get_by_role("link", name="Arrangement", exact=True).click()

    page.get_by_role("button", name="Publiser").click()
    page.wait_for_url("**notice=publish")
    assert "Arrangementet er publisert." in page.inner_text("main")

    public = desk.new_page()
    for name, email in (("Åse Ødegård", "ase.flyt@example.no"), ("Øystein Æsøy", "oystein.flyt@example.no")):
        public.goto(f"{live_server.url}/events/flyt-console/register?lang=nb")
        public.get_by_label("Navn", exact=False).first.fill(name)
        public.get_by_label("E-post", exact=False).first.fill(email)
        public.get_by_label("Jeg har lest", exact=False).check()
        public.get_by_role("button", name="Meld deg på").click()
        public.wait_for_url("**/r/M1*")
    public.close()

    page.get_by_role("navigation", name="Dette arrangementet").get_by_role("link", name="Påmeldinger").click()
    page.wait_for_url("**/console/events/flyt-console/registrations")
    assert page.locator("tbody th").all_inner_texts() == ["Åse Ødegård", "Øystein Æsøy"]
    assert page.locator("tbody td:nth-child(5)").all_inner_texts() == ["Bekreftet", "Venteliste, plass 1"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som CSV").click()
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[:4] for row in rows] == [
        ["Status", "Plass på ventelisten", "Navn", "E-post"],
        ["Bekreftet", "", "Åse Ødegård", "ase.flyt@example.no"],
        ["På venteliste", "1", "Øystein Æsøy", "oystein.flyt@example.no"],
    ]

    page.get_by_role("link", name="Åse Ødegård").click()
    page.get_by_role("button", name="Meld av").click()
    page.wait_for_url("**notice=cancelled")
    page.get_by_role("link", name="Alle påmeldinger").click()
    assert page.locator("tbody td:nth-child(5)").all_inner_texts() == ["Avmeldt", "Bekreftet"]

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/console/sign-in?notice=signed_out")
    page.goto(f"{live_server.url}/console/events")
    assert "/console/sign-in?next=" in page.url


def _pages(event: str, registration: str, session: str, door: str) -> dict[str, str]:
    return {
        "dashboard": "/console",
        "events": "/console/events",
        "new-event": "/console/new-event",
        "event": f"/console/events/{event}",
        "cancel-warning": f"/console/events/{event}/cancel",
        "questions": f"/console/events/{event}/questions",
        "registrations": f"/console/events/{event}/registrations",
        "registration": f"/console/registrations/{registration}",
        "person-new": f"/console/events/{event}/people/new",
        "person-erase": f"/console/registrations/{registration}/erase",
        "audit": f"/console/events/{event}/audit",
        "report": f"/console/events/{event}/report",
        "programme": f"/console/events/{event}/programme",
        "session-new": f"/console/events/{event}/programme/new",
        "session-edit": f"/console/events/{event}/programme/{session}",
        "session-cancel": f"/console/events/{event}/programme/{session}/cancel",
        "doors": f"/console/events/{event}/doors",
        "door-pairing": f"/console/events/{event}/doors/{door}",
        "announcements": f"/console/events/{event}/announcements",
        "slack-channel": f"/console/events/{event}/announcements/slack-channel",
        "survey": f"/console/events/{event}/survey",
        "survey-results": f"/console/events/{event}/survey/results",
        "groups": "/console/events/axe-verksted/groups",
        "group-edit": "/console/events/axe-verksted/groups/edit/pasient",
        "groups-not-a-workshop": f"/console/events/{event}/groups",
        "prizes": "/console/prizes",
        "prize": "/console/prizes/axe-prisen",
        "users": "/console/users",
        "people": "/console/people",
        "privacy-notice": "/console/privacy-notice",
        "not-found": "/console/events/no-such-event",
    }


SIGNED_OUT = {
    "sign-in": "/console/sign-in",
    "forgot": "/console/password/forgot",
    "password": "/console/password/{code}",
}


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_console_page_meets_wcag_21_aa(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, axe_event: str, link_code: str, language: str
) -> None:
    page = desk.new_page()
    for name, path in SIGNED_OUT.items():
        page.goto(f"{live_server.url}{path.format(code=link_code)}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language, name
        assert_accessible(page, axe_source)
    sign_in_by_keyboard(page, live_server.url, ADMIN)
    registrations = live_server.api("GET", f"/api/v1/events/{axe_event}/registrations").json()["items"]
    session = live_server.api("GET", f"/api/v1/events/{axe_event}/sessions").json()[0]["id"]
    door = live_server.api("GET", f"/api/v1/events/{axe_event}/doors").json()[0]["id"]
    pages = _pages(axe_event, registrations[-1]["id"], session, door)
    prize = live_server.api("GET", "/api/v1/prizes/axe-prisen").json()
    pages["call"] = f"/console/calls/{prize['current_call']['id']}"
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language, name
        assert_accessible(page, axe_source)
    # Pages reached by sending a form: an announcement's preview, the confirmation of a calendar change.
    page.goto(f"{live_server.url}{pages['announcements']}?lang={language}")
    page.locator("#subject_nb").fill("Velkommen")
    page.locator("#body_nb").fill("Vi gleder oss.")
    page.locator("form.form-stack button[type=submit]").click()
    page.wait_for_url("**/announcements/*")
    assert_accessible(page, axe_source)
    page.goto(f"{live_server.url}{pages['session-edit']}?lang={language}")
    page.locator("#room").fill(f"Rom {language}")
    page.locator("form.form-stack button[type=submit]").click()
    assert page.locator("#affected").count() == 1
    assert_accessible(page, axe_source)
    # A person's records across all events (the erase form below them, with its confirmation box unticked).
    page.goto(f"{live_server.url}/console/people?lang={language}")
    page.locator("#email").fill(registrations[-1]["email"])
    page.locator("form.people-search button[type=submit]").click()
    assert page.locator("#confirm").count() == 1
    assert_accessible(page, axe_source)


def test_form_errors_are_accessible_and_focusable(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path
) -> None:
    page = desk.new_page()
    sign_in_by_keyboard(page, live_server.url, ORGANISER)
    page.goto(f"{live_server.url}/console/new-event?lang=en")

    page.get_by_role("button", name="Create the event").click()

    summary = page.locator("#error-summary")
    assert "Please correct the following" in summary.inner_text()
    assert page.locator("#slug").get_attribute("aria-invalid") == "true"
    assert_accessible(page, axe_source)
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "slug"
