"""What every job handler gets, kept below the domains so that their handlers need not import the worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from integrations.mail import Mailer
from integrations.slack import SlackApi

from .settings import Settings


@dataclass
class JobContext:
    """What handlers get: the pool, settings, the outside world's adapters, and the clock."""

    pool: asyncpg.Pool
    settings: Settings
    mailer: Mailer
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    slack: SlackApi | None = None  # None: Slack is not configured, Slack jobs skip
