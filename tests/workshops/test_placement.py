"""The placement solver: hand-built cases with a known best answer, and random cases checked for invariants."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from service.workshops.placement import (
    Group,
    NotEnoughSeats,
    Participant,
    Placement,
    greedy,
    place,
    spread_deviation,
)

BACKGROUNDS = ("student", "researcher", "municipal_employee", "user_representative", "other", None)


def groups_of(result: list[Placement]) -> dict[object, object]:
    return {p.participant: p.group for p in result}


def test_place_gives_everyone_their_first_choice_when_there_is_room() -> None:
    groups = [Group("patient", 2), Group("employee", 2)]
    people = [
        Participant("a", "student", ("patient", "employee")),
        Participant("b", "researcher", ("employee",)),
        Participant("c", "student", ("employee", "patient")),
    ]

    result = place(groups, people)

    assert result == [
        Placement("a", "patient", 1),
        Placement("b", "employee", 1),
        Placement("c", "employee", 1),
    ]


def test_place_maximises_first_choices_over_order_of_registration() -> None:
    # Greedy gives a the only seat of "patient" and b, who ranked nothing else, gets a group they did not want.
    groups = [Group("patient", 1), Group("employee", 1)]
    people = [
        Participant("a", None, ("patient", "employee")),
        Participant("b", None, ("patient",)),
    ]

    result = place(groups, people)

    assert result == [Placement("a", "employee", 2), Placement("b", "patient", 1)]
    assert greedy(groups, people) == [Placement("a", "patient", 1), Placement("b", "employee", None)]


def test_place_spreads_backgrounds_when_choices_allow() -> None:
    # Four students and four employees with no strong wishes: two of each in each group.
    groups = [Group("x", 4), Group("y", 4)]
    people = [Participant(f"s{i}", "student", ("x", "y")) for i in range(2)]
    people += [Participant(f"s{i}", "student", ("y", "x")) for i in range(2, 4)]
    people += [Participant(f"e{i}", "municipal_employee", ()) for i in range(4)]

    result = place(groups, people)

    by_group = Counter((p.group, p.participant[0]) for p in result)  # type: ignore[index]
    assert by_group == {("x", "s"): 2, ("y", "s"): 2, ("x", "e"): 2, ("y", "e"): 2}
    assert [p.choice for p in result[:4]] == [1, 1, 1, 1]


def test_place_mixes_backgrounds_among_equally_good_answers() -> None:
    # Both students ranked x then y; x has one seat. A mixed answer gives each group one student.
    groups = [Group("x", 2), Group("y", 2)]
    people = [
        Participant("s1", "student", ("x",)),
        Participant("s2", "student", ("y", "x")),
        Participant("r1", "researcher", ("x", "y")),
        Participant("r2", "researcher", ("y", "x")),
    ]

    result = place(groups, people)

    assert result == [
        Placement("s1", "x", 1),
        Placement("s2", "y", 1),
        Placement("r1", "x", 1),
        Placement("r2", "y", 1),
    ]


def test_place_keeps_locked_participants_and_counts_their_seats() -> None:
    groups = [Group("x", 1), Group("y", 1)]
    people = [Participant("a", None, ("x",)), Participant("b", None, ("x",), locked_in="x")]

    result = place(groups, people)

    assert result == [Placement("a", "y", None), Placement("b", "x", 1, locked=True)]


def test_place_refuses_more_participants_than_seats() -> None:
    with pytest.raises(NotEnoughSeats) as raised:
        place([Group("x", 1), Group("y", 1)], [Participant(i, None, ("x",)) for i in range(3)])

    assert (raised.value.seats, raised.value.participants) == (2, 3)


def test_place_with_nobody_places_nobody() -> None:
    assert place([Group("x", 1)], []) == []


def random_case(seed: int, n: int = 300, g: int = 8) -> tuple[list[Group], list[Participant]]:
    rng = random.Random(seed)
    groups = [Group(f"g{i}", rng.choice((38, 40, 42, 45))) for i in range(g)]
    popularity = [rng.randint(1, 6) for _ in range(g)]
    people = []
    for i in range(n):
        ranking: list[str] = []
        for _ in range(rng.randint(1, 4)):
            pick = f"g{rng.choices(range(g), popularity)[0]}"
            if pick not in ranking:
                ranking.append(pick)
        locked = f"g{i % g}" if i % 50 == 0 else None
        people.append(Participant(i, rng.choice(BACKGROUNDS), tuple(ranking), locked_in=locked))
    return groups, people


@pytest.mark.parametrize("seed", range(12))
def test_place_random_cases_keep_every_invariant_and_beat_greedy(seed: int) -> None:
    groups, people = random_case(seed)

    result = place(groups, people)

    baseline = greedy(groups, people)
    members = Counter(p.group for p in result)
    firsts = sum(p.choice == 1 for p in result)
    assert Counter(p.participant for p in result) == Counter(p.id for p in people)  # each exactly once
    assert all(members[g.id] <= g.capacity for g in groups)
    assert all(p.group == q.locked_in for p, q in zip(result, people, strict=True) if q.locked_in)
    assert firsts >= sum(p.choice == 1 for p in baseline)
    assert sum(p.choice is None for p in result) <= sum(p.choice is None for p in baseline)
    assert spread_deviation(groups, people, result) <= spread_deviation(groups, people, baseline)
    assert place(groups, people) == result
