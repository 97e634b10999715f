"""Results as a pure computation: normalisation lets a harsh and a lenient juror count the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from service.nominations.results import competition_ranks, compute
from service.nominations.schemas import Criterion, Nomination

CRITERION = Criterion(id=uuid.uuid4(), position=1, name={"nb": "Alt"}, description={}, weight=1.0)
HARSH, LENIENT = uuid.uuid4(), uuid.uuid4()


def nomination(name: str) -> Nomination:
    return Nomination(
        id=uuid.uuid4(), call_id=uuid.uuid4(), status="submitted", nominee_kind="person", nominee_name=name,
        nominee_organisation="", nominee_email="", nominee_key=name, title=name, justification="", links=[],
        nominator_name="", nominator_email="", nominator_relation="", language="nb", decision_reason="",
        created_at=datetime(2027, 3, 1, tzinfo=UTC), withdrawn_at=None,
    )  # fmt: skip


def test_normalisation_weighs_a_harsh_and_a_lenient_juror_the_same() -> None:
    # The lenient juror scores X 5 and Z 4; the harsh juror scores Y 2 and Z 1. Raw means favour X (5) over
    # Z (2.5) over Y (2). Normalised, each juror's best is +1 and worst −1: X +1, Y +1, Z (−1 − 1)/2 = −1,
    # so X and Y tie at the top: the harsh juror's favourite counts as much as the lenient one's.
    x, y, z = nomination("X"), nomination("Y"), nomination("Z")
    scores = [(x.id, LENIENT, CRITERION.id, 5), (z.id, LENIENT, CRITERION.id, 4),
              (y.id, HARSH, CRITERION.id, 2), (z.id, HARSH, CRITERION.id, 1)]  # fmt: skip

    rows = compute([x, y, z], [CRITERION], scores, [])

    assert [(r.nominee_name, r.weighted_mean, r.rank, r.normalised_mean, r.normalised_rank, r.normalised_tied)
            for r in rows] == [("X", 5.0, 1, 1.0, 1, True), ("Z", 2.5, 2, -1.0, 3, False),
                               ("Y", 2.0, 3, 1.0, 1, True)]  # fmt: skip


def test_a_juror_who_scores_everything_the_same_expresses_no_preference() -> None:
    x, y = nomination("X"), nomination("Y")
    scores = [(x.id, HARSH, CRITERION.id, 3), (y.id, HARSH, CRITERION.id, 3)]

    rows = compute([x, y], [CRITERION], scores, [])

    assert [(r.nominee_name, r.normalised_mean, r.normalised_rank, r.spread) for r in rows] == [
        ("X", 0.0, 1, 0.0),
        ("Y", 0.0, 1, 0.0),
    ]


def test_withdrawn_and_unscored_nominations() -> None:
    scored, unscored, withdrawn = nomination("A"), nomination("B"), nomination("C")
    withdrawn.status = "withdrawn"

    rows = compute(
        [scored, unscored, withdrawn], [CRITERION], [(scored.id, HARSH, CRITERION.id, 4)], [(unscored.id, HARSH)]
    )

    assert [(r.nominee_name, r.scores, r.rank, r.weighted_mean, r.recusals) for r in rows] == [
        ("A", 1, 1, 4.0, 0),
        ("B", 0, None, None, 1),
    ]


def test_competition_ranks_share_the_best_rank_and_skip() -> None:
    a, b, c, d = (uuid.uuid4() for _ in range(4))

    assert competition_ranks({a: 3.0, b: 5.0, c: 3.0, d: 1.0}) == {b: 1, a: 2, c: 2, d: 4}
