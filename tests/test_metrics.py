"""Tests for policylint._runtime.metrics: each metric on examples, and the registry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from policylint._runtime.context import PostContext
from policylint._runtime.metrics import METRICS, Metric


def metric(name: str, text: str, platform: str | None = None) -> float:
    return PostContext(text, platform=platform).metric(name)


def test_registry() -> None:
    assert list(METRICS) == [
        "length",
        "thread_posts",
        "longest_post",
        "chars",
        "words",
        "lines",
        "hashtags",
        "mentions",
        "links",
        "emoji",
        "exclamations",
        "exclamation_run",
        "questions",
        "caps_ratio",
        "caps_run",
        "sentiment",
    ]
    for name, m in METRICS.items():
        assert isinstance(m, Metric)
        assert m.name == name
        assert m.description.endswith(".")
    with pytest.raises(TypeError):
        METRICS["length"] = METRICS["chars"]  # type: ignore[index]


def test_every_metric_returns_a_float_on_empty_text() -> None:
    ctx = PostContext("")
    for name in METRICS:
        value = ctx.metric(name)
        assert isinstance(value, float)
        assert value == 0.0


# --- length and counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "posts"),
    [
        ("1/ Big news.\n2/ More soon.\n3/5 And more.", 3),
        ("  1/ Big news.\n 2/ More soon.", 2),
        ("1/ Only one numbered line.", 1),
        ("Intro first.\n1/ Then a list.\n2/ Of two.", 1),  # the thread must open the text
        ("1/ One.\n3/ Three.", 1),  # numbers out of order: no thread
        ("Open 24/7.\n1/ a\n2/ b", 1),
    ],
)
def test_a_thread_drafted_as_one_text_is_counted_post_by_post(text: str, posts: int) -> None:
    assert metric("thread_posts", text) == posts


def test_longest_post_is_the_longest_part_as_the_platform_counts() -> None:
    text = "1/ " + "a" * 200 + "\n2/ " + "b" * 250 + " https://example.com/" + "c" * 80
    assert metric("longest_post", text, "x") == 3 + 250 + 1 + 23
    assert metric("length", text, "x") > 280
    assert metric("longest_post", "no thread here", "x") == metric("length", "no thread here", "x")


def test_length_follows_the_platform() -> None:
    text = "日本語 https://example.com/a/long/path"
    assert metric("length", text, "x") == 6 + 1 + 23
    assert metric("length", text, "linkedin") == len(text)
    assert metric("length", text) == len(text)
    assert metric("chars", text, "x") == len(text)


def test_chars_are_code_points_after_nfc() -> None:
    assert metric("chars", "cafe\u0301") == 4
    assert metric("chars", "👨‍👩‍👧") == 5


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, world!", 2),
        ("  spaced   out\ttext\n", 3),
        ("— 🚀 !!!", 0),
        ("don't re-use e-mail", 3),
        ("", 0),
    ],
)
def test_words(text: str, words: int) -> None:
    assert metric("words", text) == words


@pytest.mark.parametrize(("text", "lines"), [("one", 1), ("one\ntwo\n", 2), ("a\r\nb\n\nc", 4)])
def test_lines(text: str, lines: int) -> None:
    assert metric("lines", text) == lines


def test_entity_counts() -> None:
    text = "Hey @ana @bo! #launch #ai 🚀🔥 https://acme.com and acme.org/x"
    assert metric("mentions", text) == 2
    assert metric("hashtags", text) == 2
    assert metric("emoji", text) == 2
    assert metric("links", text) == 2


# --- punctuation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "run"),
    [
        ("Wow! Great!!! Really!!", 6, 3),
        ("No exclamations.", 0, 0),
        ("Full-width\uff01\uff01 and ‼", 4, 2),
        ("!?!", 2, 1),
        ("‼️!", 3, 3),  # the emoji form with its selector, then one more
    ],
)
def test_exclamations(text: str, count: int, run: int) -> None:
    assert metric("exclamations", text) == count
    assert metric("exclamation_run", text) == run


def test_questions() -> None:
    assert metric("questions", "Why? Why not?? Really\uff1f") == 4


# --- capitals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("HELLO", 1.0),
        ("Hello", 0.2),
        ("hello", 0.0),
        ("1234 !!", 0.0),  # no letters
        ("ÀB cd", 0.5),
        ("ok @NASA https://t.co/ABCDEF", 0.0),  # mentions and links are not shouting
    ],
)
def test_caps_ratio(text: str, ratio: float) -> None:
    assert metric("caps_ratio", text) == pytest.approx(ratio)


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("BUY NOW, limited offer", 2),
        ("THIS IS A SCAM!!! Do not click", 3),  # 'A' neither counts nor breaks the run
        ("I think NASA and the FBI agree", 1),
        ("BUY 2 GET 1 FREE", 3),  # numbers neither count nor break
        ("normal sentence here", 0),
        ("OK", 1),
        ("Hi @NASA @ESA team", 0),
        ("", 0),
    ],
)
def test_caps_run(text: str, run: int) -> None:
    assert metric("caps_run", text) == run


# --- sentiment --------------------------------------------------------------------------------


def test_sentiment_sign() -> None:
    positive = metric("sentiment", "We are thrilled and grateful: what a wonderful, happy day!")
    negative = metric("sentiment", "This is a horrible, disgusting failure and I hate it.")
    assert 0.5 < positive <= 1.0
    assert -1.0 <= negative < -0.5
    assert metric("sentiment", "The meeting is at 3pm.") == 0.0


def test_sentiment_analyser_is_built_once() -> None:
    from policylint._runtime import metrics

    metric("sentiment", "good")
    first = metrics._vader()
    metric("sentiment", "bad")
    assert metrics._vader() is first


# --- import cost ------------------------------------------------------------------------------


def test_importing_metrics_loads_nothing_heavy() -> None:
    code = (
        "import sys, policylint._runtime.metrics; "
        "print(sorted({'vaderSentiment', 'pydantic', 'phonenumbers', 'policylint._text.entities', "
        "'policylint._text.platforms'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
