"""The event page's certificates of attendance: mail every checked-in attendee theirs (the download is the API's
`/api/v1/events/{slug}/certificates.pdf`, which the session cookie opens). Organisers of the event only."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath
from litestar.response import Redirect

from ..certificates import domain as certificates
from ..events import domain as events
from ..http import Caller, Conn, Now
from .guard import ORGANISER


class CertificatePages(Controller):
    path = "/console/events/{slug:str}/certificates"
    include_in_schema = False

    @post("/mail", status_code=303)
    async def mail(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Queue the certificate mails (certificates domain: once per registration, however often pressed)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        out = await certificates.mail_certificates(conn, event, actor=principal.actor, now=now)
        return Redirect(
            f"/console/events/{slug}?notice=certificates&queued={out.queued}&already={out.already}", status_code=303
        )
