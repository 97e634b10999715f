"""The whole prize in the API: call → 5 nominations (one withdrawn) → 3 jurors, one conflicted on one
nomination → scores → lock → a ranking equal to the table computed by hand below."""

from __future__ import annotations

from tests.conftest import RunJobs, auth
from tests.nominations.conftest import PrizeWorld
from tests.smtp import SmtpServer

# Criteria weights 3, 2, 2, 1 (sum 8). A sheet's weighted mean is sum(weight × score) / 8:
#   B by juror 1: (3·5 + 2·4 + 2·4 + 1·3) / 8 = 34/8 = 4.25;  C by juror 2: (3·3 + 2·2 + 2·2 + 1·1) / 8 = 2.25.
SHEETS = {
    # nomination: {juror: scores per criterion}
    "A": {0: [5, 5, 5, 5], 1: [3, 3, 3, 3]},  # juror 2 (index 2) declared a conflict
    "B": {0: [5, 4, 4, 3], 1: [2, 2, 2, 2], 2: [5, 5, 5, 5]},
    "C": {0: [4, 4, 4, 4], 1: [3, 2, 2, 1], 2: [5, 5, 5, 5]},
    "D": {0: [3, 3, 3, 3], 1: [1, 1, 1, 1], 2: [3, 3, 3, 3]},
}
# Weighted means:  A (5 + 3)/2 = 4;  B (4.25 + 2 + 5)/3 = 3.75;  C (4 + 2.25 + 5)/3 = 3.75;  D (3 + 1 + 3)/3 = 2.3333.
# Spread (population standard deviation of the sheets):
#   A √(((5−4)² + (3−4)²)/2) = 1;  B √((0.5² + 1.75² + 1.25²)/3) = √1.625 = 1.2748;
#   C √((0.25² + 1.5² + 1.25²)/3) = √1.2917 = 1.1365;  D √(((2/3)² + (4/3)² + (2/3)²)/3) = √(8/9) = 0.9428.
# Ranking: A 1, B and C tied at 2, D 4.
#
# Normalised (z = (x − μ_juror) / σ_juror over each juror's own sheets):
#   juror 0: sheets 5, 4.25, 4, 3 → μ 4.0625, σ 0.71535 → z A 1.31056, B 0.26211, C −0.08737, D −1.48530
#   juror 1: sheets 3, 2, 2.25, 1 → μ 2.0625, σ 0.71535 → z A 1.31056, B −0.08737, C 0.26211, D −1.48530
#   juror 2: sheets 5, 5, 3 (B, C, D) → μ 4.3333, σ 0.94281 → z B 0.70711, C 0.70711, D −1.41421
#   means: A 1.3106;  B (0.26211 − 0.08737 + 0.70711)/3 = 0.2940 (0.29395);  C the same;  D −1.4616.
# Normalised ranking: A 1, B and C tied at 2, D 4: the harsh juror 1 no longer pulls B and C apart.
EXPECTED = [
    # nominee, weighted_mean, scores, spread, recusals, rank, tied, normalised_mean, normalised_rank, n. tied
    ("A", 4.0, 2, 1.0, 1, 1, False, 1.3106, 1, False),
    ("B", 3.75, 3, 1.2748, 0, 2, True, 0.2939, 2, True),
    ("C", 3.75, 3, 1.1365, 0, 2, True, 0.2939, 2, True),
    ("D", 2.3333, 3, 0.9428, 0, 4, False, -1.4616, 4, False),
]


async def test_call_nominations_scores_lock_and_ranking(world: PrizeWorld, smtp: SmtpServer, run_jobs: RunJobs) -> None:
    client = world.client
    ids, secrets = {}, {}
    for name in "ABCDE":
        created = await world.nominate(nominee_name=f"Nominee {name}", nominee_email=None, title=f"Prosjekt {name}")
        ids[name], secrets[name] = created["id"], created["manage_url"].rsplit("/", 1)[1]
    gone = await client.delete("/api/v1/nominations/self", headers=auth(secrets["E"]))
    conflict = await client.post(f"/api/v1/nominations/{ids['A']}/conflict", json={}, headers=world.juror(2))

    answers = [
        (await world.score(juror, ids[name], values)).status_code
        for name, sheets in SHEETS.items()
        for juror, values in sheets.items()
    ]
    lock = await client.post(f"/api/v1/calls/{world.call_id}/lock", headers=auth(world.organiser))
    late = await world.score(0, ids["D"], [5, 5, 5, 5])
    results = await client.get(f"/api/v1/calls/{world.call_id}/results", headers=auth(world.organiser))

    assert (gone.status_code, gone.json()["status"], conflict.status_code) == (200, "withdrawn", 204)
    assert set(answers) == {200}
    assert (lock.status_code, lock.json()["scoring_locked"]) == (200, True)
    assert (late.status_code, late.json()["code"]) == (409, "scoring_locked")
    body = results.json()
    table = [
        (
            row["nominee_name"].removeprefix("Nominee "),
            row["weighted_mean"],
            row["scores"],
            row["spread"],
            row["recusals"],
            row["rank"],
            row["tied"],
            row["normalised_mean"],
            row["normalised_rank"],
            row["normalised_tied"],
        )
        for row in body["rows"]
    ]
    assert table == EXPECTED  # the withdrawn E is not in the results
    assert (body["locked"], body["jurors"]) == (True, 3)
