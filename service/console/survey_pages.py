"""An event's evaluation survey in the console: build it (add and remove questions, choose when it goes out and
whether the series' dates share it), read the results as charts with tables, and download the answers as CSV.
Every change goes through service/surveys, the same function the API calls; results and the CSV only from
five answers."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from .. import spreadsheet
from ..errors import DomainError, InvalidState
from ..events.schemas import Event
from ..http import request_language
from ..i18n import pick
from ..surveys import domain as surveys
from ..surveys import queries as survey_queries
from ..surveys.results import export_lines, results
from ..surveys.schemas import KINDS, MIN_ANSWERS, QuestionIn, Survey, SurveyIn
from . import attendance, forms
from .forms import FormErrors

FIELD_LABELS = {
    **forms.FIELD_LABELS,
    "hours": "Hours after the end",
    "shared_with_series": "The other dates of the series share this survey",
}
ERROR_TEXTS = {
    **forms.ERROR_TEXTS,
    "too_many_survey_questions": "A survey has at most 15 questions.",
    "survey_answered": "The survey has answers, so its questions can no longer change.",
    "invalid_duration": "Write a whole number of hours from 1 to 720.",
    "not_in_series": "The event is not part of a series.",
    "last_question": "A survey keeps at least one question: add another before you remove this one.",
    "no_questions": "Add a question first.",
}
KIND_LABELS = {
    "rating": "Rating from 1 to 5",
    "choice": "One of several choices",
    "choices": "Several choices",
    "text": "Free text",
}


def _as_input(survey: Survey) -> list[QuestionIn]:
    return [
        msgspec.convert({"kind": q.kind, "text": q.text, "choices": q.choices}, QuestionIn) for q in survey.questions
    ]


def _shared(survey: Survey) -> bool:
    return len(survey.events) > 1


def question_errors(error: Any) -> dict[str, str]:
    """The add-question form's fields for what the survey's conversion or the domain refused."""
    if isinstance(error, FormErrors):
        return error.errors
    if isinstance(error, msgspec.ValidationError):
        where = str(error)
        for part, field in ((".kind", "question_kind"), (".text.nn", "label_nn"), (".text.en", "label_en")):
            if part in where:
                return {field: forms.code_of_validation(error)}
        if ".choices" in where:
            return {"choices_nb": forms.code_of_validation(error)}
        return {"label_nb": forms.code_of_validation(error)}
    if isinstance(error, DomainError) and error.code == "invalid_question":
        return {"choices_nb": error.code}
    return {"form": error.code if isinstance(error, DomainError) else "invalid"}


class SurveyPages(Controller):
    path = "/console/events/{slug:str}/survey"
    include_in_schema = False
    dependencies = forms.FORM_PAGES

    @staticmethod
    async def _page(console: forms.Console, event: Event, state: forms.State) -> Template:
        survey = await surveys.get_survey(console.conn, event)
        hours = int(surveys.parse_send_after(survey.send_after) // 3600)
        values = {"hours": str(hours), "shared_with_series": "yes" if _shared(survey) else "", **state[0]}
        return console.page(
            "console/survey.html",
            (values, state[1]),
            (FIELD_LABELS, ERROR_TEXTS),
            event=event,
            section="survey",
            survey=survey,
            kinds=KINDS,
            kind_labels=KIND_LABELS,
            min_answers=MIN_ANSWERS,
            notice=console.notice,
        )

    async def _save(
        self, console: forms.Console, event: Event, questions: list[QuestionIn], *, send_after: str, shared: bool
    ) -> None:
        data = SurveyIn(questions=questions, send_after=send_after, shared_with_series=shared)
        await surveys.set_survey(console.conn, event, data, actor=console.principal, now=console.now)

    @get("/")
    async def survey_page(self, slug: FromPath[str], console: forms.Page) -> Template:
        return await self._page(console, await console.event(slug), ({}, {}))

    @post("/questions", status_code=303)
    async def add_question(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def add() -> str:
            typed = forms.question_values(data)
            question = {"kind": typed["kind"], "text": typed["label"], "choices": typed["choices"]}
            survey = await surveys.get_survey(console.conn, event)
            wanted = [*_as_input(survey), msgspec.convert(question, QuestionIn)]
            await self._save(console, event, wanted, send_after=survey.send_after, shared=_shared(survey))
            return f"/console/events/{slug}/survey?notice=added"

        return await console.submit(add, lambda errors: self._page(console, event, (data, errors)), question_errors)

    @post("/questions/{position:int}/delete", status_code=303)
    async def delete_question(self, slug: FromPath[str], position: FromPath[int], console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def delete() -> str:
            survey = await surveys.get_survey(console.conn, event)
            wanted = [q for index, q in enumerate(_as_input(survey)) if index != position]
            if not wanted:
                raise FormErrors({"form": "last_question"})
            await self._save(console, event, wanted, send_after=survey.send_after, shared=_shared(survey))
            return f"/console/events/{slug}/survey?notice=deleted"

        return await console.submit(delete, lambda errors: self._page(console, event, ({}, errors)))

    @post("/settings", status_code=303)
    async def settings(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def save() -> str:
            hours = data.get("hours", "").strip()
            if not hours.isdigit() or not 1 <= int(hours) <= 720:
                raise FormErrors({"hours": "invalid_duration"})
            survey = await surveys.get_survey(console.conn, event)
            if not survey.questions:
                raise FormErrors({"form": "no_questions"})
            shared = data.get("shared_with_series") == "yes"
            await self._save(console, event, _as_input(survey), send_after=f"PT{int(hours)}H", shared=shared)
            return f"/console/events/{slug}/survey?notice=saved"

        def read(error: Any) -> dict[str, str]:
            errors = forms.errors_of(error)
            return {"hours" if k == "send_after" else k: v for k, v in errors.items()}

        return await console.submit(save, lambda errors: self._page(console, event, (data, errors)), read)

    @get("/results")
    async def results_page(self, slug: FromPath[str], console: forms.Page) -> Template:
        """Per question a chart with its table, per event side by side when the survey is shared; from five answers."""
        event = await console.event(slug)
        language = request_language(console.request)
        survey = await survey_queries.survey_of_event(console.conn, event.id)
        events = await survey_queries.events_of_survey(console.conn, survey.id) if survey else []
        found = await results(console.conn, survey.id, language, events=events) if survey else None
        charts = {}
        if found and found.shown:
            for index, result in enumerate(found.questions):
                for column, counts in result.counts.items():
                    rows = list(zip(result.labels, counts, strict=True))
                    charts[(index, column)] = (attendance.row_chart(rows), rows)
        return console.page(
            "console/survey_results.html",
            ({}, {}),
            event=event,
            section="survey",
            results=found,
            charts=charts,
            min_answers=MIN_ANSWERS,
            titles={row.slug: pick(row.title, language) for row in events},
            notice=console.notice,
        )

    @get("/answers.csv")
    async def answers_csv(self, slug: FromPath[str], console: forms.Page) -> Response[Any]:
        """Every answer, one line per person in no telling order, audited; under five answers the results page
        (which says how many there are) instead."""
        event = await console.event(slug)
        survey = await survey_queries.survey_of_event(console.conn, event.id)
        try:
            if survey is None:
                raise InvalidState("too_few_answers", f"answers are shown from {MIN_ANSWERS}")
            async with console.conn.transaction():
                lines = await export_lines(
                    console.conn,
                    survey.id,
                    request_language(console.request),
                    events=await survey_queries.events_of_survey(console.conn, survey.id),
                    event_id=event.id,
                    actor=console.principal.actor,
                )
        except InvalidState:
            return Redirect(f"/console/events/{slug}/survey/results?notice=too_few", status_code=303)
        return spreadsheet.csv_response(f"{slug}-survey.csv", lines)
