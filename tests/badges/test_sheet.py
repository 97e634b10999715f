"""The badge's name fitting, measured with reportlab's own font metrics (the ones the PDF is drawn with)."""

from __future__ import annotations

import pytest

from service.badges.sheet import NAME_FLOOR, NAME_MAX, NAME_MIN, NAME_WIDTH, FittedName, fit_name
from service.pdf import BOLD, text_width

SIXTY = [
    "Aaaa-Marie Kristiansen-Øvrebø Haugland-Bjørnstad Sæther Lien",
    "WWWWWWWWWW ÆÆÆÆÆÆÆÆÆ MMMMMMMMMM ØØØØØØØØØ WWWWWWWWWW ÅÅÅÅÅÅÅ",
    "Wenche-Mathilde Wærnes-Wølstad Mæhlum-Åmodt Wiik-Halvorsrøed",
]


def test_fit_name_keeps_a_short_name_large_on_one_line() -> None:
    assert fit_name("Kari Nordmann") == FittedName(NAME_MAX, ["Kari Nordmann"])


@pytest.mark.parametrize("name", SIXTY)
def test_fit_name_sets_a_sixty_character_name_inside_the_badge_without_losing_a_letter(name: str) -> None:
    fitted = fit_name(name)

    assert len(name) == 60
    assert len(fitted.lines) <= 2
    assert NAME_FLOOR <= fitted.size <= NAME_MIN
    assert max(text_width(line, BOLD, fitted.size) for line in fitted.lines) <= NAME_WIDTH
    assert " ".join(fitted.lines) == name


def test_fit_name_breaks_a_sixty_character_word_where_it_must() -> None:
    name = "W" * 60

    fitted = fit_name(name)

    assert "".join(fitted.lines) == name
    assert max(text_width(line, BOLD, fitted.size) for line in fitted.lines) <= NAME_WIDTH


def test_fit_name_cuts_only_a_name_that_cannot_fit_at_the_smallest_size() -> None:
    fitted = fit_name("Åse " * 50)

    assert (fitted.size, len(fitted.lines)) == (NAME_FLOOR, 2)
    assert fitted.lines[1].endswith("…")
    assert max(text_width(line, BOLD, fitted.size) for line in fitted.lines) <= NAME_WIDTH
