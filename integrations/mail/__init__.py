"""E-mail: HTML + plain-text messages with attachments and inline images, sent over SMTP by aiosmtplib.

Domains build a `Mail` and hand it to a `Mailer`; only the worker sends. Message-IDs are deterministic
per effect (the caller passes one), so a retried job produces the same message and clients deduplicate.

SmtpMailer keeps its connections to the relay open and sends mail after mail on them: a relay across a network
answers each command after tens of milliseconds, and a new connection costs four more round trips (greeting,
EHLO, QUIT, often STARTTLS and AUTH) than the mail itself. At most `max_connections` are open at once, per
process. A relay may close an idle connection at any time; that shows at the MAIL command, before anything of the
mail was handed over, so the mail goes on a new connection at once. Any failure after that raises (the
connection is dropped): the job is retried with the same Message-ID, as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
import msgspec
from aiosmtplib.email import extract_recipients, flatten_message


class Attachment(msgspec.Struct, frozen=True):
    filename: str
    content: bytes
    mime_type: str
    inline_cid: str | None = None  # set: shown inline in the HTML part as <img src="cid:...">


class CalendarPart(msgspec.Struct, frozen=True):
    """A text/calendar alternative (iMIP); `method` must equal the METHOD inside `content`."""

    content: bytes
    method: str


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    calendar: CalendarPart | None = None
    message_id: str | None = None
    language: str = "nb"
    reply_to: str | None = None


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """multipart/mixed{ multipart/alternative{ text, multipart/related{html, inline images}[, calendar] }, files }.

    Without HTML there is nothing to show inline images in, so they go along as files. Without a
    `message_id` a random one on the sender's domain is made (a retried job then gets a new one).
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Auto-Submitted"] = "auto-generated"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    # Spam filters score a missing Message-ID, and aiosmtplib does not add one.
    message["Message-ID"] = mail.message_id or make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
        inline = [a for a in mail.attachments if a.inline_cid]
        if inline:
            html_part: EmailMessage = message.get_payload()[-1]  # type: ignore[index,assignment]
            for attachment in inline:
                maintype, _, subtype = attachment.mime_type.partition("/")
                html_part.add_related(
                    attachment.content,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{attachment.inline_cid}>",
                    filename=attachment.filename,
                    disposition="inline",
                )
    if mail.calendar is not None:
        message.add_alternative(
            mail.calendar.content,
            maintype="text",
            subtype="calendar",
            params={"method": mail.calendar.method, "charset": "UTF-8"},
        )
    for attachment in mail.attachments:
        if attachment.inline_cid and mail.html is not None:
            continue
        maintype, _, rest = attachment.mime_type.partition("/")
        subtype, *pairs = (part.strip() for part in rest.split(";"))
        params = dict(pair.partition("=")[::2] for pair in pairs if "=" in pair)
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename, params=params
        )
    message["Content-Language"] = mail.language  # after the body: set_content() drops Content-* headers
    return message


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    sent: int = 0


def _is_stale(error: Exception) -> bool:
    """A reused connection the relay had already closed (or is closing: 421), seen at the first command."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code == 421
    return isinstance(error, (aiosmtplib.SMTPServerDisconnected, ConnectionError))


class SmtpMailer:
    """Sends through the relay in SMTP_URL: smtp://[user:password@]host:port, smtps:// for implicit TLS,
    `?starttls=1` to upgrade a plain connection. Reuses up to `max_connections` connections (module docstring);
    `close()` ends them politely."""

    MAILS_PER_CONNECTION = 100  # then a new connection: some relays refuse more mails on one (Exchange: 20)

    def __init__(self, smtp_url: str, sender: str, *, timeout: float = 30.0, max_connections: int = 4) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        self.hostname = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = "starttls=1" in (parts.query or "")
        self.sender = sender
        self.timeout = timeout
        self._slots = asyncio.Semaphore(max(1, max_connections))
        self._idle: list[_Connection] = []

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    async def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        async with self._slots:
            connection = self._idle.pop() if self._idle else None
            try:
                if connection is not None:
                    try:
                        await self._mail_from(connection.client, message)
                    except Exception as error:
                        if not _is_stale(error):
                            raise
                        connection.client.close()
                        connection = None
                if connection is None:
                    connection = _Connection(await self._connect())
                    await self._mail_from(connection.client, message)
                await self._rcpt_and_data(connection.client, message)
            except BaseException:
                if connection is not None:
                    connection.client.close()  # in an unknown state: never reused
                raise
            connection.sent += 1
            if connection.sent < self.MAILS_PER_CONNECTION:
                self._idle.append(connection)
            else:
                await self._quit(connection)

    async def close(self) -> None:
        """QUIT every idle connection (a worker stopping)."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(self._quit(connection) for connection in idle))

    async def __aenter__(self) -> SmtpMailer:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls or None,
            timeout=self.timeout,
        )
        await client.connect()
        return client

    def _needs_utf8(self, message: EmailMessage) -> bool:
        return not (self.sender_address + "".join(extract_recipients(message))).isascii()

    async def _mail_from(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        options = ["BODY=8BITMIME"] if client.supports_extension("8BITMIME") else []
        if self._needs_utf8(message):
            if not client.supports_extension("smtputf8"):
                raise aiosmtplib.SMTPNotSupported("an address is not ASCII and the relay does not offer SMTPUTF8")
            options.append("SMTPUTF8")
        await client.mail(self.sender_address, options=options)

    async def _rcpt_and_data(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        for recipient in extract_recipients(message):
            await client.rcpt(recipient)
        cte_type = "8bit" if client.supports_extension("8BITMIME") else "7bit"
        await client.data(flatten_message(message, utf8=self._needs_utf8(message), cte_type=cte_type))

    async def _quit(self, connection: _Connection) -> None:
        try:
            await connection.client.quit()
        except (aiosmtplib.SMTPException, OSError):
            connection.client.close()


def display_address(name: str, email: str) -> str:
    try:
        return str(Address(display_name=name, addr_spec=email))
    except (ValueError, IndexError):
        return formataddr((name, email))
