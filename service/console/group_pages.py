"""Workshop groups in the console: define and edit the perspective groups, run the placement (and see who got
which choice), move a person by hand (which locks them), publish, and the group lists with a CSV download
(the API's /groups/lists?format=csv). Every change goes through service/workshops."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Conn, Now, request_language
from ..i18n import LANGUAGES
from ..problems import TITLES, title_for
from ..registrations.pages import ROLE_LABELS
from ..workshops import domain as workshops
from ..workshops import queries as workshop_queries
from ..workshops.schemas import GroupIn, GroupPatch, PlacementIn
from . import forms
from .guard import ORGANISER

LABELS = {
    "key": "Short name (key)",
    "name_nb": "Name (bokmål)",
    "name_nn": "Name (nynorsk)",
    "name_en": "Name (English)",
    "perspective_nb": "Perspective (bokmål)",
    "perspective_nn": "Perspective (nynorsk)",
    "perspective_en": "Perspective (English)",
    "capacity": "Capacity",
    "form": "The form",
}
ERRORS = {
    **forms.ERROR_TEXTS,
    **{code: TITLES[code] for code in ("group_key_taken", "reserved_group_key", "group_capacity_below_members")},
    "not_a_workshop": TITLES["not_a_workshop"],
}


def group_values(form: dict[str, str], *, creating: bool) -> dict[str, Any]:
    """The group form as GroupIn's JSON. Raises FormErrors."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"key": form.get("key", "").strip()} if creating else {}
    if creating and not values["key"]:
        errors["key"] = "required"
    for name in ("name", "perspective"):
        texts = {code: form.get(f"{name}_{code}", "").strip() for code in LANGUAGES}
        values[name] = {code: text for code, text in texts.items() if text}
    if not values["name"].get("nb"):
        errors["name_nb"] = "required"
    values["perspective"] = values["perspective"] or {"nb": ""}
    forms.read_count(form, "capacity", values, errors, digits=5)
    if errors:
        raise forms.FormErrors(errors)
    return values


class GroupPages(Controller):
    path = "/console/events/{slug:str}/groups"
    include_in_schema = False

    dependencies = forms.FORM_PAGES

    async def _page(
        self,
        console: forms.Console,
        event: Event,
        state: forms.State,
        template: str = "console/groups.html",
        group: Any = None,
    ) -> Template:
        error = console.request.query_params.get("error")
        placements = await workshops.placements_of(console.conn, event) if event.kind == "workshop" else None
        return console.page(
            template,
            state,
            (LABELS, ERRORS),
            event=event,
            section="groups",
            placements=placements,
            group=group,
            notice=console.notice,
            problem=title_for(error, request_language(console.request)) if error else None,
            roles=ROLE_LABELS,
        )

    @get("/")
    async def groups(self, slug: FromPath[str], console: forms.Page) -> Template:
        return await self._page(console, await console.event(slug), ({"capacity": "10"}, {}))

    @post("/", status_code=303)
    async def add(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def add() -> str:
            body = forms.convert(group_values(data, creating=True), GroupIn)
            await workshops.add_group(console.conn, event, body, actor=console.principal.actor, now=console.now)
            return f"/console/events/{slug}/groups?notice=added"

        return await console.submit(add, lambda errors: self._page(console, event, (data, errors)))

    @get("/edit/{key:str}")
    async def edit_form(self, slug: FromPath[str], key: FromPath[str], console: forms.Page) -> Template:
        event = await console.event(slug)
        group = await _group(console.conn, event, key)
        values = {"capacity": str(group.capacity)}
        for code in LANGUAGES:
            values[f"name_{code}"] = group.name.get(code, "")
            values[f"perspective_{code}"] = group.perspective.get(code, "")
        return await self._page(console, event, (values, {}), "console/group_form.html", group)

    @post("/edit/{key:str}", status_code=303)
    async def change(
        self, slug: FromPath[str], key: FromPath[str], data: forms.FormData, console: forms.Page
    ) -> Response[Any]:
        event = await console.event(slug)
        group = await _group(console.conn, event, key)

        async def change() -> str:
            patch = forms.convert(group_values(data, creating=False), GroupPatch)
            await workshops.change_group(
                console.conn, event, key, patch, actor=console.principal.actor, now=console.now
            )
            return f"/console/events/{slug}/groups?notice=saved"

        return await console.submit(
            change, lambda errors: self._page(console, event, (data, errors), "console/group_form.html", group)
        )

    @post("/assign", status_code=303)
    async def assign(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Run the placement; locked placements stay."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await _act(slug, "assigned", workshops.assign_groups(conn, event, actor=principal.actor, now=now))

    @post("/publish", status_code=303)
    async def publish(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Redirect:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await _act(slug, "published", workshops.publish_groups(conn, event, actor=principal.actor, now=now))

    @post("/move/{registration_id:uuid}", status_code=303)
    async def move(
        self,
        slug: FromPath[str],
        registration_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Redirect:
        """Move a person into a group by hand; the placement is locked, so a new run keeps it."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        try:
            body = msgspec.convert({"group": data.get("group", "")}, PlacementIn)
        except msgspec.ValidationError:
            return Redirect(f"/console/events/{slug}/groups?error=group_not_found", status_code=303)
        moved = workshops.move_participant(conn, event, registration_id, body, actor=principal.actor, now=now)
        return await _act(slug, "moved", moved)


async def _group(conn: Conn, event: Event, key: str) -> Any:
    group = await workshop_queries.group_by_key(conn, event.id, key)
    if group is None:
        raise NotFound("group_not_found", f"the workshop has no group {key!r}")
    return group


async def _act(slug: str, notice: str, action: Any) -> Redirect:
    """Run a workshop action; a refusal (no groups, too few seats, a full group…) shows on the page."""
    try:
        await action
    except DomainError as error:
        if error.status in (401, 403, 404) and error.code not in ("registration_not_found", "group_not_found"):
            raise
        return Redirect(f"/console/events/{slug}/groups?error={error.code}", status_code=303)
    return Redirect(f"/console/events/{slug}/groups?notice={notice}", status_code=303)
