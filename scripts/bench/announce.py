"""Slack acknowledgements and a 2,000-recipient announcement, against the real server and real workers.

The real server (granian) and `moteplass worker` processes run against a fresh database, with Slack's Web API
faked on loopback (tests/slackfake.py) and a real SMTP server (aiosmtpd) receiving the mail. The load comes
from wrk in another process (scripts/bench/slack.lua sends requests signed here, each once).

1. Acknowledgements: signed `/moteplass help` slash commands and signed announce-form submissions (each
   stores a draft and counts 2,000 recipients), 20 at a time for --seconds, after a two-second warm-up; the job
   workers answer the slash commands meanwhile. p50/p99 per run. Target p99 < 100 ms.
2. Announcement: once the queue is empty, a signed confirmation of a draft to 2,000 confirmed attendees; the time
   until the SMTP server has accepted every mail, while wrk calls the web API until the last mail
   (GET /api/v1/events/{slug} on 20 connections, each pausing API_PAUSE_MS between requests: about 400 requests a
   second, ten times what 2,000 people opening the mail within a minute would make). Targets: all mails within
   60 s, API p99 < 100 ms meanwhile.

    .venv/bin/python scripts/bench/announce.py [--runs 3] [--seconds 8] [--workers 2] [--job-workers 2]

BENCH_CONCURRENCY=1 measures what one request costs with nothing queued.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import wait_http, wrk_figures  # noqa: E402

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
WRK_THREADS = 2 if CONCURRENCY > 1 else 1
API_PAUSE_MS = 50
MAX_ACKS_PER_SECOND = 4000  # signed requests written per second of a run: more than the server can answer


# --- the requests ---------------------------------------------------------------------------------------------


def signed_headers(body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": RequestVerifier(SIGNING_SECRET, lambda: datetime.now(UTC)).sign(body, timestamp),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command(n: int, response_url: str) -> bytes:
    """A signed `/moteplass help`, with its own trigger and response_url as Slack gives every command (a
    response_url takes five answers; reusing one would send the answers to direct messages, one a second)."""
    trigger = f"bench-{n}-{uuid.uuid4().hex}"
    return urlencode(
        {
            "team_id": TEAM,
            "user_id": USER,
            "command": "/moteplass",
            "text": "help",
            "trigger_id": trigger,
            "response_url": f"{response_url}-{trigger}",
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


def signed_requests(path: Path, count: int, slug: str, response_url: str) -> None:
    """`count` signed requests for slack.lua, alternating `/moteplass help` and an announce-form submission; each
    is unique (trigger_id, view id) and its signature fresh for Slack's five minutes."""
    verifier = RequestVerifier(SIGNING_SECRET, lambda: datetime.now(UTC))
    timestamp = int(time.time())
    with path.open("w") as handle:
        for n in range(count):
            if n % 2 == 0:
                route, body = "/slack/commands", command(n, response_url)
            else:
                route, body = "/slack/interactions", compose(n, slug)
            handle.write(f"{route}\t{timestamp}\t{verifier.sign(body, timestamp)}\t{body.decode()}\n")


# --- the load: wrk in its own process -------------------------------------------------------------------------


def wrk_command(base: str, seconds: int, script: str, *args: str) -> list[str]:
    return [
        "wrk", "-t", str(WRK_THREADS), "-c", str(CONCURRENCY), "-d", f"{seconds}s", "--timeout", "5s",
        "-s", str(ROOT / "scripts/bench" / script), base, "--", *args,
    ]  # fmt: skip


def run_acks(base: str, slug: str, seconds: int, response_url: str) -> dict[str, Any]:
    """Signed acknowledgements at CONCURRENCY for `seconds`, after a two-second warm-up."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name, length in (("warm-up", 2), ("measured", seconds)):
            data = Path(folder) / f"{name}.txt"
            signed_requests(data, MAX_ACKS_PER_SECOND * length, slug, response_url)
            command_line = wrk_command(base, length, "slack.lua", str(data), str(WRK_THREADS))
            results.append(wrk_figures(subprocess.run(command_line, capture_output=True, text=True, check=True).stdout))
    return results[-1]


def start_api_load(base: str, slug: str) -> subprocess.Popen[str]:
    """wrk on the event API, paced, until interrupted (it reports on SIGINT)."""
    command_line = wrk_command(base, 600, "api.lua", f"/api/v1/events/{slug}", str(API_PAUSE_MS))
    return subprocess.Popen(command_line, stdout=subprocess.PIPE, text=True)


def stop_api_load(load: subprocess.Popen[str]) -> dict[str, Any]:
    load.send_signal(signal.SIGINT)
    output, _ = load.communicate(timeout=30)
    return wrk_figures(output)


# --- the harness ----------------------------------------------------------------------------------------------


async def prepare(url: str, slugs: list[str], recipients: int = RECIPIENTS) -> None:
    """An organiser linked to the Slack user, and per run an event with `recipients` confirmed attendees."""
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
                recipients,
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
                recipients,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def confirm_one(base: str, slug: str) -> float:
    """Compose and confirm one announcement to the event's confirmed attendees; returns the moment of confirming."""
    body = compose(0, slug)
    request = urllib.request.Request(
        f"{base}/slack/interactions", data=body, method="POST", headers=signed_headers(body)
    )
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
    request = urllib.request.Request(
        f"{base}/slack/interactions", data=body, method="POST", headers=signed_headers(body)
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return started


PENDING_JOBS = "SELECT count(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND run_after <= now()"


async def wait_for_idle_queue(url: str) -> None:
    """Until the job workers have done every job that is due (the answers to the acknowledged slash commands)."""
    conn = await db.connect(url)
    try:
        async with asyncio.timeout(300):
            while await conn.fetchval(PENDING_JOBS):  # noqa: ASYNC110 - polls another process's work
                await asyncio.sleep(0.2)
    finally:
        await conn.close()


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
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2)
    args = parser.parse_args()

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
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "BASE_URL": base,
        "SMTP_URL": smtp.url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "JOB_POLL_SECONDS": "0.1",
    }
    processes = [
        subprocess.Popen(
            server_command("127.0.0.1", port, args.workers),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    processes += [
        subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.job_workers)
    ]
    acks: list[dict[str, Any]] = []
    sends: list[dict[str, Any]] = []
    try:
        wait_http(f"{base}/readyz")
        for run, slug in enumerate(slugs, start=1):
            ack = run_acks(base, slug, args.seconds, fake.response_url("bench"))
            asyncio.run(wait_for_idle_queue(url))
            smtp.sink.messages.clear()
            load = start_api_load(base, slug)
            time.sleep(1)
            started = confirm_one(base, slug)
            received = smtp.sink.wait_for(RECIPIENTS, timeout=120)
            elapsed = time.monotonic() - started
            api = stop_api_load(load)
            distinct = len({m.message["Message-ID"] for m in received})
            sends.append(
                {"seconds": elapsed, "mails": distinct, "copies": len(received) - distinct}
                | {f"api_{k}": v for k, v in api.items()}
            )
            acks.append(ack)
            print(
                f"run {run}: acks p50 {ack['p50_ms']:.1f} ms p99 {ack['p99_ms']:.1f} ms "
                f"({ack['requests']:.0f} requests, {ack['bad_status'] + ack['failed']:.0f} not 200 or failed) | "
                f"{len(received)} mails ({distinct} distinct) in {elapsed:.1f} s, "
                f"API meanwhile p50 {api['p50_ms']:.1f} ms p99 {api['p99_ms']:.1f} ms "
                f"({api['requests']:.0f} requests, {api['bad_status'] + api['failed']:.0f} not 200 or failed)",
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
        f"  Slack acknowledgements: p50 {statistics.median(a['p50_ms'] for a in acks):.1f} ms, "
        f"p99 {statistics.median(a['p99_ms'] for a in acks):.1f} ms (target p99 < 100 ms)"
    )
    print(
        f"  2,000-recipient announcement: {statistics.median(s['seconds'] for s in sends):.1f} s until every mail "
        f"was accepted (target < 60 s)"
    )
    print(
        f"  web API meanwhile: p50 {statistics.median(s['api_p50_ms'] for s in sends):.1f} ms, "
        f"p99 {statistics.median(s['api_p99_ms'] for s in sends):.1f} ms (target p99 < 100 ms)"
    )
    problems = [f"run {i}: {s['mails']} mails" for i, s in enumerate(sends, 1) if s["mails"] < RECIPIENTS]
    problems += [f"run {i}: {s['copies']} mails twice" for i, s in enumerate(sends, 1) if s["copies"]]
    problems += [
        f"run {i}: {a['bad_status'] + a['failed']:.0f} acks not 200 or failed"
        for i, a in enumerate(acks, 1)
        if a["bad_status"] + a["failed"]
    ]
    problems += [
        f"run {i}: {s['api_bad_status'] + s['api_failed']:.0f} API requests not 200 or failed"
        for i, s in enumerate(sends, 1)
        if s["api_bad_status"] + s["api_failed"]
    ]
    print(
        "  all mails delivered, every acknowledgement and API request 200"
        if not problems
        else "  PROBLEMS: " + "; ".join(problems)
    )
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
