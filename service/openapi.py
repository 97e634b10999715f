"""OpenAPI helpers: document every error status a route can answer with, as problem+json."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from .problems import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No or bad bearer token",
    403: "Not allowed to act here",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Body too large",
    422: "Invalid fields",
    429: "Too many requests",
    503: "Busy; retry after a moment",
}


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Problem responses for the given statuses, plus 400 (malformed JSON) which any body can cause."""
    return {
        status: ResponseSpec(data_container=Problem, description=_DESCRIPTIONS[status], media_type=PROBLEM_MEDIA_TYPE)
        for status in sorted({400, *statuses})
    }


def _strict_structs() -> set[str]:
    """Names of our input Structs that refuse unknown fields."""
    found: set[str] = set()
    pending: list[type[Any]] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        config = getattr(cls, "__struct_config__", None)
        if cls.__module__.startswith("service.") and config is not None and config.forbid_unknown_fields:
            found.add(cls.__name__)
    return found


def declare_closed_objects(app: Any) -> None:
    """Mark Structs with forbid_unknown_fields as `additionalProperties: false` in the OpenAPI document,
    so clients (and schemathesis) know unknown fields are refused. Litestar leaves this out."""
    strict = _strict_structs()
    schemas = app.openapi_schema.components.schemas or {}
    for name, schema in schemas.items():
        if name in strict:
            schema.additional_properties = False
