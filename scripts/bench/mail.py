"""An announcement to --recipients (2,000; 20,000 for issue 20) through a relay that answers every SMTP command
50 ms late, with the web API under load meanwhile.

The real server (granian) and `moteplass worker` processes run against a fresh database; the announcement is
composed and confirmed through the real Slack path (signed interactions, Slack's Web API faked on loopback, as in
announce.py), and a real SMTP server (aiosmtpd) on loopback answers each command --delay-ms late, like a relay
across a network. While the mails go out, wrk calls the web API as announce.py does (GET /api/v1/events/{slug},
paced, until the last mail). Each run announces to its own event. Measured per run: the time from confirming until
the server has accepted every mail, the API's p50/p99 meanwhile, the SMTP connections opened and the most open at
once; how long someone who registers for another event --probe-after seconds in waits for their confirmation (a
fan-out queues its mails behind the work one person waits for); then, as the baseline of the same run, --baseline
prepared mails sent from another process straight to the same relay on as many connections as the job workers may
open (what the relay allows at all).
Targets: 2,000 mails in < 60 s; 20,000 well under 10 minutes; API p99 < 100 ms meanwhile; each mail once; the
confirmation in seconds, not after the announcement.

    .venv/bin/python scripts/bench/mail.py [--recipients 20000] [--runs 3] [--job-workers 2] [--delay-ms 50]

SMTP_MAX_CONNECTIONS (in the environment, default 10) bounds each job worker's connections to the relay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from announce import SIGNING_SECRET, confirm_one, prepare, report_jobs, start_api_load, stop_api_load  # noqa: E402
from benchlib import wait_http  # noqa: E402

from integrations.mail import Mail, SmtpMailer  # noqa: E402
from service import db  # noqa: E402
from service.cli import server_command  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.slackfake import SlackFake  # noqa: E402
from tests.smtp import SmtpServer, free_port  # noqa: E402

PROBE = "probe"  # the event someone registers for during the announcement, and its people's addresses


async def prepare_probe(url: str) -> None:
    """The event of the probe: published, with 100 free seats."""
    conn = await db.connect(url)
    try:
        await conn.execute(
            """WITH event AS (
                 INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status)
                 VALUES ($1, 'workshop', '{"nb": "Probe", "nn": "Probe", "en": "Probe"}',
                         now() + interval '20 days', now() + interval '20 days 3 hours', 100, 'published')
                 RETURNING id)
               INSERT INTO event_seats (event_id) SELECT id FROM event, generate_series(1, 100)""",
            PROBE,
        )
    finally:
        await conn.close()


async def send_prepared(smtp_url: str, count: int, connections: int) -> None:
    """The baseline: `count` prepared mails through our mailer on `connections` connections, no queue, no database."""
    mailer = SmtpMailer(smtp_url, "Møteplass <noreply@example.no>", max_connections=connections)
    queue = iter(range(count))

    async def lane() -> None:
        for n in queue:
            await mailer.send(
                Mail(to=f"baseline{n}@example.no", subject="Baseline", text="Velkommen til konferansen.",
                     html="<p>Velkommen til <strong>konferansen</strong>.</p>", message_id=f"<baseline-{n}@bench>")
            )  # fmt: skip

    async with mailer:
        await asyncio.gather(*(lane() for _ in range(connections)))


def baseline(smtp: SmtpServer, count: int, connections: int) -> float:
    """Seconds until the relay accepted `count` prepared mails sent from another process (so the relay here does
    not share its interpreter with the sender), timed there from the first connection."""
    before = len(smtp.sink.messages)
    done = subprocess.run(
        [sys.executable, __file__, "--send-prepared", str(count), "--smtp-url", smtp.url, "--connections",
         str(connections)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    with smtp.sink._lock:  # other mails (a worker's late ones) may arrive meanwhile: count the baseline's own
        sent = sum(m.rcpt_tos[0].startswith("baseline") for m in smtp.sink.messages[before:])
    assert sent == count, f"{sent} of {count} baseline mails accepted"
    return float(done.stdout.split()[-1])


def smtp_connections_per_worker() -> int:
    """SMTP_MAX_CONNECTIONS as the job workers will read it (the setting's default when not in the environment)."""
    default = next(f.default for f in msgspec.structs.fields(Settings) if f.name == "smtp_max_connections")
    return int(os.environ.get("SMTP_MAX_CONNECTIONS", default))


def accepted_by_tenths(smtp: SmtpServer, recipients: int, started: float, timeout: float) -> list[float]:
    """Seconds from `started` until the relay had each tenth of the announcement's mails (the last: all of them);
    a rate that falls from the first tenth to the last shows a cost per mail that grows with the announcement.
    The probe's mails are not counted."""
    marks: list[float] = []
    seen = accepted = 0
    while len(marks) < 10 and time.monotonic() - started < timeout:
        new = smtp.sink.messages[seen:]
        seen += len(new)
        accepted += sum(not m.rcpt_tos[0].startswith(PROBE) for m in new)
        while len(marks) < 10 and accepted >= recipients * (len(marks) + 1) // 10:
            marks.append(time.monotonic() - started)
        time.sleep(0.05)
    return marks + [float("inf")] * (10 - len(marks))


def probe_registration(base: str, smtp: SmtpServer, email: str, after: float, result: dict[str, float]) -> None:
    """`after` seconds into the announcement, someone registers for another event: seconds from their request
    until the relay accepted their first mail (the confirmation with the ticket), in result["seconds"]."""
    time.sleep(after)
    body = json.dumps({"name": "Probe", "email": email, "accept_privacy": True}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/events/{PROBE}/registrations", body, {"Content-Type": "application/json"}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201, answer.status
    while time.monotonic() - started < 1200:
        if any(m.rcpt_tos[0] == email for m in list(smtp.sink.messages)):
            result["seconds"] = time.monotonic() - started
            return
        time.sleep(0.05)


def announce_once(
    base: str, slug: str, smtp: SmtpServer, recipients: int, subject: str, probe_after: float
) -> dict[str, Any]:
    """Confirm the event's announcement with wrk on the API, someone registering for another event meanwhile;
    until the relay has every mail (or 20 minutes)."""
    smtp.sink.messages.clear()
    opened = smtp.connections.opened
    smtp.connections.most = smtp.connections.open
    load = start_api_load(base, slug)
    time.sleep(1)
    probe: dict[str, float] = {}
    started = confirm_one(base, slug)
    prober = threading.Thread(
        target=probe_registration, args=(base, smtp, f"{PROBE}-{slug}@example.no", probe_after, probe), daemon=True
    )
    prober.start()
    tenths = accepted_by_tenths(smtp, recipients, started, timeout=1200)
    elapsed = time.monotonic() - started
    api = stop_api_load(load)
    prober.join(timeout=60)
    time.sleep(2)  # copies that arrive late would be counted
    with smtp.sink._lock:
        received = list(smtp.sink.messages)
    announcement = [m for m in received if m.message["Subject"] == subject]
    distinct = len({m.message["Message-ID"] for m in announcement})
    return {
        "seconds": elapsed,
        "mails": distinct,
        "copies": len(announcement) - distinct,
        "first_tenth": recipients / 10 / tenths[0],
        "last_tenth": recipients / 10 / (tenths[-1] - tenths[-2]),
        "opened": smtp.connections.opened - opened,
        "most": smtp.connections.most,
        "probe": probe.get("seconds", float("inf")),
        **{f"api_{k}": v for k, v in api.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=2000, help="prepared mails sent straight to the relay")
    parser.add_argument(
        "--probe-after", type=float, default=5.0, help="seconds into the announcement someone registers elsewhere"
    )
    parser.add_argument("--send-prepared", type=int, help=argparse.SUPPRESS)  # the baseline's own process
    parser.add_argument("--smtp-url", help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send_prepared is not None:
        started = time.monotonic()
        asyncio.run(send_prepared(args.smtp_url, args.send_prepared, args.connections))
        print(time.monotonic() - started)
        return

    connections = args.job_workers * smtp_connections_per_worker()
    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    slugs = [f"bench-{run}" for run in range(1, args.runs + 1)]
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    asyncio.run(prepare(url, slugs, args.recipients))
    asyncio.run(prepare_probe(url))
    smtp = SmtpServer(reply_delay=args.delay_ms / 1000)
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
            server_command("127.0.0.1", port, 1),
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
    sends: list[dict[str, Any]] = []
    baselines: list[float] = []
    try:
        wait_http(f"{base}/readyz")
        for run, slug in enumerate(slugs, start=1):
            send = announce_once(base, slug, smtp, args.recipients, "Kunngjøring 0", args.probe_after)
            baselines.append(baseline(smtp, args.baseline, connections))
            sends.append(send)
            print(
                f"run {run}: {send['mails']} of {args.recipients} mails accepted in {send['seconds']:.1f} s "
                f"({send['mails'] / send['seconds']:.0f}/s; first tenth {send['first_tenth']:.0f}/s, last tenth "
                f"{send['last_tenth']:.0f}/s), {send['copies']} twice, {send['opened']} SMTP "
                f"connections opened, at most {send['most']} at once; a registration {args.probe_after:.0f} s in had "
                f"its confirmation after {send['probe']:.1f} s; API meanwhile p50 {send['api_p50_ms']:.1f} ms "
                f"p99 {send['api_p99_ms']:.1f} ms ({send['api_requests']:.0f} requests, "
                f"{send['api_bad_status'] + send['api_failed']:.0f} not 200 or failed) | baseline: "
                f"{args.baseline} prepared mails on {connections} connections in {baselines[-1]:.1f} s "
                f"({args.baseline / baselines[-1]:.0f}/s)",
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

    seconds = statistics.median(s["seconds"] for s in sends)
    rate = args.recipients / seconds
    base_rate = statistics.median(args.baseline / b for b in baselines)
    print()
    print(
        f"median of {args.runs} runs, {args.job_workers} job workers, {connections} SMTP connections at most, each "
        f"command answered after {args.delay_ms} ms:"
    )
    print(f"  {args.recipients} announcement mails accepted in {seconds:.1f} s ({rate:.0f}/s)")
    print(
        f"  baseline, prepared mails straight to the relay: {base_rate:.0f}/s; announcement/baseline "
        f"{rate / base_rate:.2f}"
    )
    print(
        f"  web API meanwhile: p50 {statistics.median(s['api_p50_ms'] for s in sends):.1f} ms, "
        f"p99 {statistics.median(s['api_p99_ms'] for s in sends):.1f} ms (target < 100 ms)"
    )
    print(
        f"  someone registering for another event {args.probe_after:.0f} s in: confirmation accepted after "
        f"{statistics.median(s['probe'] for s in sends):.1f} s (median; each run: "
        + ", ".join(f"{s['probe']:.1f}" for s in sends)
        + ")"
    )
    problems = [f"run {i}: {s['mails']} mails" for i, s in enumerate(sends, 1) if s["mails"] < args.recipients]
    problems += [f"run {i}: {s['copies']} mails twice" for i, s in enumerate(sends, 1) if s["copies"]]
    problems += [f"run {i}: no confirmation" for i, s in enumerate(sends, 1) if s["probe"] == float("inf")]
    problems += [
        f"run {i}: {s['api_bad_status'] + s['api_failed']:.0f} API requests not 200 or failed"
        for i, s in enumerate(sends, 1)
        if s["api_bad_status"] + s["api_failed"]
    ]
    print("  every mail once, every API request 200" if not problems else "  PROBLEMS: " + "; ".join(problems))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
