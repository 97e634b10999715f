"""The public privacy notice (/personvern) and accessibility statement (/tilgjengelighetserklaering), with
the organisation's details from the settings; every page's footer links to both."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Redirect, Template

from ..http import Config, Conn, request_language
from ..settings import Settings
from ..web.render import page
from . import notice

NOTICE_PATH = "/personvern"
STATEMENT_PATH = "/tilgjengelighetserklaering"


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    address: str
    privacy_contact: str
    data_protection_officer: str
    accessibility_contact: str
    accessibility_reviewed: str
    uustatus_url: str


def organisation_of(settings: Settings) -> Organisation:
    return Organisation(
        name=settings.organisation_name,
        address=settings.organisation_address,
        privacy_contact=settings.privacy_contact,
        data_protection_officer=settings.data_protection_officer,
        accessibility_contact=settings.accessibility_contact,
        accessibility_reviewed=settings.accessibility_reviewed,
        uustatus_url=settings.uustatus_url,
    )


@get(NOTICE_PATH, include_in_schema=False)
async def privacy_notice(request: Request[Any, Any, Any], conn: Conn, settings: Config) -> Template:
    """Controller, contact, purposes, legal basis, retention, sharing and rights: as the administrators wrote them
    in the console, else the standard texts (service/privacy/notice.py)."""
    texts = await notice.notice_texts(
        conn,
        request_language(request),
        organisation=msgspec.structs.asdict(organisation_of(settings)),
        retention_days=settings.retention_days,
    )
    return page(
        request, "privacy/notice.html", texts=texts, lists=notice.LISTS, labels=notice.PART_LABELS, linked=notice.linked
    )


@get(STATEMENT_PATH, include_in_schema=False)
async def accessibility_statement(request: Request[Any, Any, Any], settings: Config) -> Template:
    """Status against WCAG 2.1 AA, the known gaps, how we check, feedback and supervision."""
    return page(request, "privacy/accessibility.html", organisation=organisation_of(settings))


@get("/tilgjengelegheit", include_in_schema=False)
async def accessibility_statement_nynorsk(request: Request[Any, Any, Any]) -> Redirect:
    """The nynorsk address of the statement leads to the same page."""
    lang = request.query_params.get("lang")
    return Redirect(STATEMENT_PATH + (f"?lang={lang}" if lang in ("nb", "nn", "en") else ""), status_code=301)


PRIVACY_PAGES: list[Any] = [privacy_notice, accessibility_statement, accessibility_statement_nynorsk]
