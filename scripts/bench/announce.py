"""Slack acknowledgements and a 2,000-recipient announcement, against the real server and real workers.

The real server (granian) and `moteplass worker` processes run against a fresh database, with Slack's Web API
faked on loopback (tests/slackfake.py) and a real SMTP server (aiosmtpd) receiving the mail. The load comes
from an asyncio client in another process (this script with --client).

1. Acknowledgements: signed `/moteplass help` slash commands and signed announce-form submissions (each
   stores a draft and counts 2,000 recipients), 20 at a time; p50/p99 per run. Target p99 < 100 ms.
2. Announcement: a signed confirmation of a draft to 2,000 confirmed attendees; the time until the SMTP
   server has accepted every mail, while the client measures the web API (GET /api/v1/events/{slug}).
   Targets: all mails within 60 s, API p99 < 100 ms meanwhile.

    .venv/bin/python scripts/bench/announce.py [--runs 3] [--requests 1000] [--workers 2] [--job-workers 2]

BENCH_CONCURRENCY=1 measures what one request costs with nothing queued.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from integrations.slack import RequestVerifier  # noqa: E402
from service import db  # noqa: E402
from service.cli import server_command  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.slackfake import SlackFake  # noqa: E402
from tests.smtp import SmtpServer, free_port  # noqa: E402

RECIPIENTS = 2000
SIGNING_SECRET = "bench-signing-secret-" + uuid.uuid4().hex
TEAM, USER = "T0BENCH", "U0BENCH"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "20"))


# --- the load client (runs in its own process) -------------------------------------------------------------


def _signed(body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    signature = RequestVerifier(os.environ["SLACK_SIGNING_SECRET"], lambda: datetime.now(UTC)).sign(body, timestamp)
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command(n: int) -> bytes:
    return urlencode(
        {
            "team_id": TEAM,
            "user_id": USER,
            "command": "/moteplass",
            "text": "help",
            "trigger_id": f"bench-{n}-{uuid.uuid4().hex}",
            "response_url": os.environ["RESPONSE_URL"] + f"-{n}",
            "channel_id": "C0BENCH",
        }
    ).encode()


def compose(n: int, slug: str) -> bytes:
    def text(value: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    values = {
        "event": {"event": {"type": "static_select", "selected_option": {"value": slug}}},
        "audience": {"audience": {"type": "static_select", "selected_option": {"value": "confirmed"}}},
        "subject_nb": {"subject_nb": text(f"Kunngjøring {n}")},
        "body_nb": {"body_nb": text("Velkommen til *konferansen*.")},
        "when": {"when": {"type": "radio_buttons", "selected_option": {"value": "now"}}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": USER, "team_id": TEAM},
        "view": {"id": f"V{uuid.uuid4().hex}", "callback_id": "announce_compose", "state": {"values": values}},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def client_main(base: str, mode: str, requests: int, slug: str) -> None:
    import httpx

    latencies: list[float] = []
    bad: list[int] = []
    counter = iter(range(10**9))
    stop_file = Path(os.environ.get("STOP_FILE", "/nonexistent"))

    async def one(http: httpx.AsyncClient) -> None:
        n = next(counter)
        if mode == "acks":
            path, body = ("/slack/commands", command(n)) if n % 2 == 0 else ("/slack/interactions", compose(n, slug))
            started = time.perf_counter()
            response = await http.post(path, content=body, headers=_signed(body))
        else:
            started = time.perf_counter()
            response = await http.get(f"/api/v1/events/{slug}")
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            bad.append(response.status_code)

    async def lane(http: httpx.AsyncClient, share: int) -> None:
        done = 0
        while (mode == "acks" and done < share) or (mode == "api" and not stop_file.exists()):  # noqa: ASYNC240
            await one(http)
            done += 1

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:
        if mode == "acks":  # warm up: connections, each web worker's first requests
            await asyncio.gather(*(lane(http, 5) for _ in range(CONCURRENCY)))
            latencies.clear()
        await asyncio.gather(*(lane(http, requests // CONCURRENCY) for _ in range(CONCURRENCY)))
    latencies.sort()
    print(
        json.dumps(
            {
                "n": len(latencies),
                "p50": statistics.median(latencies),
                "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                "bad": len(bad),
                "statuses": sorted(set(bad)),
            }
        ),
        flush=True,
    )


# --- the harness ----------------------------------------------------------------------------------------------


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url}")


async def prepare(url: str, slugs: list[str]) -> None:
    """An organiser linked to the Slack user, and per run an event with 2,000 confirmed attendees."""
    conn = await db.connect(url)
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (email, name, role) VALUES ('bench@bergen.kommune.no', 'Bench', 'organiser')"
            " RETURNING id"
        )
        await conn.execute(
            "INSERT INTO slack_user_links (team_id, slack_user_id, user_id) VALUES ($1, $2, $3)", TEAM, USER, user_id
        )
        for slug in slugs:
            event_id = await conn.fetchval(
                """INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status)
                   VALUES ($1, 'conference', '{"nb": "Benchmark", "nn": "Benchmark", "en": "Benchmark"}',
                           now() + interval '30 days', now() + interval '31 days', $2, 'published') RETURNING id""",
                slug,
                RECIPIENTS,
            )
            await conn.execute("INSERT INTO user_event_scopes (user_id, event_id) VALUES ($1, $2)", user_id, event_id)
            await conn.execute(
                """WITH r AS (
                     INSERT INTO registrations (event_id, status, name, email, email_norm, language,
                                                privacy_accepted_at, confirmed_at)
                     SELECT $1, 'confirmed', 'Deltakar ' || n, 'd' || n || '@' || $2 || '.no',
                            'd' || n || '@' || $2 || '.no', (ARRAY['nb', 'nn', 'en'])[1 + n % 3], now(), now()
                       FROM generate_series(1, $3) n
                     RETURNING id)
                   INSERT INTO event_seats (event_id, registration_id) SELECT $1, id FROM r""",
                event_id,
                slug,
                RECIPIENTS,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def run_client(base: str, env: dict[str, str], mode: str, requests: int, slug: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--client", mode, "--base", base, "--requests", str(requests), "--slug", slug],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=600)
    return dict(json.loads(out.strip().splitlines()[-1]))


def confirm_one(base: str, slug: str) -> float:
    """Compose and confirm one announcement to the event's 2,000 attendees; returns the moment of confirming."""
    body = compose(0, slug)
    request = urllib.request.Request(f"{base}/slack/interactions", data=body, method="POST", headers=_signed(body))
    with urllib.request.urlopen(request, timeout=10) as response:
        preview = json.loads(response.read())
    announcement_id = preview["view"]["private_metadata"]
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": USER, "team_id": TEAM},
        "view": {"id": "V0CONFIRM", "callback_id": "announce_confirm", "private_metadata": announcement_id},
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    started = time.monotonic()
    request = urllib.request.Request(f"{base}/slack/interactions", data=body, method="POST", headers=_signed(body))
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return started


async def report_jobs(url: str) -> None:
    """The queue at the end: jobs per kind, done, dead, and the last error of each kind."""
    conn = await db.connect(url)
    try:
        rows = await conn.fetch(
            """SELECT kind, count(*) AS n, count(done_at) AS done, count(dead_at) AS dead,
                      count(*) FILTER (WHERE attempts > 1) AS retried, max(last_error) AS error
                 FROM jobs GROUP BY kind ORDER BY kind"""
        )
    finally:
        await conn.close()
    for row in rows:
        error = f", last error: {row['error'][:200]}" if row["error"] else ""
        print(
            f"  jobs {row['kind']}: {row['n']}, done {row['done']}, dead {row['dead']}, "
            f"retried {row['retried']}{error}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--client")
    parser.add_argument("--base")
    parser.add_argument("--slug", default="")
    args = parser.parse_args()
    if args.client:
        asyncio.run(client_main(args.base, args.client, args.requests, args.slug))
        return

    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    slugs = [f"bench-{run}" for run in range(1, args.runs + 1)]
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    asyncio.run(prepare(url, slugs))
    smtp = SmtpServer()
    smtp.start()
    fake = SlackFake()
    fake.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "LOG_LEVEL": "WARNING",
        "BASE_URL": base,
        "SMTP_URL": smtp.url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "RESPONSE_URL": fake.response_url("bench"),
        "JOB_POLL_SECONDS": "0.1",
    }
    processes = [subprocess.Popen(server_command("127.0.0.1", port, args.workers), env=env, cwd=ROOT)]
    processes += [
        subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env, cwd=ROOT)
        for _ in range(args.job_workers)
    ]
    acks: list[dict[str, Any]] = []
    sends: list[dict[str, Any]] = []
    try:
        wait_http(f"{base}/readyz")
        for run, slug in enumerate(slugs, start=1):
            ack = result_of(run_client(base, env, "acks", args.requests, slug))
            time.sleep(2)  # let the workers answer the help commands
            smtp.sink.messages.clear()
            stop_file = Path(tempfile.gettempdir()) / f"mp-bench-stop-{uuid.uuid4().hex}"
            load = run_client(base, {**env, "STOP_FILE": str(stop_file)}, "api", 0, slug)
            time.sleep(1)
            started = confirm_one(base, slug)
            received = smtp.sink.wait_for(RECIPIENTS, timeout=120)
            elapsed = time.monotonic() - started
            stop_file.touch()
            api = result_of(load)
            stop_file.unlink()
            distinct = len({m.message["Message-ID"] for m in received})
            sends.append(
                {"seconds": elapsed, "mails": distinct, "copies": len(received) - distinct}
                | {f"api_{k}": v for k, v in api.items()}
            )
            acks.append(ack)
            print(
                f"run {run}: acks p50 {ack['p50']:.1f} ms p99 {ack['p99']:.1f} ms "
                f"({ack['n']} requests, {ack['bad']} not 200) | {len(received)} mails ({distinct} distinct) "
                f"in {elapsed:.1f} s, "
                f"API meanwhile p50 {api['p50']:.1f} ms p99 {api['p99']:.1f} ms "
                f"({api['n']} requests, {api['bad']} not 200)",
                flush=True,
            )
    finally:
        asyncio.run(report_jobs(url))
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        fake.stop()
        asyncio.run(drop(server, name))
        asyncio.run(drop(server, template))

    print()
    print(
        f"median of {args.runs} runs, {CONCURRENCY} concurrent, {args.workers} web workers, "
        f"{args.job_workers} job workers:"
    )
    print(
        f"  Slack acknowledgements: p50 {statistics.median(a['p50'] for a in acks):.1f} ms, "
        f"p99 {statistics.median(a['p99'] for a in acks):.1f} ms (target p99 < 100 ms)"
    )
    print(
        f"  2,000-recipient announcement: {statistics.median(s['seconds'] for s in sends):.1f} s until every mail "
        f"was accepted (target < 60 s)"
    )
    print(
        f"  web API meanwhile: p50 {statistics.median(s['api_p50'] for s in sends):.1f} ms, "
        f"p99 {statistics.median(s['api_p99'] for s in sends):.1f} ms (target p99 < 100 ms)"
    )
    problems = [f"run {i}: {s['mails']} mails" for i, s in enumerate(sends, 1) if s["mails"] < RECIPIENTS]
    problems += [f"run {i}: {s['copies']} mails twice" for i, s in enumerate(sends, 1) if s["copies"]]
    problems += [f"run {i}: {a['bad']} acks not 200 {a['statuses']}" for i, a in enumerate(acks, 1) if a["bad"]]
    print("  all mails delivered, every acknowledgement 200" if not problems else "  PROBLEMS: " + "; ".join(problems))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
