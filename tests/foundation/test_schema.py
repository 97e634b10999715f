"""schemathesis against the OpenAPI document of the real server: no 5xx, every answer matches the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.browser.conftest import LiveServer, in_days, live_server  # noqa: F401 - the fixture is used here

pytestmark = pytest.mark.slow

# No 5xx; every status, content type and body as documented. (Not "positive data acceptance": Litestar's
# schema drops numeric bounds inside `X | UNSET` PATCH fields, so some schema-valid bodies are rightly 422.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_api_answers_without_5xx_and_as_documented(live_server: LiveServer) -> None:
    live_server.create_event(
        slug="kk-konferansen-2027",
        kind="conference",
        title={"nb": "Kunnskapskommunekonferansen 2027"},
        starts_at=in_days(90, 9),
        ends_at=in_days(90, 16),
        capacity=300,
        status="published",
    )
    schema = schemathesis.openapi.from_url(f"{live_server.url}/schema/openapi.json")
    headers = {"Authorization": f"Bearer {live_server.organiser_token}"}
    failures: dict[str, str] = {}
    operations = 0

    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except Exception as failure:
            failures[operation.label] = str(failure)[:2000]

    assert operations >= 15
    assert failures == {}
