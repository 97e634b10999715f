"""Prometheus metrics at /metrics (prometheus-client), for a scraper holding METRICS_TOKEN.

Two kinds, chosen by what they describe:

- What happens in a process is counted where it happens: requests (count and latency by route template, method
  and status; the door scan's fast lane included) in the web processes, mails handed to the relay and refused in
  the job workers, each database pool's connections. With several processes (granian workers) the values go
  through prometheus-client's multiprocess mode: PROMETHEUS_MULTIPROC_DIR names a directory they share
  (`moteplass serve` and `moteplass run` make one when it is unset), and a scrape sums the processes' files.
  A job worker in a container of its own serves its counters on METRICS_PORT (`serve_on_port`).
- What the database holds is read from it at scrape time: the job queue (depth and age of the oldest job by
  kind and state, dead jobs), registrations by event and status, and check-ins (admissions) by event. These are
  exact whichever process or channel (API, pages, console, Slack) made them, survive restarts, and cost the
  hot paths nothing; a scrape costs three small grouped queries.

Routes are labelled by their template (`/t/{code}`), never by the raw path: paths carry ticket and
manage-link codes. Requests that match no route share the label `unmatched`.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
from litestar import MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import REGISTRY, Collector

from .errors import NotFound, Unauthorized
from .settings import Settings

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
POOL_SAMPLE_SECONDS = 5.0

REQUEST_SECONDS = Histogram(
    "moteplass_http_request_duration_seconds",
    "Time to answer HTTP requests, by route template, method and status (its _count is the request count)",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MAILS = Counter("moteplass_mails", "Mails handed to the SMTP relay, by outcome (sent, failed)", ["outcome"])
POOL_CONNECTIONS = Gauge(
    "moteplass_db_pool_connections",
    "Database pool connections of the live processes, by state (in_use, idle, max)",
    ["state"],
    multiprocess_mode="livesum",
)

JOB_QUEUE = """
SELECT kind,
       CASE WHEN dead_at IS NOT NULL THEN 'dead'
            WHEN locked_until > now() THEN 'running'
            WHEN run_after <= now() THEN 'ready'
            ELSE 'scheduled' END AS state,
       count(*) AS jobs,
       extract(epoch FROM now() - min(CASE WHEN dead_at IS NOT NULL THEN dead_at ELSE run_after END)) AS oldest
  FROM jobs
 WHERE done_at IS NULL
 GROUP BY 1, 2
"""
REGISTRATIONS = (
    "SELECT e.slug, r.status, count(*) AS n FROM registrations r JOIN events e ON e.id = r.event_id GROUP BY 1, 2"
)
CHECKINS = "SELECT e.slug, count(*) AS n FROM checkin_admissions a JOIN events e ON e.id = a.event_id GROUP BY 1"


class _Observed:
    """The request histogram's children by (route, method, status): labels() takes a lock and builds a key."""

    def __init__(self) -> None:
        self.children: dict[tuple[str, str, int], Any] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = REQUEST_SECONDS.labels(route, method, str(status))
        child.observe(seconds)


_observed = _Observed()


def measured(app: ASGIApp) -> ASGIApp:
    """`app` with every HTTP request counted and timed by route template: the one Litestar's router set, or the
    one a fast lane set (service/lanes.py)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # a request that raised through here, or a client that went away before the answer

        async def send_seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_seen)
        finally:
            route = scope.get("path_template") or UNMATCHED
            _observed.observe(route, scope["method"], status, time.perf_counter() - started)  # type: ignore[typeddict-item]

    return middleware


def count_mail(sent: bool) -> None:
    MAILS.labels("sent" if sent else "failed").inc()


@asynccontextmanager
async def sampling_pool(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """Keep this process's pool gauges current (every POOL_SAMPLE_SECONDS) while the context is open."""

    async def sample() -> None:
        while True:
            size, idle = pool.get_size(), pool.get_idle_size()
            POOL_CONNECTIONS.labels("in_use").set(size - idle)
            POOL_CONNECTIONS.labels("idle").set(idle)
            POOL_CONNECTIONS.labels("max").set(pool.get_max_size())
            await asyncio.sleep(POOL_SAMPLE_SECONDS)

    task = asyncio.create_task(sample())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if os.environ.get(MULTIPROCESS_DIR):
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # its live gauges leave the sums


class _Snapshot(Collector):
    """Families read from the database just before the scrape (collectors are synchronous)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families


async def database_families(conn: asyncpg.Connection) -> list[GaugeMetricFamily]:
    depth = GaugeMetricFamily(
        "moteplass_jobs", "Jobs not done, by kind and state (ready, scheduled, running, dead)", labels=["kind", "state"]
    )
    age = GaugeMetricFamily(
        "moteplass_jobs_oldest_age_seconds",
        "Age of the oldest job not done, by kind and state: seconds since it was due (dead: since it died)",
        labels=["kind", "state"],
    )
    dead = GaugeMetricFamily("moteplass_jobs_dead", "Jobs that failed for good (`moteplass jobs` shows them)")
    dead_total = 0
    for row in await conn.fetch(JOB_QUEUE):
        depth.add_metric([row["kind"], row["state"]], row["jobs"])
        age.add_metric([row["kind"], row["state"]], max(float(row["oldest"]), 0.0))
        if row["state"] == "dead":
            dead_total += row["jobs"]
    dead.add_metric([], dead_total)
    registrations = GaugeMetricFamily(
        "moteplass_registrations", "Registrations by event and status", labels=["event", "status"]
    )
    for row in await conn.fetch(REGISTRATIONS):
        registrations.add_metric([row["slug"], row["status"]], row["n"])
    checkins = GaugeMetricFamily(
        "moteplass_checkins", "People checked in (admitted at a door), by event", labels=["event"]
    )
    for row in await conn.fetch(CHECKINS):
        checkins.add_metric([row["slug"]], row["n"])
    return [depth, age, dead, registrations, checkins]


def exposition(families: list[GaugeMetricFamily]) -> bytes:
    """The text format of every process's metrics (summed over processes in multiprocess mode) and `families`."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        own = b""
    else:
        own = generate_latest(REGISTRY)
    registry.register(_Snapshot(families))
    return own + generate_latest(registry)


def serve_on_port(host: str, port: int) -> None:
    """A job worker's own metrics (mails, its pool) on http://host:port/metrics, for a scraper on the internal
    network: workers in other containers share no PROMETHEUS_MULTIPROC_DIR with the web processes."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    start_http_server(port, addr=host, registry=registry)


def check_token(settings: Settings, authorization: str | None) -> None:
    """Raises NotFound when METRICS_TOKEN is not set (the endpoint does not exist), Unauthorized unless the
    request carries `Authorization: Bearer <METRICS_TOKEN>`."""
    if not settings.metrics_token:
        raise NotFound("not_found", "no such page")
    scheme, _, offered = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), settings.metrics_token.encode()):
        raise Unauthorized("unauthorized", "send Authorization: Bearer <METRICS_TOKEN>")


@get("/metrics", include_in_schema=False, media_type=MediaType.TEXT)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    check_token(state.settings, request.headers.get("authorization"))
    async with state.pool.acquire(timeout=5) as conn:
        families = await database_families(conn)
    return Response(exposition(families), media_type=CONTENT_TYPE_LATEST)
