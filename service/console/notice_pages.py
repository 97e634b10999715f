"""The administrators' page for the privacy notice's texts (service/privacy/notice.py): one language at a time,
each part prefilled with what /personvern shows now (the stored text, else the standard one). Emptying a part, or
writing the standard text back, returns it to the standard text."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.response import Template

from ..i18n import Language, parse_language
from ..privacy import notice
from ..privacy.pages import organisation_of
from . import forms, users

EDITED = "edit"  # the query parameter naming the language being edited (`lang` is the page's own language)


def _edited(value: str | None) -> Language:
    return parse_language(value) or "nb"


class NoticePages(Controller):
    path = "/console/privacy-notice"
    include_in_schema = False
    dependencies = forms.FORM_PAGES

    def _context(self, console: forms.Console) -> dict[str, Any]:
        settings = console.request.app.state.settings
        return {
            "organisation": msgspec.structs.asdict(organisation_of(settings)),
            "retention_days": settings.retention_days,
        }

    async def _page(self, console: forms.Console, edited: Language, state: forms.State | None = None) -> Template:
        if state is None:
            shown = await notice.notice_texts(console.conn, edited, **self._context(console))
            state = ({part: "\n\n".join(paragraphs) for part, paragraphs in shown.items()}, {})
        return console.page(
            "console/privacy_notice.html",
            state,
            (notice.PART_LABELS, None),
            section="privacy-notice",
            edited=edited,
            parts=notice.PARTS,
            part_labels=notice.PART_LABELS,
            lists=notice.LISTS,
            notice=console.notice,
            max_length=notice.MAX_LENGTH,
        )

    @get("/")
    async def edit(self, console: forms.Page) -> Template:
        users.require_admin(console.principal)
        return await self._page(console, _edited(console.request.query_params.get(EDITED)))

    @post("/", status_code=303)
    async def save(self, data: forms.FormData, console: forms.Page) -> Response[Any]:
        users.require_admin(console.principal)
        edited = _edited(data.get(EDITED))
        texts = {part: data.get(part, "") for part in notice.PARTS}

        async def save() -> str:
            await notice.save_notice(
                console.conn, edited, texts, actor=console.principal.actor, now=console.now, **self._context(console)
            )
            return f"/console/privacy-notice?{EDITED}={edited}&notice=saved"

        return await console.submit(save, lambda errors: self._page(console, edited, (texts, errors)))
