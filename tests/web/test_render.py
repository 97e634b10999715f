"""Numbers on pages in the reader's language."""

from __future__ import annotations

import pytest

from service.web.render import format_number


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [(3.0, "3", "3"), (1.5, "1,5", "1.5"), (3.125, "3,12", "3.12"), (1234.5, "1\xa0234,5", "1,234.5")],
)
def test_numbers_have_the_language_decimal_mark_and_no_trailing_zeros(value: float, nb: str, en: str) -> None:
    assert (format_number(value, "nb"), format_number(value, "nn"), format_number(value, "en")) == (nb, nb, en)
