"""The organisers' certificates: `GET /api/v1/events/{slug}/certificates.pdf` (every checked-in attendee's, in one
PDF; the console's session cookie works too, so the event page links it) and
`POST /api/v1/events/{slug}/certificates/mail` (mail each one, through the job queue, once)."""

from __future__ import annotations

from functools import partial

import anyio.to_thread
from litestar import Controller, Response, get, post
from litestar.params import FromPath

from ..console.guard import ORGANISER
from ..events import domain as events
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from . import document, domain
from .pages import CertificatePages
from .schemas import MailedOut


class CertificateController(Controller):
    tags = ["events"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get(
        "/api/v1/events/{slug:str}/certificates.pdf",
        responses=responses(401, 403, 404, 409),
        media_type="application/pdf",
    )
    async def certificates(
        self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Response[bytes]:
        """Every checked-in attendee's certificate of attendance, one A4 page each in the attendee's language, in
        name order; only once the event has ended (409 `event_not_ended`), 404 `no_certificates` when nobody was
        checked in. Audited as an export."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        attendees = await domain.certificates_for(conn, event, actor=principal.actor, now=now)
        texts = [
            document.certificate_text(event, attendee, issued_at=now, organisation=settings.organisation_name)
            for attendee in attendees
        ]
        pdf = await anyio.to_thread.run_sync(partial(document.render, texts, title=event.slug))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{event.slug}-certificates.pdf"',
                "cache-control": "no-store",
            },
        )

    @post("/api/v1/events/{slug:str}/certificates/mail", status_code=202, responses=responses(401, 403, 404, 409))
    async def mail(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> MailedOut:
        """Mail every checked-in attendee with an e-mail address their certificate (PDF attached, in their
        language), through the job queue: once per registration, however often this is asked."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.mail_certificates(conn, event, actor=principal.actor, now=now)


CERTIFICATE_ROUTES = [CertificateController, CertificatePages]
