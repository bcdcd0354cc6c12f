"""Every precheck promise holds: when a detector's or metric's precheck fails on a post, the
detector finds nothing and the metric is 0 (policylint._runtime.prechecks)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint._runtime import metrics
from policylint._runtime.context import PostContext
from policylint._runtime.metrics import METRICS
from policylint._runtime.prechecks import (
    EXCLAMATION_MARKS,
    PRECHECKS,
    QUESTION_MARKS,
)
from policylint.detectors import DETECTOR_PRECHECKS, DETECTORS

CORPUS = Path(__file__).parent / "corpus"
_DIGITS = re.compile(r"\d")


def _corpus() -> list[str]:
    texts = []
    for path in sorted(CORPUS.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


# Texts made to fail each precheck: the corpus with the characters it looks for taken out.
_WITHOUT: dict[str, Callable[[str], str]] = {
    "digit": lambda text: _without_digits(text),
    "digit_run": lambda text: _without_digits(text),
    "exclamation": lambda text: "".join(ch for ch in text if ch not in EXCLAMATION_MARKS),
    "question": lambda text: "".join(ch for ch in text if ch not in QUESTION_MARKS),
    "non_ascii": lambda text: text.encode("ascii", "ignore").decode("ascii"),
    "address": lambda text: _without_dots(text),
    "hash": lambda text: _without_plain(text, lambda plain: "#" in plain or "\uff03" in plain),
    "letter": lambda text: _without_plain(text, lambda plain: re.search(r"[^\W\d_]", plain)),
    # before the vocabulary is loaded the condition precheck is the letter one (below: after)
    "condition": lambda text: _without_plain(text, lambda plain: re.search(r"[^\W\d_]", plain)),
    "capital": lambda text: _without_plain(text, lambda plain: plain != plain.lower()),
    "mask": lambda text: "".join(ch for ch in text if ch not in "*#@$%!.-"),
}


def _without_plain(text: str, holds: Callable[[str], object]) -> str:
    """``text`` without the characters whose plain view ``holds`` something."""
    from policylint._text.views import plain_view

    return "".join(ch for ch in text if not holds(plain_view(ch).text))


def _without_digits(text: str) -> str:
    """``text`` with no digit in its plain view: "m²" reads as "m2" there, so "²" goes too."""
    from policylint._text.views import plain_view

    return "".join(ch for ch in text if not _DIGITS.search(plain_view(ch).text))


def _without_dots(text: str) -> str:
    """``text`` with no dot in its plain view and no "dot" spelled out."""
    from policylint._text.views import plain_view

    text = "".join(ch for ch in text if "." not in plain_view(ch).text)
    while re.search("(?i)dot", text):
        text = re.sub("(?i)dot", "", text)
    return text


# Something for every detector with a precheck to find, to strip of what the precheck looks
# for: what is left of a phone, card, IBAN, address or fancy text must not be found either.
_NUMBERS = [
    "Call +44 20 7946 0958 or (212) 555-0199 today",
    "Card 4111 1111 1111 1111 exp 12/29",
    "IBAN GB82 WEST 1234 5698 7654 32 please",
    "SSN 123-45-6789 on file",
    "Ring ٠٧٧٠٠ ٩٠٠٩٨٢ now",  # Arabic-Indic digits are digits too
    "Write to jo.bloggs@example.com or raj (at) hotmail (dot) com",
    "𝐇𝐞𝐥𝐥𝐨 𝐰𝐨𝐫𝐥𝐝, ʇxǝʇ uʍop ǝpısdn",
    "Mr. Okafor and Rachel Okonkwo: psoriasis, Ekzeme",
    "#throwbackthursday ＃ＭＯＮＤＡＹＭＯＴＩＶＡＴＩＯＮ",
]


def test_the_metrics_count_the_characters_their_prechecks_look_for() -> None:
    assert frozenset(metrics.EXCLAMATION_MARKS) == EXCLAMATION_MARKS
    assert frozenset(metrics.QUESTION_MARKS) == QUESTION_MARKS


def test_every_precheck_named_exists() -> None:
    named = {m.precheck for m in METRICS.values() if m.precheck} | set(DETECTOR_PRECHECKS.values())
    assert named <= set(PRECHECKS)
    assert set(DETECTOR_PRECHECKS) <= set(DETECTORS)
    assert len(named) >= 4


@pytest.mark.parametrize("name", sorted(DETECTOR_PRECHECKS))
def test_a_detector_finds_nothing_when_its_precheck_fails(name: str) -> None:
    precheck = PRECHECKS[DETECTOR_PRECHECKS[name]]
    strip = _WITHOUT[DETECTOR_PRECHECKS[name]]
    detector = DETECTORS[name]
    found_before = 0
    for text in [*_corpus(), *_NUMBERS]:
        found_before += bool(list(detector.detect(PostContext(text))))
        ctx = PostContext(strip(text))
        assert not precheck(ctx)
        assert list(detector.detect(ctx)) == [], (name, text)
    assert found_before > 0  # the texts do hold such numbers before stripping


@pytest.mark.parametrize("name", sorted(n for n, m in METRICS.items() if m.precheck))
def test_a_metric_is_zero_when_its_precheck_fails(name: str) -> None:
    metric = METRICS[name]
    assert metric.precheck is not None
    precheck = PRECHECKS[metric.precheck]
    strip = _WITHOUT[metric.precheck]
    nonzero_before = 0
    for text in [*_corpus(), "Wow!!! 🎉🎉 really?? ‼️ ❓"]:
        nonzero_before += metric.compute(PostContext(text)) != 0
        ctx = PostContext(strip(text))
        assert not precheck(ctx)
        assert metric.compute(ctx) == 0, (name, text)
    assert nonzero_before > 0


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=60), st.sampled_from(sorted(PRECHECKS)))
def test_prechecks_hold_on_arbitrary_text(text: str, name: str) -> None:
    """On any text a precheck fails, its detectors find nothing and its metrics are 0."""
    ctx = PostContext(_WITHOUT[name](text))
    if PRECHECKS[name](ctx):
        return  # stripping is on the original; the plain view can still gain a digit (NFKC)
    for detector, precheck in DETECTOR_PRECHECKS.items():
        if precheck == name:
            assert list(DETECTORS[detector].detect(ctx)) == []
    for metric in METRICS.values():
        if metric.precheck == name:
            assert metric.compute(ctx) == 0


_NUMBERISH = st.lists(
    st.sampled_from(
        [*"0123456789 -./()+#", "\u00a0", "\n", "ssn ", "tel ", "call ", "SS# ", "x", "4111"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(_NUMBERISH)
def test_the_digit_run_precheck_holds_on_number_like_text(text: str) -> None:
    # Digits, separators and cues: whenever the card, phone or SSN detector finds a number,
    # the text has a run of seven digits (their precheck).
    ctx = PostContext(text)
    for name in ("card", "phone", "ssn"):
        assert DETECTOR_PRECHECKS[name] == "digit_run"
        if list(DETECTORS[name].detect(ctx)):
            assert PRECHECKS["digit_run"](ctx), (name, text)


_ADDRESSY = st.lists(
    st.sampled_from([*"ab1_%+-.@ ()[]{}<>\n", " at ", "(at)", " dot ", "[dot]", "com", "co", "uk"]),
    max_size=20,
).map("".join)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(_ADDRESSY)
def test_the_address_precheck_holds_on_address_like_text(text: str) -> None:
    # Text made of an address's pieces: whenever the e-mail detector finds something, its
    # precheck (an "@" after a name character or in brackets, a spelled "at"; a dot) passed.
    ctx = PostContext(text)
    if list(DETECTORS["email"].detect(ctx)):
        assert PRECHECKS["address"](ctx), text


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("@jo thanks. See you soon", False),  # a mention's "@" follows no name
        ("RT @jo: great.", False),
        ("jo@example.com", True),
        ("jo (@) example.com", True),
        ("jo (at) example (dot) com", True),
        ("jo at example dot com", True),
    ],
)
def test_the_address_precheck(text: str, holds: bool) -> None:
    assert PRECHECKS["address"](PostContext(text)) is holds


def test_a_replaced_detector_does_not_inherit_the_built_in_precheck() -> None:
    from policylint.detectors import DetectorRegistry

    registry = DetectorRegistry(
        {"phone": "policylint.detectors.phone:DETECTOR", "card": "my.module:DETECTOR"}
    )
    assert registry.precheck("phone") == "digit_run"
    assert registry.precheck("card") is None  # not the built-in card detector

    class Spelled:
        """Finds 'five five five ...': no digit needed, so no precheck."""

        name = "phone"
        description = "spelled-out numbers"

    registry.register("phone", Spelled())  # type: ignore[arg-type]
    assert registry.precheck("phone") is None

    class Hashy:
        name = "hashes"
        description = "hashtags"
        precheck = "digit"

    registry.register("hashes", Hashy())  # type: ignore[arg-type]
    assert registry.precheck("hashes") == "digit"


# ----------------------------------------------------------------------------- metric bounds
_BOUNDED = sorted(name for name, metric in METRICS.items() if metric.bound is not None)
_PLATFORMS = (None, "x", "bluesky", "mastodon", "linkedin")


def test_the_costly_metrics_have_bounds() -> None:
    assert {"length", "caps_ratio", "caps_run"} <= set(_BOUNDED)


@pytest.mark.parametrize("name", _BOUNDED)
def test_a_metric_bound_is_never_below_the_metric_on_real_posts(name: str) -> None:
    metric = METRICS[name]
    assert metric.bound is not None
    tight = 0
    for number, text in enumerate([*_corpus(), *_NUMBERS, "@NASA LOOK AT THIS https://t.co/AbC"]):
        ctx = PostContext(text, _PLATFORMS[number % len(_PLATFORMS)])
        value, bound = metric.compute(ctx), metric.bound(ctx)
        assert bound >= value, (name, text, value, bound)
        tight += bound < 2 * value + 1
    assert tight > 100  # and the bound is useful, not a constant


_BOUND_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *"aAbBzZ .@/:#_-1\t\n\x1c",
            *("＠", "．", "。", "ｆ", "Ａ", "é", "É", "ß", "\u200b", "😀", "字"),
        ]
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            _BOUND_TEXT,
            st.sampled_from(["https://t.co/AbCd", "example.com/X", "@Jo_Bloggs", "＠ＢＩＧ"]),
        ),
        max_size=6,
    ),
    st.sampled_from(_PLATFORMS),
)
def test_a_metric_bound_is_never_below_the_metric(parts: list[str], platform: str | None) -> None:
    text = " ".join(parts)
    for name in _BOUNDED:
        metric = METRICS[name]
        assert metric.bound is not None
        ctx = PostContext(text, platform)
        assert metric.bound(ctx) >= metric.compute(ctx), (name, text)


def test_the_condition_precheck_is_the_search_itself_once_the_vocabulary_is_loaded() -> None:
    from policylint.detectors import condition

    precheck = PRECHECKS["condition"]
    condition._vocabulary.cache_clear()
    # A check of one post does not load 5,000 names to skip a rule: a letter will do.
    assert precheck(PostContext("Lovely weather today"))
    assert not precheck(PostContext("12 34 !!"))
    assert not condition.vocabulary_loaded()
    detector = DETECTORS["condition"]
    found = 0
    for text in [*_corpus(), *_NUMBERS, "Lovely weather today"]:
        ctx = PostContext(text)
        names = bool(list(detector.detect(ctx)))  # loads the vocabulary
        assert precheck(ctx) == names, text
        found += names
    assert condition.vocabulary_loaded()
    assert 0 < found < len(_corpus()) // 2
