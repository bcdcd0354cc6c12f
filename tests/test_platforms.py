"""Tests for policylint._text.platforms: per-platform limits and length counting.

X's weighted length is checked against twitter-text's official fixtures (``validate.yml``,
in ``tests/data``) and against twitter-text-parser itself on real tweets: a sample of VADER's
in ``tests/data``, and Davidson et al.'s when ``../shared/corpora`` is there (an optional
extra: those tweets are offensive and are kept out of the repository).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint._text.platforms import (
    LIMITS,
    PlatformLimits,
    grapheme_count,
    length_for,
    limits_for,
    weighted_length_x,
)

DATA = Path(__file__).parent / "data"
VALIDATE = DATA / "twitter_text_conformance" / "validate.yml"
TWEETS = DATA / "vader_icwsm2014" / "tweets_GroundTruth.sample.txt"
LABELLED_TWEETS = "corpora/davidson_hate_offensive_2017/labeled_data.csv"
# The v3 rules (emoji discounted); the directional-marker cases are counted with them.
V3_SECTIONS = (
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)


def _v3_cases() -> list[Any]:
    with VALIDATE.open(encoding="utf-8") as f:
        tests = yaml.safe_load(f)["tests"]
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in V3_SECTIONS
        for case in tests[section]
    ]


@pytest.mark.parametrize("case", _v3_cases())
def test_weighted_length_conformance(case: dict[str, Any]) -> None:
    assert weighted_length_x(case["text"]) == case["expected"]["weightedLength"]


def test_conformance_has_the_v3_cases() -> None:
    assert len(_v3_cases()) == 24


def _tweets(limit: int) -> list[str]:
    """Real tweets from the VADER sample: ``id<TAB>score<TAB>text`` lines, CRLF ends."""
    with TWEETS.open(encoding="utf-8", newline="") as f:
        raw = f.read()
    return [line.split("\t", 2)[2] for line in raw.split("\r\n") if line.count("\t") >= 2][:limit]


def _labelled_tweets(path: Path, limit: int) -> list[str]:
    """Real tweets with emoji, URLs and typos (Davidson et al.); used only as input text."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return [row[-1] for _, row in zip(range(limit), rows, strict=False)]


@pytest.fixture(scope="module")
def parse_tweet() -> Any:
    twitter_text = pytest.importorskip("twitter_text")  # slow to import: only here
    return twitter_text.parse_tweet


def _mismatches(parse_tweet: Any, tweets: list[str]) -> list[tuple[str, int, int]]:
    return [
        (t, parse_tweet(t).weightedLength, weighted_length_x(t))
        for t in tweets
        if parse_tweet(t).weightedLength != weighted_length_x(t)
    ]


def test_weighted_length_matches_twitter_text_on_real_tweets(parse_tweet: Any) -> None:
    tweets = _tweets(1000)
    assert len(tweets) == 1000
    assert _mismatches(parse_tweet, tweets) == []


def test_weighted_length_matches_twitter_text_on_labelled_tweets(
    parse_tweet: Any, shared_file: Callable[[str], Path]
) -> None:
    tweets = _labelled_tweets(shared_file(LABELLED_TWEETS), 400)
    assert len(tweets) == 400
    assert _mismatches(parse_tweet, tweets) == []


def test_counting_imports_nothing_heavy() -> None:
    code = (
        "import sys, policylint._text.platforms as p; p.weighted_length_x('hi https://a.com 😷'); "
        "print(sorted({'twitter_text', 'pydantic', 'phonenumbers'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("日本語", 6),  # CJK weighs 2
        ("Ünïcödé", 7),  # Latin-1 and Latin Extended weigh 1
        ("e\u0301", 1),  # NFC: é
        ("👨‍👩‍👧‍👦", 2),  # a ZWJ sequence is one emoji
        ("🇬🇧", 2),
        ("see https://example.com/a/very/long/path/indeed", 4 + 23),
        ("bare example.com here", 5 + 23 + 5),
        ("great.You know", 23 + 5),  # X knows every TLD: this is a link there
        ("a\r\nb", 3),  # CRLF is sent as one line break
        ("\u2018quoted\u2019 \u2014 dash", 15),  # general punctuation weighs 1
    ],
)
def test_weighted_length(text: str, expected: int) -> None:
    assert weighted_length_x(text) == expected


def test_280_limit_boundary() -> None:
    assert weighted_length_x("x" * 280) == 280
    assert weighted_length_x("語" * 140) == 280
    assert weighted_length_x("語" * 141) == 282


# --- length_for -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("x", 4 + 1 + 23),
        ("twitter", 4 + 1 + 23),
        ("X", 4 + 1 + 23),
        ("mastodon", 2 + 1 + 23),
        ("bluesky", 2 + 1 + len("https://example.com/some/path")),
        ("instagram", 3 + len("https://example.com/some/path")),
        ("threads", 3 + len("https://example.com/some/path")),
        ("unknown-platform", 3 + len("https://example.com/some/path")),
        (None, 3 + len("https://example.com/some/path")),
    ],
)
def test_length_for(platform: str | None, expected: int) -> None:
    assert length_for("😷👍 https://example.com/some/path", platform) == expected


def test_length_counts_code_points_after_nfc() -> None:
    assert length_for("e\u0301", "linkedin") == 1
    assert length_for("👨‍👩‍👧", "linkedin") == 5  # code points, as LinkedIn counts


# The organisation's own domains are links on X and Mastodon whatever their TLD (.example is
# a TLD no counter knows, as a brand TLD newer than the counter's list would be).
OWN = ("acme.example",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see acme.example/winter.", 4 + 23 + 1),  # bare, the full stop after it is text
        ("see https://www.acme.example/a/long/path?x=1", 4 + 23),  # scheme and subdomain
        ("shop.acme.example, or", 23 + 4),
        ("see notacme.example/x", len("see notacme.example/x")),  # another host
        ("see foo.example/x", len("see foo.example/x")),  # the same TLD, not our domain
        ("mail help@acme.example", len("mail help@acme.example")),  # an e-mail, not a link
        ("see acme.example.com/x", 4 + 23),  # already a link, counted once
        ("🌿 acme.example/x", 2 + 1 + 23),  # the non-ASCII path of the counter
    ],
)
def test_links_to_own_domains_count_23_on_x(text: str, expected: int) -> None:
    assert length_for(text, "x", OWN) == expected


def test_own_domains_are_links_on_mastodon_and_may_be_written_as_urls() -> None:
    assert length_for("see acme.example/x", "mastodon", ("https://Acme.example/",)) == 4 + 23
    assert length_for("see acme.example/x", "mastodon") == len("see acme.example/x")


def test_a_long_link_to_an_own_domain_keeps_an_x_post_within_the_limit() -> None:
    import policylint

    text = "Timetable changes for the weekend, stand 4. Details: " + (
        "https://www.acme.example/travel/" + "-".join(["updates"] * 40)
    )
    policy = policylint.load_policy("builtin:platform").select(["platform.x.length"])
    own = policylint.load_policy(
        "builtin:platform", settings={"organisation.domains": ["acme.example"]}
    ).select(["platform.x.length"])
    assert [f.rule for f in policy.check(text, platform="x").findings] == ["platform.x.length"]
    assert own.check(text, platform="x").findings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", 3),
        ("e\u0301", 1),
        ("👨‍👩‍👧‍👦 hi", 4),
        ("🇬🇧🇫🇷", 2),
        ("ok 👍🏽", 4),
        ("a\r\nb", 3),
        ("", 0),
    ],
)
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


# --- limits -----------------------------------------------------------------------------------


def test_published_limits() -> None:
    assert {name: lim.max_length for name, lim in LIMITS.items() if name != "youtube"} == {
        "x": 280,
        "linkedin": 3000,
        "instagram": 2200,
        "tiktok": 2200,
        "facebook": 63206,
        "threads": 500,
        "bluesky": 300,
        "mastodon": 500,
        "pinterest": 500,
    }
    assert LIMITS["instagram"].max_hashtags == 30
    assert LIMITS["tiktok"].max_hashtags is None
    assert LIMITS["instagram"].fold == 125
    assert LIMITS["facebook"].fold == 125
    assert LIMITS["linkedin"].fold == 140


def test_limits_cover_the_known_platforms() -> None:
    # The platforms the built-in metrics know how to count for.
    platforms = ("x", "linkedin", "instagram", "facebook", "tiktok", "threads", "bluesky")
    platforms += ("mastodon", "youtube", "pinterest")
    assert set(platforms) <= set(LIMITS)


def test_limits_for_aliases() -> None:
    assert limits_for("Twitter") == LIMITS["x"]
    assert limits_for(" BSKY ") == LIMITS["bluesky"]
    assert limits_for("intranet") is None
    assert limits_for(None) is None


def test_platform_limits_is_frozen() -> None:
    limits = PlatformLimits(max_length=10)
    assert limits.max_hashtags is None and limits.fold is None
    with pytest.raises(AttributeError):
        limits.max_length = 5  # type: ignore[misc]
