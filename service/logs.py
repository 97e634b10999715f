"""Structured (JSON) logs, one line per record, carrying the request id when there is one."""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_http_log = logging.getLogger("moteplass.http")


def request_id_for(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The request's id: the caller's X-Request-ID when it is a sane one, else a new one."""
    incoming = next((value for name, value in headers if name == b"x-request-id"), b"").decode("latin-1")
    return incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


# Path parameters that carry a capability (manage, ticket and agenda codes, nomination secrets, password links):
# a route that takes one must name it so, and the logs then show the route template and a hash of it.
SECRET_PARAMS = frozenset({"code", "secret"})
# A path no route matched is logged with every long token-like segment blotted out (a mistyped secret link).
_TOKEN_SEGMENT = re.compile(r"[^/]{20,}")


_FILE_SUFFIX = re.compile(r"\.(png|svg|ics)$")


def code_hash(code: object) -> str:
    """A short, labelled fingerprint of a code (its file suffix left off, so a ticket page and its image share
    one), enough to follow one link through the logs and not to use it."""
    return "sha256:" + hashlib.sha256(_FILE_SUFFIX.sub("", str(code)).encode()).hexdigest()[:8]


def request_place(scope: Mapping[str, Any]) -> dict[str, object]:
    """Where a request went, as logs may say it: the route template (`/r/{code}`), the real path only when no
    secret rides in it, and a secret path parameter as its code_hash, never itself."""
    path = str(scope.get("path", ""))
    template = scope.get("path_template")
    if not template:  # no route (a 404) or the scan lane: the path, with anything code-like blotted out
        safe = _TOKEN_SEGMENT.sub("{redacted}", path)
        return {"route": safe, "path": safe}
    params = scope.get("path_params") or {}
    secret = next((name for name in params if name in SECRET_PARAMS), None)
    if secret is None:
        return {"route": template, "path": path}
    return {"route": template, "path": template, "code_hash": code_hash(params[secret])}


def log_request(scope: Mapping[str, Any], status: int, started: float) -> None:
    """The one line logged per request (at INFO); `started` is the time.perf_counter() it began. Every way in
    (Litestar's middleware, the scan lane) logs through here, so no line carries a secret from the path."""
    if _http_log.isEnabledFor(logging.INFO):
        ms = round((time.perf_counter() - started) * 1000, 2)
        extra = {"method": scope.get("method"), **request_place(scope), "status": status, "ms": ms}
        _http_log.info("request", extra=extra)


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
