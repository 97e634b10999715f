"""Who may do what with a nomination: public, the nominator (by their link), a juror, a juror who declared a
conflict with it, the prize's organiser, and a juror of another prize. Every cell is asked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import auth
from tests.nominations.conftest import PrizeWorld, nomination_body

# Successful actors come last in each row, so that a change they make does not alter the other cells.
ACTORS = ("public", "outsider", "conflicted", "nominator", "juror", "organiser")
MATRIX: dict[str, tuple[str, str, Any, dict[str, int]]] = {
    # action: (method, path, body, {actor: status})
    "see the prize": ("GET", "/api/v1/prizes/forskningsprisen", None, dict.fromkeys(ACTORS, 200)),
    "nominate": (
        "POST",
        "/api/v1/prizes/forskningsprisen/nominations",
        nomination_body(nominee_name="Polyfon"),
        dict.fromkeys(ACTORS, 201),
    ),
    "see own nomination by link": (
        "GET",
        "/api/v1/nominations/self",
        None,
        {"public": 404, "outsider": 404, "conflicted": 404, "nominator": 200, "juror": 404, "organiser": 404},
    ),
    "withdraw by link": (
        "DELETE",
        "/api/v1/nominations/self",
        None,
        {"public": 404, "outsider": 404, "conflicted": 404, "nominator": 200, "juror": 404, "organiser": 404},
    ),
    "list the nominations": (
        "GET",
        "/api/v1/calls/{call}/nominations",
        None,
        {"public": 401, "outsider": 403, "conflicted": 200, "nominator": 401, "juror": 200, "organiser": 200},
    ),
    "read the nomination": (
        "GET",
        "/api/v1/nominations/{nomination}",
        None,
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 200, "organiser": 200},
    ),
    "read its scores": (
        "GET",
        "/api/v1/nominations/{nomination}/scores",
        None,
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 200, "organiser": 200},
    ),
    "score it": (
        "PUT",
        "/api/v1/nominations/{nomination}/scores",
        "sheet",
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 200, "organiser": 403},
    ),
    "declare a conflict": (
        "POST",
        "/api/v1/nominations/{nomination}/conflict",
        {"reason": "Kollega"},
        {"public": 401, "outsider": 403, "conflicted": 204, "nominator": 401, "juror": 204, "organiser": 403},
    ),
    "see the results": (
        "GET",
        "/api/v1/calls/{call}/results",
        None,
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 403, "organiser": 200},
    ),
    "export the scores": (
        "GET",
        "/api/v1/calls/{call}/scores",
        None,
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 403, "organiser": 200},
    ),
    "shortlist it": (
        "POST",
        "/api/v1/nominations/{nomination}/decision",
        {"status": "shortlisted"},
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 403, "organiser": 200},
    ),
    "lock scoring": (
        "POST",
        "/api/v1/calls/{call}/lock",
        None,
        {"public": 401, "outsider": 403, "conflicted": 403, "nominator": 401, "juror": 403, "organiser": 200},
    ),
}
CODES = {401: {"unauthorized", "invalid_token"}, 404: {"nomination_not_found"}}
ORGANISER_ONLY = {"see the results", "export the scores", "shortlist it", "lock scoring"}
FORBIDDEN = {"outsider": "not_on_jury", "conflicted": "conflict_of_interest", "organiser": "jury_only"}


@pytest.mark.parametrize("action", sorted(MATRIX))
async def test_access_matrix(world: PrizeWorld, action: str) -> None:
    method, template, body, expected = MATRIX[action]
    created = await world.nominate()
    secret = created["manage_url"].rsplit("/", 1)[1]
    conflict = await world.client.post(f"/api/v1/nominations/{created['id']}/conflict", json={}, headers=world.juror(2))
    assert conflict.status_code == 204
    headers = {
        "public": {},
        "nominator": auth(secret),
        "juror": world.juror(0),
        "conflicted": world.juror(2),
        "organiser": auth(world.organiser),
        "outsider": auth(world.outsider),
    }
    if body == "sheet":
        body = {"scores": [{"criterion_id": c, "score": 4, "comment": "God"} for c in world.criteria]}
    path = template.format(call=world.call_id, nomination=created["id"])

    answers = {who: await world.client.request(method, path, json=body, headers=headers[who]) for who in ACTORS}

    assert {who: r.status_code for who, r in answers.items()} == expected
    for who, response in answers.items():
        if response.status_code in CODES:
            assert response.json()["code"] in CODES[response.status_code]
        elif response.status_code == 403:
            # Organiser-only actions refuse every juror by role; the rest say why this juror may not.
            assert response.json()["code"] == ("forbidden" if action in ORGANISER_ONLY else FORBIDDEN[who])
