"""Registration throughput: the real server (granian, 2 workers) against a fresh database, loaded by wrk
from another process, next to pgbench running the same SQL transaction on the same database server.

Prints registrations/s and p50/p99 per run, pgbench TPS uncontended (50 events) and contended (1 event),
their medians over several runs, the ratio, and checks: no seat oversold, no registration lost.

    .venv/bin/python scripts/bench/registration.py [--runs 3] [--seconds 10] [--clients 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import pgbench_binary, wait_http, wrk_figures  # noqa: E402

from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

CAPACITY = 500
PGBENCH_SCRIPT = """
\\set e random(1, :events)
\\set n random(1, 2000000000)
BEGIN;
SELECT id, status, ends_at, registration_opens_at, registration_closes_at, registration_paused
  FROM events WHERE slug = 'pgb-' || :e;
INSERT INTO registrations (event_id, status, name, email, email_norm, privacy_accepted_at, source)
SELECT id, 'waitlisted', 'Pgbench Deltakar', 'p' || :n || '-' || :client_id || '@x.no',
       'p' || :n || '-' || :client_id || '@x.no', now(), 'bench'
  FROM events WHERE slug = 'pgb-' || :e
ON CONFLICT DO NOTHING RETURNING id AS rid, event_id AS eid \\gset
UPDATE event_seats SET registration_id = :rid
 WHERE id = (SELECT id FROM event_seats WHERE event_id = :eid AND registration_id IS NULL
              ORDER BY event_id, id LIMIT 1 FOR UPDATE SKIP LOCKED);
UPDATE registrations SET status = 'confirmed', confirmed_at = now() WHERE id = :rid;
INSERT INTO registration_history (registration_id, actor, action) VALUES (:rid, 'public', 'registration.confirmed');
INSERT INTO jobs (kind, payload, dedupe_key) VALUES ('registration.confirmed', '{}', 'pgb:' || :rid);
COMMIT;
"""


async def prepare(server: str, name: str, template: str, token_holder: list[str]) -> str:
    url = await clone(server, template, name)
    conn = await db.connect(url)
    try:
        token_holder.append((await add_user(conn, email="bench@bergen.kommune.no", role="admin")).token)
        for n in range(1, 51):
            event_id = await conn.fetchval(
                """INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status)
                   VALUES ($1, 'conference', '{"nb": "Pgbench"}', now() + interval '30 days',
                           now() + interval '31 days', 100000, 'published') RETURNING id""",
                f"pgb-{n}",
            )
            await conn.execute("INSERT INTO event_seats (event_id) SELECT $1 FROM generate_series(1, 100000)", event_id)
        await conn.execute("ANALYZE")
        await conn.execute(f'ALTER DATABASE "{name}" SET log_min_duration_statement = 1000')
    finally:
        await conn.close()
    return url


def create_event(base: str, token: str, slug: str) -> None:
    body = json.dumps(
        {
            "slug": slug,
            "kind": "conference",
            "title": {"nb": "Benchmark"},
            "capacity": CAPACITY,
            "status": "published",
            "starts_at": "2030-06-10T09:00:00+02:00",
            "ends_at": "2030-06-10T16:00:00+02:00",
        }
    )
    request = urllib.request.Request(
        f"{base}/api/v1/events",
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def run_wrk(base: str, slug: str, clients: int, seconds: int) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "scripts/bench/register.lua"),
            base,
            "--",
            f"/api/v1/events/{slug}/registrations",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(output)


def run_pgbench(url: str, events: int, clients: int, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT)
        script = handle.name
    try:
        env = dict(os.environ)
        output = subprocess.run(
            [
                pgbench_binary(),
                "-n",
                "-M",
                "prepared",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-D",
                f"events={events}",
                "-f",
                script,
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        os.unlink(script)
    # A client whose transaction failed (e.g. a rare duplicate e-mail) aborts; the others' tps still counts.
    match = re.search(r"tps = ([\d.]+)", output.stdout)
    assert match, output.stdout + output.stderr
    return float(match.group(1))


async def verify(url: str, slug: str) -> tuple[int, int, int, int]:
    conn = await db.connect(url)
    try:
        row = await conn.fetchrow(
            """SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
                      count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
                      (SELECT count(*) FROM event_seats s WHERE s.event_id = e.id) AS seats,
                      (SELECT count(*) FROM event_seats s WHERE s.event_id = e.id
                          AND s.registration_id IS NOT NULL) AS taken
                 FROM events e LEFT JOIN registrations r ON r.event_id = e.id WHERE e.slug = $1 GROUP BY e.id""",
            slug,
        )
        return row["confirmed"], row["waitlisted"], row["seats"], row["taken"]
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    tokens: list[str] = []
    url = asyncio.run(prepare(server, name, template, tokens))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "LOG_LEVEL": "WARNING",
        "BASE_URL": base,
        "DB_POOL_SIZE": "20",
        # Every request comes from 127.0.0.1: the per-address limit would refuse all but 60 a minute. The per-e-mail
        # limit stays on (each registration has its own address), so its statement is part of the figure.
        "PUBLIC_RATE_LIMIT": os.environ.get("PUBLIC_RATE_LIMIT", "0"),
    }
    server_process = subprocess.Popen(
        server_command("127.0.0.1", port, args.workers),
        env=env,
        cwd=ROOT,
    )
    ours: list[dict[str, float]] = []
    uncontended: list[float] = []
    contended: list[float] = []
    problems: list[str] = []
    try:
        wait_http(f"{base}/readyz")
        for run in range(1, args.runs + 1):
            slug = f"bench-{run}"
            create_event(base, tokens[0], slug)
            result = run_wrk(base, slug, args.clients, args.seconds)
            confirmed, waitlisted, seats, taken = asyncio.run(verify(url, slug))
            if confirmed > CAPACITY or taken != confirmed or seats != CAPACITY:
                problems.append(f"run {run}: oversold ({confirmed} confirmed, {taken} seats taken of {seats})")
            if confirmed + waitlisted < result["requests"] - result["bad_status"]:
                problems.append(
                    f"run {run}: lost registrations ({confirmed + waitlisted} stored, "
                    f"{result['requests'] - result['bad_status']:.0f} answered 2xx)"
                )
            if result["bad_status"]:
                problems.append(f"run {run}: {result['bad_status']:.0f} non-2xx answers")
            ours.append(result)
            uncontended.append(run_pgbench(url, 50, args.clients, args.seconds))
            contended.append(run_pgbench(url, 1, args.clients, args.seconds))
            print(
                f"run {run}: moteplass {result['rps']:.0f} registrations/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms ({confirmed} confirmed, {waitlisted} waitlisted) | "
                f"pgbench uncontended {uncontended[-1]:.0f} tps, one event {contended[-1]:.0f} tps",
                flush=True,
            )
    finally:
        server_process.terminate()
        server_process.wait(timeout=20)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))

    rps = statistics.median(r["rps"] for r in ours)
    p50 = statistics.median(r["p50_ms"] for r in ours)
    p99 = statistics.median(r["p99_ms"] for r in ours)
    base_tps = statistics.median(uncontended)
    print()
    print(f"median of {args.runs} runs, {args.clients} clients, {args.workers} web workers:")
    print(f"  moteplass:            {rps:8.0f} registrations/s   p50 {p50:.1f} ms   p99 {p99:.1f} ms")
    print(f"  pgbench uncontended:  {base_tps:8.0f} tps (same transaction, 50 events)")
    print(f"  pgbench one event:    {statistics.median(contended):8.0f} tps")
    print(f"  ratio moteplass / pgbench uncontended: {rps / base_tps:.2f}")
    print(
        "  oversold seats: 0, lost registrations: 0" if not problems else "  PROBLEMS:\n    " + "\n    ".join(problems)
    )
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
