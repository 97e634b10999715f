"""A fixed-arrival-rate load generator: POST requests sent on a schedule (rate per second), each timed from the
moment it was due, so a server that falls behind shows its queue in the latency instead of slowing the load
(what a saturating client such as wrk hides: it waits for an answer before it asks again).

Run as its own process by the benchmarks (so the load does not share the server's interpreter):

    python scripts/bench/fixedrate.py --url http://127.0.0.1:8000 --rate 500 --seconds 10 \
        --path /api/v1/events/bench/registrations --body-template '{"email": "f{n}@bench.example.no", ...}'

Prints one JSON line: requests, ok (2xx), bad_status, failed (connection errors and timeouts), p50/p99/max
milliseconds from the scheduled time, and the rate actually sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlsplit

import uvloop

MAX_CONNECTIONS = 256  # beyond this a request waits for a connection; the wait counts in its latency


class Client:
    """Keep-alive HTTP/1.1 connections to one server, reused by whichever request is due next."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def post(self, path: str, body: bytes, limit: float) -> int:
        async with self.slots:
            reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                status = await asyncio.wait_for(_read_response(reader), limit)
            except BaseException:
                writer.close()
                raise
            self.idle.append((reader, writer))
            return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), None)
    if length is None:
        raise ValueError("response without Content-Length")  # our API always sends one
    await reader.readexactly(length)
    return status


async def run(url: str, path: str, template: str, rate: float, seconds: float, limit: float) -> dict[str, float]:
    parts = urlsplit(url)
    client = Client(parts.hostname or "127.0.0.1", parts.port or 80)
    latencies: list[float] = []
    counts = {"ok": 0, "bad_status": 0, "failed": 0}
    loop = asyncio.get_running_loop()
    stamp = int(time.time() * 1000)

    async def one(n: int, due: float) -> None:
        body = template.replace("{n}", f"{stamp}-{n}").encode()
        try:
            status = await client.post(path, body, limit)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            counts["failed"] += 1
            return
        latencies.append(loop.time() - due)
        counts["ok" if 200 <= status < 300 else "bad_status"] += 1

    total = int(rate * seconds)
    start = loop.time() + 0.1
    tasks = []
    for n in range(total):
        due = start + n / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, due)))
    sent_in = loop.time() - start
    await asyncio.gather(*tasks)
    client.close()
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": total,
        **counts,
        "sent_rate": total / sent_in if sent_in > 0 else 0.0,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body-template", required=True, help="{n} is replaced by a unique number per request")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=5)
    args = parser.parse_args()
    figures = uvloop.run(run(args.url, args.path, args.body_template, args.rate, args.seconds, args.timeout))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
