"""The survey in a real browser: the attendee's answer page on a 390 px phone (errors by field, the thank-you),
and the console's survey and results pages, with axe-core (WCAG 2.1 A/AA) in nb, nn and en."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from integrations import qr
from service import db
from service.console import passwords
from service.surveys import domain, queries
from service.surveys.tokens import token_for
from tests.browser.conftest import LiveServer, in_days, screenshot
from tests.browser.test_console import ORGANISER, PASSWORD, assert_accessible
from tests.browser.test_public_pages import DESKTOP, PHONE
from tests.browser.test_reminders_attendance import sign_in
from tests.conftest import SECRET
from tests.surveys.conftest import QUESTIONS

pytestmark = pytest.mark.browser

SLUG = "axe-evaluering"
PEOPLE = 7  # one for the accessibility checks, one who answers in the browser, five answers for the results


async def _send_and_answer(database_url: str, registration_ids: list[UUID]) -> list[str]:
    """The organiser's password; the survey sent as its job would at its due time; five of the seven answer.
    Returns the links' tokens in the order of the registrations."""
    conn = await db.connect(database_url)
    try:
        await passwords.set_password_of(conn, ORGANISER, PASSWORD, now=datetime.now(UTC))
        event_id = await conn.fetchval("SELECT id FROM events WHERE slug = $1", SLUG)
        ends_at = await conn.fetchval("SELECT ends_at FROM events WHERE slug = $1", SLUG)
        survey = await queries.survey_of_event(conn, event_id)
        assert survey is not None
        due = domain.due_at(ends_at, survey.send_after_seconds)
        await domain.fan_out(
            conn, survey.id, event_id, revision=survey.revision, due=int(due.timestamp()), now=due, key=SECRET.encode()
        )
        tokens = [token_for(SECRET.encode(), registration_id) for registration_id in registration_ids]
        questions = await queries.questions(conn, survey.id)
        for n, token in enumerate(tokens[2:]):
            answers = {str(questions[0].id): n + 1, str(questions[1].id): n % 2, str(questions[3].id): f"Svar {n}"}
            await domain.answer(conn, token, answers)
        return tokens
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def tokens(live_server: LiveServer) -> list[str]:
    """An event with seven people checked in and its survey sent (runs before the browser starts)."""
    live_server.create_event(
        slug=SLUG,
        kind="conference",
        title={"nb": "Evalueringskonferansen", "nn": "Evalueringskonferansen", "en": "The Evaluation Conference"},
        venue="Alrek helseklynge",
        starts_at=in_days(20, 9),
        ends_at=in_days(20, 16),
        capacity=10,
        status="published",
    )
    survey = live_server.api("PUT", f"/api/v1/events/{SLUG}/survey", json={"questions": QUESTIONS})
    assert survey.status_code == 200, survey.text
    door = live_server.api("POST", f"/api/v1/events/{SLUG}/doors", json={"name": "Hovudinngang"}).json()
    pairing = door["pairing_url"].split("#pair=")[1]
    token = live_server.api("POST", "/api/v1/doors/pair", json={"code": pairing}, headers={"Authorization": ""}).json()[
        "token"
    ]
    ids = []
    for n in range(PEOPLE):
        answer = live_server.api(
            "POST",
            f"/api/v1/events/{SLUG}/registrations",
            json={"name": f"Deltakar {n}", "email": f"d{n}@example.no", "accept_privacy": True},
            headers={"Authorization": ""},
        )
        assert answer.status_code == 201, answer.text
        registration_id = UUID(answer.json()["id"])
        ids.append(registration_id)
        code = qr.sign(SECRET.encode(), "ticket", registration_id, 1)
        scan = live_server.api(
            "POST",
            "/api/v1/checkins",
            json={"code": code, "nonce": f"n{n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert scan.json()["result"] == "admitted", scan.text
    return asyncio.run(_send_and_answer(live_server.database_url, ids))


@pytest.fixture
def phone(tokens: list[str], browser: Browser) -> Iterator[BrowserContext]:
    """After the tokens fixture: its set-up runs asyncio, which cannot run while the browser is open."""
    context = browser.new_context(viewport=PHONE, locale="nb-NO", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def desk(tokens: list[str], browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_answer_page_meets_wcag_21_aa_on_a_phone_with_and_without_errors(
    phone: BrowserContext, live_server: LiveServer, axe_source: Path, tokens: list[str], language: str
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{tokens[0]}?lang={language}")

    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, axe_source)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    page.get_by_role("button").last.click()  # nothing answered
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page, axe_source)


def test_attendee_answers_on_a_phone_and_sees_the_thank_you(
    phone: BrowserContext, live_server: LiveServer, tokens: list[str]
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{tokens[1]}?lang=nn")

    expect(page.locator("h1")).to_have_text("Kva syntest du om Evalueringskonferansen?")
    expect(page.locator("legend").first).to_have_text("Kor nyttig var dagen?")
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Praksis").check()
    page.get_by_label("Brukermedvirkning").check()
    screenshot(page, "survey-answer-nn-phone")
    page.get_by_role("button", name="Send svara mine").click()

    expect(page.locator(".ds-alert")).to_have_text("Takk! Svara dine er lagra, utan namnet ditt.")
    page.goto(f"{live_server.url}/s/{tokens[1]}?lang=en")
    expect(page.locator(".ds-alert")).to_contain_text("already been answered")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_console_survey_pages_meet_wcag_21_aa(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, language: str
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    for path in (f"/console/events/{SLUG}/survey", f"/console/events/{SLUG}/survey/results"):
        page.goto(f"{live_server.url}{path}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language, path
        assert_accessible(page, axe_source)
    page.goto(f"{live_server.url}/console/events/{SLUG}/survey?lang={language}")
    page.locator("#label_nb").fill("")
    page.locator("form.form-stack").last.locator("button[type=submit]").click()
    expect(page.locator("#label_nb")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source)
    screenshot(page, f"survey-builder-error-{language}-desktop")


def test_results_show_a_chart_and_its_table_per_question(
    desk: BrowserContext, live_server: LiveServer, tokens: list[str]
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{SLUG}/survey/results?lang=en")

    expect(page.get_by_role("img", name="How useful was the day?")).to_be_visible()
    # The choice question and the texts are answered by the five only (the browser's answer leaves them out).
    expect(page.locator("#chart-1-all-caption + thead + tbody th")).to_have_text(
        ["Welfare technology", "Tjenesteinnovasjon"]
    )
    expect(page.locator("#chart-1-all-caption + thead + tbody td")).to_have_text(["3", "2"])
    expect(page.locator(".survey-question").first).to_contain_text("Mean ")
    expect(page.locator(".survey-texts li")).to_have_count(5)
    screenshot(page, "survey-results-en-desktop")
