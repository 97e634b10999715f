"""The privacy notice's texts, written by administrators in the console: stored per language and part, shown on
/personvern as written (addresses as links, markup as text), the standard text where nothing is written, audited;
too long a text is refused with the form shown again; organisers who are not administrators may not."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import pytest

from tests.conftest import Client
from tests.console.conftest import HTML, add_console_user, csrf_of, organiser, sign_in

__all__ = ["organiser"]

PURPOSES = (
    "Namnet ditt og e-postadressa di, for å gje deg plass.\n\nSpørsmål? Skriv til personvern@example.no <b>no</b>"
)


@pytest.fixture
async def admin(client: Client, conn: asyncpg.Connection) -> Client:
    await add_console_user(conn, "admin@bergen.kommune.no", "admin", name="Ada Admin")
    assert (await sign_in(client, "admin@bergen.kommune.no")).status_code == 303
    return client


async def form_of(client: Client, language: str) -> dict[str, str]:
    """The form's fields as the page prefills them (textareas and hidden inputs)."""
    page = await client.get(f"/console/privacy-notice?edit={language}&lang=en", headers=HTML)
    assert page.status_code == 200, page.text
    fields = {
        name: value
        for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>(.*?)</textarea>', page.text, re.S)
    }
    unescaped = {
        name: value.replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        for name, value in fields.items()
    }
    return {**unescaped, "edit": language, "csrf_token": csrf_of(page.text)}


async def test_written_part_shows_on_the_notice_in_its_language_only_and_is_audited(
    admin: Client, conn: asyncpg.Connection
) -> None:
    form = await form_of(admin, "nn")

    saved = await admin.post("/console/privacy-notice", data={**form, "purposes": PURPOSES}, follow_redirects=False)
    nynorsk = await admin.get("/personvern?lang=nn")
    bokmal = await admin.get("/personvern?lang=nb")

    assert (saved.status_code, saved.headers["location"]) == (303, "/console/privacy-notice?edit=nn&notice=saved")
    assert (
        "<li>Namnet ditt og e-postadressa di, for å gje deg plass.</li><li>Spørsmål? Skriv til "
        '<a class="ds-link" href="mailto:personvern@example.no">personvern@example.no</a> &lt;b&gt;no&lt;/b&gt;</li>'
    ) in nynorsk.text
    assert "Når du melder deg på" not in nynorsk.text.split("Kva vi lagrar og kvifor")[1].split("</ul>")[0]
    assert "Namnet ditt og e-postadressa di" not in bokmal.text
    assert "Når du melder deg på" in bokmal.text
    rows = await conn.fetch("SELECT language, part FROM privacy_notice_texts")
    assert [tuple(row) for row in rows] == [("nn", "purposes")]
    entry = await conn.fetchrow("SELECT actor, event_id, data FROM audit_log WHERE action = 'privacy_notice.changed'")
    assert entry is not None
    assert (entry["actor"], entry["event_id"], entry["data"]) == (
        "user:admin@bergen.kommune.no",
        None,
        {"language": "nn", "parts": ["purposes"]},
    )


async def test_form_starts_with_the_standard_text_and_saving_it_unchanged_stores_nothing(
    admin: Client, conn: asyncpg.Connection
) -> None:
    form = await form_of(admin, "en")

    saved = await admin.post("/console/privacy-notice", data=form, follow_redirects=False)

    assert form["controller"] == "The controller is Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge."
    assert form["rights"].endswith(
        "Complain to the Norwegian Data Protection Authority (Datatilsynet) if you think we process your data "
        "wrongly. https://www.datatilsynet.no/"
    )
    assert saved.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM privacy_notice_texts") == 0
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'privacy_notice.changed'") == 0


async def test_emptying_a_part_returns_it_to_the_standard_text(admin: Client, conn: asyncpg.Connection) -> None:
    form = await form_of(admin, "nb")
    await admin.post("/console/privacy-notice", data={**form, "sharing": "Ingen andre."})
    written = await admin.get("/personvern?lang=nb")

    await admin.post("/console/privacy-notice", data={**form, "sharing": ""})
    standard = await admin.get("/personvern?lang=nb")

    assert '<p class="ds-paragraph">Ingen andre.</p>' in written.text
    assert "Ingen andre." not in standard.text
    assert await conn.fetchval("SELECT count(*) FROM privacy_notice_texts") == 0
    parts = await conn.fetch("SELECT data FROM audit_log WHERE action = 'privacy_notice.changed' ORDER BY id")
    assert [row["data"]["parts"] for row in parts] == [["sharing"], ["sharing"]]


async def test_too_long_a_part_shows_the_form_again_and_changes_nothing(
    admin: Client, conn: asyncpg.Connection
) -> None:
    form = await form_of(admin, "nb")

    refused = await admin.post(
        "/console/privacy-notice?lang=en", data={**form, "legal_basis": "x" * 5001, "sharing": "Ingen andre."}
    )

    assert refused.status_code == 422
    assert '<a class="ds-link" href="#legal_basis">Legal basis: This is too long.</a>' in refused.text
    assert await conn.fetchval("SELECT count(*) FROM privacy_notice_texts") == 0


async def test_organisers_who_are_not_administrators_may_not_edit_the_notice(
    client: Client, conn: asyncpg.Connection, organiser: Any
) -> None:
    assert (await sign_in(client, organiser.email)).status_code == 303
    page = await client.get("/console/events", headers=HTML)

    shown = await client.get("/console/privacy-notice", headers=HTML)
    sent = await client.post(
        "/console/privacy-notice", data={"edit": "nb", "sharing": "x", "csrf_token": csrf_of(page.text)}
    )

    assert (shown.status_code, sent.status_code) == (403, 403)
    assert await conn.fetchval("SELECT count(*) FROM privacy_notice_texts") == 0
