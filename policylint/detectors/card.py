"""Payment card numbers (PANs).

13 to 19 digits, in one block or in groups separated by single spaces or dashes (one kind of
separator per number, groups of three digits or more), that pass the Luhn check *and* start
with a known scheme's prefix at a length that scheme issues. The Luhn check alone lets one
random digit string in ten through; the prefix and length rules cut that to a few in a
thousand, and to none in practice for the order numbers and IDs posts carry.

A number that fails the Luhn check is still reported when it is written as cards print
their numbers (four groups of four, or American Express's 4-6-5) with a scheme's prefix, right
after a word that calls it a card ("the card ending 4921 5512 8830 1147", "tarjeta 4532 ...",
"Karte", "carte", "cartão", "carta", or a scheme's name). A mistyped or invented number
presented as someone's card reads, to every follower, as that card's number; the grouping and
the word together rule out order and tracking numbers.

Test numbers such as 4242 4242 4242 4242 are Luhn-valid Visa numbers and are reported: a
policy allows them with ``allow [...]``. The value is the digits, the label the scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from policylint.detectors.base import Detector, Found, TextDetector

__all__ = ["DETECTOR", "CardDetector", "card_brand", "luhn_valid"]

# Not part of a longer number: no digit, letter, '-' or decimal point next to it, and no
# further group of digits ("4242 4242 4242 4242 4242" is twenty digits, not a card).
_PATTERN = r"(?<![\w\-.,])(?<!\d )\d(?:[ \-]?\d){12,18}(?![\w\-]|[.,]\d| \d)"

# (scheme, first digits as an inclusive range of prefixes of one length, valid lengths);
# from the schemes' published IIN ranges (ISO/IEC 7812). First match wins.
_BRANDS: tuple[tuple[str, int, int, tuple[int, ...]], ...] = (
    ("amex", 34, 34, (15,)),
    ("amex", 37, 37, (15,)),
    ("diners", 300, 305, (14, 16, 17, 18, 19)),
    ("diners", 36, 36, (14, 15, 16, 17, 18, 19)),
    ("diners", 38, 39, (14, 15, 16, 17, 18, 19)),
    ("jcb", 3528, 3589, (16, 17, 18, 19)),
    ("visa", 4, 4, (13, 16, 19)),
    ("mastercard", 51, 55, (16,)),
    ("mastercard", 2221, 2720, (16,)),
    ("discover", 6011, 6011, (16, 17, 18, 19)),
    ("discover", 644, 649, (16, 17, 18, 19)),
    ("discover", 65, 65, (16, 17, 18, 19)),
    ("unionpay", 62, 62, (16, 17, 18, 19)),
    ("maestro", 50, 50, (12, 13, 14, 15, 16, 17, 18, 19)),
    ("maestro", 56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),
    ("maestro", 6, 6, (12, 13, 14, 15, 16, 17, 18, 19)),
)


# How cards print their numbers: 4-4-4-4, and American Express's 4-6-5.
_CARD_GROUPS = ((4, 4, 4, 4), (4, 6, 5))
_CUE_WINDOW = 30


@cache
def _regex() -> re.Pattern[str]:
    return re.compile(_PATTERN)


@cache
def _card_cue() -> re.Pattern[str]:
    """A word that calls the number after it a card, then at most a few words ("card ending",
    "tarjeta terminada en", "Karte Nr.")."""
    return re.compile(
        r"\b(?:card|cards|credit|debit|visa|mastercard|amex|tarjeta|karte|kreditkarte|"
        r"carte|cartão|cartao|carta)\b\W{0,3}(?:[\w.]+\W{1,3}){0,3}$",
        re.IGNORECASE,
    )


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` pass the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The card scheme that issues ``digits`` (prefix and length), or ``None``."""
    for brand, low, high, lengths in _BRANDS:
        width = len(str(low))
        if low <= int(digits[:width]) <= high and len(digits) in lengths:
            return brand
    return None


def _printed_like_a_card(raw: str) -> bool:
    groups = tuple(len(group) for group in re.split(r"[ \-]", raw))
    return groups in _CARD_GROUPS


def _called_a_card(text: str, start: int) -> bool:
    return _card_cue().search(text[max(0, start - _CUE_WINDOW) : start]) is not None


def _well_grouped(raw: str) -> bool:
    separators = {ch for ch in raw if not ch.isdigit()}
    if len(separators) > 1:
        return False
    if not separators:
        return True
    return all(len(group) >= 3 for group in raw.split(separators.pop()))


class CardDetector(TextDetector):
    name = "card"
    description = (
        "Payment card numbers: Luhn-valid, with a known scheme's prefix and length (or printed "
        "as a card and called one)."
    )

    def find(self, text: str) -> Iterator[Found]:
        for m in _regex().finditer(text):
            raw = m.group(0)
            digits = "".join(ch for ch in raw if ch.isdigit())
            if len(set(digits)) == 1 or not _well_grouped(raw):
                continue
            if not luhn_valid(digits) and not (
                _printed_like_a_card(raw) and _called_a_card(text, m.start())
            ):
                continue
            brand = card_brand(digits)
            if brand is not None:
                yield Found(m.start(), m.end(), digits, brand)

    def fallback(self, text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())


DETECTOR: Detector = CardDetector()
