"""One person across every event, for administrators: search by e-mail address, every record, export as JSON,
and erasure in one confirmed step (service/privacy). The address travels in POST bodies only, so it stays out
of URLs, browser history and logs. Never shows a link that opens someone's registration."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from ..errors import DomainError
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Caller, Config, Conn, Now
from ..privacy.domain import checked_email, look_up_person, require_admin
from ..privacy.erase import erase_person
from .guard import console_page

REMAINS = {
    "anonymous_counts": "Counts without names: announcement recipients, door scans and waiting-list places keep a "
    "row without the person, so that totals still add up.",
    "prize_history": "A prize winner's public name, title and organisation stay as the prize's history; the "
    "contact details are gone.",
    "queued_mails": "Calendar cancellations to the person are queued; they are sent, then emptied by the next "
    "retention run.",
    "console_account": "A console user with this address remains; deactivate it on the users page if the person "
    "no longer works with us.",
    "console_actions_in_audit_log": "The audit log keeps the console actions this person took, for accountability.",
}
ERROR_TEXTS = {"invalid_email": "Enter one e-mail address.", "confirmation_required": "Tick the box to confirm."}


class PeoplePages(Controller):
    path = "/console/people"
    include_in_schema = False

    def _page(
        self, request: Request[Any, Any, Any], principal: Any, *, status_code: int = 200, **context: Any
    ) -> Template:
        return console_page(
            request,
            "console/people.html",
            principal,
            status_code=status_code,
            section="people",
            remains_texts=REMAINS,
            error_texts=ERROR_TEXTS,
            **{"email": "", "records": None, "erasure": None, "error": None, **context},
        )

    @get("/")
    async def form(self, request: Request[Any, Any, Any], principal: Caller) -> Template:
        require_admin(principal)
        return self._page(request, principal)

    @post("/", status_code=200)
    async def search(
        self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Template:
        """Everything held about the address (audited)."""
        require_admin(principal)
        email = str((await request.form()).get("email", "")).strip()
        try:
            records = await look_up_person(conn, email, actor=principal, now=now, key=settings.require_secret_key())
        except DomainError as error:
            if error.status in (401, 403):
                raise
            return self._page(request, principal, status_code=422, email=email, error=error.code)
        return self._page(request, principal, email=records.email, records=records)

    @post("/export", status_code=200)
    async def export(
        self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Response[bytes]:
        """The same records as a JSON file (audited as an export)."""
        require_admin(principal)
        email = str((await request.form()).get("email", ""))
        records = await look_up_person(
            conn, email, actor=principal, now=now, key=settings.require_secret_key(), export=True
        )
        return Response(
            msgspec.json.encode(records),
            media_type="application/json",
            headers={
                "content-disposition": 'attachment; filename="moteplass-person.json"',
                "cache-control": "no-store",
            },
        )

    @post("/erase", status_code=200)
    async def erase(
        self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Template:
        """Erase everything about the address, once the box is ticked; then say what went and what remains."""
        require_admin(principal)
        form = await request.form()
        email = str(form.get("email", "")).strip()
        try:
            address = checked_email(email)
        except DomainError as error:
            return self._page(request, principal, status_code=422, email=email, error=error.code)
        if form.get("confirm") != "yes":
            records = await look_up_person(conn, address, actor=principal, now=now, key=settings.require_secret_key())
            return self._page(
                request, principal, status_code=422, email=address, records=records, error="confirmation_required"
            )
        erasure = await erase_person(
            conn,
            address,
            actor=principal.actor,
            now=now,
            key=settings.require_secret_key(),
            end_hooks=REGISTRATION_END_HOOKS,
        )
        return self._page(request, principal, email=address, erasure=erasure)
