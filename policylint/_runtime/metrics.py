"""Numeric metrics of a post, by the names the rule language uses (``when length > 280``).

Each metric is a :class:`Metric` in :data:`METRICS`; to add one, write a function of a post's
views (:class:`~policylint._text.post.PostViews`) and add a line to ``_METRICS`` below. Metrics
are computed at most once per post (the context caches them), so they may be as slow as they
need to be, but importing this module must stay cheap: a metric imports what it needs when
it runs (``sentiment`` loads VADER's lexicon the first time, about 30 ms).

Counts of hashtags, mentions, links and emoji come from :mod:`policylint._text.entities`;
``length`` counts the way the post's platform does (:mod:`policylint._text.platforms`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from types import MappingProxyType

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._text.post import PostViews

__all__ = ["EXCLAMATION_MARKS", "METRICS", "QUESTION_MARKS", "Metric"]


class Metric(NamedTuple):
    """A number computed from a post."""

    name: str
    description: str
    compute: Callable[[PostViews], float]
    #: A :data:`policylint._runtime.prechecks.PRECHECKS` name: when it is false, the metric is 0.
    precheck: str | None = None
    #: A cheap upper bound of the metric: ``length > 280`` is false on a post whose bound
    #: is 280 or less, without finding its links and emoji.
    bound: Callable[[PostViews], float] | None = None


# --------------------------------------------------------------------------------------------
# Length and counts
# --------------------------------------------------------------------------------------------
def _length(ctx: PostViews) -> int:
    from policylint._text.platforms import length_for

    return length_for(ctx.text, ctx.platform, _own_domains(ctx))


def _own_domains(ctx: PostViews) -> tuple[str, ...]:
    # The organisation's own domains are links on X and Mastodon whatever their TLD; the
    # settings are the engine's (PostContext), absent when a metric is computed on bare views.
    settings: Mapping[str, Any] = getattr(ctx, "settings", None) or {}
    return tuple(str(domain) for domain in settings.get("organisation.domains") or ())


def _length_bound(ctx: PostViews) -> float:
    # Every platform's length is at most two per code point of the NFC text, or one when it
    # is ASCII (X weighs 1 or 2, an emoji sequence 2 in all; the others count code points or
    # fewer graphemes), plus 22 per link (a link of at least one character counts 23), and
    # every link holds a dot.
    text = ctx.text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        return 2 * len(text) + 22 * text.count(".")
    return len(text) + 22 * text.count(".")


# A thread written as one text: each post opens a line with its number, "1/", "2/" or
# "2/5" (the way threads are drafted in calendars and docs).
_THREAD_MARK = re.compile(r"(?m)^[ \t]*(\d{1,2})[ \t]*/(?:[ \t]*\d{1,2})?(?=\s)")


def _thread_parts(text: str) -> list[str]:
    """The posts of a thread drafted as one text, or ``[text]`` when it is not one: the text
    must open with "1/" and number its posts 2, 3... in order, at line starts."""
    marks = list(_THREAD_MARK.finditer(text))
    numbers = [int(mark.group(1)) for mark in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return [text]
    if text[: marks[0].start()].strip():
        return [text]
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    return [text[mark.start() : end].strip() for mark, end in zip(marks, ends, strict=True)]


def _thread_posts(ctx: PostViews) -> int:
    return len(_thread_parts(ctx.text)) if ctx.text.strip() else 0


def _longest_post(ctx: PostViews) -> int:
    from policylint._text.platforms import length_for

    parts = _thread_parts(ctx.text)
    if len(parts) == 1:
        return _length(ctx)
    own_domains = _own_domains(ctx)
    return max(length_for(part, ctx.platform, own_domains) for part in parts)


def _chars(ctx: PostViews) -> int:
    return len(unicodedata.normalize("NFC", ctx.text))


def _words(ctx: PostViews) -> int:
    return sum(1 for token in ctx.text.split() if any(ch.isalnum() for ch in token))


def _lines(ctx: PostViews) -> int:
    return len(ctx.text.splitlines())


def _hashtags(ctx: PostViews) -> int:
    return len(ctx.entities.hashtags)


def _mentions(ctx: PostViews) -> int:
    return len(ctx.entities.mentions)


def _links(ctx: PostViews) -> int:
    return len(ctx.entities.links)


def _emoji(ctx: PostViews) -> int:
    return len(ctx.entities.emoji)


# --------------------------------------------------------------------------------------------
# Punctuation
# --------------------------------------------------------------------------------------------
# How many marks each character stands for: the full-width forms, the doubled ones and the
# emoji forms count too, so "‼️" cannot dodge a rule that "!!" would trip.
EXCLAMATION_MARKS = {"!": 1, "\uff01": 1, "\u203c": 2, "\u2049": 1, "\u2757": 1, "\u2755": 1}
QUESTION_MARKS = {
    "?": 1,
    "\uff1f": 1,
    "\u2047": 2,
    "\u2048": 1,
    "\u2049": 1,
    "\u2753": 1,
    "\u2754": 1,
}


def _count_marks(text: str, marks: Mapping[str, int]) -> int:
    # str.count per mark: a handful of C scans instead of a Python loop over every character
    return sum(text.count(mark) * weight for mark, weight in marks.items())


def _longest_run(text: str, marks: Mapping[str, int]) -> int:
    """Longest stretch of ``marks`` in a row (variation selectors between them ignored)."""
    if not any(mark in text for mark in marks):
        return 0  # most posts: no mark at all
    best = run = 0
    for ch in text:
        weight = marks.get(ch)
        if weight is not None:
            run += weight
            best = max(best, run)
        elif ch not in "\ufe0e\ufe0f":
            run = 0
    return best


def _exclamations(ctx: PostViews) -> int:
    return _count_marks(ctx.text, EXCLAMATION_MARKS)


def _exclamation_run(ctx: PostViews) -> int:
    return _longest_run(ctx.text, EXCLAMATION_MARKS)


def _questions(ctx: PostViews) -> int:
    return _count_marks(ctx.text, QUESTION_MARKS)


# --------------------------------------------------------------------------------------------
# Capitals
# --------------------------------------------------------------------------------------------
def _prose(ctx: PostViews) -> str:
    """The text with links and @-mentions blanked: ``t.co/AbC`` and ``@NASA`` are not shouting."""
    spans = sorted((*ctx.entities.links, *ctx.entities.mentions))
    if not spans:
        return ctx.text
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(ctx.text[pos:start])
        parts.append(" " * (end - start))
        pos = end
    parts.append(ctx.text[pos:])
    return "".join(parts)


def _caps_ratio(ctx: PostViews) -> float:
    prose = _prose(ctx)
    # map() keeps the per-character tests in C (no character is both upper and lower case)
    upper = sum(map(str.isupper, prose))
    lower = sum(map(str.islower, prose))
    cased = upper + lower
    return upper / cased if cased else 0.0


_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
# A whitespace-separated token holding "@" or "." (bytes \s is ASCII whitespace less
# \x1c-\x1f, which str.split() also splits at: tokens can only be longer, the bound higher).
# Anchored at a token's start, so a long token is scanned once, not once per character.
_ASCII_LINKISH_TOKEN = re.compile(rb"(?<!\S)\S*[@.]\S*")


def _caps_ratio_bound(ctx: PostViews) -> float:
    """At least the capitals ratio, without finding links and mentions: all capitals of the
    text over them plus the lower-case letters outside any token that could hold a link or
    a mention (one with a dot or an at sign, in its plain form)."""
    text = ctx.text
    if text.isascii():
        # Most posts: counted by deleting letters with bytes.translate, all in C.
        data = text.encode("ascii")
        upper = len(data) - len(data.translate(None, _ASCII_UPPER))
        if not upper:
            return 0.0
        if b"@" in data or b"." in data:
            data = _ASCII_LINKISH_TOKEN.sub(b"", data)
        return upper / (upper + len(data) - len(data.translate(None, _ASCII_LOWER)))
    upper = sum(map(str.isupper, text))
    if not upper:
        return 0.0
    lower = sum(map(str.islower, text))
    from policylint._text.views import plain_view

    # Entities are found on the plain view, which maps no whitespace away: each one lies
    # inside a whitespace-separated token of the text.
    for token in text.split():
        plain = token if token.isascii() else plain_view(token).text
        if "@" in plain or "." in plain:
            lower -= sum(map(str.islower, token))
    return upper / (upper + lower) if upper + lower > 0 else 1.0


def _caps_run(ctx: PostViews) -> int:
    """Longest run of consecutive all-capital words of two letters or more.

    Words are whitespace-separated tokens; punctuation, digits and emoji in them are
    ignored. A token with fewer than two letters ("I", "A", "2", "-") neither counts nor
    breaks a run ("THIS IS A SCAM" is 3); a token with a lower-case letter breaks it.
    """
    best = run = 0
    for token in _prose(ctx).split():
        if token.isascii() and not token.isupper():
            # The common case, decided without a per-character loop: an ASCII token that is
            # not all capitals has a lower-case letter (it breaks the run) or no letter.
            if token.upper() != token:
                run = 0
            continue
        letters = [ch for ch in token if ch.isalpha()]
        if any(ch.islower() for ch in letters):
            run = 0
        elif len(letters) >= 2 and any(ch.isupper() for ch in letters):
            run += 1
            best = max(best, run)
    return best


def _caps_run_bound(ctx: PostViews) -> float:
    """At least the longest capitals run, without finding links and mentions: each word of a
    run has a capital letter, and an ASCII one two (links and mentions only remove words)."""
    text = ctx.text
    if text.isascii():
        data = text.encode("ascii")
        return (len(data) - len(data.translate(None, _ASCII_UPPER))) // 2
    return sum(map(str.isupper, text))


# --------------------------------------------------------------------------------------------
# Sentiment
# --------------------------------------------------------------------------------------------
@cache
def _vader() -> Any:
    """VADER's analyser, built once per process (loading its lexicons takes ~30 ms)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


#: Most words VADER scores at once. VADER's cost grows with the square of the words it is
#: given (it lowers every word again for each one it scores: 100,000 characters took 8 s),
#: so a longer post is scored in groups of whole sentences of at most this many words. No
#: social post is this long (LinkedIn's 3,000 characters are about 500 words).
SENTIMENT_WORDS = 1_000

# A sentence ends after . ! ? or a line break (the punctuation stays with it).
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


def _sentiment(ctx: PostViews) -> float:
    """VADER's compound score; past :data:`SENTIMENT_WORDS` words, the mean of the scores
    of its sentence groups, each weighted by its words."""
    text = ctx.text
    if len(text.split(None, SENTIMENT_WORDS)) <= SENTIMENT_WORDS:
        return float(_vader().polarity_scores(text)["compound"])
    total = weight = 0.0
    for group in _sentence_groups(text, SENTIMENT_WORDS):
        words = len(group.split())
        total += words * float(_vader().polarity_scores(group)["compound"])
        weight += words
    return total / weight if weight else 0.0


def _sentence_groups(text: str, most: int) -> Iterator[str]:
    """``text`` cut into runs of whole sentences of at most ``most`` words (a longer
    sentence is cut between words)."""
    group: list[str] = []
    for found in _SENTENCE.finditer(text):
        words = found.group().split()
        if group and len(group) + len(words) > most:
            yield " ".join(group)
            group = []
        while len(words) > most:
            yield " ".join(words[:most])
            words = words[most:]
        group += words
    if group:
        yield " ".join(group)


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------
_METRICS = (
    Metric(
        "length",
        "Length as the post's platform counts it (X: weighted, URLs 23, CJK and emoji 2; "
        "Bluesky: graphemes; others: characters). Without a platform: characters.",
        _length,
        bound=_length_bound,
    ),
    Metric(
        "thread_posts",
        'Posts of a thread drafted as one text (lines opening "1/", "2/"... in order); 1 '
        "for any other post, 0 for an empty one.",
        _thread_posts,
    ),
    Metric(
        "longest_post",
        "The length, as the platform counts it, of the longest post of a thread drafted "
        "as one text; `length` for any other post.",
        _longest_post,
        bound=_length_bound,
    ),
    Metric("chars", "Characters (Unicode code points after NFC normalisation).", _chars),
    Metric("words", "Words: whitespace-separated tokens holding a letter or digit.", _words),
    Metric("lines", "Lines of text (a trailing line break does not start a new one).", _lines),
    Metric("hashtags", "Number of hashtags.", _hashtags),
    Metric("mentions", "Number of @-mentions.", _mentions),
    Metric("links", "Number of links (URLs and bare domains such as example.com/x).", _links),
    Metric(
        "emoji",
        "Number of emoji (a ZWJ sequence, flag or skin-toned emoji is one).",
        _emoji,
        "non_ascii",
    ),
    Metric(
        "exclamations",
        "Number of exclamation marks (full-width and emoji forms too; '‼' counts 2).",
        _exclamations,
        "exclamation",
    ),
    Metric(
        "exclamation_run",
        "Longest run of consecutive exclamation marks.",
        _exclamation_run,
        "exclamation",
    ),
    Metric(
        "questions",
        "Number of question marks (full-width and emoji forms too).",
        _questions,
        "question",
    ),
    Metric(
        "caps_ratio",
        "Share of capitals among cased letters, 0 to 1 (0 without letters); links and "
        "mentions are left out.",
        _caps_ratio,
        bound=_caps_ratio_bound,
    ),
    Metric(
        "caps_run",
        "Longest run of consecutive ALL-CAPS words of two letters or more.",
        _caps_run,
        bound=_caps_run_bound,
    ),
    Metric(
        "sentiment",
        "VADER compound sentiment score, from -1 (most negative) to 1 (most positive); "
        "past 1,000 words, the words-weighted mean over groups of sentences.",
        _sentiment,
    ),
)


#: Every metric the rule language knows, by name, in the order above.
METRICS: Mapping[str, Metric] = MappingProxyType({m.name: m for m in _METRICS})
