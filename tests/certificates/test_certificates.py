"""Certificates of attendance against a real database, a real app and (for the mails) the real worker code with the
local SMTP server. The PDFs are read back with poppler-utils (pdfinfo, pdftotext)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.accounts.domain import add_user
from tests.badges.test_routes import pages_of, text_of
from tests.conftest import Client, Clock, RunJobs, auth
from tests.console.conftest import HTML, csrf_of, sign_in
from tests.smtp import SmtpServer

from .conftest import AFTER, manage_code


async def signed_in_after(client: Client, organiser: Any) -> Client:
    """Signed in on the clock the test set (a session made before the event has run out by the evening after)."""
    answer = await sign_in(client, organiser.email)
    assert answer.status_code == 303, answer.text
    return client


def pdf_text(content: bytes, tmp_path: Path, name: str = "certificate.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return text_of(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Åse Ødegård",
            "Deltakerbevis Dette bekrefter at Åse Ødegård har deltatt på Kunnskapskommunekonferansen 2027 "
            "torsdag 10. juni 2027, Alrek helseklynge Varighet: 7 timer Arrangør: Kunnskapskommunen Helse Omsorg Vest "
            "Programposter du valgte 10:00–11:00 Tillit i tenestene 13:00–14:30 Velferdsteknologi i praksis "
            "Utstedt torsdag 10. juni 2027 av Møteplass",
        ),
        (
            "Bjørn Bæra",
            "Deltakarbevis Dette stadfestar at Bjørn Bæra har delteke på Kunnskapskommunekonferansen 2027 "
            "torsdag 10. juni 2027, Alrek helseklynge Varigheit: 7 timar Arrangør: Kunnskapskommunen Helse Omsorg Vest "
            "Programpostar du valde 10:00–11:00 Tillit i tenestene Utferda torsdag 10. juni 2027 av Møteplass",
        ),
        (
            "Kari Smith",
            "Certificate of attendance This is to certify that Kari Smith attended "
            "The Knowledge Municipality Conference 2027 Thursday 10 June 2027, Alrek helseklynge Duration: 7 hours "
            "Organisers: Kunnskapskommunen Helse Omsorg Vest Issued Thursday 10 June 2027 by Møteplass",
        ),
    ],
)
async def test_certificate_for_a_checked_in_attendee_in_their_language(
    client: Client, ended: dict[str, Any], tmp_path: Path, name: str, expected: str
) -> None:
    code = manage_code(ended["people"][name])

    response = await client.get(f"/r/{code}/certificate.pdf")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert pdf_text(response.content, tmp_path) == expected


async def test_manage_page_links_the_certificate_only_when_there_is_one(
    client: Client, ended: dict[str, Any], clock: Clock
) -> None:
    came = manage_code(ended["people"]["Åse Ødegård"])
    stayed = manage_code(ended["people"]["Dag Hjemme"])

    after = await client.get(f"/r/{came}", headers=HTML)
    not_there = await client.get(f"/r/{stayed}", headers=HTML)
    clock.now = AFTER.replace(hour=12)  # 14:00 in Oslo: the event is still on
    during = await client.get(f"/r/{came}", headers=HTML)

    assert f'href="/r/{came}/certificate.pdf?lang=nb"' in after.text
    assert "certificate.pdf" not in not_there.text
    assert "certificate.pdf" not in during.text


@pytest.mark.parametrize(
    ("language", "heading", "message"),
    [
        ("nb", "Ingen deltakerbevis ennå", "Bare de som ble sjekket inn ved inngangen"),
        ("nn", "Ikkje noko deltakarbevis enno", "Berre dei som vart sjekka inn ved inngangen"),
        ("en", "No certificate of attendance yet", "Only people who were checked in at the entrance"),
    ],
)
async def test_certificate_of_someone_not_checked_in_is_a_page_saying_so(
    client: Client, ended: dict[str, Any], language: str, heading: str, message: str
) -> None:
    code = manage_code(ended["people"]["Dag Hjemme"])

    response = await client.get(f"/r/{code}/certificate.pdf?lang={language}", headers=HTML)

    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert f'<h1 class="ds-heading" data-size="lg">{heading}</h1>' in response.text
    assert message in response.text
    assert f'href="/r/{code}?lang={language}"' in response.text


async def test_certificate_before_the_event_ends_is_a_page_saying_so(
    client: Client, ended: dict[str, Any], clock: Clock
) -> None:
    code = manage_code(ended["people"]["Åse Ødegård"])
    clock.now = AFTER.replace(hour=12)

    response = await client.get(f"/r/{code}/certificate.pdf?lang=nn", headers=HTML)

    assert response.status_code == 409
    assert "Beviset er klart når arrangementet er over." in response.text


async def test_certificate_of_a_forged_link_is_not_found(client: Client, ended: dict[str, Any]) -> None:
    code = manage_code(ended["people"]["Åse Ødegård"])
    forged = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")

    response = await client.get(f"/r/{forged}/certificate.pdf", headers=HTML)

    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert "%PDF" not in response.text


async def test_all_certificates_in_one_pdf_for_the_organiser_audited(
    client: Client, ended: dict[str, Any], organiser_token: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    response = await client.get("/api/v1/events/kk/certificates.pdf", headers=auth(organiser_token))

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="kk-certificates.pdf"'
    path = tmp_path / "all.pdf"
    path.write_bytes(response.content)
    text = text_of(path)
    assert pages_of(path) == 3
    assert [name for name in ("Åse Ødegård", "Bjørn Bæra", "Kari Smith", "Dag Hjemme") if name in text] == [
        "Åse Ødegård",
        "Bjørn Bæra",
        "Kari Smith",
    ]
    assert ["Varighet: 7 timer" in text, "Varigheit: 7 timar" in text, "Duration: 7 hours" in text] == [True] * 3
    entry = await conn.fetchrow("SELECT actor, data FROM audit_log WHERE action = 'registrations.exported'")
    assert entry is not None
    assert entry["data"] == {"filter": {}, "rows": 3, "format": "certificates.pdf"}


async def test_all_certificates_before_the_end_or_with_nobody_checked_in_are_problems(
    client: Client, ended: dict[str, Any], organiser_token: str, clock: Clock, make_event: Any
) -> None:
    await make_event(slug="tom", capacity=5)
    clock.now = AFTER.replace(hour=12)
    early = await client.get("/api/v1/events/kk/certificates.pdf", headers=auth(organiser_token))
    early_mail = await client.post("/api/v1/events/kk/certificates/mail", headers=auth(organiser_token))
    clock.now = AFTER
    empty = await client.get("/api/v1/events/tom/certificates.pdf", headers=auth(organiser_token))
    missing = await client.get("/api/v1/events/finst-ikkje/certificates.pdf", headers=auth(organiser_token))

    answers = [
        (r.status_code, r.headers["content-type"], r.json()["code"]) for r in (early, early_mail, empty, missing)
    ]
    assert answers == [
        (409, "application/problem+json", "event_not_ended"),
        (409, "application/problem+json", "event_not_ended"),
        (404, "application/problem+json", "no_certificates"),
        (404, "application/problem+json", "event_not_found"),
    ]


@pytest.mark.parametrize("role", ["door", "jury", "organiser"])
async def test_all_certificates_refuse_others(
    client: Client, ended: dict[str, Any], conn: asyncpg.Connection, role: str
) -> None:
    """Anonymous 401; a door device, a juror and the organiser of another event 403, as problem+json."""
    token = (await add_user(conn, email=f"{role}@example.no", role=role)).token

    refused = [
        await client.get("/api/v1/events/kk/certificates.pdf"),
        await client.post("/api/v1/events/kk/certificates/mail"),
        await client.get("/api/v1/events/kk/certificates.pdf", headers=auth(token)),
        await client.post("/api/v1/events/kk/certificates/mail", headers=auth(token)),
    ]

    assert [(r.status_code, r.headers["content-type"]) for r in refused] == [
        (401, "application/problem+json"),
        (401, "application/problem+json"),
        (403, "application/problem+json"),
        (403, "application/problem+json"),
    ]
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'certificate.mail'") == 0


async def test_mail_all_sends_once_each_in_their_language_with_the_pdf(
    client: Client,
    ended: dict[str, Any],
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    tmp_path: Path,
    conn: asyncpg.Connection,
) -> None:
    first = await client.post("/api/v1/events/kk/certificates/mail", headers=auth(organiser_token))
    second = await client.post("/api/v1/events/kk/certificates/mail", headers=auth(organiser_token))
    await run_jobs()
    await conn.execute("DELETE FROM jobs")  # finished jobs are purged after a week: pressing again still mails nobody
    third = await client.post("/api/v1/events/kk/certificates/mail", headers=auth(organiser_token))
    await run_jobs()

    assert (first.status_code, first.json()) == (202, {"queued": 3, "already": 0, "without_email": 0})
    assert (second.status_code, second.json()) == (202, {"queued": 0, "already": 3, "without_email": 0})
    assert third.json() == {"queued": 0, "already": 3, "without_email": 0}
    certificates = [m for m in smtp.sink.mails if "certificate" in m.message["Message-ID"]]
    assert sorted(" ".join(str(m.message["Subject"]).split()) for m in certificates) == [
        "Deltakarbeviset ditt: Kunnskapskommunekonferansen 2027",
        "Deltakerbeviset ditt: Kunnskapskommunekonferansen 2027",
        "Your certificate of attendance: The Knowledge Municipality Conference 2027",
    ]
    bjorn = [m.message for m in certificates if "bjorn@example.no" in m.message["To"]]
    assert len(bjorn) == 1
    attachment = next(part for part in bjorn[0].iter_attachments())
    assert attachment.get_filename() == "deltakarbevis.pdf"
    text = pdf_text(attachment.get_content(), tmp_path)
    assert ("Bjørn Bæra" in text, "Varigheit: 7 timar" in text) == (True, True)
    assert "dag@example.no" not in " ".join(m.message["To"] for m in certificates)


async def test_console_event_page_mails_and_links_the_certificates(
    client: Client, ended: dict[str, Any], organiser: Any, conn: asyncpg.Connection
) -> None:
    signed_in = await signed_in_after(client, organiser)
    page = await signed_in.get("/console/events/kk?lang=en", headers=HTML)

    answer = await signed_in.post(
        "/console/events/kk/certificates/mail", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    after = await signed_in.get(answer.headers["location"] + "&lang=en", headers=HTML)

    assert 'href="/api/v1/events/kk/certificates.pdf"' in page.text
    assert answer.status_code == 303
    assert "Certificates are being mailed to 3 people; 0 had theirs mailed before." in after.text
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'certificate.mail'") == 3
    assert re.search(r"certificates\.mailed", str(await conn.fetchval("SELECT array_agg(action) FROM audit_log")))


async def test_certificate_names_the_organisation_setting_when_the_event_names_no_organiser(
    client: Client, ended: dict[str, Any], organiser_token: str, tmp_path: Path
) -> None:
    changed = await client.patch("/api/v1/events/kk", json={"organiser_name": ""}, headers=auth(organiser_token))
    code = manage_code(ended["people"]["Kari Smith"])

    response = await client.get(f"/r/{code}/certificate.pdf")

    assert changed.status_code == 200, changed.text
    assert "Organisers: Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge" in pdf_text(
        response.content, tmp_path
    )
