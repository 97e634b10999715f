"""`/r/{code}/certificate.pdf`: the attendee's own certificate of attendance, from their manage link. When there
is none (not checked in, or the event has not ended), a page says so in their language."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from ..errors import DomainError
from ..events import queries as event_queries
from ..http import Config, Conn, Now
from ..registrations import links
from ..registrations.access import by_code
from ..registrations.pages import NOT_STORED
from ..web.render import page
from . import document, domain


class CertificatePages(Controller):
    include_in_schema = False

    @get("/r/{code:str}/certificate.pdf", cache_control=NOT_STORED)
    async def certificate(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config, now: Now
    ) -> Response[Any]:
        registration = await by_code(conn, settings, links.MANAGE, code)
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        try:
            attendee = await domain.certificate_of(conn, event, registration.id, now=now)
        except DomainError as refusal:
            return page(
                request,
                "certificates/unavailable.html",
                status_code=refusal.status,
                event=event,
                code=code,
                reason=refusal.code,
            )
        text = document.certificate_text(event, attendee, issued_at=now, organisation=settings.organisation_name)
        pdf = await anyio.to_thread.run_sync(partial(document.render, [text], title=text.heading))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{event.slug}-certificate.pdf"'},
        )
