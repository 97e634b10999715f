"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, for tests to read back."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def body_of(mail: EmailMessage, subtype: str) -> str:
    """The text of a mail's text/<subtype> part ("plain" or "html"); the test fails when the mail has none."""
    part = mail.get_body((subtype,))
    assert part is not None, f"the mail has no text/{subtype} part"
    content: str = part.get_content()
    return content


def is_invite(received: Received) -> bool:
    return b"Content-Type: text/calendar" in received.raw


@dataclass
class SmtpSink:
    messages: list[Received] = field(default_factory=list)
    delay_first: float = 0.0  # seconds to stall the first DATA (to kill a worker mid-send)
    delay_each: float = 0.0  # seconds every DATA takes before it is accepted (a relay across a network)
    data_started: int = 0  # DATA commands begun (accepted or not yet)
    deferred: set[str] = field(default_factory=set)  # addresses answered "451 try again later" for now
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stalled: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started += 1
        if self.delay_first and not self._stalled:
            self._stalled = True
            await asyncio.sleep(self.delay_first)
            return "451 Try again later"
        if self.delay_each:
            await asyncio.sleep(self.delay_each)
        if self.deferred & set(envelope.rcpt_tos):
            return "451 Try again later"
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    @property
    def mails(self) -> list[Received]:
        """Every message received other than calendar invites."""
        with self._lock:
            return [m for m in self.messages if not is_invite(m)]

    def to(self, address: str) -> list[EmailMessage]:
        """Mails to `address` other than calendar invites (those: `invites_to`)."""
        return [m.message for m in self._to(address) if not is_invite(m)]

    def invites_to(self, address: str) -> list[EmailMessage]:
        """Calendar invites (iMIP, with a text/calendar part) to `address`, in the order received."""
        return [m.message for m in self._to(address) if is_invite(m)]

    def _to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


@dataclass
class Connections:
    """How many SMTP connections the server saw: in all, open now, and the most open at once."""

    opened: int = 0
    open: int = 0
    most: int = 0


class _CountingSmtp(SMTP):
    """aiosmtpd's SMTP session, counting connections and answering every command `reply_delay()` seconds late
    (a relay across a network)."""

    def __init__(self, *args: Any, connections: Connections, reply_delay: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = connections
        self._reply_delay = reply_delay

    def connection_made(self, transport: Any) -> None:
        self._connections.opened += 1
        self._connections.open += 1
        self._connections.most = max(self._connections.most, self._connections.open)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._connections.open -= 1
        super().connection_lost(error)

    async def push(self, status: Any) -> None:
        delay = self._reply_delay()
        if delay:
            await asyncio.sleep(delay)
        await super().push(status)


class _Controller(Controller):
    def __init__(self, *args: Any, connections: Connections, reply_delay: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = connections
        self._reply_delay = reply_delay

    def factory(self) -> SMTP:
        return _CountingSmtp(
            self.handler, connections=self._connections, reply_delay=self._reply_delay, **self.SMTP_kwargs
        )


class SmtpServer:
    """`reply_delay` (seconds before each answer) may be changed while it runs: a benchmark sets up quickly, then
    measures against a slow relay."""

    def __init__(self, port: int | None = None, *, reply_delay: float = 0.0) -> None:
        self.sink = SmtpSink()
        self.connections = Connections()
        self.port = port or free_port()
        self.reply_delay = reply_delay
        self.controller = _Controller(
            self.sink,
            hostname="127.0.0.1",
            port=self.port,
            connections=self.connections,
            reply_delay=lambda: self.reply_delay,
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()
        deadline = time.monotonic() + 2
        while self.connections.open and time.monotonic() < deadline:
            time.sleep(0.01)
        self.connections.opened = self.connections.most = 0  # the controller's own check at start is no client

    def stop(self) -> None:
        self.controller.stop()
