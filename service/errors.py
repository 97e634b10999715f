"""The one error tree of the domains. The HTTP mapping to problem+json happens once, in app.py.

DomainError(code, detail)           base: a stable snake_case code and a human detail
├── Invalid                         422: the input breaks a rule (field names the culprit)
├── NotFound                        404: no such thing, or the caller may not know it exists
├── Conflict                        409: the input clashes with what is stored
├── InvalidState                    409: the thing is in a state that does not allow this
├── Forbidden                       403: authenticated, but not allowed to act here
├── Unauthorized                    401: no or bad credentials
├── RateLimited                     429: too many attempts; try again after a while
└── Unavailable                     503: try again shortly (a lock timeout)
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400

    def __init__(self, code: str, detail: str = "", *, field: str | None = None, **extra: Any) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
        self.field = field
        self.extra = extra

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class InvalidState(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class RateLimited(DomainError):
    status = 429


class Unavailable(DomainError):
    status = 503
