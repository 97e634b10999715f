"""Talking to Slack's Web API with slack-sdk's AsyncWebClient, and the errors the domains see.

The client retries a dropped connection once and a 429 once, in process, when Slack asks for a short wait
(`Retry-After` of at most `inline_wait` seconds). A longer wait, a second 429, a 5xx or a timeout surfaces as
`SlackError` with the wait Slack asked for, and the job queue reschedules the job instead of sleeping.

slack-sdk's own rate-limit handler reads `Retry-After` with `int()` and so raises on a fractional or date
value; `PacedRateLimitHandler` parses it leniently and takes an injectable sleep, so tests never sleep.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_API_URL = "https://slack.com/api/"


class SlackError(Exception):
    """A Slack call failed. `retry_after` (seconds) is set when trying again later can help."""

    def __init__(self, method: str, error: str, *, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(f"slack {method}: {error} (HTTP {status})")
        self.method = method
        self.error = error
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(headers: Mapping[str, Any] | None, *, now: float | None = None) -> float | None:
    """`Retry-After` in seconds: a number (whole or not) or an HTTP date; None when absent or unreadable."""
    if not headers:
        return None
    value: Any = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(seconds, 0.0)


class PacedRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 in process only when Slack asks for at most `inline_wait` seconds."""

    def __init__(self, *, inline_wait: float = 2.0, sleep: Sleep = asyncio.sleep, max_retry_count: int = 1) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.inline_wait = inline_wait
        self.sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_seconds(response.headers)
        return wait is not None and wait <= self.inline_wait

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self.sleep(retry_after_seconds(response.headers if response else None) or 1.0)
        state.increment_current_attempt()


def retry_handlers(*, inline_wait: float, sleep: Sleep) -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        PacedRateLimitHandler(inline_wait=inline_wait, sleep=sleep),
    ]


@dataclass
class PostedMessage:
    channel: str
    ts: str


class SlackApi(Protocol):
    """What the domains use of Slack (SlackClient is the real one)."""

    sleep: Sleep

    async def post_message(
        self, channel: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()
    ) -> PostedMessage: ...

    async def update_message(
        self, channel: str, ts: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()
    ) -> None: ...

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> None: ...

    async def user_email(self, user_id: str) -> str | None: ...

    async def respond(self, response_url: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()) -> None: ...


class SlackClient:
    """The few Web API methods Møteplass uses, on one shared AsyncWebClient."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 10.0,
        inline_wait: float = 2.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.sleep = sleep
        handlers = retry_handlers(inline_wait=inline_wait, sleep=sleep)
        self.web = AsyncWebClient(token=token, base_url=base_url, timeout=math.ceil(timeout), retry_handlers=handlers)
        self._webhook_handlers = retry_handlers(inline_wait=inline_wait, sleep=sleep)
        self.timeout = timeout

    async def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.web.api_call(method, json=kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            wait = retry_after_seconds(exc.response.headers)
            if status == 429 and wait is None:
                wait = 1.0
            if status >= 500 and wait is None:
                wait = 0.0  # the job queue's own backoff decides
            raise SlackError(method, str(data.get("error", "http_error")), status=status, retry_after=wait) from exc
        except (aiohttp.ClientError, TimeoutError, SlackRequestError) as exc:
            raise SlackError(method, type(exc).__name__, retry_after=0.0) from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def post_message(self, channel: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()) -> PostedMessage:
        data = await self._call("chat.postMessage", channel=channel, text=text, blocks=list(blocks), unfurl_links=False)
        return PostedMessage(channel=str(data.get("channel", channel)), ts=str(data.get("ts", "")))

    async def update_message(self, channel: str, ts: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()) -> None:
        """Change a message posted before (chat.update, tier 3: callers keep to one every few seconds)."""
        await self._call("chat.update", channel=channel, ts=ts, text=text, blocks=list(blocks))

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call("views.open", trigger_id=trigger_id, view=view)

    async def user_email(self, user_id: str) -> str | None:
        """The e-mail address on a Slack user's profile (needs users:read.email), or None."""
        try:
            data = await self._call("users.info", user=user_id)
        except SlackError as exc:
            if exc.error == "user_not_found":
                return None
            raise
        email = (data.get("user") or {}).get("profile", {}).get("email")
        return str(email).lower() if email else None

    async def respond(self, response_url: str, *, text: str, blocks: Sequence[dict[str, Any]] = ()) -> None:
        """An ephemeral answer to a slash command through its response_url."""
        webhook = AsyncWebhookClient(
            response_url, timeout=math.ceil(self.timeout), retry_handlers=self._webhook_handlers
        )
        try:
            response = await webhook.send(text=text, blocks=list(blocks) or None, response_type="ephemeral")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SlackError("response_url", type(exc).__name__, retry_after=0.0) from exc
        if response.status_code != 200:
            wait = retry_after_seconds(response.headers)
            raise SlackError(
                "response_url", response.body or "http_error", status=response.status_code, retry_after=wait
            )
