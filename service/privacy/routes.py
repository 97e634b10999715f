"""The API of one person across every event, for administrators: `GET /api/v1/people?email=…` (everything
held, as JSON; audited) and `POST /api/v1/people/erase` (one confirmed step; audited)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import JSONBody, QueryParameter

from ..errors import Invalid
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from .domain import checked_email, look_up_person, require_admin
from .erase import erase_person
from .schemas import EraseIn, Erasure, PersonRecords


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["privacy"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(401, 403, 422), cache_control=CacheControlHeader(no_store=True))
    async def look_up(
        self,
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
        email: Annotated[str, QueryParameter(description="the person's e-mail address", max_length=254)],
        download: Annotated[bool, QueryParameter(description="answer as a file to save")] = False,
    ) -> Response[PersonRecords]:
        """Everything held about one address across all events (administrators only; audited)."""
        records = await look_up_person(
            conn, email, actor=principal, now=now, key=settings.require_secret_key(), export=download
        )
        headers = {"content-disposition": 'attachment; filename="moteplass-person.json"'} if download else {}
        return Response(records, headers=headers)

    @post("/erase", status_code=200, responses=responses(401, 403, 422))
    async def erase(
        self, data: JSONBody[EraseIn], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> Erasure:
        """Erase everything held about one address across all events, in one step that must be confirmed
        (`"confirm": true`); says what was removed and what remains. Administrators only; audited."""
        require_admin(principal)
        if data.confirm is not True:
            raise Invalid("confirmation_required", "set confirm to true to erase", field="confirm")
        return await erase_person(
            conn,
            checked_email(data.email),
            actor=principal.actor,
            now=now,
            key=settings.require_secret_key(),
            end_hooks=REGISTRATION_END_HOOKS,
        )


PRIVACY_ROUTES: list[Any] = [PeopleController]
