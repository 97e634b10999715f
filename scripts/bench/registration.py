"""Registration throughput against the right baseline: the real server (granian, 2 workers, default log level)
loaded by wrk from another process, next to pgbench running what the server runs for one registration — the
rate-limit count (ratelimit.COUNT) and the registration statement (queries.REGISTER_BY_SLUG), both built from the
service's own SQL constants — on the same kind of events, created through the same API.

Four kinds of work, each measured over HTTP and with pgbench in every run (runs interleave, so a noisy machine
hits both sides alike):

  confirm, one hot event      every request takes a seat of one event (capacity 100,000)
  confirm, 50 events          requests spread over 50 events
  waiting list, one event     an event without seats: every request is put on the waiting list
  waiting list, 50 events

Then a fixed-arrival-rate run (scripts/bench/fixedrate.py, --rate a second, latency from the scheduled time) on
the confirm path of one event. A 2-second warm-up before each HTTP measurement is excluded. Requests that failed
(non-2xx, connection errors, timeouts) are counted and fail the run; so do oversold seats, lost registrations and
gaps in waiting-list numbers.

    .venv/bin/python scripts/bench/registration.py [--runs 3] [--seconds 10] [--clients 32] [--workers 2]
                                                  [--rate 500]

With --growth, it measures instead how registration grows with the event: the confirm and waiting-list paths of
one event that already holds 0, 10,000 or 50,000 registrations (confirmed, or on the waiting list; made in SQL
and vacuumed, as an event filled over weeks would be), HTTP and pgbench side by side as above:

    .venv/bin/python scripts/bench/registration.py --growth [--sizes 0,10000,50000] [--runs 3]
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
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import pgbench_binary, wait_http, wrk_figures  # noqa: E402

from service import db, ratelimit  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.registrations import queries  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

HOT_CAPACITY = 100_000  # the API's largest event; a run on the hot event takes fewer seats than this
SPREAD_CAPACITY = 20_000


@dataclass(frozen=True)
class Work:
    name: str
    path: str  # "confirm" or "waitlist"
    events: int

    @property
    def capacity(self) -> int:
        if self.path == "waitlist":
            return 0
        return HOT_CAPACITY if self.events == 1 else SPREAD_CAPACITY


WORKS = (
    Work("confirm, one hot event", "confirm", 1),
    Work("confirm, 50 events", "confirm", 50),
    Work("waiting list, one event", "waitlist", 1),
    Work("waiting list, 50 events", "waitlist", 50),
)


@dataclass
class Figures:
    http: list[dict[str, float]] = field(default_factory=list)
    pgbench: list[float] = field(default_factory=list)


def api(base: str, token: str, path: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, response.status


def create_events(base: str, token: str, prefix: str, work: Work) -> None:
    """Events made as organisers make them (through the API, seats and all)."""
    for n in range(1, work.events + 1):
        api(
            base,
            token,
            "/api/v1/events",
            {
                "slug": f"{prefix}{n}",
                "kind": "conference",
                "title": {"nb": "Ytingsmåling"},
                "capacity": work.capacity,
                "status": "published",
                "starts_at": "2030-06-10T09:00:00+02:00",
                "ends_at": "2030-06-10T16:00:00+02:00",
            },
        )


def run_wrk(base: str, prefix: str, events: int, clients: int, seconds: int) -> dict[str, float]:
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
            f"/api/v1/events/{prefix}",
            str(events),
            uuid.uuid4().hex[:8],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(output)


def _substitute(sql: str, values: dict[str, str]) -> str:
    for placeholder in sorted(values, key=lambda p: -int(p[1:])):  # $11 before $1
        sql = sql.replace(placeholder, values[placeholder])
    return " ".join(line.strip() for line in sql.strip().splitlines() if not line.strip().startswith("--"))


def pgbench_script(prefix: str, events: int) -> str:
    """One registration as the server makes it when it arrives alone: the rate-limit count of the e-mail address,
    then the registration statement with one request, each in its own transaction (the server runs both in
    autocommit, and sends the registrations that arrive together in one of each)."""
    email = "'p' || :client_id || '-' || :n || '@bench.example.no'"
    count = _substitute(
        ratelimit.COUNT,
        {
            "$1": f"ARRAY[decode(md5({email}), 'hex')]",
            "$2": "ARRAY[date_trunc('hour', now()) + interval '1 hour']",
        },
    )
    register = _substitute(
        queries.REGISTER_BY_SLUG,
        {
            "$1": f"ARRAY['{prefix}' || :e]",
            "$2": "ARRAY['Pgbench Deltakar']",
            "$3": f"ARRAY[{email}]",
            "$4": "ARRAY['Bergen kommune']",
            "$5": "ARRAY[NULL]::text[]",
            "$6": "ARRAY['']",
            "$7": "ARRAY['']",
            "$8": "ARRAY['nb']",
            "$9": "ARRAY['{}'::jsonb]",
            "$10": "now()",
            "$11": "ARRAY['web']",
        },
    )
    return f"\\set e random(1, {events})\n\\set n random(1, 2000000000)\n{count};\n{register};\n"


def run_pgbench(url: str, prefix: str, events: int, clients: int, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(pgbench_script(prefix, events))
        script = handle.name
    try:
        output = subprocess.run(
            [pgbench_binary(), "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(seconds)]  # noqa: RUF005
            + ["-f", script, url],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(script)
    match = re.search(r"tps = ([\d.]+)", output.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", output.stdout)
    assert match, output.stdout + output.stderr
    assert not failed or failed.group(1) == "0", output.stdout
    return float(match.group(1))


async def analyze(url: str) -> None:
    conn = await db.connect(url)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


FILL = """
WITH ev AS (SELECT id FROM events WHERE slug = $1),
made AS (
    INSERT INTO registrations (event_id, status, name, email, email_norm, organisation, privacy_accepted_at,
                               confirmed_at, waitlist_no)
    SELECT ev.id, $3, 'Tidlegare Deltakar ' || g, 'fill' || g || '@bench.example.no',
           'fill' || g || '@bench.example.no', 'Bergen kommune', now(), CASE WHEN $3 = 'confirmed' THEN now() END,
           CASE WHEN $3 = 'waitlisted' THEN nextval(waitlist_sequence(ev.id)) END
      FROM ev, generate_series(1, $2) g
    RETURNING id, status
), numbered AS (
    SELECT id, row_number() OVER () AS k FROM made WHERE status = 'confirmed'
), seats AS (
    SELECT s.id, row_number() OVER (ORDER BY s.id) AS k FROM event_seats s, ev
     WHERE s.event_id = ev.id AND s.registration_id IS NULL ORDER BY s.id LIMIT $2
)
UPDATE event_seats SET registration_id = numbered.id FROM numbered JOIN seats ON seats.k = numbered.k
 WHERE event_seats.id = seats.id
"""


async def fill(url: str, slug: str, count: int, status: str) -> None:
    """`count` registrations already in the event (confirmed with their seats, or on the waiting list), then
    VACUUM ANALYZE and a checkpoint, as an event that filled over weeks would be."""
    conn = await db.connect(url)
    try:
        if count:
            await conn.execute(FILL, slug, count, status)
        await conn.execute("VACUUM ANALYZE event_seats")
        await conn.execute("VACUUM ANALYZE registrations")
        # The filling's pages are written out now, not while the next measurement runs (and every page it then
        # touches first logs a full image after the checkpoint, as it would on a server that had run for weeks).
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def verify(url: str, prefix: str) -> tuple[int, int, int, int, int]:
    """confirmed, waitlisted, seats, seats taken, and waiting-list numbers missing (gaps) over the events."""
    conn = await db.connect(url)
    try:
        row = await conn.fetchrow(
            """WITH ev AS (SELECT id FROM events WHERE slug LIKE $1 || '%')
               SELECT (SELECT count(*) FROM registrations r JOIN ev ON ev.id = r.event_id
                        WHERE r.status = 'confirmed') AS confirmed,
                      (SELECT count(*) FROM registrations r JOIN ev ON ev.id = r.event_id
                        WHERE r.status = 'waitlisted') AS waitlisted,
                      (SELECT count(*) FROM event_seats s JOIN ev ON ev.id = s.event_id) AS seats,
                      (SELECT count(*) FROM event_seats s JOIN ev ON ev.id = s.event_id
                        WHERE s.registration_id IS NOT NULL) AS taken,
                      (SELECT coalesce(sum(top - n), 0) FROM (
                          SELECT max(r.waitlist_no) AS top, count(r.waitlist_no) AS n
                            FROM registrations r JOIN ev ON ev.id = r.event_id GROUP BY r.event_id) w) AS gaps""",
            prefix,
        )
        return row["confirmed"], row["waitlisted"], row["seats"], row["taken"], row["gaps"]
    finally:
        await conn.close()


def fixed_rate(base: str, slug: str, rate: int, seconds: int) -> dict[str, float]:
    template = json.dumps(
        {"name": "Fast Rate", "email": "f{n}@bench.example.no", "accept_privacy": True, "organisation": "Bergen"}
    )
    output = subprocess.run(
        [sys.executable, str(ROOT / "scripts/bench/fixedrate.py"), "--url", base, "--rate", str(rate)]  # noqa: RUF005
        + ["--seconds", str(seconds), "--path", f"/api/v1/events/{slug}/registrations", "--body-template", template],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


@dataclass
class Bench:
    """The server under test and what the runs found."""

    base: str
    token: str
    url: str
    clients: int
    seconds: int
    problems: list[str] = field(default_factory=list)

    def measure(self, work: Work, tag: str, existing: int = 0) -> tuple[dict[str, float], float]:
        """One interleaved measurement of `work`: a warm-up, then HTTP and pgbench on events of their own (each
        holding `existing` registrations first). Checks what HTTP stored; returns its figures and pgbench's tps."""
        create_events(self.base, self.token, f"{tag}-warm-", Work(work.name, work.path, 1))
        run_wrk(self.base, f"{tag}-warm-", 1, self.clients, 2)  # warm-up, not counted
        create_events(self.base, self.token, f"{tag}-http-", work)
        create_events(self.base, self.token, f"{tag}-pgb-", work)
        for side in ("http", "pgb") if existing else ():
            for n in range(1, work.events + 1):
                status = "confirmed" if work.path == "confirm" else "waitlisted"
                asyncio.run(fill(self.url, f"{tag}-{side}-{n}", existing // work.events, status))
        asyncio.run(analyze(self.url))  # fresh statistics for both sides, as autovacuum would give them
        result = run_wrk(self.base, f"{tag}-http-", work.events, self.clients, self.seconds)
        confirmed, waitlisted, seats, taken, gaps = asyncio.run(verify(self.url, f"{tag}-http-"))
        answered = result["requests"] - result["bad_status"]
        problems = self.problems
        if taken != confirmed or confirmed > seats:
            problems.append(f"{tag}: oversold ({confirmed} confirmed, {taken} seats taken of {seats})")
        if confirmed + waitlisted - existing < answered:
            problems.append(f"{tag}: lost ({confirmed + waitlisted - existing} stored, {answered:.0f} answered 2xx)")
        if gaps:
            problems.append(f"{tag}: {gaps} waiting-list numbers missing")
        if result["bad_status"] or result["failed"]:
            problems.append(f"{tag}: {result['bad_status']:.0f} non-2xx, {result['failed']:.0f} failed")
        if work.path == "confirm" and waitlisted:
            problems.append(f"{tag}: {waitlisted} waitlisted on the confirm path (too few seats)")
        if work.path == "waitlist" and confirmed:
            problems.append(f"{tag}: {confirmed} confirmed on the waiting-list path")
        tps = run_pgbench(self.url, f"{tag}-pgb-", work.events, self.clients, self.seconds)
        return result, tps


def line(label: str, result: dict[str, float], tps: float) -> str:
    return (
        f"{label:<36} HTTP {result['rps']:6.0f}/s p50 {result['p50_ms']:5.1f} ms p99 {result['p99_ms']:5.1f} ms "
        f"| pgbench {tps:6.0f} tps | ratio {result['rps'] / tps:.2f}"
    )


def table(runs: int, rows: dict[str, Figures]) -> None:
    print(f"  {'work':<36} {'HTTP/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'pgbench tps':>12} {'ratio':>6}")
    for label, got in rows.items():
        rps = statistics.median(r["rps"] for r in got.http)
        tps = statistics.median(got.pgbench)
        ratio = statistics.median(r["rps"] / t for r, t in zip(got.http, got.pgbench, strict=True))
        print(
            f"  {label:<36} {rps:7.0f} {statistics.median(r['p50_ms'] for r in got.http):7.1f} "
            f"{statistics.median(r['p99_ms'] for r in got.http):7.1f} {tps:12.0f} {ratio:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=500, help="requests a second of the fixed-rate run")
    parser.add_argument("--growth", action="store_true", help="registration in events already holding --sizes")
    parser.add_argument("--sizes", default="0,10000,50000")
    args = parser.parse_args()

    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))

    async def organiser() -> str:
        conn = await db.connect(url)
        try:
            return (await add_user(conn, email="bench@bergen.kommune.no", role="admin")).token
        finally:
            await conn.close()

    token = asyncio.run(organiser())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "BASE_URL": base,
        "DB_POOL_SIZE": "20",
        # Every request comes from 127.0.0.1: the per-address limit would refuse all but 60 a minute. The per-e-mail
        # limit stays on (each registration has its own address), so its statement is part of the figure, and
        # pgbench runs it too.
        "PUBLIC_RATE_LIMIT": os.environ.get("PUBLIC_RATE_LIMIT", "0"),
    }
    env.pop("LOG_LEVEL", None)  # the default level: the request log line production writes is part of the cost
    log = tempfile.NamedTemporaryFile("w", prefix="moteplass-bench-", suffix=".log", delete=False)  # noqa: SIM115
    server_process = subprocess.Popen(
        server_command("127.0.0.1", port, args.workers), env=env, cwd=ROOT, stdout=log, stderr=log
    )
    bench = Bench(base, token, url, args.clients, args.seconds)
    figures: dict[str, Figures] = {}
    steady: list[dict[str, float]] = []
    try:
        wait_http(f"{base}/readyz")
        for run in range(1, args.runs + 1):
            if args.growth:
                for size in (int(n) for n in args.sizes.split(",")):
                    for number, work in enumerate(WORKS[0:3:2]):  # one event: confirm, waiting list
                        label = f"{work.name}, {size:,} in it"
                        result, tps = bench.measure(work, f"r{run}s{size}w{number}", existing=size)
                        figures.setdefault(label, Figures()).http.append(result)
                        figures[label].pgbench.append(tps)
                        print(f"run {run} {line(label, result, tps)}", flush=True)
                continue
            for number, work in enumerate(WORKS):
                result, tps = bench.measure(work, f"r{run}w{number}")
                figures.setdefault(work.name, Figures()).http.append(result)
                figures[work.name].pgbench.append(tps)
                print(f"run {run} {line(work.name, result, tps)}", flush=True)
            slug = f"r{run}-steady-"
            create_events(base, token, slug, WORKS[0])
            time.sleep(1)
            result = fixed_rate(base, f"{slug}1", args.rate, args.seconds)
            if result["bad_status"] or result["failed"]:
                bench.problems.append(
                    f"run {run} fixed rate: {result['bad_status']} non-2xx, {result['failed']} failed"
                )
            steady.append(result)
            print(
                f"run {run} fixed {args.rate}/s (sent {result['sent_rate']:.0f}/s): p50 {result['p50_ms']:.1f} ms "
                f"p99 {result['p99_ms']:.1f} ms max {result['max_ms']:.1f} ms",
                flush=True,
            )
    finally:
        server_process.terminate()
        server_process.wait(timeout=30)
        log.close()
        os.unlink(log.name)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))

    print()
    print(f"median of {args.runs} interleaved runs, {args.clients} connections, {args.workers} web workers:")
    table(args.runs, figures)
    if steady:
        print(
            f"  fixed {args.rate}/s, one event: p50 {statistics.median(r['p50_ms'] for r in steady):.1f} ms, "
            f"p99 {statistics.median(r['p99_ms'] for r in steady):.1f} ms (from the scheduled time)"
        )
    problems = bench.problems
    print("  oversold 0, lost 0, failed 0, gaps 0" if not problems else "  PROBLEMS:\n    " + "\n    ".join(problems))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
