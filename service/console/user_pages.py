"""The administrator's page of console users, inviting someone by e-mail, and deactivating a user."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ..errors import DomainError
from ..http import Caller, Conn, Now
from . import forms, listing, users
from .guard import console_page
from .schemas import INVITE_ROLES, InviteIn

ROLE_TEXTS = {"admin": "Administrator", "organiser": "Organiser", "jury": "Jury member"}


class UserPages(Controller):
    path = "/console/users"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Any,
        now: Any,
        *,
        values: dict[str, Any],
        errors: dict[str, str],
    ) -> Template:
        return console_page(
            request,
            "console/users.html",
            principal,
            status_code=422 if errors else 200,
            section="users",
            people=await users.list_users(conn, actor=principal),
            events=await listing.all_events(conn, principal, now=now),
            roles=INVITE_ROLES,
            role_texts=ROLE_TEXTS,
            values=values,
            errors=errors,
            field_labels=forms.FIELD_LABELS,
            error_texts=forms.ERROR_TEXTS,
            notice=request.query_params.get("notice"),
        )

    @get("/")
    async def list_users(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now) -> Template:
        users.require_admin(principal)
        return await self._page(request, conn, principal, now, values={"role": "organiser"}, errors={})

    @post("/", status_code=303)
    async def invite(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now) -> Response[Any]:
        users.require_admin(principal)
        form = await request.form()
        values: dict[str, Any] = {key: form.get(key, "").strip() for key in ("email", "name", "role", "language")}
        chosen_events = form.getall("events") if "events" in form else []
        values["events"] = chosen_events
        try:
            data = msgspec.convert({**values, "language": values["language"] or "nb"}, InviteIn)
            await users.invite_user(conn, data, actor=principal, now=now)
        except msgspec.ValidationError as error:
            field = forms.field_of_validation(error)
            code = "invalid_email" if field == "email" else forms.code_of_validation(error)
            return await self._page(request, conn, principal, now, values=values, errors={field: code})
        except DomainError as error:
            if error.status in (401, 403):
                raise
            return await self._page(
                request, conn, principal, now, values=values, errors={forms.field_of_domain(error): error.code}
            )
        return Redirect("/console/users?notice=invited", status_code=303)

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
