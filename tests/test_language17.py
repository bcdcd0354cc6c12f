"""Issue 17's rule-language extensions: dates compared as instants, settings as distances,
quantifiers over metadata lists, metadata values as term lists, masked terms."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import policylint
from policylint import PolicyError


def fires(condition: str, meta: dict[str, Any], text: str = "hello world") -> bool:
    policy = policylint.load_policy(f"rule t.r {{ when {condition} }}")
    return bool(policy.check(text, meta=meta).findings)


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("posted", "op", "until", "expected"),
    [
        # the same instant in two time zones
        ("2026-03-01T09:00:00+01:00", "==", "2026-03-01T08:00:00Z", True),
        ("2026-03-01T09:00:00+01:00", ">=", "2026-03-01T08:00:00Z", True),
        ("2026-03-01T09:00:00+01:00", "<", "2026-03-01T08:00:00Z", False),
        # text order says the opposite of time order here
        ("2026-03-01T10:00:00+02:00", "<", "2026-03-01T09:00:00Z", True),
        ("2026-03-01T08:30+00:00", ">", "2026-03-01T09:00+01:00", True),
        # a date alone is that day's start (UTC), a time without a zone is UTC
        ("2026-03-01", "==", "2026-03-01T00:00:00Z", True),
        ("2026-03-01", "<", "2026-03-01T00:00:01", True),
        ("2026-03-01 06:00", "<", "2026-03-01T07:00", True),
        # not a valid date/time, compared with one: false (and != true)
        ("2026-02-30T09:00", "<", "2026-03-01", False),
        ("2026-02-30T09:00", ">=", "2026-03-01", False),
        ("tomorrow", "<", "2026-03-01", False),
        ("tomorrow", ">=", "2026-03-01", False),
        ("2026-03-01 9am", "!=", "2026-03-01", True),
    ],
)
def test_dates_compare_as_instants(posted: str, op: str, until: str, expected: bool) -> None:
    meta = {"posted_at": posted, "embargo_until": until}
    assert fires(f"meta.posted_at {op} meta.embargo_until", meta) is expected


def test_a_date_compares_with_a_literal_and_with_datetime_objects() -> None:
    assert fires('meta.posted_at < "2026-03-01T09:00+01:00"', {"posted_at": "2026-03-01T07:59Z"})
    moment = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    assert fires('meta.posted_at == "2026-03-01T10:00+01:00"', {"posted_at": moment})
    assert fires('meta.day < "2026-03-01T00:00:01Z"', {"day": datetime.date(2026, 3, 1)})


def test_a_missing_date_compares_false() -> None:
    assert not fires("meta.posted_at < meta.embargo_until", {"embargo_until": "2026-03-01"})
    assert not fires("meta.posted_at >= meta.embargo_until", {"embargo_until": "2026-03-01"})


def test_strings_that_are_not_dates_still_compare_as_text() -> None:
    assert fires('meta.tier < "b"', {"tier": "A"})
    assert fires("meta.count > 3", {"count": 4})


def test_embargo_pack_honours_time_zones() -> None:
    policy = policylint.load_policy('policy "p" { extends "builtin:security" }')
    text = "Embargoed until 09:00 CET: Acme opens in Paris."
    # posted 08:30 UTC = 09:30 CET, after the embargo lifted at 09:00 CET
    after = {"posted_at": "2026-03-01T08:30:00Z", "embargo_until": "2026-03-01T09:00:00+01:00"}
    before = {"posted_at": "2026-03-01T07:30:00Z", "embargo_until": "2026-03-01T09:00:00+01:00"}
    assert not [f for f in policy.check(text, meta=after).findings if f.rule.startswith("sec.")]
    assert [f for f in policy.check(text, meta=before).findings if f.rule == "sec.embargo"]
