"""International Bank Account Numbers (ISO 13616).

A country code, two check digits and the country's BBAN, written in one block or in groups
separated by single spaces (``GB82 WEST 1234 5698 7654 32``). Reported only when the length is
exactly the one registered for the country and the mod-97 check (ISO 7064) gives 1, so a
random code has about one chance in a hundred even when its shape is right.

The value is the IBAN in capitals without spaces, the label its country code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from policylint.detectors.base import Detector, Found, TextDetector

__all__ = ["DETECTOR", "IBAN_LENGTHS", "IbanDetector", "iban_valid"]

#: Length of a full IBAN per country (SWIFT IBAN Registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# Country code and check digits, then the BBAN in groups of letters and digits.
_PATTERN = r"(?<![A-Za-z0-9])([A-Z]{2})(\d{2})((?: ?[A-Z0-9]){11,30})(?![A-Za-z0-9])"


@cache
def _regex() -> re.Pattern[str]:
    return re.compile(_PATTERN)


def iban_valid(iban: str) -> bool:
    """Whether a compact, upper-case IBAN has its country's length and a valid checksum."""
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum() or not iban.isascii():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


class IbanDetector(TextDetector):
    name = "iban"
    description = "IBANs with the registered length for their country and a valid checksum."

    def find(self, text: str) -> Iterator[Found]:
        for m in _regex().finditer(text):
            country = m.group(1)
            length = IBAN_LENGTHS.get(country)
            if length is None:
                continue
            # Take exactly the country's length: "... 7654 32 NOW" must not swallow "NOW".
            end = m.start(3)
            count = 4
            while count < length and end < m.end():
                if text[end] != " ":
                    count += 1
                end += 1
            if count != length or (end < len(text) and text[end].isalnum()):
                continue
            iban = text[m.start() : end].replace(" ", "")
            if iban_valid(iban):
                yield Found(m.start(), end, iban, country)

    def fallback(self, text: str) -> str:
        return "".join(text.split()).upper()


DETECTOR: Detector = IbanDetector()
