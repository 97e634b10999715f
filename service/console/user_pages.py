"""The administrator's page of console users, inviting someone by e-mail, and deactivating a user."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ..http import Caller, Conn, Now
from . import forms, listing, users
from .guard import console_page
from .schemas import INVITE_ROLES, InviteIn

ROLE_TEXTS = {"admin": "Administrator", "organiser": "Organiser", "jury": "Jury member"}


class UserPages(Controller):
    path = "/console/users"
    include_in_schema = False

    dependencies = forms.FORM_PAGES

    async def _page(self, console: forms.Console, state: forms.State) -> Template:
        people = await users.list_users(console.conn, actor=console.principal)
        found = await listing.all_events(console.conn, console.principal, now=console.now)
        return console.page(
            "console/users.html",
            state,
            section="users",
            people=people,
            events=found,
            roles=INVITE_ROLES,
            role_texts=ROLE_TEXTS,
            notice=console.notice,
        )

    @get("/")
    async def list_users(self, console: forms.Page) -> Template:
        users.require_admin(console.principal)
        return await self._page(console, ({"role": "organiser"}, {}))

    @post("/", status_code=303)
    async def invite(self, console: forms.Page) -> Response[Any]:
        users.require_admin(console.principal)
        form = await console.request.form()
        values: dict[str, Any] = {key: form.get(key, "").strip() for key in ("email", "name", "role", "language")}
        values["events"] = form.getall("events") if "events" in form else []

        async def invite() -> str:
            data = forms.convert({**values, "language": values["language"] or "nb"}, InviteIn)
            await users.invite_user(console.conn, data, actor=console.principal, now=console.now)
            return "/console/users?notice=invited"

        return await console.submit(invite, lambda errors: self._page(console, (values, errors)))

    @get("/{user_id:uuid}/disable")
    async def disable_form(
        self, user_id: FromPath[UUID], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        """The confirmation step: what deactivating does, before anything happens."""
        users.require_admin(principal)
        person = await users.console_user(conn, user_id, actor=principal)
        own = person.id == principal.user_id
        return console_page(request, "console/user_disable.html", principal, section="users", person=person, own=own)

    @post("/{user_id:uuid}/disable", status_code=303)
    async def disable(self, user_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        """Deactivate the user (not oneself: an administrator who did would be locked out)."""
        users.require_admin(principal)
        person = await users.console_user(conn, user_id, actor=principal)
        if person.id == principal.user_id:
            return Redirect(f"/console/users/{user_id}/disable", status_code=303)
        await users.disable_user(conn, person.email, actor=principal.actor, now=now)
        return Redirect("/console/users?notice=disabled", status_code=303)
