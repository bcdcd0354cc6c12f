"""Telephone numbers, found and validated with Google's libphonenumber (``phonenumbers``).

Numbers are searched on the plain view with ``PhoneNumberMatcher`` and must be *valid* for
their country (right length, an allocated prefix), not merely phone-shaped:

* international numbers (``+44 20 7946 0958``, ``0044 ...``) are found whatever the region;
* national numbers are read in the post's region (``meta.region``, e.g. ``"GB"``) first, then
  in each of :data:`DEFAULT_REGIONS`; outside the post's own region a number must also be
  grouped the way that country writes it (``(212) 555-0199`` is American, ``90210-1234`` is
  no Spanish number);
* a run of digits with no spaces, dashes or brackets (``612345678``) counts only after a word
  such as "call", "tel", "phone", "WhatsApp" or ☎, or when it starts with a trunk ``0`` and has
  ten digits or more: otherwise it is more likely an order or reference number;
* ISBNs, prices, percentages, ``#123`` references, dates and times are left alone (the
  matcher already rejects most dates and times).

The value is the E.164 form (``+442079460958``) and the label the number's country (``GB``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from policylint.detectors import Detection, Detector
from policylint.detectors._base import Found, TextDetector, plain_text

if TYPE_CHECKING:
    from policylint.context import PostContext

__all__ = ["DEFAULT_REGIONS", "DETECTOR", "PhoneDetector"]

#: Regions tried, in this order, for numbers written without a country code.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "AU", "IN", "DE", "FR", "ES", "IT")

# Seven digits or more in a phone-like run: below that nothing is a valid number anywhere we
# look, and the (25 ms) phonenumbers import is skipped.
_PRECHECK = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6}")
_CUE_WORDS = (
    r"(?:\b(?:call|calls|calling|phone|tel|telephone|mobile|mob|cell|cellphone|text|txt|sms|"
    r"whatsapp|signal|fax|dial|ring|contact|reach|hotline|helpline|ph|tlf|"
    r"t[eé]l[eé]phone|tel[eé]fono|telefon|handy|m[oó]vil|portable)\b|[\u260e\u260f\U0001f4de\U0001f4f1])"
)
_CUE = re.compile(_CUE_WORDS, re.IGNORECASE)
# A cue word, then at most three more words before the number ("call me on", "phone number is").
_CUE_BEFORE = re.compile(_CUE_WORDS + r"\W{0,6}(?:\w+\W{1,3}){0,3}$", re.IGNORECASE)
_CUE_WINDOW = 40
_ISBN = re.compile(r"isbn(?:-1[03])?\W{0,4}$", re.IGNORECASE)
# Numbers that are labelled as something else ("order no. 612345678", "ref 0612345678").
_REFERENCE = re.compile(
    r"\b(?:order|ref|reference|invoice|account|acct|tracking|booking|confirmation|case|ticket|"
    r"serial|policy|customer|member|id|isbn|issn|sku|vat|iban|zip|postcode|passport|licen[cs]e|"
    r"routing|ssn|security|tax|tin|itin|pan)\b"
    r"\W{0,3}(?:no|nr|num|number|code|#)?\W{0,3}(?:(?:is|was|=)\W{1,3})?$",
    re.IGNORECASE,
)
_SEPARATORS = frozenset(" -.()\u00a0")


@cache
def _lib() -> Any:
    import phonenumbers

    return phonenumbers


class PhoneDetector(TextDetector):
    name = "phone"
    description = "Telephone numbers valid in their country (E.164 values, e.g. +18005550100)."

    def detect(self, ctx: PostContext) -> list[Detection]:
        plain = ctx.plain
        return [
            Detection(*plain.to_original(f.start, f.end), f.value, f.label)
            for f in self.find_in(plain.text, _regions(ctx.meta.get("region")))
        ]

    def find(self, text: str) -> Iterator[Found]:
        return self.find_in(text, ())

    def find_in(self, text: str, home: Sequence[str]) -> Iterator[Found]:
        """Numbers in ``text``: ``home`` regions are trusted, the defaults checked harder."""
        if not _PRECHECK.search(text):
            return iter(())
        pn = _lib()
        found: list[Found] = []
        others = [region for region in DEFAULT_REGIONS if region not in home]
        # (region, leniency, needs a cue word before the number)
        passes: list[tuple[str | None, Any, bool]] = [(None, pn.Leniency.VALID, False)]
        passes += [(region, pn.Leniency.VALID, False) for region in home]
        passes += [(region, pn.Leniency.EXACT_GROUPING, False) for region in others]
        if _CUE.search(text):
            # "my phone number is 425 8829090": grouped oddly, but announced as a phone.
            passes += [(region, pn.Leniency.VALID, True) for region in others]
        for region, leniency, needs_cue in passes:
            for match in pn.PhoneNumberMatcher(text, region, leniency=leniency):
                start, end = match.start, match.end
                if any(start < f.end and f.start < end for f in found):
                    continue
                if not _plausible(text, start, end, match.raw_string, region is None, needs_cue):
                    continue
                number = match.number
                value = pn.format_number(number, pn.PhoneNumberFormat.E164)
                label = pn.region_code_for_number(number) or region or ""
                found.append(Found(start, end, value, label))
        found.sort()
        return iter(found)

    def fallback(self, text: str) -> str:
        digits = "".join(ch for ch in text if ch.isdigit())
        return "+" + digits if text.strip().startswith("+") else digits

    def canonical(self, text: str) -> str:
        """E.164 of an allow-list entry, read like a number in a post (regions in order)."""
        pn = _lib()
        plain = plain_text(text).strip()
        for region in (None, *DEFAULT_REGIONS):
            try:
                number = pn.parse(plain, region)
            except pn.NumberParseException:
                continue
            if pn.is_valid_number(number):
                return str(pn.format_number(number, pn.PhoneNumberFormat.E164))
        return self.fallback(text)


def _regions(value: object) -> tuple[str, ...]:
    """``meta.region`` as region codes: ``"gb"``, ``["GB", "IE"]``..."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v.strip().upper() for v in value if isinstance(v, str) and len(v.strip()) == 2)


def _plausible(
    text: str, start: int, end: int, raw: str, international: bool, needs_cue: bool = False
) -> bool:
    before = text[max(0, start - _CUE_WINDOW) : start]
    if _ISBN.search(before[-12:]):
        return False
    previous = before.rstrip()[-1:]
    if previous in ("#", "\u2116", "$", "\u20ac", "\u00a3", "\u00a5", "\u20b9"):
        return False
    if text[end : end + 1] in ("%", "$", "\u20ac", "\u00a3"):
        return False
    if international:
        return True
    if _REFERENCE.search(before):
        return False
    if needs_cue:
        return _CUE_BEFORE.search(before) is not None
    if raw.startswith("00"):
        return True
    if any(ch in _SEPARATORS for ch in raw):
        return True
    digits = sum(ch.isdigit() for ch in raw)
    if raw.startswith("0") and digits >= 10:
        return True
    return _CUE_BEFORE.search(before) is not None


DETECTOR: Detector = PhoneDetector()
