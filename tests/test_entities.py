"""Tests for policylint._text.entities: hashtags, mentions, links and emoji.

The bulk runs twitter-text's official conformance fixtures (``extract.yml``, Apache-2.0,
in ``tests/data/twitter_text_conformance`` with its licence and provenance).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint._text.entities import (
    KNOWN_TLDS,
    Entities,
    emoji_spans,
    extract_entities,
    hashtag_spans,
    link_spans,
    mention_spans,
)

CONFORMANCE = Path(__file__).parent / "data" / "twitter_text_conformance"


def _load(section: str) -> list[dict[str, Any]]:
    with (CONFORMANCE / "extract.yml").open(encoding="utf-8") as f:
        cases: list[dict[str, Any]] = yaml.safe_load(f)["tests"][section]
    return cases


def _cases(*sections: str) -> list[Any]:
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in sections
        for case in _load(section)
    ]


def _texts(text: str, spans: tuple[tuple[int, int], ...], skip: int = 0) -> list[str]:
    return [text[start + skip : end] for start, end in spans]


# --- conformance ------------------------------------------------------------------------------


@pytest.mark.parametrize(("section", "case"), _cases("hashtags", "hashtags_from_astral"))
def test_hashtag_conformance(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    assert _texts(text, extract_entities(text).hashtags, skip=1) == (case["expected"] or [])


@pytest.mark.parametrize(("section", "case"), _cases("hashtags_with_indices"))
def test_hashtag_indices_conformance(section: str, case: dict[str, Any]) -> None:
    got = extract_entities(case["text"]).hashtags
    assert [list(span) for span in got] == [e["indices"] for e in case["expected"]]


@pytest.mark.parametrize(("section", "case"), _cases("mentions"))
def test_mention_conformance(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    assert _texts(text, extract_entities(text).mentions, skip=1) == (case["expected"] or [])


@pytest.mark.parametrize(("section", "case"), _cases("mentions_with_indices"))
def test_mention_indices_conformance(section: str, case: dict[str, Any]) -> None:
    got = extract_entities(case["text"]).mentions
    assert [list(span) for span in got] == [e["indices"] for e in case["expected"]]


@pytest.mark.parametrize(("section", "case"), _cases("urls", "tco_urls_with_params"))
def test_url_conformance(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    assert _texts(text, extract_entities(text).links) == (case["expected"] or [])


@pytest.mark.parametrize(
    ("section", "case"), _cases("urls_with_indices", "urls_with_directional_markers")
)
def test_url_indices_conformance(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    got = extract_entities(text).links
    assert [(text[s:e], [s, e]) for s, e in got] == [
        (e["url"], e["indices"]) for e in case["expected"]
    ]


def test_conformance_sections_are_all_run() -> None:
    """If the fixtures grow a section we handle, the parametrisation above must see it."""
    with (CONFORMANCE / "extract.yml").open(encoding="utf-8") as f:
        sections = set(yaml.safe_load(f)["tests"])
    assert {"hashtags", "mentions", "urls", "urls_with_indices"} <= sections


# --- hashtags ---------------------------------------------------------------------------------


def test_hashtag_span_includes_the_hash_sign() -> None:
    assert hashtag_spans("Go #team!") == [(3, 8)]


@pytest.mark.parametrize("text", ["AT&#T", "C#", "#123", "#_", "issue#12", "\uff03"])
def test_not_hashtags(text: str) -> None:
    assert extract_entities(text).hashtags == ()


def test_hashtag_inside_a_link_is_dropped() -> None:
    text = "see example.com/#about and #news"
    assert _texts(text, extract_entities(text).hashtags) == ["#news"]


# --- mentions ---------------------------------------------------------------------------------


def test_mentions_allow_long_handles_but_not_too_long() -> None:
    handle = "a" * 50
    assert extract_entities(f"hi @{handle}").mentions == ((3, 54),)
    assert extract_entities(f"hi @{handle}a").mentions == ()


def test_email_is_not_a_mention() -> None:
    assert mention_spans("write to raj@example.com") == []


def test_fullwidth_at_sign() -> None:
    assert mention_spans("\uff20someone hi") == [(0, 8)]


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Read https://blog.example.com/a/b?x=1.", ["https://blog.example.com/a/b?x=1"]),
        ("(see www.example.org)", ["www.example.org"]),
        ("https://studio.photography/gallery", ["https://studio.photography/gallery"]),
        ("Visit ACME.COM today", ["ACME.COM"]),
        (
            "Wiki: https://en.wikipedia.org/wiki/Primer_(film), ok",
            ["https://en.wikipedia.org/wiki/Primer_(film)"],
        ),
    ],
)
def test_links(text: str, expected: list[str]) -> None:
    assert _texts(text, extract_entities(text).links) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It was great.So happy",  # a missing space, not Somalia
        "You lose.You win",
        "files: report.pdf, photo.jpg, archive.tar.gz",
        "e.g. this, i.e. that, U.S. news",
        "email raj@example.com",
        "http://localhost:8080",
        "lose.today",  # everyday-word TLDs are left out of the compact list
    ],
)
def test_not_links(text: str) -> None:
    assert extract_entities(text).links == ()


def test_capitalised_tld_still_links_with_a_path_or_www() -> None:
    assert _texts("Go.To/x", tuple(link_spans("Go.To/x"))) == ["Go.To/x"]
    assert link_spans("Gallup.Com") == [(0, 10)]


def test_link_options_for_x() -> None:
    assert link_spans("great.So", sentence_guard=False) == [(0, 8)]
    assert link_spans("https://x.accountant", any_tld_after_scheme=False) == []


def test_known_tlds() -> None:
    assert {"com", "org", "uk", "de", "io", "app", "рф"} <= KNOWN_TLDS
    assert "zip" not in KNOWN_TLDS  # archive.zip is a file far more often than a link


# --- emoji ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("👨‍👩‍👧‍👦", 1),  # ZWJ family
        ("👍🏽", 1),  # skin tone
        ("🇬🇧🇫🇷", 2),  # two flags
        ("1️⃣ #⃣", 2),  # keycaps
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),  # Scotland: tag sequence
        ("❤️‍🔥", 1),  # heart on fire: BMP base with FE0F in a ZWJ sequence
        ("🏳️‍🌈", 1),
        ("✌︎", 0),  # text presentation asked for
        ("hello", 0),
        ("😷😷😷", 3),
    ],
)
def test_emoji_graphemes(text: str, count: int) -> None:
    spans = emoji_spans(text)
    assert len(spans) == count
    if count == 1:
        assert spans == [(0, len(text))]


def test_typographic_symbols_are_not_emoji_entities() -> None:
    text = "© 2024 Acme™ ® ❤"
    assert _texts(text, extract_entities(text).emoji) == ["❤"]


# --- the dataclass ----------------------------------------------------------------------------


def test_entities_of_a_post() -> None:
    text = "Hi @ana! #launch today 🚀 https://acme.com/x"
    ents = extract_entities(text)
    assert ents == Entities(
        hashtags=((9, 16),),
        mentions=((3, 7),),
        links=((25, len(text)),),
        emoji=((23, 24),),
    )
    with pytest.raises(AttributeError):
        ents.hashtags = ()  # type: ignore[misc]


def test_empty_text() -> None:
    assert extract_entities("") == Entities()
