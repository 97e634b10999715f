"""The `moteplass` command and the mail integration against real processes on loopback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from integrations.mail import Attachment, CalendarPart, Mail, SmtpMailer
from service.settings import PROJECT_ROOT
from tests.conftest import SECRET, Client
from tests.smtp import SmtpServer, free_port


def moteplass(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_user_add_prints_a_working_token_as_last_line(database_url: str, client: Client) -> None:
    done = moteplass(database_url, "user", "add", "--email", "Kari@Bergen.Kommune.no", "--role", "organiser")
    token = done.stdout.strip().splitlines()[-1]

    response = await client.post(
        "/api/v1/events",
        json={
            "slug": "cli-test",
            "kind": "workshop",
            "title": {"nb": "CLI"},
            "capacity": 5,
            "starts_at": "2027-06-17T09:00:00+02:00",
            "ends_at": "2027-06-17T15:00:00+02:00",
        },
        headers={"Authorization": f"Bearer {token}"},
    )

    assert done.returncode == 0
    assert token.startswith("mp_")
    assert response.status_code == 201


async def test_user_add_twice_fails_clearly(database_url: str) -> None:
    moteplass(database_url, "user", "add", "--email", "per@example.no", "--role", "jury")

    again = moteplass(database_url, "user", "add", "--email", "per@example.no", "--role", "jury")

    assert (again.returncode, again.stderr.strip()) == (2, "error: per@example.no already has an account")


async def test_migrate_and_jobs_commands_report(database_url: str) -> None:
    migrated = moteplass(database_url, "migrate")
    jobs = moteplass(database_url, "jobs")

    assert (migrated.returncode, migrated.stdout.strip()) == (0, "applied: nothing (up to date)")
    assert jobs.returncode == 0


async def test_mail_with_html_inline_image_attachment_and_calendar_reaches_smtp_and_parses_back(
    smtp: SmtpServer,
) -> None:
    calendar = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"

    async with SmtpMailer(smtp.url, "Møteplass <no-reply@moteplass.local>") as mailer:
        await mailer.send(
            Mail(
                to="Åse Ødegård <ase@example.no>",
                subject="Velkommen til Kunnskapskommunekonferansen – æøå",
                text="Hei Åse",
                html='<p>Hei Åse</p><img src="cid:qr@moteplass" alt="QR">',
                attachments=(
                    Attachment("billett.png", b"\x89PNG fake", "image/png", inline_cid="qr@moteplass"),
                    Attachment("program.pdf", b"%PDF-1.7 fake", "application/pdf"),
                ),
                calendar=CalendarPart(calendar, "REQUEST"),
                message_id="<test-1@moteplass>",
                language="nn",
            )
        )

    [received] = smtp.sink.messages
    message = received.message
    parts = {part.get_content_type(): part for part in message.walk()}
    assert received.rcpt_tos == ["ase@example.no"]
    assert (message["From"], message["To"]) == ("Møteplass <no-reply@moteplass.local>", "Åse Ødegård <ase@example.no>")
    assert message["Subject"] == "Velkommen til Kunnskapskommunekonferansen – æøå"
    assert (message["Message-ID"], message["Content-Language"]) == ("<test-1@moteplass>", "nn")
    assert parts["text/plain"].get_content().strip() == "Hei Åse"
    assert 'src="cid:qr@moteplass"' in parts["text/html"].get_content()
    assert (parts["image/png"]["Content-ID"], parts["image/png"].get_content()) == ("<qr@moteplass>", b"\x89PNG fake")
    assert (parts["application/pdf"].get_filename(), parts["application/pdf"].get_content()) == (
        "program.pdf",
        b"%PDF-1.7 fake",
    )
    assert (parts["text/calendar"].get_params() or [])[1:] == [("method", "REQUEST"), ("charset", "UTF-8")]
    assert parts["text/calendar"].get_content().encode() == calendar


async def test_mail_to_a_relay_that_is_down_raises_so_the_job_is_retried() -> None:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "no-reply@moteplass.local", timeout=2)

    with pytest.raises(OSError, match=r"127\.0\.0\.1"):
        await mailer.send(Mail(to="a@example.no", subject="x", text="x"))


_ = SmtpServer
