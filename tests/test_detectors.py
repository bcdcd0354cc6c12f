"""Tests for policylint.detectors: the lazy registry and every built-in detector.

Each detector gets positives and near misses (the privacy rules flag whatever is found, so a
false positive is a wrong error in someone's post).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from policylint._runtime.context import PostContext
from policylint.detectors import DETECTORS, Detection, Detector, DetectorRegistry

DATA = Path(__file__).parent / "data"
BUILT_IN = [
    "card",
    "compound_hashtag",
    "condition",
    "defamation",
    "email",
    "fancy_text",
    "health_claim",
    "hostile_tone",
    "iban",
    "ip",
    "mnpi_hint",
    "person",
    "phone",
    "return_promise",
    "sensitive_fact",
    "ssn",
    "url",
]


def found(name: str, text: str, meta: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """``(text as typed, value)`` of each detection."""
    ctx = PostContext(text, meta=meta)
    return [(text[d.start : d.end], d.value) for d in ctx.detections(name)]


def labels(name: str, text: str) -> list[str]:
    return [d.label for d in PostContext(text).detections(name)]


# --- the registry -----------------------------------------------------------------------------


def test_names_import_no_detector() -> None:
    code = (
        "import sys\n"
        "from policylint.detectors import DETECTORS\n"
        "names = DETECTORS.names()\n"
        "assert 'phone' in DETECTORS and 'nope' not in DETECTORS\n"
        "heavy = ('phonenumbers', 'policylint._text.views', 'policylint._text.entities',"
        " 'pydantic')\n"
        "base = 'policylint.detectors.base'  # what every detector is, not a detector\n"
        "detector = lambda m: m.startswith('policylint.detectors.') and m != base\n"
        "loaded = [m for m in sys.modules if detector(m) or m in heavy]\n"
        "print(names, loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"{BUILT_IN} []"


def test_registry_imports_on_access() -> None:
    assert DETECTORS.names() == BUILT_IN
    assert len(DETECTORS) == len(BUILT_IN)
    assert sorted(DETECTORS) == BUILT_IN
    for name in BUILT_IN:
        detector = DETECTORS[name]
        assert detector.name == name
        assert detector.description
        assert DETECTORS[name] is detector  # imported once, then cached
    with pytest.raises(KeyError):
        DETECTORS["nope"]


class _Stub:
    name = "stub"
    description = "Finds 'x'."

    def detect(self, ctx: PostContext) -> list[Detection]:
        return [Detection(i, i + 1, "x") for i, ch in enumerate(ctx.text) if ch == "x"]

    def canonical(self, text: str) -> str:
        return text.lower()


def test_register_a_detector() -> None:
    registry = DetectorRegistry({"email": "policylint.detectors.email:DETECTOR"})
    stub: Detector = _Stub()
    registry.register("stub", stub)
    assert registry.names() == ["email", "stub"]
    assert registry["stub"] is stub
    registry.register("email", "policylint.detectors.email")  # attribute defaults to DETECTOR
    assert registry["email"].name == "email"


def test_detection_is_a_frozen_value() -> None:
    d = Detection(1, 4, "abc")
    assert d.label == ""
    assert d == Detection(1, 4, "abc", "")
    with pytest.raises(AttributeError):
        d.start = 0  # type: ignore[misc]


# --- spans map back to the original text ------------------------------------------------------

ZW = "\u200b\u200d\u2060"  # invisible characters the plain view removes


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("phone", "1-800-555-0100"),
        ("card", "4242 4242 4242 4242"),
        ("email", "raj@hotmail.com"),
        ("ssn", "123-45-6789"),
        ("iban", "GB82 WEST 1234 5698 7654 32"),
        ("ip", "203.0.113.9"),
        ("url", "https://acme.com/x"),
        ("fancy_text", "\U0001d407\U0001d41e\U0001d425\U0001d425\U0001d428"),  # bold Hello
    ],
)
def test_spans_are_exact_after_emoji_and_invisible_characters(name: str, typed: str) -> None:
    text = f"👨‍👩‍👧 \uff28\uff49{ZW} 📞{ZW} details:{ZW} {typed} 🚀 end"  # full-width "Hi"
    ctx = PostContext(text)
    [detection] = ctx.detections(name)
    assert ctx.text[detection.start : detection.end] == typed


def test_span_covers_invisible_characters_inside_the_match() -> None:
    text = "🔥 call 1-800\u200b-555-0100 now"
    [detection] = PostContext(text).detections("phone")
    assert text[detection.start : detection.end] == "1-800\u200b-555-0100"
    assert detection.value == "+18005550100"


# --- email ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Mail raj@hotmail.com now", "raj@hotmail.com"),
        ("Contact: Anna.Lee+news@Example.co.uk.", "anna.lee+news@example.co.uk"),
        ("raj (at) hotmail (dot) com", "raj@hotmail.com"),
        ("anna [at] example [dot] org", "anna@example.org"),
        ("first{dot}last[@]mail[.]co[.]uk", "first.last@mail.co.uk"),
        ("write to john.smith at gmail dot com please", "john.smith@gmail.com"),
        ("sarah AT acme DOT io", "sarah@acme.io"),
        ("info at acme dot com", "info@acme.com"),
        ("\uff32\uff21\uff2a\uff20\uff58\uff59.com", "raj@xy.com"),  # full-width forms
    ],
)
def test_email_found(text: str, address: str) -> None:
    assert [value for _, value in found("email", text)] == [address]


@pytest.mark.parametrize(
    "text",
    [
        "meet me at noon dot",
        "look at this dot com bubble",
        "find us at acme dot com",  # a website said aloud, not an address
        "tickets at ticketmaster.com",
        "raj at hotmail dot xyzzy",  # not a TLD
        "logo@2x.png",
        "RT @user: hi",
        "x@y.c",
        "email me @ home",
    ],
)
def test_email_near_misses(text: str) -> None:
    assert found("email", text) == []


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        # A rejected obfuscated reading ("her at emily.rose") must not hide the real address.
        ("contact her at emily.rose.t@icloud.com", ["emily.rose.t@icloud.com"]),
        (
            "Congrats to our raffle winner, contact her at emily.rose.t@icloud.com",
            ["emily.rose.t@icloud.com"],
        ),
        ("write to him at bob@acme.org today", ["bob@acme.org"]),
        ("her (at) emily.rose.t@icloud.com", ["emily.rose.t@icloud.com"]),
        # Spelled-out dots in the name and the domain, after prose "me at".
        ("Mail me at chris dot lee at protonmail dot com", ["chris.lee@protonmail.com"]),
        ("contact her at emily dot rose at gmail dot com", ["emily.rose@gmail.com"]),
        ("meet her at noon, then write to sam.k at outlook dot com", ["sam.k@outlook.com"]),
        # An obfuscated tail that extends a plain address: the longer reading.
        ("raj@hotmail.co (dot) uk", ["raj@hotmail.co.uk"]),
        # Plain and obfuscated in one post, in text order.
        (
            "me at jo dot ng at yahoo dot com or jo@ng.example",
            ["jo.ng@yahoo.com", "jo@ng.example"],
        ),
    ],
)
def test_email_not_hidden_by_obfuscated_candidates(text: str, addresses: list[str]) -> None:
    assert [value for _, value in found("email", text)] == addresses


@pytest.mark.parametrize(
    "text",
    [
        "contact her at emily.rose",  # no TLD: prose
        "meet me at the cafe dot",
        "find her at acme.com",  # a website, said with a real dot
        "look at me dot com",
        "email her at noon dot com at the latest",  # 'noon dot com' is no address
    ],
)
def test_email_near_misses_after_at(text: str) -> None:
    assert found("email", text) == []


def test_email_canonical_matches_obfuscated_forms() -> None:
    email = DETECTORS["email"]
    assert email.canonical("Raj (at) Hotmail (dot) com") == "raj@hotmail.com"
    assert email.canonical(" RAJ@hotmail.com ") == "raj@hotmail.com"


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "typed", "value"),
    [
        ("Call us: 1-800-555-0100", "1-800-555-0100", "+18005550100"),
        ("Ring +44 20 7946 0958 now", "+44 20 7946 0958", "+442079460958"),
        ("(212) 555-0199 is the office", "(212) 555-0199", "+12125550199"),
        ("WhatsApp +34 612 34 56 78", "+34 612 34 56 78", "+34612345678"),
        ("call 06 12 34 56 78", "06 12 34 56 78", "+33612345678"),
        ("tel: 0207 946 0958", "0207 946 0958", "+442079460958"),
        ("text 2125550199", "2125550199", "+12125550199"),  # unformatted, after a cue
        ("my phone number is 425 8829090", "425 8829090", "+14258829090"),
    ],
)
def test_phone_found(text: str, typed: str, value: str) -> None:
    assert found("phone", text) == [(typed, value)]


@pytest.mark.parametrize(
    "text",
    [
        "ISBN 978-3-16-148410-0",
        "ISBN 9783161484100",
        "In 2024 we grew 35%",
        "from 2019-2020",
        "Price $1,234,567.89",
        "on 12/05/2024 at 10:30",
        "Order 612345678 shipped",  # no separators and no cue: an order number
        "Order no. 0612345678",
        "population 1234567890",
        "zip 90210-1234",
        "my bank account number is 912803456",
        "ticket #2125550199",
        "tel 352417",  # six digits: valid in Germany, but no number is reported below seven
        "ping @07700 900982",  # digits that continue a handle, a hashtag or an entity
        "call @1000467291 now",
        "call me &#1041190;",
        "call #07700 900982",
    ],
)
def test_phone_near_misses(text: str) -> None:
    assert found("phone", text) == []


@pytest.mark.parametrize(
    "text",
    ["tel 352417", "call me on 612345", "Call us: 1-800-555-0100", "text 2125550199"],
)
def test_phone_find_does_not_depend_on_unrelated_digits(text: str) -> None:
    # A seven-digit run elsewhere in the post (here a real number) must not change what is
    # found in ``text``: the precheck that skips the matcher holds for every find.
    alone = found("phone", text)
    combined = found("phone", f"{text}. Office: +44 20 7946 0958")
    assert combined == [*alone, ("+44 20 7946 0958", "+442079460958")]


def test_phone_national_passes_run_only_on_digits_left_outside_international_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint.detectors import phone

    regions: list[str | None] = []
    matches = phone._matches

    def recording(pn: object, text: str, region: str | None, leniency: object) -> object:
        regions.append(region)
        return matches(pn, text, region, leniency)

    monkeypatch.setattr(phone, "_matches", recording)
    assert found("phone", "Call +44 7911 123456 now") == [("+44 7911 123456", "+447911123456")]
    assert set(regions) == {None}  # the eight regions' passes could keep nothing
    regions.clear()
    text = "Call +44 7911 123456 or 020 7946 0958"
    assert [value for _, value in found("phone", text)] == ["+447911123456", "+442079460958"]
    assert "GB" in regions


def test_phone_region_from_meta() -> None:
    text = "Ring 020 7946 0958"
    assert found("phone", text, meta={"region": "GB"}) == [("020 7946 0958", "+442079460958")]
    # Unformatted national numbers are trusted in the post's own region after a cue.
    assert found("phone", "tel 0612345678", meta={"region": "FR"}) == [
        ("0612345678", "+33612345678")
    ]


def test_phone_label_is_the_country() -> None:
    assert labels("phone", "Call +1 800 555 0100 or +33 6 12 34 56 78") == ["US", "FR"]


def test_phone_canonical() -> None:
    phone = DETECTORS["phone"]
    assert phone.canonical("+1 800 555 0100") == "+18005550100"
    assert phone.canonical("1-800-555-0100") == "+18005550100"
    assert phone.canonical("18005550100") == "+18005550100"
    assert phone.canonical("020 7946 0958") == "+442079460958"
    assert phone.canonical("12") == "12"
    # An allow-list entry reads as the same number a post's would.
    assert phone.canonical("07700 900982") == "+447700900982"
    assert phone.canonical("+44 7700 900982") == "+447700900982"


# Ofcom's drama range (07700 900000-900999) is not "valid" for libphonenumber, but shaped
# exactly like a British mobile: reported, and as British.
@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("call 07700 900982", "07700 900982"),
        ("Call our manager Ben on 07700 900982", "07700 900982"),
        ("+44 7700 900982", "+44 7700 900982"),
        ("ring +44 (0)7700 900982", "+44 (0)7700 900982"),
        ("0044 7700 900982", "0044 7700 900982"),
        ("whatsapp +447700900982", "+447700900982"),
        ("Our number 07700 900 982", "07700 900 982"),
        ("tel: +44 7700-900-982", "+44 7700-900-982"),
    ],
)
def test_phone_drama_range_is_british(text: str, typed: str) -> None:
    ctx = PostContext(text)
    assert [(text[d.start : d.end], d.value) for d in ctx.detections("phone")] == [
        (typed, "+447700900982")
    ]
    assert [d.label for d in ctx.detections("phone")] == ["GB"]


@pytest.mark.parametrize(
    ("text", "typed", "value", "label"),
    [
        # Unlisted numbers of other countries, grouped as that country writes them.
        ("+1 (671) 948-3158", "+1 (671) 948-3158", "+16719483158", "GU"),
        ("appelle le 07 25 25 76 69", "07 25 25 76 69", "+33725257669", "FR"),
        ("+33 7 25 25 76 69", "+33 7 25 25 76 69", "+33725257669", "FR"),
        # The post's own region is trusted over the best fit.
        ("call 07700 900982 (DE)", "07700 900982", "+497700900982", "DE"),
    ],
)
def test_phone_unlisted_numbers(text: str, typed: str, value: str, label: str) -> None:
    meta = {"region": "DE"} if "(DE)" in text else None
    ctx = PostContext(text, meta=meta)
    assert [(text[d.start : d.end], d.value, d.label) for d in ctx.detections("phone")] == [
        (typed, value, label)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "555-555-5555",  # 555 is no area code
        "(555) 123-4567",
        "+1 212 055 1234",  # no American exchange starts with 0 or 1
        "1-212-155-1234",
        "+34 905 55 55 55",  # an unlisted number in a premium/shared-cost range
        "01632 960123",  # 01632 is a fictional area code, not one in use
        "+44 7700 90098",  # too short to be possible
        "07700 9 0 0 9 8 2",  # not grouped the British way
        "+44 77 00 90 09 82",
        "order no. 07700 900982",  # the precision guards still apply
        "ref 07700 900982",
        "ticket #07700900982",
        "ISBN 07700 900982",
        "abc+447700900982",
    ],
)
def test_phone_unlisted_near_misses(text: str) -> None:
    assert found("phone", text) == []


def test_phone_national_reading_is_not_the_tail_of_a_country_code() -> None:
    # "+44 7700-900-982" used to be read as an Indian "7700-900-982".
    assert labels("phone", "+44 7700-900-982") == ["GB"]
    assert found("phone", "+1 020 7946 0958") == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("020 7946 0958", "GB"),  # also a valid Indian (Pune) number: the defaults' order
        ("0761 553 9993", "DE"),  # grouped as Freiburg's 0761 area code, not India's 07615
        ("373-215-4341", "IT"),  # an Italian mobile's 3-3-4, not an Indian landline's 5-5
        ("07400 123456", "GB"),
        ("06 12 34 56 78", "FR"),
        ("0171 2345678", "DE"),
        ("0412 345 678", "AU"),
    ],
)
def test_phone_national_number_goes_to_the_region_it_fits(text: str, label: str) -> None:
    assert labels("phone", text) == [label]


def test_phone_span_has_no_surrounding_whitespace() -> None:
    text = "Tracking 1378 / 212 555 0199"
    assert found("phone", text) == [("212 555 0199", "+12125550199")]


# --- card -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits", "brand"),
    [
        ("pay 4242 4242 4242 4242 ok", "4242424242424242", "visa"),  # a test card: reported
        ("4242-4242-4242-4242", "4242424242424242", "visa"),
        ("card 4111111111111111.", "4111111111111111", "visa"),
        ("amex 3782 822463 10005", "378282246310005", "amex"),
        ("mc 5555555555554444", "5555555555554444", "mastercard"),
        ("2223 0031 2200 3222", "2223003122003222", "mastercard"),
        ("6011 1111 1111 1117", "6011111111111117", "discover"),
        ("jcb 3530111333300000", "3530111333300000", "jcb"),
    ],
)
def test_card_found(text: str, digits: str, brand: str) -> None:
    ctx = PostContext(text)
    [d] = ctx.detections("card")
    assert (d.value, d.label) == (digits, brand)


@pytest.mark.parametrize(
    "text",
    [
        "4242 4242 4242 4241",  # Luhn fails
        "0000 0000 0000 0000",  # Luhn-valid, no scheme
        "order 1234567890123",
        "4242 4242 4242 4242 4242",  # twenty digits
        "4242 4242-4242 4242",  # mixed separators
        "42 42 42 42 42 42 42 42",  # pairs, not card groups
        "9999 9999 9999 9995",  # Luhn-valid, no scheme
        "v4242.4242.4242.4242",
    ],
)
def test_card_near_misses(text: str) -> None:
    assert found("card", text) == []


@pytest.mark.parametrize(
    "text",
    [
        "the charge on your card ending 4921 5512 8830 1147 was a pre-auth",
        "tarjeta terminada en 4921-5512-8830-1147",
        "Ihre Karte 5412 7512 3412 3455 wurde gesperrt",
    ],
)
def test_card_printed_and_called_a_card_is_reported_without_luhn(text: str) -> None:
    # Luhn fails for each of these; the grouping and the word "card" make them a card.
    [d] = PostContext(text).detections("card")
    assert len(d.value) == 16


@pytest.mark.parametrize(
    "text",
    [
        "order 4921 5512 8830 1147 shipped",  # no card word
        "card 4921551288301147",  # one block: not how cards print
        "tracking 4921 5512 8830 1147, your card was charged",  # the word is after
        "card 9921 5512 8830 1147",  # no scheme starts with 9
    ],
)
def test_card_luhn_failures_need_print_and_word(text: str) -> None:
    assert found("card", text) == []


def test_card_canonical() -> None:
    assert DETECTORS["card"].canonical("4242-4242-4242-4242") == "4242424242424242"


# --- iban -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "typed", "value"),
    [
        (
            "IBAN GB82 WEST 1234 5698 7654 32 NOW",
            "GB82 WEST 1234 5698 7654 32",
            "GB82WEST12345698765432",
        ),
        ("DE89370400440532013000.", "DE89370400440532013000", "DE89370400440532013000"),
        (
            "FR14 2004 1010 0505 0001 3M02 606",
            "FR14 2004 1010 0505 0001 3M02 606",
            "FR1420041010050500013M02606",
        ),
        ("IL150120690000003111111", "IL150120690000003111111", "IL150120690000003111111"),
    ],
)
def test_iban_found(text: str, typed: str, value: str) -> None:
    assert found("iban", text) == [(typed, value)]


@pytest.mark.parametrize(
    "text",
    [
        "GB82 WEST 1234 5698 7654 33",  # checksum
        "GB82 WEST 1234 5698 7654",  # too short for GB
        "XX82 WEST 1234 5698 7654 32",  # no such country
        "GB82WEST12345698765432X",  # runs on
    ],
)
def test_iban_near_misses(text: str) -> None:
    assert found("iban", text) == []


def test_iban_lengths_agree_with_stdnum() -> None:
    """python-stdnum (a dev-only dependency here) carries the SWIFT registry too."""
    stdnum_iban = pytest.importorskip("stdnum.iban")
    from stdnum import numdb

    from policylint.detectors.iban import IBAN_LENGTHS, iban_valid

    registry = numdb.get("iban")
    for country, length in IBAN_LENGTHS.items():
        info = dict(registry.info(country)[0][1])
        bban_length = sum(int(n) for n in re.findall(r"(\d+)!", info["bban"]))
        assert 4 + bban_length == length, country
    for valid in ("GB82WEST12345698765432", "DE89370400440532013000", "NL91ABNA0417164300"):
        assert stdnum_iban.is_valid(valid) and iban_valid(valid)
    assert not iban_valid("GB82WEST12345698765433")


# --- ssn --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("SSN 123-45-6789", "123-45-6789"),
        ("her number: 078-05-1126", "078-05-1126"),
        ("ssn: 123456789", "123456789"),
        ("my social security number is 078051121", "078051121"),
        ("social security number 123 45 6789", "123 45 6789"),
        # Printed in an SSA pamphlet once, but an ordinary valid number (not voided).
        ("SSN 219-09-9999 on the form is wrong", "219-09-9999"),
        ("219-09-9999", "219-09-9999"),
    ],
)
def test_ssn_found(text: str, typed: str) -> None:
    assert [t for t, _ in found("ssn", text)] == [typed]


@pytest.mark.parametrize(
    "text",
    [
        "987-65-4320",  # SSA advertising numbers
        "987-65-4329",
        "078-05-1120",  # the Woolworth wallet card
        "SSN 078-05-1120",
        "SSN 987-65-4325",
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "123-00-4567",
        "123-45-0000",
        "123-45-6789-0",
        "call 123456789",  # nine digits need a cue
        "123 45 6789",
    ],
)
def test_ssn_near_misses(text: str) -> None:
    assert found("ssn", text) == []


def test_ssn_value_and_label() -> None:
    [d] = PostContext("SSN 123-45-6789").detections("ssn")
    assert (d.value, d.label) == ("123456789", "us_ssn")
    assert DETECTORS["ssn"].canonical("123 45 6789") == "123456789"


# --- the domain catalogue's privacy examples ----------------------------------------------------
# shared/domain/rules-catalogue.md: each violating example with a phone number, e-mail address,
# card, IBAN or SSN is found by its detector; the compliant ones are found by none, except the
# published lines and test cards the rules allow-list (the detectors report those).

PERSONAL = ["phone", "email", "card", "iban", "ssn"]


@pytest.mark.parametrize(
    ("name", "text", "typed"),
    [
        ("phone", "Call our manager Ben on 07700 900982", "07700 900982"),
        ("phone", "Text Lucía: +34 611 222 333", "+34 611 222 333"),
        ("email", "email anna.k.1990@gmail.com", "anna.k.1990@gmail.com"),
        ("email", "write to raj (at) hotmail (dot) com", "raj (at) hotmail (dot) com"),
        ("ssn", "SSN 219-09-9999 on the form is wrong", "219-09-9999"),
        (
            "iban",
            "Send donations to IBAN DE89 3704 0044 0532 0130 00",
            "DE89 3704 0044 0532 0130 00",
        ),
        ("card", "Card 4000 0566 5566 5556 was left at the till", "4000 0566 5566 5556"),
        ("card", "refund to 5105105105105100", "5105105105105100"),
    ],
)
def test_catalogue_violations_are_detected(name: str, text: str, typed: str) -> None:
    assert [t for t, _ in found(name, text)] == [typed]


@pytest.mark.parametrize(
    "text",
    [
        "Email addresses are case-insensitive",
        "987-65-4320 is an SSA advertising-reserved number",
        "ISBN 978-3-16-148410-0",
        "What is an IBAN? Explainer",
        "card ending 1234",
        "Our store: 1 Main St",
        "We deliver across Leeds",
        "Bring your DNI or passport to collect the prize",
        "HMRC's example NI number is QQ 12 34 56 C",
    ],
)
def test_catalogue_compliant_examples_are_not_detected(text: str) -> None:
    assert {name: found(name, text) for name in PERSONAL} == {name: [] for name in PERSONAL}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("email", "help@org.example"),
        ("phone", "Call us: 1-800-555-0100"),
        ("card", "Stripe test card 4242 4242 4242 4242"),
    ],
)
def test_catalogue_allow_listed_examples_are_left_to_the_rules(name: str, text: str) -> None:
    assert len(found(name, text)) == 1


# --- fancy_text --------------------------------------------------------------------------------

BOLD_HELLO = "\U0001d407\U0001d41e\U0001d425\U0001d425\U0001d428"


@pytest.mark.parametrize(
    ("text", "typed", "value", "label"),
    [
        (
            f"{BOLD_HELLO} \U0001d430\U0001d428\U0001d42b\U0001d425\U0001d41d!",
            None,
            "hello world",
            "math",
        ),
        (
            "Big \U0001d4fc\U0001d4ea\U0001d4f5\U0001d4ee today",
            "\U0001d4fc\U0001d4ea\U0001d4f5\U0001d4ee",
            "sale",
            "math",
        ),
        ("\U0001d4bd\u212f\U0001d4c1\U0001d4c1\u2134", None, "hello", "math"),  # script, with ℯ ℴ
        (
            "\uff28\uff25\uff2c\uff2c\uff2f there",
            "\uff28\uff25\uff2c\uff2c\uff2f",
            "hello",
            "fullwidth",
        ),
        ("\u24bd\u24d4\u24db\u24db\u24de", None, "hello", "circled"),
        ("\U0001f157\U0001f154\U0001f15b\U0001f15b\U0001f15e", None, "hello", "circled"),
        ("\u24a3\u24a0\u24a7\u24a7\u24aa", None, "hello", "parenthesized"),
        ("\U0001f137\U0001f134\U0001f13b\U0001f13b\U0001f13e", None, "hello", "squared"),
        ("\U0001f177\U0001f174\U0001f17b\U0001f17b\U0001f17e", None, "hello", "squared"),
        (
            "\u029c\u1d07\u029f\u029f\u1d0f \u1d21\u1d0f\u0280\u029f\u1d05",
            None,
            "hello world",
            "small_caps",
        ),
        (
            "s\u1d0d\u1d00\u029f\u029f \u1d04\u1d00\u1d18s sale",
            "s\u1d0d\u1d00\u029f\u029f \u1d04\u1d00\u1d18s",
            "small caps",
            "small_caps",
        ),
        ("\u1d34\u1d49\u02e1\u02e1\u1d52", None, "hello", "superscript"),
        ("\u2095\u2091\u2097\u2097\u2092", None, "hello", "subscript"),
        ("\u0287x\u01dd\u0287 u\u028dop \u01ddp\u0131sdn", None, "upside down text", "upside_down"),
        (
            "\u00a1pl\u0279o\u028d oll\u01dd\u0265",
            "pl\u0279o\u028d oll\u01dd\u0265",
            "hello world",
            "upside_down",
        ),
        (
            "Was s\u0336a\u0336l\u0336e\u0336 \u00a340",
            "s\u0336a\u0336l\u0336e\u0336",
            "sale",
            "strikethrough",
        ),
        ("u\u0332n\u0332d\u0332e\u0332r\u0332", None, "under", "underline"),
        (
            "\U0001d401\U0001d414\U0001d418 \U0001d7d1 \U0001d406\U0001d404\U0001d413",
            None,
            "buy 3 get",
            "math",
        ),
    ],
)
def test_fancy_text_found(text: str, typed: str | None, value: str, label: str) -> None:
    ctx = PostContext(text)
    [d] = ctx.detections("fancy_text")
    assert (text[d.start : d.end], d.value, d.label) == (typed or text.rstrip("!"), value, label)


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII text",
        "caf\u00e9 na\u00efve \u00fcber",  # accented letters are ordinary letters
        "ok \U0001d400\U0001d401 and",  # two fancy letters: below the threshold
        "\uff28i",  # fullwidth H, ASCII i
        "\u2460 \u2461 \u2462",  # circled digits are list numbers, not letters
        "M\u02e1\u02e1\u1d49 Dupont",  # Mˡˡᵉ: a French abbreviation
        "the 4\u1d57\u02b0 of July",  # 4ᵗʰ: an ordinal
        "x\u00b2 + y\u00b2",
        "\u0186d\u0254 y\u025b d\u025b",  # Akan: ɔ is a letter there
        "/\u0279\u028cn/",  # IPA: two turned letters only
        "I am \u0279eally happy",
        "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440",  # Cyrillic
        "\u3053\u3093\u306b\u3061\u306f",  # Japanese
        "\U0001f1ec\U0001f1e7\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea",  # flags, not letters
    ],
)
def test_fancy_text_near_misses(text: str) -> None:
    assert PostContext(text).detections("fancy_text") == []


def test_fancy_text_looks_at_the_original_text() -> None:
    ctx = PostContext(f"Hi {BOLD_HELLO}")
    assert ctx.plain.text == "Hi Hello"  # NFKC folds it away in the plain view
    [d] = ctx.detections("fancy_text")
    assert (d.start, d.end) == (3, 8)


def test_fancy_text_runs_and_canonical() -> None:
    text = f"{BOLD_HELLO}, \u24bd\u24d4\u24db\u24db\u24de and ok"
    assert labels("fancy_text", text) == ["math", "circled"]
    fancy = DETECTORS["fancy_text"]
    assert fancy.canonical(BOLD_HELLO) == "hello"
    assert fancy.canonical(" Hello ") == "hello"  # an allow-list entry written plainly


# --- ip ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("server 192.168.1.1 down", "192.168.1.1", "private"),
        ("ping 8.8.8.8.", "8.8.8.8", "public"),
        ("localhost is 127.0.0.1", "127.0.0.1", "private"),
        ("v6 2606:4700:4700::1111 ok", "2606:4700:4700::1111", "public"),
        ("link-local fe80::1", "fe80::1", "private"),
        ("FE80:0000:0000:0000:0202:B3FF:FE1E:8329", "fe80::202:b3ff:fe1e:8329", "private"),
    ],
)
def test_ip_found(text: str, value: str, label: str) -> None:
    [d] = PostContext(text).detections("ip")
    assert (d.value, d.label) == (value, label)


@pytest.mark.parametrize(
    "text",
    [
        "v1.2.3.4",
        "version 1.2.3.4",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.02.03.04",
        "at 10:30:15",
        "std::vector",
    ],
)
def test_ip_near_misses(text: str) -> None:
    assert found("ip", text) == []


# --- url --------------------------------------------------------------------------------------


def test_url_values_are_hosts() -> None:
    text = "see https://www.Acme.com/jobs and bit.ly/x"
    ctx = PostContext(text)
    assert [(text[d.start : d.end], d.value, d.label) for d in ctx.detections("url")] == [
        ("https://www.Acme.com/jobs", "acme.com", ""),
        ("bit.ly/x", "bit.ly", "shortener"),
    ]
    assert DETECTORS["url"].canonical("https://WWW.acme.com/") == "acme.com"
    assert DETECTORS["url"].canonical("acme.com") == "acme.com"


def test_url_near_misses() -> None:
    assert found("url", "It was great.So happy, see you at 5.30") == []


# --- a realistic document ---------------------------------------------------------------------


def test_presidio_demo_paragraph() -> None:
    """Presidio's demo text (MIT): every kind of PII once, nothing else."""
    text = (DATA / "presidio_fixtures" / "demo.txt").read_text(encoding="utf-8")
    ctx = PostContext(text)
    got = {name: [d.value for d in ctx.detections(name)] for name in BUILT_IN}
    assert got == {
        "card": ["4095260993934932"],
        "email": ["test@presidio.site", "opencode@microsoft.com"],
        "iban": ["IL150120690000003111111"],
        "ip": ["192.168.0.1"],
        "phone": ["+12125551234"],
        "ssn": ["078051126"],
        "url": ["microsoft.com", "cla.microsoft.com"],
        "fancy_text": [],
        "person": ["David Johnson"],
        "condition": [],
        "defamation": [],
        "compound_hashtag": [],
        "hostile_tone": [],
        "sensitive_fact": [],
        "health_claim": [],
        "return_promise": [],
        "mnpi_hint": [],
    }
