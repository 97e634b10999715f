"""A 2,000-recipient announcement through a relay that answers every SMTP command 50 ms late.

The real server (granian) and `moteplass worker` processes run against a fresh database; the announcement is
composed and confirmed through the real Slack path (signed interactions, Slack's Web API faked on loopback, as in
announce.py), and a real SMTP server (aiosmtpd) on loopback answers each command --delay-ms late, like a relay
across a network. Measured: the time from confirming until the server has accepted every mail, the SMTP
connections opened, and the most open at once. Target: 2,000 mails accepted in < 60 s, each once.

    .venv/bin/python scripts/bench/mail.py [--job-workers 2] [--delay-ms 50]

SMTP_MAX_CONNECTIONS (in the environment) bounds each job worker's connections to the relay.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from announce import RECIPIENTS, SIGNING_SECRET, confirm_one, prepare, report_jobs  # noqa: E402
from benchlib import wait_http  # noqa: E402

from service.cli import server_command  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.slackfake import SlackFake  # noqa: E402
from tests.smtp import SmtpServer, free_port  # noqa: E402

SLUG = "bench-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=50)
    args = parser.parse_args()

    server = admin_url()
    template = f"mp_bench_tpl_{os.getpid()}"
    name = f"mp_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(build_template(server, template))
    url = asyncio.run(clone(server, template, name))
    asyncio.run(prepare(url, [SLUG]))
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
    try:
        wait_http(f"{base}/readyz")
        started = confirm_one(base, SLUG)
        received = smtp.sink.wait_for(RECIPIENTS, timeout=300)
        elapsed = time.monotonic() - started
        time.sleep(2)  # copies that arrive late would be counted
        received = list(smtp.sink.messages)
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

    announcement = [m for m in received if m.message["Subject"] == "Kunngjøring 0"]
    distinct = len({m.message["Message-ID"] for m in announcement})
    print(
        f"{distinct} of {RECIPIENTS} announcement mails accepted in {elapsed:.1f} s "
        f"({distinct / elapsed:.0f} mails/s), "
        f"{len(announcement) - distinct} twice; {smtp.connections.opened} SMTP connections opened, at most "
        f"{smtp.connections.most} at once ({args.job_workers} job workers, each command answered after "
        f"{args.delay_ms} ms; target < 60 s)"
    )
    if distinct < RECIPIENTS or len(announcement) != distinct:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
