"""Group placement: 1,000 participants into 10 perspective groups (target: under 1 s); 5,000 into 40 (issue 20:
under 2 s through the API).

Two figures, medians of several runs: the solver alone (service/workshops/placement.py), and the whole
`POST /api/v1/events/{slug}/groups/assign` through the real server (granian) on a fresh database: reading
the participants and rankings, solving, and writing every placement in one transaction. Checks every run:
everyone placed, no group over capacity, the same answer each time, and at least the greedy baseline's
first choices.

    .venv/bin/python scripts/bench/placement.py [--runs 5] [--participants 1000] [--groups 10] [--target-seconds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.workshops.placement import Group, Participant, greedy, place  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

ROLES = ("municipal_employee", "researcher", "student", "user_representative", "other", None)
SLUG = "bench-workshop"


def case(participants: int, groups: int, seed: int = 7) -> tuple[list[Group], list[Participant]]:
    rng = random.Random(seed)
    capacity = -(-participants * 11 // 10 // groups)  # 10 % spare seats
    popularity = [rng.randint(1, 8) for _ in range(groups)]
    people = []
    for i in range(participants):
        ranking: list[int] = []
        for _ in range(rng.randint(1, 3)):
            pick = rng.choices(range(groups), popularity)[0]
            if pick not in ranking:
                ranking.append(pick)
        people.append(Participant(i, rng.choice(ROLES), tuple(ranking)))
    return [Group(g, capacity) for g in range(groups)], people


def bench_solver(participants: int, groups: int, runs: int) -> tuple[float, int, int]:
    group_list, people = case(participants, groups)
    times, answers = [], []
    for _ in range(runs):
        started = time.perf_counter()
        answers.append(place(group_list, people))
        times.append(time.perf_counter() - started)
    assert all(a == answers[0] for a in answers), "the solver gave different answers for the same input"
    members = Counter(p.group for p in answers[0])
    assert all(members[g.id] <= g.capacity for g in group_list), "a group is over capacity"
    assert len(answers[0]) == participants, "someone is not placed"
    firsts = sum(p.choice == 1 for p in answers[0])
    return statistics.median(times), firsts, sum(p.choice == 1 for p in greedy(group_list, people))


async def prepare(url: str, participants: int, groups: int) -> str:
    group_list, people = case(participants, groups)
    conn = await db.connect(url)
    try:
        token = (await add_user(conn, email="bench@bergen.kommune.no", role="admin")).token
        event_id = await conn.fetchval(
            """INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status)
               VALUES ($1, 'workshop', '{"nb": "Bench"}', now() + interval '30 days', now() + interval '31 days',
                       $2, 'published') RETURNING id""",
            SLUG,
            participants,
        )
        ids = [
            await conn.fetchval(
                """INSERT INTO workshop_groups (event_id, key, position, name, capacity)
                   VALUES ($1, $2, $3, '{"nb": "Gruppe"}', $4) RETURNING id""",
                event_id,
                f"g{g.id}",
                g.id,
                g.capacity,
            )
            for g in group_list
        ]
        for p in people:
            registration_id = await conn.fetchval(
                """INSERT INTO registrations (event_id, status, name, email, email_norm, role, privacy_accepted_at,
                                              confirmed_at)
                   VALUES ($1, 'confirmed', $2, $3, $3, $4, now(), now()) RETURNING id""",
                event_id,
                f"Deltakar {p.id}",
                f"p{p.id}@example.no",
                p.background,
            )
            await conn.execute(
                "INSERT INTO group_preferences (registration_id, rank, group_id) "
                "SELECT $1, rank, g FROM unnest($2::uuid[]) WITH ORDINALITY AS x (g, rank)",
                registration_id,
                [ids[g] for g in p.ranking],  # type: ignore[index]
            )
        return token
    finally:
        await conn.close()


def assign(base: str, token: str) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"{base}/api/v1/events/{SLUG}/groups/assign", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    return time.perf_counter() - started, body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--target-seconds", type=float, default=1.0)
    args = parser.parse_args()

    solver, firsts, greedy_firsts = bench_solver(args.participants, args.groups, args.runs)
    print(
        f"solver: {args.participants} participants, {args.groups} groups: median {solver * 1000:.1f} ms "
        f"({firsts} first choices; greedy baseline {greedy_firsts})",
        flush=True,
    )

    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    token = asyncio.run(prepare(url, args.participants, args.groups))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + uuid.uuid4().hex}
    process = subprocess.Popen(
        server_command("127.0.0.1", port, 1), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        times, answers = [], []
        for run in range(1, args.runs + 1):
            seconds, body = assign(base, token)
            times.append(seconds)
            answers.append(body["groups"])
            print(f"run {run}: POST …/groups/assign {seconds * 1000:.0f} ms, choices {body['choices']}", flush=True)
        assert all(a == answers[0] for a in answers), "assigning again gave a different placement"
    finally:
        process.terminate()
        process.wait(timeout=20)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))
    median = statistics.median(times)
    target = args.target_seconds
    verdict = "OK" if median < target and solver < target else f"SLOWER THAN {target:g} s"
    print(
        f"median: solver {solver * 1000:.1f} ms, whole API call {median * 1000:.0f} ms (target < {target * 1000:.0f} "
        f"ms): {verdict}"
    )


if __name__ == "__main__":
    main()
