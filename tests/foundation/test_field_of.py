"""service.problems.field_of and path_of: the one reading of a field name out of a msgspec ValidationError."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest

from service.problems import field_of, path_of


class Title(msgspec.Struct, forbid_unknown_fields=True):
    nb: Annotated[str, msgspec.Meta(max_length=5)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    slug: str
    title: Title
    links: list[Annotated[str, msgspec.Meta(pattern="^https://")]] = []


def error_of(raw: Any) -> msgspec.ValidationError:
    try:
        msgspec.convert(raw, Body)
    except msgspec.ValidationError as error:
        return error
    raise AssertionError("the body was valid")


CASES = {
    "nested too long": ({"slug": "kk", "title": {"nb": "x" * 6}}, "title.nb", "title.nb", "title"),
    "list item": ({"slug": "kk", "title": {"nb": "x"}, "links": ["javascript:1"]}, "links[0]", "links[0]", "links"),
    "missing at the top": ({"title": {"nb": "x"}}, None, "slug", "slug"),
    "missing inside": ({"slug": "kk", "title": {}}, "title", "title", "title"),
    "wrong type": ({"slug": 1, "title": {"nb": "x"}}, "slug", "slug", "slug"),
    "unknown field": ({"slug": "kk", "title": {"nb": "x"}, "surprise": 1}, None, None, None),
    "not an object": (["kk"], None, None, None),
}


@pytest.mark.parametrize("case", CASES)
def test_field_of_reads_the_field_msgspec_names(case: Any) -> None:
    raw, path, field, top = CASES[case]
    error = error_of(raw)

    assert (path_of(error), field_of(error), field_of(error, top=True)) == (path, field, top)


def test_field_of_reads_a_message_text_too() -> None:
    message = "Expected `str`, got `int` - at `$.answers.q1`"

    assert (path_of(message), field_of(message), field_of(message, top=True)) == ("answers.q1", "answers.q1", "answers")
