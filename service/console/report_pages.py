"""An event's report (service/console/report.py) as a console page with charts and tables, and as CSV for the
partners' annual reporting (audited as an export, like every list an organiser downloads). Organisers of the event
only. The evaluation survey's response rate joins it when the surveys land."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from .. import spreadsheet
from ..events import domain as events
from ..http import Caller, Conn, Now, request_language
from ..i18n import Language, gettext, pick
from ..privacy.domain import audit_organiser_export
from ..registrations.pages import ROLE_LABELS
from ..surveys import domain as surveys
from ..surveys.schemas import ResponseRate
from ..web.render import format_when
from . import attendance, report
from .guard import ORGANISER, console_page

FORMAT = "report.csv"


def _role(value: str, language: Language) -> str:
    return gettext(language, ROLE_LABELS[value]) if value in ROLE_LABELS else gettext(language, "No role given")


def _csv_lines(
    language: Language,
    totals: report.Counts,
    roles: list[report.Counts],
    organisations: list[report.Counts],
    sessions: list[report.SessionAttendance],
    survey: ResponseRate,
) -> list[list[object]]:
    """One table: a part column (totals, role, organisation, session), a label, and the counts."""
    _ = lambda message: gettext(language, message)  # noqa: E731 - a local shorthand, as in the templates
    header: list[object] = [
        _("Part"),
        _("Label"),
        _("Registered"),
        _("Confirmed"),
        _("Reached the waiting list"),
        _("Checked in"),
        _("Did not come"),
    ]

    def line(part: str, label: str, row: report.Counts) -> list[object]:
        return [part, label, row.registered, row.confirmed, row.waitlist_reached, row.attended, row.no_shows]

    lines: list[list[object]] = [header, line(_("In numbers"), _("Everyone"), totals)]
    lines += [line(_("Role"), _role(row.label, language), row) for row in roles]
    lines += [line(_("Organisation"), row.label or _("No organisation given"), row) for row in organisations]
    lines += [
        [
            _("Session"),
            f"{format_when(s.starts_at, language, part='time')}–{format_when(s.ends_at, language, part='time')} "
            f"{pick(s.title, language)}",
            s.chose,
            "",
            "",
            s.attended,
            "",
        ]
        for s in sessions
    ]
    lines.append([_("Evaluation survey"), _("Sent / answered"), survey.sent, "", "", survey.answered, ""])
    return lines


class ReportPages(Controller):
    path = "/console/events/{slug:str}"
    include_in_schema = False

    @get("/report")
    async def report_page(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        language = request_language(request)
        totals = await report.totals(conn, event.id)
        roles = await report.by_role(conn, event.id)
        organisations = await report.by_organisation(conn, event.id)
        sessions = await report.sessions(conn, event.id)
        slots = await attendance.per_slot(conn, event.id)
        pair = [gettext(language, "Confirmed"), gettext(language, "Checked in")]
        numbers = [
            ("Registered", totals.registered),
            ("Confirmed", totals.confirmed),
            ("Reached the waiting list", totals.waitlist_reached),
            ("Checked in", totals.attended),
            ("Did not come", totals.no_shows),
        ]
        return console_page(
            request,
            "console/report.html",
            principal,
            event_slug=event.slug,
            section="report",
            event=event,
            totals=totals,
            totals_chart=report.hchart([(gettext(language, k), [v]) for k, v in numbers], ["people"]),
            roles=roles,
            roles_chart=report.hchart(
                [(_role(r.label, language), [r.confirmed, r.attended]) for r in roles[: report.CHART_ROWS]], pair
            ),
            organisations=organisations,
            organisations_chart=report.hchart(
                [
                    (r.label or gettext(language, "No organisation given"), [r.confirmed, r.attended])
                    for r in organisations[: report.CHART_ROWS]
                ],
                pair,
            ),
            sessions=sessions,
            sessions_chart=report.hchart(
                [(pick(s.title, language), [s.chose, s.attended]) for s in sessions[: report.CHART_ROWS]],
                [gettext(language, "Chose it"), gettext(language, "Chose it and were checked in")],
            ),
            role_labels=ROLE_LABELS,
            chart=attendance.chart(slots) if slots else None,
            survey=await surveys.response_rate(conn, event.id),
        )

    @get("/report.csv")
    async def report_csv(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now
    ) -> Response[bytes]:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        language = request_language(request)
        async with conn.transaction():
            totals = await report.totals(conn, event.id)
            roles = await report.by_role(conn, event.id)
            organisations = await report.by_organisation(conn, event.id)
            sessions = await report.sessions(conn, event.id)
            survey = await surveys.response_rate(conn, event.id)
            lines = _csv_lines(language, totals, roles, organisations, sessions, survey)
            await audit_organiser_export(
                conn, event.id, actor=principal.actor, now=now, filters={}, rows=len(lines) - 1, fmt=FORMAT
            )
        return spreadsheet.csv_response(f"{event.slug}-report.csv", lines)
