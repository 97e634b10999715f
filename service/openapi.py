"""OpenAPI helpers: document every error status a route can answer with, as problem+json."""

from __future__ import annotations

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
