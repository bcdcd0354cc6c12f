"""ISO 8601 dates and times in conditions, compared as instants rather than as text.

``meta.posted_at >= meta.embargo_until`` must hold for "2026-03-01T09:00:00+01:00" against
"2026-03-01T08:00:00Z" (the same instant), which text comparison gets wrong. A value that
starts like a date (``YYYY-MM-DD``) is read with :meth:`datetime.datetime.fromisoformat`:
a time zone is honoured, a time without one is read as UTC, and a date alone is that day's
start (00:00 UTC). This module, and ``datetime``, are imported only when a value that may
be a date is compared (:func:`policylint._runtime.conditions.compare`), so a check whose
posts hold no dates never pays for them.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["INVALID", "instant", "instants"]

#: What :func:`instant` gives for text that starts like a date but is not a valid one
#: ("2026-02-30", "2026-03-01 9am"): compared with a date, it makes the comparison false.
INVALID = float("nan")


def instants(left: Any, right: Any) -> tuple[float, float] | None:
    """Both sides of a comparison as instants when one of them is a date or time; the other
    is then :data:`INVALID` unless it is a valid one too. None when neither is."""
    left_moment, right_moment = instant(left), instant(right)
    if left_moment is None and right_moment is None:
        return None
    return (
        INVALID if left_moment is None else left_moment,
        INVALID if right_moment is None else right_moment,
    )


def instant(value: Any) -> float | None:
    """``value`` as seconds since the epoch if it is a date or time (an ISO 8601 string or a
    ``datetime`` object), :data:`INVALID` if it starts like a date but is not one, else None."""
    if isinstance(value, str):
        text = value.strip()
        if not _looks_like_date(text):
            return None
        from datetime import datetime

        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return INVALID
        return _seconds(parsed)
    dates = sys.modules.get("datetime")  # no value is a date before datetime was imported
    if dates is None or not isinstance(value, dates.date):
        return None
    if not isinstance(value, dates.datetime):
        value = dates.datetime(value.year, value.month, value.day)
    return _seconds(value)


def _looks_like_date(text: str) -> bool:
    """``YYYY-MM-DD...``: cheap enough to ask of every string a condition compares."""
    return (
        len(text) >= 10
        and text[:10].isascii()
        and text[4] == "-"
        and text[7] == "-"
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:10].isdigit()
    )


def _seconds(moment: Any) -> float:
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return float(moment.timestamp())
