"""The jury's sheets: bad sheets are 422, others' scores stay hidden until one's own is in, a conflict
removes the juror's sheet, a lock stops everything, and a lock racing a sheet never lets one in after it."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from service.accounts.schemas import Principal
from service.errors import InvalidState
from service.nominations import scoring
from service.nominations.access import get_call
from service.nominations.schemas import CriterionScoreIn, ScoresIn
from tests.conftest import Clock, auth
from tests.nominations.conftest import JURORS, PrizeWorld


async def test_bad_sheets_are_422_and_change_nothing(world: PrizeWorld) -> None:
    nomination = (await world.nominate())["id"]
    await world.score(0, nomination, [3, 3, 3, 3])
    c = world.criteria
    cases = {
        "score 0": [{"criterion_id": x, "score": 0} for x in c],
        "score 6": [{"criterion_id": x, "score": 6} for x in c],
        "unknown": [{"criterion_id": str(uuid.uuid4()), "score": 3}] + [{"criterion_id": x, "score": 3} for x in c],
        "other call": [{"criterion_id": x, "score": 3} for x in c[:3]] + [{"criterion_id": c[3], "score": 3}] * 2,
        "missing": [{"criterion_id": x, "score": 5} for x in c[:3]],
    }

    answers = {
        name: await world.client.put(
            f"/api/v1/nominations/{nomination}/scores", json={"scores": sheet}, headers=world.juror(0)
        )
        for name, sheet in cases.items()
    }
    mine = await world.client.get(f"/api/v1/nominations/{nomination}/scores", headers=world.juror(0))

    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == {
        "score 0": (422, "validation_failed"),
        "score 6": (422, "validation_failed"),
        "unknown": (422, "unknown_criterion"),
        "other call": (422, "duplicate_criterion"),
        "missing": (422, "incomplete_scores"),
    }
    assert [s["score"] for s in mine.json()["mine"]["scores"]] == [3, 3, 3, 3]


async def test_jurors_see_others_scores_only_after_submitting_their_own(world: PrizeWorld) -> None:
    nomination = (await world.nominate())["id"]
    await world.score(0, nomination, [5, 5, 5, 5])
    path = f"/api/v1/nominations/{nomination}/scores"

    before = (await world.client.get(path, headers=world.juror(1))).json()
    await world.score(1, nomination, [1, 2, 3, 4])
    after = (await world.client.get(path, headers=world.juror(1))).json()
    organiser = (await world.client.get(path, headers=auth(world.organiser))).json()

    assert (before["mine"], before["others"]) == (None, None)
    assert after["mine"]["weighted"] == 2.125  # (3·1 + 2·2 + 2·3 + 1·4) / 8 = 17/8
    assert [(s["juror"], s["weighted"]) for s in after["others"]] == [(JURORS[0], 5.0)]
    assert [(s["juror"], s["weighted"]) for s in organiser["others"]] == [(JURORS[0], 5.0), (JURORS[1], 2.125)]


async def test_declaring_a_conflict_deletes_the_jurors_sheet(world: PrizeWorld, conn: asyncpg.Connection) -> None:
    nomination = (await world.nominate())["id"]
    await world.score(0, nomination, [4, 4, 4, 4])

    declared = await world.client.post(
        f"/api/v1/nominations/{nomination}/conflict", json={"reason": "Tidligere kollega"}, headers=world.juror(0)
    )
    again = await world.client.put(
        f"/api/v1/nominations/{nomination}/scores",
        json={"scores": [{"criterion_id": c, "score": 4} for c in world.criteria]},
        headers=world.juror(0),
    )

    assert declared.status_code == 204
    assert (again.status_code, again.json()["code"]) == (403, "conflict_of_interest")
    assert await conn.fetchval("SELECT count(*) FROM nomination_scores") == 0
    assert await conn.fetchval("SELECT reason FROM nomination_conflicts") == "Tidligere kollega"


async def test_after_the_lock_scores_and_conflicts_are_409_and_a_second_lock_too(world: PrizeWorld) -> None:
    nomination = (await world.nominate())["id"]
    lock = await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=auth(world.organiser))

    score = await world.score(0, nomination, [4, 4, 4, 4])
    conflict = await world.client.post(f"/api/v1/nominations/{nomination}/conflict", json={}, headers=world.juror(0))
    relock = await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=auth(world.organiser))

    assert lock.status_code == 200
    assert [(r.status_code, r.json()["code"]) for r in (score, conflict, relock)] == [(409, "scoring_locked")] * 3


async def test_a_sheet_racing_the_lock_lands_before_it_or_not_at_all(
    world: PrizeWorld, pool: asyncpg.Pool, clock: Clock
) -> None:
    nomination = uuid.UUID((await world.nominate())["id"])
    jurors = {r["email"]: r["id"] for r in await pool.fetch("SELECT id, email FROM users WHERE role = 'jury'")}
    juror = Principal(user_id=jurors[JURORS[0]], email=JURORS[0], role="jury")
    organiser = Principal(user_id=uuid.uuid4(), email="organiser@example.no", role="admin")
    sheet = ScoresIn(scores=[CriterionScoreIn(criterion_id=uuid.UUID(c), score=4) for c in world.criteria])

    async def score() -> str:
        async with pool.acquire() as conn:
            try:
                await scoring.submit_scores(conn, nomination, sheet, actor=juror, now=clock.now)
            except InvalidState as error:
                return error.code
            return "scored"

    async def lock() -> str:
        async with pool.acquire() as conn:
            call = await get_call(conn, uuid.UUID(world.call_id))
            await scoring.lock_scoring(conn, call, actor=organiser, now=clock.now)
            return "locked"

    outcomes = await asyncio.gather(*(score() for _ in range(5)), lock(), *(score() for _ in range(5)))

    stored = await pool.fetchval("SELECT count(*) FROM nomination_scores")
    late = await pool.fetchval(
        "SELECT count(*) FROM nomination_scores s, prize_calls c WHERE s.scored_at > c.scoring_locked_at"
    )
    assert outcomes[5] == "locked"
    assert set(outcomes[:5] + outcomes[6:]) <= {"scored", "scoring_locked"}
    assert stored == (4 if "scored" in outcomes else 0)
    assert late == 0
