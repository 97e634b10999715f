"""The organiser's decisions and what they publish, the results as CSV, and the jury's reminder mail."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from service.accounts.schemas import Principal
from service.errors import Conflict
from service.nominations import decisions
from service.nominations.schemas import DecisionIn
from tests.conftest import Clock, RunJobs, auth
from tests.nominations.conftest import JURORS, PrizeWorld
from tests.smtp import SmtpServer


async def test_reject_needs_a_reason_and_the_winner_needs_a_lock(world: PrizeWorld) -> None:
    nomination = (await world.nominate())["id"]
    path = f"/api/v1/nominations/{nomination}/decision"
    headers = auth(world.organiser)

    reject = await world.client.post(path, json={"status": "rejected"}, headers=headers)
    early = await world.client.post(path, json={"status": "winner"}, headers=headers)
    publish = await world.client.post(f"/api/v1/calls/{world.call_id}/publish", headers=headers)

    assert [(r.status_code, r.json()["code"]) for r in (reject, early, publish)] == [
        (422, "reason_required"),
        (409, "scoring_not_locked"),
        (409, "no_winner"),
    ]


async def test_the_published_winner_appears_on_the_prize_page(world: PrizeWorld) -> None:
    first = (await world.nominate())["id"]
    second = (await world.nominate(nominee_name="Polyfon", title="Kunnskapsklyngen"))["id"]
    headers = auth(world.organiser)
    await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=headers)

    await world.client.post(f"/api/v1/nominations/{first}/decision", json={"status": "winner"}, headers=headers)
    changed = await world.client.post(
        f"/api/v1/nominations/{second}/decision", json={"status": "winner"}, headers=headers
    )
    before = (await world.client.get("/api/v1/prizes/forskningsprisen")).json()["winners"]
    published = await world.client.post(f"/api/v1/calls/{world.call_id}/publish", headers=headers)
    after = (await world.client.get("/api/v1/prizes/forskningsprisen")).json()["winners"]
    page = await world.client.get("/prizes/forskningsprisen")
    statuses = [
        (n["nomination"]["nominee_name"], n["nomination"]["status"])
        for n in (await world.client.get(f"/api/v1/calls/{world.call_id}/nominations", headers=headers)).json()
    ]

    assert changed.json()["status"] == "winner"
    assert statuses == [("GAMUT", "shortlisted"), ("Polyfon", "winner")]
    assert before == []
    assert (published.status_code, published.json()["published"]) == (200, True)
    assert after == [
        {"year": 2027, "nominee_name": "Polyfon", "nominee_organisation": "Universitetet i Bergen",
         "title": "Kunnskapsklyngen"}
    ]  # fmt: skip
    assert "Polyfon" in page.text
    assert "gamut@uib.no" not in page.text


async def test_two_organisers_choosing_winners_at_once_leave_one_winner(
    world: PrizeWorld, pool: asyncpg.Pool, clock: Clock
) -> None:
    ids = [uuid.UUID((await world.nominate(nominee_name=f"N{i}"))["id"]) for i in range(6)]
    await world.client.post(f"/api/v1/calls/{world.call_id}/lock", headers=auth(world.organiser))
    user = await pool.fetchrow("SELECT id, email FROM users WHERE role = 'organiser'")
    organiser = Principal(user_id=user["id"], email=user["email"], role="organiser")

    async def choose(nomination: uuid.UUID) -> str:
        async with pool.acquire() as conn:
            try:
                await decisions.decide(conn, nomination, DecisionIn(status="winner"), actor=organiser, now=clock.now)
            except Conflict as error:
                return error.code
            return "chosen"

    outcomes = await asyncio.gather(*(choose(n) for n in ids))

    assert set(outcomes) <= {"chosen", "winner_already_chosen"}
    assert await pool.fetchval("SELECT count(*) FROM nominations WHERE status = 'winner'") == 1


async def test_results_and_scores_export_as_csv(world: PrizeWorld) -> None:
    nomination = (await world.nominate(nominee_name="=cmd|' /C calc'!A0"))["id"]
    await world.score(0, nomination, [4, 4, 4, 4])
    headers = auth(world.organiser)

    results = await world.client.get(f"/api/v1/calls/{world.call_id}/results?format=csv", headers=headers)
    scores = await world.client.get(f"/api/v1/calls/{world.call_id}/scores", headers=headers)

    assert results.headers["content-type"] == "text/csv; charset=utf-8"
    result_lines = results.text.lstrip("\ufeff").splitlines()
    assert result_lines[0].startswith("rank,tied,weighted_mean,scores,spread,recusals,normalised_rank")
    assert result_lines[1].startswith("1,,4.0,1,0.0,0,1,,0.0,submitted,group,'=cmd|' /C calc'!A0,")
    assert scores.text.lstrip("\ufeff").splitlines()[1:] == [
        f"{nomination},'=cmd|' /C calc'!A0,{JURORS[0]},{criterion},{weight},4,,2027-03-01T09:00:00+00:00"
        for criterion, weight in (
            ("Relevans for kommunale helse- og omsorgstjenester", 3.0),
            ("Forskningskvalitet", 2.0),
            ("Innovasjon", 2.0),
            ("Brukermedvirkning", 1.0),
        )
    ]


async def test_jurors_behind_get_a_reminder_three_days_before_scoring_closes(
    world: PrizeWorld, conn: asyncpg.Connection, smtp: SmtpServer, run_jobs: RunJobs
) -> None:
    nomination = (await world.nominate())["id"]
    await world.score(0, nomination, [4, 4, 4, 4])
    await world.client.post(f"/api/v1/nominations/{nomination}/conflict", json={}, headers=world.juror(2))
    due = await conn.fetchval(
        "SELECT run_after FROM jobs WHERE kind = 'prize.jury_reminder' AND payload->>'call_id' = $1", world.call_id
    )
    await run_jobs()
    waiting = smtp.sink.to(JURORS[1])

    # The reminder is due at 2027-04-28 10:00 UTC; move it to now, as the calendar would.
    await conn.execute("UPDATE jobs SET run_after = now() WHERE kind = 'prize.jury_reminder'")
    await run_jobs()
    await run_jobs()

    assert due.isoformat() == "2027-04-28T10:00:00+00:00"
    assert waiting == []
    reminded = {juror: [m["Subject"] for m in smtp.sink.to(juror)] for juror in JURORS}
    assert reminded == {
        JURORS[0]: [],  # scored everything
        JURORS[1]: ["Poenggivningen stenger snart: Forsknings- og innovasjonsprisen"],
        JURORS[2]: [],  # declared a conflict with the only nomination
    }
