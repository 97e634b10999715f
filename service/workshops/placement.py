"""Placing workshop participants in perspective groups: an assignment problem over seat slots.

Every free seat of every group is a column, every participant a row; `scipy.optimize.linear_sum_assignment`
picks the cheapest way to give each participant one seat. A seat's cost for a participant has four levels,
weighted so that one unit of a higher level outweighs everything below it together:

1. not getting one's first choice, so the number of first choices is as high as it can be;
2. the background spread: each group's seats are shared out among the backgrounds in proportion to each
   background's share of the participants (largest remainders), and taking a seat meant for another background
   costs one unit, so no group fills up with one background while others have none;
3. getting a group one did not rank at all, so as many as possible get one of their choices;
4. the rank of the group one got among one's choices (second before third …).

Spread sits above later choices on purpose: once first choices are settled, a mix of backgrounds in every group
matters more to a design-thinking workshop than whether someone got their second or third choice. On random
cases this still gives more people one of their choices than placing them by hand in order of registration.
Weights are exact in float64 up to several thousand participants.

Locked participants keep their group and use up its seats. The result is the same for the same input (the
solver is deterministic and rows and columns are built in input order), and each placement says which
choice the participant got, so the organiser can see why. Pure: no database, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

GroupId = Hashable
ParticipantId = Hashable


@dataclass(frozen=True)
class Group:
    id: GroupId
    capacity: int


@dataclass(frozen=True)
class Participant:
    id: ParticipantId
    background: str | None
    ranking: tuple[GroupId, ...] = ()
    locked_in: GroupId | None = None


@dataclass(frozen=True)
class Placement:
    participant: ParticipantId
    group: GroupId
    choice: int | None  # 1 = first choice; None = a group they did not rank
    locked: bool = False


class NotEnoughSeats(ValueError):
    """The groups' capacities add up to fewer seats than there are participants."""

    def __init__(self, seats: int, participants: int) -> None:
        super().__init__(f"{participants} participants but only {seats} seats in the groups")
        self.seats = seats
        self.participants = participants


def choice_of(participant: Participant, group: GroupId) -> int | None:
    return participant.ranking.index(group) + 1 if group in participant.ranking else None


def targets(groups: Sequence[Group], participants: Sequence[Participant]) -> dict[tuple[GroupId, str | None], float]:
    """How many of each background each group would have if backgrounds were spread by capacity."""
    seats = sum(g.capacity for g in groups)
    backgrounds = Counter(p.background for p in participants)
    return {(g.id, b): n * g.capacity / seats for g in groups for b, n in backgrounds.items()} if seats else {}


def spread_deviation(
    groups: Sequence[Group], participants: Sequence[Participant], placements: Sequence[Placement]
) -> float:
    """How far the backgrounds are from an even spread: the sum of |members − target| over groups and backgrounds."""
    background = {p.id: p.background for p in participants}
    counts = Counter((pl.group, background[pl.participant]) for pl in placements)
    return sum(abs(counts.get(key, 0) - target) for key, target in targets(groups, participants).items())


def _check(groups: Sequence[Group], participants: Sequence[Participant]) -> None:
    seats = sum(g.capacity for g in groups)
    if len(participants) > seats:
        raise NotEnoughSeats(seats, len(participants))
    known = {g.id for g in groups}
    for p in participants:
        if p.locked_in is not None and p.locked_in not in known:
            raise ValueError(f"participant {p.id!r} is locked in an unknown group {p.locked_in!r}")


def place(groups: Sequence[Group], participants: Sequence[Participant]) -> list[Placement]:
    """Every participant in exactly one group, within capacities. Raises NotEnoughSeats."""
    _check(groups, participants)
    locked = [p for p in participants if p.locked_in is not None]
    free = [p for p in participants if p.locked_in is None]
    placements = {p.id: Placement(p.id, p.locked_in, choice_of(p, p.locked_in), True) for p in locked}
    if free:
        columns, reserved_for = _seats(groups, participants, locked)
        if len(columns) < len(free):
            raise NotEnoughSeats(sum(g.capacity for g in groups), len(participants))
        rows, cols = linear_sum_assignment(_costs(groups, free, columns, reserved_for))
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            person, group = free[row], groups[columns[col]].id
            placements[person.id] = Placement(person.id, group, choice_of(person, group))
    return [placements[p.id] for p in participants]


def _seats(
    groups: Sequence[Group], participants: Sequence[Participant], locked: Sequence[Participant]
) -> tuple[list[int], list[str | None]]:
    """The free seats as (group index per seat, background each seat is reserved for).

    Each group's seats are shared out among the backgrounds in proportion to their shares of all participants
    (largest remainders), less the seats locked participants of that background already take.
    """
    shares = Counter(p.background for p in participants)
    backgrounds = sorted(shares, key=lambda b: (b is None, b or ""))
    taken = Counter((p.locked_in, p.background) for p in locked)
    columns: list[int] = []
    reserved_for: list[str | None] = []
    for index, group in enumerate(groups):
        exact = {b: shares[b] * group.capacity / len(participants) for b in backgrounds}
        quota = {b: math.floor(exact[b]) for b in backgrounds}
        by_remainder = sorted(backgrounds, key=lambda b: -(exact[b] - quota[b]))
        for b in by_remainder[: group.capacity - sum(quota.values())]:
            quota[b] += 1
        for b in backgrounds:
            room = max(quota[b] - taken[(group.id, b)], 0)
            columns += [index] * room
            reserved_for += [b] * room
        # locked people beyond their background's quota take seats reserved for others
        overflow = sum(max(taken[(group.id, b)] - quota[b], 0) for b in backgrounds)
        del columns[len(columns) - overflow :], reserved_for[len(reserved_for) - overflow :]
    return columns, reserved_for


def _costs(
    groups: Sequence[Group],
    free: Sequence[Participant],
    columns: Sequence[int],
    reserved_for: Sequence[str | None],
) -> np.ndarray:
    """The cost of every seat for every free participant (rows × seats, the one large array).

    A seat's cost depends only on its group and the background it is reserved for, and a group's seats come in
    runs of a few such kinds, so the costs are worked out once per kind (rows × groups × backgrounds, small) and
    spread to the seats by one gather: building 5,000 × 5,500 seats element by element took longer than solving.
    """
    n, g = len(free), len(groups)
    # Weights that make the levels strict: each level's unit outweighs everything below it together.
    unranked = n * g + 1
    spread_weight = n * (unranked + g) + 1
    miss_first = n * (unranked + g) + n * spread_weight + 1
    index = {group.id: i for i, group in enumerate(groups)}
    group_cost = np.full((n, g), miss_first + unranked + g, dtype=np.float64)
    for row, person in enumerate(free):
        for rank, group_id in enumerate(person.ranking):
            if group_id in index:
                group_cost[row, index[group_id]] = 0 if rank == 0 else miss_first + rank
    code: dict[str | None, int] = {}
    people = np.array([code.setdefault(person.background, len(code)) for person in free], dtype=np.intp)
    seats = np.array([code.get(r, -1) for r in reserved_for], dtype=np.intp)
    # Each seat's kind: its group and the background it is reserved for (-1: none of the free participants').
    kinds, kind_of_seat = np.unique(
        np.stack([np.asarray(columns, dtype=np.intp), seats]), axis=1, return_inverse=True
    )
    kind_cost = group_cost[:, kinds[0]] + (kinds[1][None, :] != people[:, None]) * float(spread_weight)
    cost: np.ndarray = kind_cost[:, kind_of_seat.reshape(-1)]
    return cost


def greedy(groups: Sequence[Group], participants: Sequence[Participant]) -> list[Placement]:
    """The hand method, as a baseline: in order, each to their highest-ranked group with room, else the emptiest."""
    _check(groups, participants)
    room = {g.id: g.capacity for g in groups}
    for p in participants:
        if p.locked_in is not None:
            room[p.locked_in] -= 1
    placements = []
    for p in participants:
        if p.locked_in is not None:
            placements.append(Placement(p.id, p.locked_in, choice_of(p, p.locked_in), True))
            continue
        group = next((g for g in p.ranking if room.get(g, 0) > 0), None)
        if group is None:
            group = max(groups, key=lambda g: room[g.id]).id
        room[group] -= 1
        placements.append(Placement(p.id, group, choice_of(p, group)))
    return placements
