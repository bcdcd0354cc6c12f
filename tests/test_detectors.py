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

from policylint.context import PostContext
from policylint.detectors import DETECTORS, Detection, Detector, DetectorRegistry

CORPORA = Path(__file__).parents[2] / "shared" / "corpora"
BUILT_IN = ["card", "email", "iban", "ip", "phone", "ssn", "url"]


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
        "heavy = ('phonenumbers', 'policylint.text', 'policylint.entities', 'pydantic')\n"
        "loaded = [m for m in sys.modules if m.startswith('policylint.detectors.') or m in heavy]\n"
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
    ],
)
def test_phone_near_misses(text: str) -> None:
    assert found("phone", text) == []


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
    assert phone.canonical("020 7946 0958") == "+442079460958"
    assert phone.canonical("12") == "12"


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
        "219-09-9999",
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
    text = (CORPORA / "presidio_fixtures" / "demo.txt").read_text(encoding="utf-8")
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
    }
