"""Bare dates are days; every CSV writes one ISO 8601 form."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from relaydash.display.dates import csv_moment, moment_text
from relaydash.relay.records import is_day, parse_moment

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_bare_date_is_a_day_not_midnight() -> None:
    parsed = parse_moment("2026-12-02")
    assert parsed == dt.date(2026, 12, 2) and is_day(parsed)
    assert not is_day(parse_moment("2026-12-02T00:00:00+01:00"))


def test_moments_still_parse_and_bad_text_is_kept() -> None:
    assert parse_moment("2026-12-02T14:05:00Z") == dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)
    assert parse_moment("2026-12-02 14:05") == dt.datetime(2026, 12, 2, 14, 5, tzinfo=BERLIN)
    assert parse_moment("next week") == "next week"
    assert parse_moment("") is None


def test_a_day_is_shown_without_a_time() -> None:
    with translation.override("de"):
        assert moment_text(dt.date(2026, 12, 2)) == "02.12.2026"
        assert moment_text(dt.datetime(2026, 12, 2, 14, 5, tzinfo=BERLIN)) == "02.12.2026 14:05"
    with translation.override("en"):
        assert "00:00" not in moment_text(dt.date(2026, 12, 2))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("2026-12-02T13:05:00Z", "2026-12-02T14:05:00+01:00"),
        ("2026-12-02T14:05:00+01:00", "2026-12-02T14:05:00+01:00"),
        ("2026-12-02T14:05:00.123+01:00", "2026-12-02T14:05:00+01:00"),
        ("2026-12-02 14:05:00", "2026-12-02T14:05:00+01:00"),
        ("2026-12-02T14:05", "2026-12-02T14:05:00+01:00"),
        ("2026-07-02T12:05:00Z", "2026-07-02T14:05:00+02:00"),
        ("2026-12-02", "2026-12-02"),
        (dt.date(2026, 12, 2), "2026-12-02"),
        (dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.UTC), "2026-12-02T14:05:00+01:00"),
        ("gestern", "gestern"),
        (None, ""),
        ("", ""),
    ],
)
def test_every_csv_writes_one_iso_form(value: object, written: str) -> None:
    assert csv_moment(value) == written  # type: ignore[arg-type]
