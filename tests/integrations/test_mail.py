"""SmtpMailer against a real SMTP server (aiosmtpd) on loopback; what arrives is parsed back and compared."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest

from integrations.mail import Attachment, CalendarPart, Mail, SmtpMailer, display_address
from tests.smtp import SmtpServer, free_port

SENDER = display_address("Møteplass – Kunnskapskommunen", "noreply@moteplass.example.org")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-not-a-real-image"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Møteplass//NO\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:3f1c2a4e@moteplass\r\nDTSTAMP:20270301T090000Z\r\nDTSTART:20270315T080000Z\r\nSUMMARY:Fagdag på Haukeland\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
HTML = '<p>Hei Åse, du er påmeldt.</p><p><img src="cid:ticket-1@moteplass" alt="Billett"></p>'
TEXT = "Hei Åse, du er påmeldt.\n\nVel møtt!"


def full_mail() -> Mail:
    return Mail(
        to=display_address("Åse Ødegård", "ase@example.org"),
        subject="Påmeldt: Fagdag om æøå",
        text=TEXT,
        html=HTML,
        attachments=(
            Attachment("billett.png", PNG, "image/png", inline_cid="ticket-1@moteplass"),
            Attachment("program.pdf", PDF, "application/pdf"),
        ),
        calendar=CalendarPart(ICS.encode(), "REQUEST"),
        message_id="<job-1.confirmed@moteplass>",
        language="nn",
    )


def only(smtp: SmtpServer) -> tuple[str, list[str], EmailMessage]:
    [received] = smtp.sink.messages
    return received.mail_from, received.rcpt_tos, received.message


def shape(message: EmailMessage) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (part.get_content_type(), part.get_content_disposition(), part.get_filename(), part["Content-ID"])
        for part in message.walk()
    ]


def unix_lines(text: str) -> str:
    """8bit text parts travel with the wire's CRLF line ends."""
    return text.replace("\r\n", "\n")


def part_of_type(message: EmailMessage, content_type: str) -> EmailMessage:
    [part] = [part for part in message.walk() if part.get_content_type() == content_type]
    assert isinstance(part, EmailMessage)
    return part


async def test_send_delivers_headers_and_every_part(smtp: SmtpServer) -> None:
    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        await mailer.send(full_mail())

    envelope_from, envelope_to, message = only(smtp)
    assert (envelope_from, envelope_to) == ("noreply@moteplass.example.org", ["ase@example.org"])
    assert {name: str(message[name]) for name in ("From", "To", "Subject", "Message-ID", "Content-Language")} == {
        "From": "Møteplass – Kunnskapskommunen <noreply@moteplass.example.org>",
        "To": "Åse Ødegård <ase@example.org>",
        "Subject": "Påmeldt: Fagdag om æøå",
        "Message-ID": "<job-1.confirmed@moteplass>",
        "Content-Language": "nn",
    }
    assert shape(message) == [
        ("multipart/mixed", None, None, None),
        ("multipart/alternative", None, None, None),
        ("text/plain", None, None, None),
        ("multipart/related", None, None, None),
        ("text/html", None, None, None),
        ("image/png", "inline", "billett.png", "<ticket-1@moteplass>"),
        ("text/calendar", None, None, None),
        ("application/pdf", "attachment", "program.pdf", None),
    ]


async def test_send_delivers_the_content_of_every_part_intact(smtp: SmtpServer) -> None:
    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        await mailer.send(full_mail())

    message = only(smtp)[2]
    calendar = part_of_type(message, "text/calendar")
    assert unix_lines(part_of_type(message, "text/plain").get_content()) == TEXT + "\n"
    assert unix_lines(part_of_type(message, "text/html").get_content()) == HTML + "\n"
    assert part_of_type(message, "image/png").get_content() == PNG
    assert part_of_type(message, "application/pdf").get_content() == PDF
    assert (calendar.get_param("method"), calendar.get_content_charset()) == ("REQUEST", "utf-8")
    assert calendar.get_content() == ICS  # base64 on the wire: the CRLFs iCalendar requires survive
    assert 'src="cid:ticket-1@moteplass"' in part_of_type(message, "text/html").get_content()


async def test_send_without_html_attaches_inline_images_as_files(smtp: SmtpServer) -> None:
    mail = Mail(
        to="ase@example.org",
        subject="Billett",
        text=TEXT,
        attachments=(Attachment("billett.png", PNG, "image/png", inline_cid="ticket-1@moteplass"),),
        message_id="<job-2@moteplass>",
    )

    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        await mailer.send(mail)

    message = only(smtp)[2]
    assert shape(message) == [
        ("multipart/mixed", None, None, None),
        ("text/plain", None, None, None),
        ("image/png", "attachment", "billett.png", None),
    ]
    assert part_of_type(message, "image/png").get_content() == PNG


async def test_send_without_message_id_makes_one_on_the_sender_domain(smtp: SmtpServer) -> None:
    mail = Mail(to="ase@example.org", subject="Hei", text=TEXT)

    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        await mailer.send(mail)

    message_id = str(only(smtp)[2]["Message-ID"])
    assert (message_id[0], message_id.partition("@")[2]) == ("<", "moteplass.example.org>")


async def test_send_to_a_relay_that_is_not_listening_raises() -> None:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", SENDER, timeout=5)

    with pytest.raises(aiosmtplib.SMTPConnectError, match=r"Error connecting to 127\.0\.0\.1"):
        await mailer.send(full_mail())


async def test_send_refused_for_now_by_the_relay_raises_with_its_code(smtp: SmtpServer) -> None:
    smtp.sink.delay_first = 0.01  # the sink answers the first DATA with 451

    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await SmtpMailer(smtp.url, SENDER, timeout=5).send(full_mail())

    assert (refused.value.code, refused.value.message, smtp.sink.messages) == (451, "Try again later", [])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, None, None, False, False)),
        ("smtp://relay.example.org", ("relay.example.org", 25, None, None, False, False)),
        ("smtp://u%40x:p%2Fw@relay.example.org:587?starttls=1", ("relay.example.org", 587, "u@x", "p/w", False, True)),
        ("smtps://relay.example.org", ("relay.example.org", 465, None, None, True, False)),
    ],
)
def test_smtp_mailer_reads_the_relay_from_its_url(url: str, expected: tuple[Any, ...]) -> None:
    relay = SmtpMailer(url, SENDER)

    assert (relay.hostname, relay.port, relay.username, relay.password, relay.use_tls, relay.start_tls) == expected


def test_smtp_mailer_refuses_another_scheme() -> None:
    with pytest.raises(ValueError, match="SMTP_URL must start with smtp:// or smtps://"):
        SmtpMailer("http://relay.example.org", SENDER)


def numbered(n: int) -> Mail:
    return Mail(to=f"d{n}@example.org", subject=f"Kunngjøring {n}", text=TEXT, message_id=f"<mail-{n}@moteplass>")


def ids(server: SmtpServer) -> list[str]:
    return sorted(str(received.message["Message-ID"]) for received in server.sink.messages)


async def test_send_reuses_one_connection_for_mail_after_mail(smtp: SmtpServer) -> None:
    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        for n in range(10):
            await mailer.send(numbered(n))

    assert (len(smtp.sink.messages), smtp.connections.opened) == (10, 1)


async def test_concurrent_sends_share_at_most_max_connections() -> None:
    slow = SmtpServer(reply_delay=0.02)
    slow.start()
    try:
        async with SmtpMailer(slow.url, SENDER, timeout=5, max_connections=3) as mailer:
            await asyncio.gather(*(mailer.send(numbered(n)) for n in range(30)))
    finally:
        slow.stop()

    assert (len(ids(slow)), slow.connections.opened, slow.connections.most) == (30, 3, 3)


async def test_send_after_the_relay_dropped_the_connection_reconnects_and_delivers_each_mail_once() -> None:
    first = SmtpServer()
    first.start()
    second = None
    try:
        async with SmtpMailer(first.url, SENDER, timeout=5) as mailer:
            await mailer.send(numbered(1))
            await asyncio.to_thread(first.stop)  # the relay restarts: the idle connection is gone
            second = SmtpServer(port=first.port)
            second.start()

            await mailer.send(numbered(2))
            await mailer.send(numbered(3))
    finally:
        if second is not None:
            second.stop()

    assert (ids(first), ids(second)) == (["<mail-1@moteplass>"], ["<mail-2@moteplass>", "<mail-3@moteplass>"])
    assert second.connections.opened == 1


async def test_a_connection_that_failed_mid_mail_is_not_reused(smtp: SmtpServer) -> None:
    smtp.sink.delay_first = 0.01  # the first DATA is answered 451

    async with SmtpMailer(smtp.url, SENDER, timeout=5) as mailer:
        with pytest.raises(aiosmtplib.SMTPDataError):
            await mailer.send(numbered(1))
        await mailer.send(numbered(1))  # the job's retry
        await mailer.send(numbered(2))

    assert (ids(smtp), smtp.connections.opened) == (["<mail-1@moteplass>", "<mail-2@moteplass>"], 2)
