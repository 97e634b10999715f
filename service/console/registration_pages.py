"""The registrations of an event: the table (search, filters, sorting, keyset pages), exports of the current
filter, one person's detail (answers, history, mails sent), and the organiser's moves: confirm from the
waiting list, cancel. Moves go through service/registrations."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from .. import spreadsheet
from ..accounts.domain import require_event_scope
from ..events import domain as events
from ..events.schemas import Event
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Caller, Conn, Now, request_language
from ..i18n import gettext
from ..privacy.domain import audit_organiser_export
from ..programme import domain as programme
from ..programme.schemas import CHOOSABLE
from ..registrations import domain as registrations
from ..registrations import listing as registration_listing
from ..registrations import queries as registration_queries
from ..registrations import renew
from ..registrations.pages import ROLE_LABELS
from ..registrations.schemas import RegistrationFilter
from ..web.render import format_when
from ..workshops import queries as workshop_queries
from . import auditview, export, listing
from .export import SOURCE_TEXTS
from .filters import Chosen, Text, filter_query, provide_filter
from .guard import ORGANISER, console_page

MAIL_KINDS = {
    "registration.confirmed": "Confirmation with ticket",
    "registration.promoted": "Seat from the waiting list, with ticket",
    "registration.waitlisted": "On the waiting list",
    "registration.cancelled": "Cancellation",
    "registration.link": "Link to the registration again",
    "registration.new_links": "New links (the old ones stopped working)",
}
HISTORY_ACTIONS = {
    "registration.confirmed": "Registered, confirmed",
    "registration.waitlisted": "Registered, on the waiting list",
    "registration.promoted": "Got a seat from the waiting list",
    "registration.confirmed_by_organiser": "Moved from the waiting list by an organiser",
    "registration.cancelled": "Cancelled",
    "registration.changed": "Details changed",
    "registration.links_renewed": "New links made and e-mailed; the old ones stopped working",
    "registration.added": "Added by hand",
    "registration.ticket_resent": "Ticket e-mail sent again",
    "registration.moved": "Moved to another date of the series",
    "registration.sessions_chosen": "Sessions chosen",
}

AUDIT_ACTIONS = {
    "event.created": "Event created",
    "event.changed": "Event changed",
    "event.copied": "Event made as a copy of another",
    "registration.erased": "A person deleted their registration and data",
    "registration.edited": "A person's details changed by an organiser",
    "user.granted": "Access given",
    "door.searched": "Name search at a door",
    "registration.added": "Added by hand",
    "registration.ticket_resent": "Ticket e-mail sent again",
    "registration.moved": "Moved to another date of the series",
    "registration.links_renewed": "New links made and e-mailed; the old ones stopped working",
    "registrations.exported": "List downloaded (who, which filter, how many rows)",
    "announcement.confirmed": "An announcement confirmed for sending",
    "door.created": "Door added",
    "door.paired": "Door paired with a device",
    "door.revoked": "Door's access revoked",
    "event.reminders_changed": "Reminders changed",
    "event.slack_channel_set": "Slack channel chosen",
    "event.slack_channel_removed": "Slack channel removed",
    "session.created": "Session added to the programme",
    "session.changed": "Session changed",
    "session.cancelled": "Session cancelled",
    "series.created": "Series created",
    "series.organisers": "Series organisers changed",
    "workshops.group_added": "Workshop group added",
    "workshops.group_changed": "Workshop group changed",
    "workshops.group_removed": "Workshop group removed",
    "workshops.groups_assigned": "Participants placed in groups",
    "workshops.groups_published": "Groups published to participants",
    "workshops.participant_moved": "Participant moved to another group",
    "workshops.ranking_changed": "A participant changed their ranked perspectives",
    "event.survey_changed": "Survey changed",
    "survey.exported": "Survey answers downloaded",
    "certificates.mailed": "Certificates of attendance e-mailed",
}


DOWNLOADS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class RegistrationPages(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = {"chosen": Provide(provide_filter, sync_to_thread=False)}  # noqa: RUF012 - read by Litestar

    @get("/events/{slug:str}/registrations")
    async def table(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        chosen: Chosen,
        after: Text = "",
        before: Text = "",
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        rows, has_previous, has_next, total = await registration_listing.registrations_page(
            conn, event.id, chosen, after=after or None, before=before or None
        )
        previous_href = (
            f"?{filter_query(chosen, before=registration_listing.encode_cursor(rows[0], chosen.sort))}"
            if rows and has_previous
            else None
        )
        next_href = (
            f"?{filter_query(chosen, after=registration_listing.encode_cursor(rows[-1], chosen.sort))}"
            if rows and has_next
            else None
        )
        return console_page(
            request,
            "console/registrations.html",
            principal,
            event_slug=slug,
            section="registrations",
            event=event,
            rows=rows,
            total=total,
            chosen=chosen,
            query=filter_query(chosen),
            previous_href=previous_href,
            next_href=next_href,
            roles=ROLE_LABELS,
            source_texts=SOURCE_TEXTS,
            sessions=[s for s in await programme.list_sessions(conn, event.id) if s.kind in CHOOSABLE],
            groups=await workshop_queries.groups(conn, event.id),
            perspectives=await workshop_queries.perspectives_of(conn, [row.id for row in rows])
            if event.kind == "workshop"
            else {},
            notice=request.query_params.get("notice"),
            now=now,
        )

    @get("/events/{slug:str}/registrations.csv")
    async def csv(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        state: State,
        conn: Conn,
        principal: Caller,
        chosen: Chosen,
        now: Now,
    ) -> Stream:
        """Streamed a batch at a time (see registrations.listing.export_batches): the first bytes leave at once,
        however many."""
        event, table = await self._export(request, conn, principal, slug, chosen, fmt="csv", now=now)
        batches = registration_listing.export_batches(state.pool, event.id, chosen)
        parts = ([table.line(row) for row in rows] async for rows in batches)
        return Stream(
            spreadsheet.csv_parts(table.header(), parts),
            media_type=DOWNLOADS["csv"],
            headers=self._download_headers(slug, "csv"),
        )

    @get("/events/{slug:str}/registrations.xlsx")
    async def xlsx(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        state: State,
        conn: Conn,
        principal: Caller,
        chosen: Chosen,
        now: Now,
    ) -> Stream:
        """Written a batch at a time into openpyxl's write-only sheet (see spreadsheet.XlsxFile), so the rows are
        never all in memory; the finished file (a zip, so it can only be sent once whole) is sent in chunks.
        openpyxl writes and zips in a thread (seconds for 50,000 rows), so the worker's other requests go on."""
        event, table = await self._export(request, conn, principal, slug, chosen, fmt="xlsx", now=now)
        book = spreadsheet.XlsxFile(slug)
        await anyio.to_thread.run_sync(book.append, [table.header()])
        async for rows in registration_listing.export_batches(state.pool, event.id, chosen):
            lines = [table.line(row) for row in rows]
            await anyio.to_thread.run_sync(book.append, lines)
        finished = await anyio.to_thread.run_sync(book.save)
        size = finished.seek(0, os.SEEK_END)
        finished.seek(0)
        return Stream(
            spreadsheet.file_chunks(finished),
            media_type=DOWNLOADS["xlsx"],
            headers={**self._download_headers(slug, "xlsx"), "content-length": str(size)},
        )

    @staticmethod
    def _download_headers(slug: str, kind: str) -> dict[str, str]:
        return {
            "content-disposition": f'attachment; filename="{slug}-registrations.{kind}"',
            "cache-control": "no-store",
        }

    @staticmethod
    async def _export(
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Any,
        slug: str,
        chosen: RegistrationFilter,
        *,
        fmt: str,
        now: datetime,
    ) -> tuple[Event, export.Table]:
        """The event and the export's table in the organiser's language; the download is audited (who, which
        filter, how many rows) before it starts."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        language = request_language(request)
        await audit_organiser_export(
            conn,
            event.id,
            actor=principal.actor,
            now=now,
            filters=msgspec.structs.asdict(chosen),
            rows=await registration_listing.count_rows(conn, event.id, chosen),
            fmt=fmt,
        )
        table = export.Table(
            await registration_queries.questions(conn, event.id),
            language,
            role_text=lambda value: gettext(language, ROLE_LABELS[value]) if value in ROLE_LABELS else "",
            when=lambda value: format_when(value, language, part="datetime") if isinstance(value, datetime) else "",
        )
        return event, table

    @post("/registrations/{registration_id:uuid}/cancel", status_code=303)
    async def cancel(self, registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Cancel by hand; the first on the waiting list gets the seat (registrations domain)."""
        registration = await registrations.get_registration(conn, registration_id)
        await require_event_scope(conn, principal, registration.event_id, *ORGANISER)
        await registrations.cancel_registration(
            conn, registration_id, actor=principal.actor, now=now, end_hooks=REGISTRATION_END_HOOKS
        )
        return Redirect(f"/console/registrations/{registration_id}?notice=cancelled", status_code=303)

    @post("/registrations/{registration_id:uuid}/confirm", status_code=303)
    async def confirm(self, registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Move from the waiting list into a seat, ahead of the list (registrations domain)."""
        registration = await registrations.get_registration(conn, registration_id)
        await require_event_scope(conn, principal, registration.event_id, *ORGANISER)
        await registrations.confirm_from_waitlist(conn, registration_id, actor=principal.actor, now=now)
        return Redirect(f"/console/registrations/{registration_id}?notice=confirmed", status_code=303)

    @post("/registrations/{registration_id:uuid}/new-link", status_code=303)
    async def new_link(self, registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Revoke the person's links and e-mail them new ones (registrations domain), e.g. when a link leaked."""
        registration = await registrations.get_registration(conn, registration_id)
        await require_event_scope(conn, principal, registration.event_id, *ORGANISER)
        await renew.renew_links(conn, registration_id, actor=principal.actor, now=now)
        return Redirect(f"/console/registrations/{registration_id}?notice=new_links", status_code=303)

    @get("/events/{slug:str}/audit")
    async def audit(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        before: auditview.Before = "",
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        entries = await listing.audit_of(conn, event.id, before=auditview.before_of(before), limit=auditview.PAGE)
        return console_page(
            request,
            "console/audit.html",
            principal,
            event_slug=slug,
            section="audit",
            event=event,
            entries=entries,
            older_href=auditview.older_link(entries),
            history_actions=HISTORY_ACTIONS,
            audit_actions={**AUDIT_ACTIONS, **auditview.PRIZE_ACTIONS},
            dumps=auditview.details,
        )
