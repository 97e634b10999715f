"""The attendee's answer page (`/s/{token}`): the survey in their language, errors by question, and once
answered a thank-you; a second answer with the same link is refused with a clear message and stores nothing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from ..errors import Conflict
from ..events import queries as event_queries
from ..http import Conn, request_language
from ..i18n import pick
from ..web import forms
from ..web.render import page as render_page
from . import domain
from .queries import Invitation
from .schemas import Question

FIELD_LABELS = {"form": "The survey"}
ERROR_TEXTS = {
    **forms.ERROR_TEXTS,
    "invalid_rating": "Choose a number from 1 to 5.",
    "unknown_choice": "Choose one of the choices.",
    "unknown_question": "The survey has no such question.",
    "no_answers": "Answer at least one question before you send.",
}
NOT_STORED = CacheControlHeader(no_store=True)


def _field(question: Question) -> str:
    return f"q_{question.id}"


def answers_of(form: dict[str, str], questions: list[Question]) -> dict[str, Any]:
    """The form as the domain's answers: numbers where numbers are asked for (anything else is passed on as
    typed, for the domain to refuse), the ticked choices of a several-choices question as a list."""
    answers: dict[str, Any] = {}
    for question in questions:
        name, key = _field(question), str(question.id)
        if question.kind == "choices":
            ticked = [name_.removeprefix(f"{name}_") for name_ in form if name_.startswith(f"{name}_")]
            if ticked:
                answers[key] = [int(t) if t.isdigit() else t for t in ticked]
            continue
        value = form.get(name, "").strip()
        if not value:
            continue
        if question.kind in ("rating", "choice"):
            answers[key] = int(value) if value.isdigit() and len(value) < 6 else value
        else:
            answers[key] = form.get(name, "")
    return answers


def _errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors by question id -> by form field."""
    return {key if key == "form" else f"q_{key}": code for key, code in errors.items()}


class SurveyPages(Controller):
    @staticmethod
    async def _page(
        request: Request[Any, Any, Any],
        conn: Any,
        invitation: Invitation,
        questions: list[Question],
        *,
        values: dict[str, str],
        errors: dict[str, str],
        done: str | None = None,
        status_code: int = 200,
    ) -> Template:
        event = await event_queries.event_by_id(conn, invitation.event_id)
        assert event is not None
        rendered = render_page(
            request,
            "surveys/answer.html",
            event=event,
            questions=questions,
            values=values,
            errors=errors,
            done=done,
            field_labels={**FIELD_LABELS, **{_field(q): pick(q.text, request_language(request)) for q in questions}},
            error_texts=ERROR_TEXTS,
        )
        rendered.status_code = status_code
        return rendered

    @get("/s/{token:str}", cache_control=NOT_STORED, include_in_schema=False)
    async def form(self, token: FromPath[str], request: Request[Any, Any, Any], conn: Conn) -> Template:
        """The survey, or a thank-you when it has been answered with this link."""
        invitation, questions = await domain.open_invitation(conn, token)
        done = "answered_before" if invitation.answered else None
        return await self._page(request, conn, invitation, questions, values={}, errors={}, done=done)

    @post("/s/{token:str}", status_code=200, cache_control=NOT_STORED, include_in_schema=False)
    async def submit(
        self, token: FromPath[str], data: URLEncodedBody[dict[str, str]], request: Request[Any, Any, Any], conn: Conn
    ) -> Response[Any]:
        invitation, questions = await domain.open_invitation(conn, token)
        try:
            await domain.answer(conn, token, answers_of(data, questions))
        except domain.AnswerErrors as refused:
            return await self._page(
                request, conn, invitation, questions, values=data, errors=_errors(refused.errors), status_code=422
            )
        except Conflict:
            return await self._page(
                request, conn, invitation, questions, values={}, errors={}, done="answered_before", status_code=409
            )
        return await self._page(request, conn, invitation, questions, values={}, errors={}, done="thanks")


SURVEY_PAGES: list[Any] = [SurveyPages]
