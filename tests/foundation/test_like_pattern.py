"""service.db.like_pattern: a searched text matches itself literally, whatever LIKE would read into it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.db import like_pattern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kari", "%kari%"),
        ("50%", "%50\\%%"),
        ("a_b", "%a\\_b%"),
        ("c:\\temp", "%c:\\\\temp%"),
        ("\\%_", "%\\\\\\%\\_%"),
        ("", "%%"),
    ],
)
def test_like_pattern_escapes_backslash_percent_and_underscore(text: Any, expected: Any) -> None:
    assert like_pattern(text) == expected


def test_like_pattern_without_contains_adds_no_wildcards() -> None:
    assert like_pattern("o'_%", contains=False) == "o'\\_\\%"


@pytest.mark.parametrize(
    ("value", "searched", "matches"),
    [
        ("rabatt 50% i dag", "50%", True),
        ("rabatt 50 i dag", "50%", False),
        ("kari_nordmann", "i_n", True),
        ("karin nordmann", "i_n", False),
        ("c:\\temp\\x", "\\temp", True),
        ("c:temp", "\\temp", False),
        ("anything", "%", False),
        ("100%", "%", True),
    ],
)
async def test_like_pattern_matches_literally_in_postgresql(
    conn: asyncpg.Connection, value: Any, searched: Any, matches: Any
) -> None:
    found = await conn.fetchval("SELECT $1::text LIKE $2", value, like_pattern(searched))

    assert found is matches


async def test_like_pattern_without_contains_keeps_the_sql_wildcards_working(conn: asyncpg.Connection) -> None:
    pattern = like_pattern("kari_", contains=False)

    found = [await conn.fetchval("SELECT $1::text LIKE $2 || '%'", value, pattern) for value in ("kari_n", "karin")]

    assert found == [True, False]
