"""Structured (JSON) logs, one line per record, carrying the request id when there is one."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_http_log = logging.getLogger("moteplass.http")


def request_id_for(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The request's id: the caller's X-Request-ID when it is a sane one, else a new one."""
    incoming = next((value for name, value in headers if name == b"x-request-id"), b"").decode("latin-1")
    return incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def log_request(method: object, path: object, status: int, started: float) -> None:
    """The one line logged per request (at INFO); `started` is the time.perf_counter() it began."""
    if _http_log.isEnabledFor(logging.INFO):
        ms = round((time.perf_counter() - started) * 1000, 2)
        _http_log.info("request", extra={"method": method, "path": path, "status": status, "ms": ms})


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (rid := request_id.get()) is not None:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("asyncio", "aiosmtpd", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
