"""Telephone numbers, found and validated with Google's libphonenumber (``phonenumbers``).

Numbers are searched on the plain view with ``PhoneNumberMatcher`` and must be *valid* for
their country (right length, an allocated prefix), not merely phone-shaped:

* international numbers (``+44 20 7946 0958``, ``0044 ...``) are found whatever the region;
* national numbers are read in the post's region (``meta.region``, e.g. ``"GB"``) and in each
  of :data:`DEFAULT_REGIONS`; outside the post's own region a number must also be grouped the
  way that country writes it (``(212) 555-0199`` is American, ``90210-1234`` is no Spanish
  number). A number that reads as national in several regions goes to the one whose format it
  fits best: the post's own region first; then the reading with the most digits; then one
  whose area code or mobile prefix is written as its own group the way that country writes it
  (``0761 553 9993`` is Freiburg's 0761, not an Indian ``07615``); then one in a closed
  numbering plan (a kind of number with few lengths: ``07700 900982`` is a British mobile,
  always eleven digits, rather than one of the eleven lengths a German landline can have);
  then a valid reading before an unlisted one (below); then the order of the defaults. Digits
  right after a ``+CC`` are never read as a national number of another country;
* a run of digits with no spaces, dashes or brackets (``612345678``) counts only after a word
  such as "call", "tel", "phone", "WhatsApp" or ☎, or when it starts with a trunk ``0`` and has
  ten digits or more: otherwise it is more likely an order or reference number;
* ISBNs, prices, percentages, ``#123`` references, dates and times are left alone (the
  matcher already rejects most dates and times);
* a number holds seven digits or more in a row (spaces, dots, dashes, slashes and brackets
  between them allowed), not glued to a letter, a digit, ``@`` or ``#`` on the left: six-digit
  local numbers ("tel 352417") are not reported, nor digits that continue a handle
  (``@07700 900982``), a hashtag or an HTML entity.

Unlisted numbers. A number libphonenumber does not list as valid, such as Ofcom's drama range
``07700 900000``-``900999``, is still reported when it is shaped exactly like a person's number,
because people copy such numbers and real numbers next to them: it must be *possible* (a
length the country uses), written with ``+CC``/``00CC`` or in the national format of one of the
regions above, grouped as that country formats it (or as one block, or with its leading group
alone and the rest in groups of three or more: ``07700 900 982``); its leading group (area
code or mobile prefix) must start valid landline or mobile numbers, and the rest must be a
subscriber number those can have. Unlisted numbers in freephone, premium, shared-cost and
similar ranges (``+34 905 55 55 55``), with a leading group not in use (``555-555-5555``,
``01632 960123``) or an impossible subscriber part (``+1 212 055 1234``: no exchange starts
with 0) are not reported. The precision guards above apply to them as to any number.

The value is the E.164 form (``+442079460958``) and the label the number's country (``GB``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cache

from policylint._model.struct import NamedTuple
from policylint.detectors.base import Detection, Detector, Found, TextDetector, plain_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._text.post import PostViews

__all__ = ["DEFAULT_REGIONS", "DETECTOR", "PhoneDetector"]

#: Regions tried, in this order, for numbers written without a country code.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "AU", "IN", "DE", "FR", "ES", "IT")

# A number is reported only when it holds seven digits in a phone-like run that does not
# continue a word, a handle, a hashtag or an HTML entity ("x1234567", "@1000467291",
# "#5551234567", "&#1041190;"). Every find is held to it (see find_in), so a post with no such
# run skips the (10 ms) phonenumbers import and its matchers, and what is found in one part of
# a post never depends on digits elsewhere in it.
# (policylint._runtime.prechecks' digit_run is the same run without the look-behind.)
_PRECHECK = re.compile(r"(?<![A-Za-z0-9@#])\d(?:[\s().\-/]{0,3}\d){6}")
_CUE_WORDS = (
    r"(?:\b(?:call|calls|calling|phone|tel|telephone|mobile|mob|cell|cellphone|text|txt|sms|"
    r"whatsapp|signal|fax|dial|ring|contact|reach|hotline|helpline|ph|tlf|"
    r"t[eé]l[eé]phone|tel[eé]fono|telefon|handy|m[oó]vil|portable)\b|[\u260e\u260f\U0001f4de\U0001f4f1])"
)
_CUE_WINDOW = 40
_ISBN = re.compile(r"isbn(?:-1[03])?\W{0,4}$", re.IGNORECASE)


# Only national numbers need the cue and reference patterns: compiled on first use, a post
# with an international number does not pay for them (~1.5 ms with Python's re).
@cache
def _cue() -> re.Pattern[str]:
    return re.compile(_CUE_WORDS, re.IGNORECASE)


@cache
def _cue_before() -> re.Pattern[str]:
    """A cue word, then at most three more words before the number ("call me on", "phone
    number is")."""
    return re.compile(_CUE_WORDS + r"\W{0,6}(?:\w+\W{1,3}){0,3}$", re.IGNORECASE)


@cache
def _reference() -> re.Pattern[str]:
    """Numbers labelled as something else ("order no. 612345678", "ref 0612345678")."""
    return re.compile(
        r"\b(?:order|ref|reference|invoice|account|acct|tracking|booking|confirmation|case|"
        r"ticket|serial|policy|customer|member|id|isbn|issn|sku|vat|iban|zip|postcode|passport|"
        r"licen[cs]e|routing|ssn|security|tax|tin|itin|pan)\b"
        r"\W{0,3}(?:no|nr|num|number|code|#)?\W{0,3}(?:(?:is|was|=)\W{1,3})?$",
        re.IGNORECASE,
    )


_SEPARATORS = frozenset(" -.()\u00a0")
_DIGIT_RUN = re.compile(r"\d+")
_AFTER_COUNTRY_CODE = re.compile(r"\+\s?\d{1,3}\)?[\s.\-/]{0,3}$")
# Where each kind of number is described in a region's metadata (PhoneNumberType names).
_DESCRIPTIONS = {
    "FIXED_LINE": "fixed_line",
    "MOBILE": "mobile",
    "FIXED_LINE_OR_MOBILE": "fixed_line",
    "TOLL_FREE": "toll_free",
    "PREMIUM_RATE": "premium_rate",
    "SHARED_COST": "shared_cost",
    "VOIP": "voip",
    "PERSONAL_NUMBER": "personal_number",
    "PAGER": "pager",
    "UAN": "uan",
    "VOICEMAIL": "voicemail",
}
# A kind of number with at most this many lengths in a region belongs to a closed plan.
_CLOSED_PLAN_LENGTHS = 3
# The kinds of number people have: an unlisted number is reported only in one of these ranges.
_PERSONAL_KINDS = ("FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE")


@cache
def _lib() -> Any:
    import phonenumbers

    return phonenumbers


class PhoneDetector(TextDetector):
    name = "phone"
    description = (
        "Telephone numbers valid in their country, or shaped exactly like a landline or mobile "
        "number there (E.164 values, e.g. +18005550100)."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        plain = post.plain
        return [
            Detection(*plain.to_original(f.start, f.end), f.value, f.label)
            for f in self.find_in(plain.text, _regions(post.meta.get("region")))
        ]

    def find(self, text: str) -> Iterator[Found]:
        return self.find_in(text, ())

    def find_in(self, text: str, home: Sequence[str]) -> Iterator[Found]:
        """Numbers in ``text``: ``home`` regions are trusted, the defaults checked harder."""
        if not _PRECHECK.search(text):
            return iter(())
        pn = _lib()
        claimed = _Claimed()
        found = claimed.found
        # Every pass below is as strict as POSSIBLE or stricter, and a stricter matcher only
        # finds what the POSSIBLE one over the same region finds (a valid number is a
        # possible one): a region whose POSSIBLE pass finds nothing is skipped. On a post
        # with digits but no number (dates, scores, prices) that is 9 passes instead of 26.
        # 1. Written with a country code: valid numbers, then unlisted ones of a personal shape.
        possible = list(_matches(pn, text, None, pn.Leniency.POSSIBLE))
        if possible:
            for m in _matches(pn, text, None, pn.Leniency.VALID):
                if claimed.free(m) and _plausible(text, m.start, m.end, m.raw, True):
                    claimed.add(m.found(pn, pn.region_code_for_number(m.number) or ""))
        for m in possible:
            if not claimed.free(m):
                continue
            unlisted = _unlisted(pn, text, m, None)
            if unlisted and _plausible(text, m.start, m.end, m.raw, True):
                claimed.add(m.found(pn, unlisted.region))
        # A national reading must not overlap the numbers found so far, and must hold a run
        # of seven digits (the filter below): with none left outside them ("+44 7911 123456"
        # alone), the eight regions' passes would find nothing that is kept.
        if _PRECHECK.search(_blanked(text, found)):
            # 2. National numbers: every reading in the home and default regions, best first.
            regions = [*home, *(region for region in DEFAULT_REGIONS if region not in home)]
            readings: list[tuple[tuple[int, ...], Found]] = []
            silent: set[str] = set()  # regions whose POSSIBLE pass found nothing
            for rank, region in enumerate(regions):
                possible = list(_matches(pn, text, region, pn.Leniency.POSSIBLE))
                if not possible:
                    silent.add(region)
                    continue
                away = int(region not in home)
                leniency = pn.Leniency.EXACT_GROUPING if away else pn.Leniency.VALID
                for m in _matches(pn, text, region, leniency):
                    if _national(text, m):
                        country = pn.region_code_for_number(m.number) or region
                        lead = int(not _lead_fits(pn, m.number, m.raw))
                        fit = _open_plan(pn, country, pn.number_type(m.number))
                        key = (away, -_digits(m.raw), lead, fit, 0, rank)
                        readings.append((key, m.found(pn, country)))
                for m in possible:
                    unlisted = _unlisted(pn, text, m, region)
                    if unlisted and _national(text, m):
                        key = (away, -_digits(m.raw), 0, unlisted.fit, 1, rank)
                        readings.append((key, m.found(pn, unlisted.region)))
            readings.sort(key=lambda reading: reading[0])
            for _, reading in readings:
                if claimed.free(reading):
                    claimed.add(reading)
            # 3. "my phone number is 425 8829090": grouped oddly, but announced as a phone.
            if _cue().search(text):
                for region in regions[len(home) :]:
                    if region in silent:
                        continue
                    for m in _matches(pn, text, region, pn.Leniency.VALID):
                        if claimed.free(m) and _national(text, m, needs_cue=True):
                            claimed.add(m.found(pn, pn.region_code_for_number(m.number) or region))
        # Six-digit German and Italian numbers are valid for libphonenumber; without this
        # they were reported only when some unrelated seven-digit run let the precheck pass.
        found = [f for f in found if _PRECHECK.search(text, f.start, f.end)]
        found.sort()
        return iter(found)

    def fallback(self, text: str) -> str:
        digits = "".join(ch for ch in text if ch.isdigit())
        return "+" + digits if text.strip().startswith("+") else digits

    def canonical(self, text: str) -> str:
        """E.164 of an allow-list entry: read as in a post, else as a bare number."""
        plain = plain_text(text).strip()
        for found in self.find(plain):
            return found.value
        pn = _lib()
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
    if _reference().search(before):
        return False
    if needs_cue:
        return _cue_before().search(before) is not None
    if raw.startswith("00"):
        return True
    if any(ch in _SEPARATORS for ch in raw):
        return True
    digits = sum(ch.isdigit() for ch in raw)
    if raw.startswith("0") and digits >= 10:
        return True
    return _cue_before().search(before) is not None


class _Match(NamedTuple):
    """A matcher's find, trimmed of the whitespace it sometimes keeps (" 212 555 0199")."""

    start: int
    end: int
    raw: str
    number: Any

    def found(self, pn: Any, label: str) -> Found:
        value = str(pn.format_number(self.number, pn.PhoneNumberFormat.E164))
        return Found(self.start, self.end, value, label)


class _Unlisted(NamedTuple):
    """An unlisted number's country and fit (see :func:`_open_plan`)."""

    region: str
    fit: int


def _matches(pn: Any, text: str, region: str | None, leniency: Any) -> Iterator[_Match]:
    for match in pn.PhoneNumberMatcher(text, region, leniency=leniency):
        raw = match.raw_string
        stripped = _unbracketed(raw.strip())
        if not stripped:
            continue
        start = match.start + raw.index(stripped)
        yield _Match(start, start + len(stripped), stripped, match.number)


def _unbracketed(raw: str) -> str:
    """``raw`` without an opening bracket it never closes: the matcher keeps the "(" of
    "(415-555-0132", but the number, the part to change, starts after it."""
    if raw[:1] in "([" and ")" not in raw and "]" not in raw:
        return raw[1:].lstrip()
    return raw


def _national(text: str, match: _Match, needs_cue: bool = False) -> bool:
    """A reading from a national pass: plausible, and not the tail of a "+CC" number."""
    if _AFTER_COUNTRY_CODE.search(text, max(0, match.start - 8), match.start):
        return False  # "+44 7700-900-982" is British or nothing, never an Indian "7700-900-982"
    return _plausible(text, match.start, match.end, match.raw, False, needs_cue)


def _blanked(text: str, found: Sequence[Found]) -> str:
    """``text`` with the (disjoint) spans of ``found`` turned into spaces (same length)."""
    parts: list[str] = []
    position = 0
    for f in sorted(found):
        parts += (text[position : f.start], " " * (f.end - f.start))
        position = f.end
    parts.append(text[position:])
    return "".join(parts)


class _Claimed:
    """The numbers found so far, whose spans are disjoint: whether another span overlaps
    one of them is a binary search, not a scan (a long post holds thousands of numbers)."""

    __slots__ = ("_ends", "_starts", "found")

    def __init__(self) -> None:
        self.found: list[Found] = []
        self._starts: list[int] = []  # sorted, and so are the ends (the spans are disjoint)
        self._ends: list[int] = []

    def free(self, span: Found | _Match) -> bool:
        """Whether ``span`` overlaps none of the numbers found."""
        index = bisect_right(self._starts, span.start)
        if index and self._ends[index - 1] > span.start:
            return False  # the last one starting at or before it reaches into it
        return index == len(self._starts) or self._starts[index] >= span.end

    def add(self, number: Found) -> None:
        """Keep ``number``, which :meth:`free` said overlaps none kept."""
        index = bisect_right(self._starts, number.start)
        self._starts.insert(index, number.start)
        self._ends.insert(index, number.end)
        self.found.append(number)


def _digits(raw: str) -> int:
    return sum(ch.isdigit() for ch in raw)


@cache
def _kind_names() -> dict[int, str]:
    pn = _lib()
    return {getattr(pn.PhoneNumberType, name): name for name in _DESCRIPTIONS}


def _open_plan(pn: Any, region: str, kind: int) -> int:
    """1 when numbers of ``kind`` come in many lengths in ``region`` (German and Italian
    landlines: almost any digit string reads as one), else 0. A number fits a closed plan
    (British mobiles: always ten digits after the 0) better than an open one."""
    metadata = pn.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return 1
    name = _kind_names().get(kind)
    desc = getattr(metadata, _DESCRIPTIONS[name], None) if name else None
    for source in (desc, metadata.general_desc):
        lengths = [n for n in (getattr(source, "possible_length", None) or ()) if n > 0]
        if lengths:
            return int(len(lengths) > _CLOSED_PLAN_LENGTHS)
    return 1


def _digit_groups(pn: Any, text: str) -> list[str]:
    return [str(pn.normalize_digits_only(group)) for group in _DIGIT_RUN.findall(text)]


def _unlisted(pn: Any, text: str, match: _Match, region: str | None) -> _Unlisted | None:
    """``match`` (from a POSSIBLE-leniency matcher) as an unlisted number of a personal shape."""
    number = match.number
    if number.extension or pn.is_valid_number(number) or not pn.is_possible_number(number):
        return None
    # The POSSIBLE leniency does not check what touches the number ("abc8005001234").
    before = text[match.start - 1 : match.start]
    after = text[match.end : match.end + 1]
    if before.isalpha() or after.isalpha() or after.isdigit() or before.isdigit():
        return None
    try:
        written = pn.parse(match.raw, region, keep_raw_input=True)
    except pn.NumberParseException:
        return None
    source = written.country_code_source
    sources = pn.CountryCodeSource
    if source in (sources.FROM_NUMBER_WITH_PLUS_SIGN, sources.FROM_NUMBER_WITH_IDD):
        international = True
    elif source == sources.FROM_DEFAULT_COUNTRY:
        international = False
    else:  # "44 7700 900982" with no + or 00: too easily something else
        return None
    if not _grouping_fits(*_groups(pn, number, match.raw, international)):
        return None
    return _personal_twin(pn, number)


def _groups(pn: Any, number: Any, raw: str, international: bool) -> tuple[list[str], list[str]]:
    """The digit groups of ``raw``, and those the number's country formats it in.

    Both leave out the IDD and country code (international) or a trunk prefix written on its
    own (national "1-212-555-0199"); a lone ``0`` after the country code ("+44 (0)7700
    900982") is dropped too.
    """
    written = _digit_groups(pn, raw)
    nsn = str(pn.national_significant_number(number))
    if international:
        cc = str(number.country_code)
        formatted = pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
        expected = _digit_groups(pn, formatted)[1:]
        if len(written) == 1:  # E.164 in one block: +447700900982
            return ([nsn] if written[0].endswith(cc + nsn) else written), expected
        taken = ""
        while written and not taken.endswith(cc):  # +44, 0044, 00 44
            taken += written.pop(0)
        if written[:1] == ["0"]:
            written = written[1:]
        return written, expected
    expected = _digit_groups(pn, pn.format_number(number, pn.PhoneNumberFormat.NATIONAL))
    country = pn.region_code_for_country_code(number.country_code)
    metadata = pn.PhoneMetadata.metadata_for_region(country, None)
    prefix = metadata.national_prefix if metadata is not None else None
    if prefix and len(written) > 1 and written[0] == prefix and expected[:1] != [prefix]:
        written = written[1:]
    return written, expected


def _grouping_fits(written: list[str], expected: list[str]) -> bool:
    """Whether ``written`` is grouped the country's way: the same digits, as one block, as the
    country formats them, or with the area code or mobile prefix as the first group and the
    rest in groups of three digits or more ("07700 900 982")."""
    if not written or "".join(written) != "".join(expected):
        return False
    return (
        len(written) == 1
        or written == expected
        or (written[0] == expected[0] and all(len(group) >= 3 for group in written[1:]))
    )


def _lead_fits(pn: Any, number: Any, raw: str) -> bool:
    """Whether a valid reading has the country's leading group as written (or one block)."""
    international = raw.startswith(("+", "00"))
    written, expected = _groups(pn, number, raw, international)
    return len(written) == 1 or written[:1] == expected[:1]


def _personal_twin(pn: Any, number: Any) -> _Unlisted | None:
    """The country and fit of ``number`` if it is shaped like a landline or mobile number.

    It is when (1) its leading group, the area code or mobile prefix as the country formats
    the number (``7700`` in ``+44 7700 900982``), starts valid landline or mobile numbers of the
    same length: the rest is filled with each repeated digit and with the region's example
    numbers to find one; and (2) the rest of it is a subscriber number such numbers can have:
    it completes the example landline or mobile number of the region. ``+1 212 055 1234`` fails
    (2): no American exchange starts with 0.
    """
    cc = str(number.country_code)
    nsn = str(pn.national_significant_number(number))
    groups = _digit_groups(pn, pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL))
    if len(groups) < 3 or not nsn.startswith(groups[1]):
        return None  # no format groups it: no leading group to judge by
    lead, subscriber = groups[1], nsn[len(groups[1]) :]
    home = pn.region_code_for_country_code(number.country_code)
    examples: list[str] = []
    for kind_name in ("MOBILE", "FIXED_LINE"):
        example = pn.example_number_for_type(home, getattr(pn.PhoneNumberType, kind_name))
        if example is not None:
            examples.append(str(pn.national_significant_number(example)))
    tails = [digit * len(subscriber) for digit in "0123456789"]
    tails += [example[len(lead) :] for example in examples if len(example) == len(nsn)]
    for tail in tails:
        twin = _personal(pn, cc, lead + tail)
        if twin is not None:
            break
    else:
        return None
    if not any(
        _personal(pn, cc, example[: len(example) - len(subscriber)] + subscriber)
        for example in examples
        if len(example) > len(subscriber)
    ):
        return None
    twin_region, twin_kind = twin
    return _Unlisted(twin_region, _open_plan(pn, twin_region, twin_kind))


def _personal(pn: Any, cc: str, nsn: str) -> tuple[str, int] | None:
    """Region and kind of ``+cc nsn`` if it is a valid landline or mobile number."""
    try:
        number = pn.parse(f"+{cc}{nsn}", None)
    except pn.NumberParseException:
        return None
    kind = pn.number_type(number)
    if _kind_names().get(kind) not in _PERSONAL_KINDS or not pn.is_valid_number(number):
        return None
    region = pn.region_code_for_number(number)
    return (str(region), int(kind)) if region else None


DETECTOR: Detector = PhoneDetector()
