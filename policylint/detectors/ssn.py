"""US Social Security numbers.

``ddd-dd-dddd``, with the rules the SSA has always applied: the
area is not 000, 666 or 900-999, the group is not 00 and the serial not 0000. Numbers
published as examples are not reported: 987-65-4320 to 987-65-4329 (set aside by the SSA for
advertising; already outside the valid areas) and 078-05-1120 (the Woolworth wallet card,
voided by the SSA). Other numbers that once appeared in print, such as 219-09-9999, are
ordinary valid SSNs and are reported. Nine digits written together or with spaces
(``123 45 6789``) count only right after "SSN", "SS#" or "social security (number)": alone
they are just a number.

The value is the nine digits, the label ``us_ssn``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from policylint.detectors.base import Detector, Found, TextDetector

__all__ = ["DETECTOR", "SsnDetector", "ssn_valid"]

# ddd-dd-dddd; or ddd dd dddd and ddddddddd, which need a cue before them.
_PATTERN = r"(?<![\w\-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w\-]|[.,]\d)"
_CUE = re.compile(
    r"(?:\bssn|\bss#|\bsocial\s+security(?:\s+(?:number|no|num|#))?)\W{0,4}"
    r"(?:(?:is|was|=)\W{1,3})?$",
    re.IGNORECASE,
)
_CUE_WINDOW = 30
_PUBLISHED = frozenset({"078051120"} | {f"98765432{d}" for d in range(10)})


@cache
def _regex() -> re.Pattern[str]:
    return re.compile(_PATTERN)


def ssn_valid(digits: str) -> bool:
    """Whether nine digits can be an issued SSN (and are not a published example)."""
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return (
        len(digits) == 9
        and digits.isdigit()
        and area not in ("000", "666")
        and area[0] != "9"
        and group != "00"
        and serial != "0000"
        and digits not in _PUBLISHED
    )


class SsnDetector(TextDetector):
    name = "ssn"
    description = "US Social Security numbers (ddd-dd-dddd with a valid area, group and serial)."

    def find(self, text: str) -> Iterator[Found]:
        for m in _regex().finditer(text):
            if m.group(2) != "-" and not _CUE.search(
                text, max(0, m.start() - _CUE_WINDOW), m.start()
            ):
                continue
            digits = m.group(1) + m.group(3) + m.group(4)
            if ssn_valid(digits):
                yield Found(m.start(), m.end(), digits, "us_ssn")

    def fallback(self, text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())


DETECTOR: Detector = SsnDetector()
