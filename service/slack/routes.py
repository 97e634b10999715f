"""`POST /slack/commands` and `POST /slack/interactions`: the raw body's signature is verified before anything
parses it (401 otherwise, nothing changes), a replayed request is refused, and the answer comes at once —
slash commands go to the job queue, modal submissions are answered with their next view."""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import asyncpg
from litestar import Controller, Request, Response, post

from integrations.slack import RequestVerifier

from .. import jobs
from ..errors import Invalid, Unauthorized
from ..http import Ctx
from ..settings import Settings
from . import interactions, queries
from .jobs import COMMAND

log = logging.getLogger(__name__)

SEEN_FOR = timedelta(minutes=10)  # longer than the 5 minutes a timestamp is accepted


async def verified_body(
    request: Request[Any, Any, Any], conn: asyncpg.Connection, settings: Settings, now: datetime
) -> bytes:
    """The raw body of a correctly signed, fresh, first-seen request. Raises Unauthorized."""
    if not settings.slack_signing_secret:
        raise Unauthorized("slack_off", "Slack is not configured here")
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not RequestVerifier(settings.slack_signing_secret, lambda: now).verify(body, headers):
        raise Unauthorized("invalid_slack_signature", "the request is not signed by Slack, or too old")
    if random.random() < 0.02:  # keep the table small without a pruning job
        await queries.forget_requests(conn, now - SEEN_FOR)
    if not await queries.remember_request(conn, headers["x-slack-signature"], now):
        raise Unauthorized("invalid_slack_signature", "this request was seen before")
    return body


def _form(body: bytes) -> dict[str, str]:
    try:
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=False).items()}
    except UnicodeDecodeError as exc:
        raise Invalid("malformed_request", "the form is not UTF-8") from exc


class SlackController(Controller):
    path = "/slack"
    include_in_schema = False

    @post("/commands", status_code=200)
    async def commands(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[bytes]:
        """A slash command: acknowledged at once (empty 200), the work queued (once per trigger_id)."""
        conn = ctx.conn
        async with conn.transaction():  # one commit for the seen signature and the job
            form = _form(await verified_body(request, conn, ctx.settings, ctx.now))
            if not form.get("user_id") or not form.get("team_id"):
                raise Invalid("malformed_request", "user_id and team_id are required")
            payload = {
                key: form.get(key, "")
                for key in ("team_id", "user_id", "channel_id", "trigger_id", "response_url", "text", "command")
            }
            dedupe = f"{COMMAND}:{payload['trigger_id']}" if payload["trigger_id"] else None
            await jobs.enqueue(conn, COMMAND, payload, dedupe_key=dedupe, notify=True, max_attempts=3)
        return Response(b"", status_code=200)

    @post("/interactions", status_code=200)
    async def interactions(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        """Interactivity: the announce modal's steps answer with the next view; anything else an empty 200."""
        conn = ctx.conn
        async with conn.transaction():  # one commit for the seen signature and what the answer stores
            form = _form(await verified_body(request, conn, ctx.settings, ctx.now))
            try:
                payload = json.loads(form.get("payload", ""))
            except json.JSONDecodeError as exc:
                raise Invalid("malformed_request", "payload is not JSON") from exc
            if not isinstance(payload, dict):
                raise Invalid("malformed_request", "payload is not an object")
            answer = await interactions.handle(conn, payload, now=ctx.now)
        if answer is None:
            return Response(b"", status_code=200)
        return Response(answer, status_code=200, media_type="application/json")
