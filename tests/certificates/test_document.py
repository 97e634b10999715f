"""The certificate's duration and dates, from the event's times in Oslo."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest

from service.certificates.document import dates_of, hours_of
from service.events.schemas import Event


def event(starts_at: str, ends_at: str) -> Event:
    return Event(
        id=uuid4(),
        slug="kk",
        kind="conference",
        title={"nb": "Kunnskapskommunekonferansen"},
        description={},
        venue="",
        address="",
        starts_at=datetime.fromisoformat(starts_at),
        ends_at=datetime.fromisoformat(ends_at),
        capacity=300,
        registration_opens_at=None,
        registration_closes_at=None,
        registration_paused=False,
        status="published",
        series=None,
        organiser_name="",
    )


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "hours"),
    [
        ("2027-06-10T09:00:00+02:00", "2027-06-10T16:00:00+02:00", 7.0),
        ("2027-06-10T09:00:00+02:00", "2027-06-10T15:40:00+02:00", 6.5),
        ("2027-06-10T09:00:00+02:00", "2027-06-11T16:00:00+02:00", 14.0),  # two days of seven hours, not 31
        ("2027-06-09T12:00:00+02:00", "2027-06-11T15:00:00+02:00", 9.0),  # three days of three hours
        ("2027-06-10T18:00:00+02:00", "2027-06-11T02:00:00+02:00", 8.0),  # over midnight: the whole span
        ("2027-06-10T07:00:00Z", "2027-06-11T14:00:00Z", 14.0),  # days are Oslo's, not UTC's
    ],
)
def test_hours_count_each_day_of_a_multi_day_event(starts_at: str, ends_at: str, hours: float) -> None:
    assert hours_of(event(starts_at, ends_at)) == hours


def test_dates_name_the_first_and_last_day_of_a_multi_day_event() -> None:
    one_day = event("2027-06-10T09:00:00+02:00", "2027-06-10T16:00:00+02:00")
    two_days = event("2027-06-10T09:00:00+02:00", "2027-06-11T16:00:00+02:00")

    assert (dates_of(one_day, "nb"), dates_of(two_days, "nn"), dates_of(two_days, "en")) == (
        "torsdag 10. juni 2027",
        "torsdag 10. juni 2027 – fredag 11. juni 2027",
        "Thursday 10 June 2027 – Friday 11 June 2027",
    )
