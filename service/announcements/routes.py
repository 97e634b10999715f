"""The API of announcements: each event's Slack notification channel (organisers of the event)."""

from __future__ import annotations

from litestar import Controller, delete, put
from litestar.params import FromPath, JSONBody

from ..http import Caller, Conn, Now
from ..openapi import responses
from . import channels
from .schemas import ChannelIn, ChannelOut


class SlackChannelController(Controller):
    path = "/api/v1/events/{slug:str}/slack-channel"
    tags = ["slack"]  # noqa: RUF012 - Litestar reads it as an attribute

    @put("/", responses=responses(401, 403, 404, 422))
    async def set_channel(
        self, slug: FromPath[str], data: JSONBody[ChannelIn], conn: Conn, principal: Caller, now: Now
    ) -> ChannelOut:
        """Send this event's notifications (milestones, waiting list, cancellations, failures) to a Slack channel."""
        return await channels.set_channel(
            conn, slug, channel_id=data.channel_id, language=data.language, actor=principal, now=now
        )

    @delete("/", status_code=204, responses=responses(401, 403, 404))
    async def remove_channel(self, slug: FromPath[str], conn: Conn, principal: Caller) -> None:
        """Stop this event's notifications in Slack."""
        await channels.remove_channel(conn, slug, actor=principal)
