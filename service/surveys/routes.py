"""An event's survey through the API: read it, or replace it (organisers of the event)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from ..events import domain as events
from ..http import Caller, Conn, Now
from ..openapi import responses
from . import domain
from .schemas import Survey, SurveyIn

ORGANISER = ("organiser",)


class SurveyController(Controller):
    path = "/api/v1/events/{slug:str}/survey"
    tags = ["surveys"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(401, 403, 404))
    async def get_survey(self, slug: FromPath[str], conn: Conn, principal: Caller) -> Survey:
        """The survey: its questions, how long after the end it goes out (ISO 8601), and for each event that
        shares it when it goes out, how many it went to and how many answered. An event without
        a survey has one with no id and no questions."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.get_survey(conn, event)

    @put("/", responses=responses(401, 403, 404, 409, 422))
    async def set_survey(
        self, slug: FromPath[str], data: JSONBody[SurveyIn], conn: Conn, principal: Caller, now: Now
    ) -> Survey:
        """Replace the survey: 1 to 15 questions (`rating` 1–5, `choice`, `choices`, `text`; the text in `nb`,
        `nn` and `en` optional), `send_after` the end (PT1M to P30D, default PT2H), and `shared_with_series`.
        409 `survey_answered` when the questions of a survey with answers would change."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await domain.set_survey(conn, event, data, actor=principal, now=now)


SURVEY_ROUTES = [SurveyController]
