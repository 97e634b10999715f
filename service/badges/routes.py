"""`GET /api/v1/events/{slug}/badges.pdf`: name badges for the organisers of the event (the console's session
cookie works too, so the registrations page links it with its current filter)."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get
from litestar.di import Provide
from litestar.params import FromPath

from ..console.filters import Chosen, provide_filter
from ..console.guard import ORGANISER
from ..events import domain as events
from ..http import Caller, Config, Conn, Now, request_language
from ..i18n import gettext, pick
from ..openapi import responses
from ..registrations import links
from ..registrations.pages import ROLE_LABELS
from . import domain, sheet


class BadgeController(Controller):
    tags = ["registrations"]  # noqa: RUF012 - Litestar reads it as an attribute
    dependencies = {"chosen": Provide(provide_filter, sync_to_thread=False)}  # noqa: RUF012 - read by Litestar

    @get(
        "/api/v1/events/{slug:str}/badges.pdf",
        responses=responses(401, 403, 404),
        media_type="application/pdf",
    )
    async def badges(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
        chosen: Chosen,
    ) -> Response[bytes]:
        """Name badges as a PDF of A4 label sheets (2 × 4 badges of 90 × 54 mm): one per confirmed registration
        of the console's filter (`q`, `status`, `role`, `session`, `group`, `checked_in`), in name order, with
        organisation, role, workshop group and the ticket's QR code; texts in the request's language (`lang`)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        language = request_language(request)
        rows = await domain.badges_for(conn, event.id, chosen, actor=principal.actor, now=now)
        badges = [
            sheet.BadgeText(
                name=row.name,
                organisation=row.organisation,
                role=gettext(language, ROLE_LABELS[row.role]) if row.role in ROLE_LABELS else "",
                group=pick(row.group_name, language) if row.group_name else "",
                code=links.ticket_code(settings, row),
            )
            for row in rows
        ]
        render = partial(sheet.render, badges, title=pick(event.title, language))
        pdf = await anyio.to_thread.run_sync(render)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{event.slug}-badges.pdf"',
                "cache-control": "no-store",
            },
        )


BADGE_ROUTES = [BadgeController]
