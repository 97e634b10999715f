"""A fake Slack Web API on loopback, for slack-sdk's own AsyncWebClient pointed at it with `base_url`.

It records every call (method, JSON or form body, headers), answers like Slack for the methods Møteplass uses
(chat.postMessage, chat.update, views.open, users.info, response_url posts under /respond/…), and can be told to answer
the next calls of a method with 429 and a Retry-After, with 500, or to stall (the client times out).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Rule:
    method: str
    status: int
    times: int
    retry_after: str | None = None
    channel: str | None = None
    stall: float = 0.0


@dataclass
class SlackFake:
    users: dict[str, str] = field(default_factory=dict)  # Slack user id -> e-mail on their profile
    calls: list[Call] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 1_790_000_000
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    def fail(
        self, method: str, status: int, *, times: int = 1, retry_after: str | None = None, channel: str | None = None
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel`, if given) with `status`."""
        with self._lock:
            self.rules.append(Rule(method, status, times, retry_after, channel))

    def stall(self, method: str, seconds: float, *, times: int = 1) -> None:
        with self._lock:
            self.rules.append(Rule(method, 200, times, stall=seconds))

    def called(self, method: str, **match: Any) -> list[Call]:
        """Calls of a method whose body has the given values."""
        with self._lock:
            return [c for c in self.calls if c.method == method and all(c.body.get(k) == v for k, v in match.items())]

    def _rule_for(self, method: str, body: dict[str, Any]) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.method == method and rule.channel in (None, body.get("channel")):
                    rule.times -= 1
                    return rule
        return None

    def answer(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        rule = self._rule_for(method, body)
        if rule is not None and rule.stall:
            time.sleep(rule.stall)
        elif rule is not None:
            headers = {"Retry-After": rule.retry_after} if rule.retry_after is not None else {}
            error = "ratelimited" if rule.status == 429 else "internal_error"
            return rule.status, headers, {"ok": False, "error": error}
        if method.startswith("respond/"):
            return 200, {}, "ok"
        if method == "chat.postMessage":
            with self._lock:
                self._ts += 1
                ts = f"{self._ts}.000100"
            return (
                200,
                {},
                {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {"text": body.get("text")}},
            )
        if method == "chat.update":
            if not body.get("ts") or not body.get("channel"):
                return 200, {}, {"ok": False, "error": "message_not_found"}
            return 200, {}, {"ok": True, "channel": body["channel"], "ts": body["ts"], "text": body.get("text")}
        if method == "views.open":
            return 200, {}, {"ok": True, "view": {"id": "V0FAKE", **(body.get("view") or {})}}
        if method == "users.info":
            email = self.users.get(str(body.get("user")))
            if email is None:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            return 200, {}, {"ok": True, "user": {"id": body.get("user"), "profile": {"email": email}}}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if "json" in (self.headers.get("content-type") or ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                method = self.path.removeprefix("/api/").removeprefix("/")
                with fake._lock:
                    fake.calls.append(Call(method, body, dict(self.headers.items())))
                status, headers, payload = fake.answer(method, body)
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-type", "text/plain" if isinstance(payload, str) else "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
