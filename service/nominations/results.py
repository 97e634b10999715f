"""The organiser's results: per nomination the weighted mean, the number of sheets, their spread, the
recusals, a ranking, and the same ranking with every juror's scores normalised.

Raw scores. A juror's sheet for a nomination counts as one number, its weighted mean
`sum(weight_c × score_c) / sum(weight_c)`. A nomination's weighted mean is the plain mean of its sheets,
computed exactly (fractions), so equal means are equal and rank as a tie. The spread is the population
standard deviation of the sheets (0 with one sheet).

Normalised scores (z-scores per juror). Jurors use the scale differently: a harsh juror's "3" may mean what
a lenient juror's "5" means. For each juror we take all the sheets they submitted in this call, their mean
μ and population standard deviation σ, and replace each sheet x by z = (x − μ) / σ: how far above or below
that juror's own average the nomination lies, in that juror's own unit of spread. A nomination's
normalised mean is the mean of its z-scores, so a harsh and a lenient juror count the same. A juror whose
sheets are all equal (σ = 0) expresses no preference: their z-scores are 0. Normalised means are compared
rounded to 9 decimals (square roots are not exact), and equal ones rank as a tie.

Ranks are competition ranks ("1, 2, 2, 4"); nominations without any sheet are not ranked. Withdrawn
nominations are left out; rejected ones stay in the table with their status.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from uuid import UUID

import asyncpg

from . import queries
from .schemas import Call, Criterion, Nomination, ResultRow, Results
from .scoring import weighted

_DECIMALS = 4


def competition_ranks(values: dict[UUID, Fraction] | dict[UUID, float]) -> dict[UUID, int]:
    """Rank by value, highest first; equal values share the best rank of their group, the next rank skips."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=True)
    ranks: dict[UUID, int] = {}
    for position, (item, value) in enumerate(ordered, start=1):
        if position > 1 and ordered[position - 2][1] == value:
            ranks[item] = ranks[ordered[position - 2][0]]
        else:
            ranks[item] = position
    return ranks


def _pstdev(values: list[Fraction]) -> float:
    mean = sum(values, Fraction(0)) / len(values)
    return math.sqrt(float(sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)))


def _ties(ranks: dict[UUID, int]) -> set[UUID]:
    counts: dict[int, int] = {}
    for rank in ranks.values():
        counts[rank] = counts.get(rank, 0) + 1
    return {item for item, rank in ranks.items() if counts[rank] > 1}


def compute(
    nominations: Iterable[Nomination],
    criteria: list[Criterion],
    scores: Iterable[tuple[UUID, UUID, UUID, int]],
    conflicts: Iterable[tuple[UUID, UUID]],
) -> list[ResultRow]:
    """Rows in ranking order. `scores` are (nomination, juror, criterion, score); `conflicts` (nomination, juror)."""
    active = [n for n in nominations if n.status != "withdrawn"]
    active_ids = {n.id for n in active}
    raw: dict[tuple[UUID, UUID], dict[UUID, int]] = {}
    for nomination_id, juror, criterion, score in scores:
        if nomination_id in active_ids:
            raw.setdefault((nomination_id, juror), {})[criterion] = score
    sheet = {pair: weighted(items, criteria) for pair, items in raw.items()}
    per_nomination: dict[UUID, list[Fraction]] = {}
    per_juror: dict[UUID, list[Fraction]] = {}
    for (nomination_id, juror), value in sheet.items():
        per_nomination.setdefault(nomination_id, []).append(value)
        per_juror.setdefault(juror, []).append(value)

    z_scores: dict[UUID, list[float]] = {}
    for (nomination_id, juror), value in sheet.items():
        own = per_juror[juror]
        sigma = _pstdev(own)
        mu = sum(own, Fraction(0)) / len(own)
        z_scores.setdefault(nomination_id, []).append(float(value - mu) / sigma if sigma else 0.0)

    means = {n: sum(v, Fraction(0)) / len(v) for n, v in per_nomination.items()}
    normalised = {n: math.fsum(v) / len(v) for n, v in z_scores.items()}
    ranks = competition_ranks(means)
    normalised_ranks = competition_ranks({n: round(v, 9) for n, v in normalised.items()})
    tied, normalised_tied = _ties(ranks), _ties(normalised_ranks)
    recusals: dict[UUID, int] = {}
    for nomination_id, _juror in conflicts:
        recusals[nomination_id] = recusals.get(nomination_id, 0) + 1

    rows = []
    for n in active:
        criterion_means: dict[str, float | None] = {}
        for c in criteria:
            given = [items[c.id] for (nid, _j), items in raw.items() if nid == n.id and c.id in items]
            criterion_means[str(c.id)] = round(sum(given) / len(given), _DECIMALS) if given else None
        mean = means.get(n.id)
        rows.append(
            ResultRow(
                nomination_id=n.id,
                status=n.status,
                nominee_name=n.nominee_name,
                nominee_organisation=n.nominee_organisation,
                title=n.title,
                group_size=n.group_size,
                weighted_mean=round(float(mean), _DECIMALS) if mean is not None else None,
                scores=len(per_nomination.get(n.id, [])),
                spread=round(_pstdev(per_nomination[n.id]), _DECIMALS) if n.id in per_nomination else None,
                recusals=recusals.get(n.id, 0),
                rank=ranks.get(n.id),
                tied=n.id in tied,
                normalised_mean=round(normalised[n.id], _DECIMALS) if n.id in normalised else None,
                normalised_rank=normalised_ranks.get(n.id),
                normalised_tied=n.id in normalised_tied,
                per_criterion=criterion_means,
            )
        )
    unranked = len(rows) + 1
    rows.sort(key=lambda r: (r.rank or unranked, r.normalised_rank or unranked, r.nominee_name.casefold()))
    return rows


async def results(conn: asyncpg.Connection, call: Call) -> Results:
    """The results of a call from the database (the caller has checked the organiser's access)."""
    nominations = await queries.nominations_of_call(conn, call.id)
    criteria = await queries.criteria(conn, call.id)
    scores = [
        (r.nomination_id, r.user_id, r.criterion_id, r.score) for r in await queries.scores_of_call(conn, call.id)
    ]
    conflicts = [(r.nomination_id, r.user_id) for r in await queries.conflicts_of_call(conn, call.id)]
    return Results(
        call_id=call.id,
        locked=call.scoring_locked_at is not None,
        jurors=len(await queries.jury(conn, call.id)),
        rows=compute(nominations, criteria, scores, conflicts),
    )
