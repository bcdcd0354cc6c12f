"""Cheap tests of a post that tell the rule dispatch a detector or metric has nothing to find.

Each precheck is a predicate of a post's views (:class:`~policylint._text.post.PostViews`).
A detector or metric that names one promises: when the precheck is false, it finds nothing
(a detector) or is 0 (a metric). A rule whose flags or guards can only fire through such
detectors and metrics is then skipped on posts that fail all of its prechecks (see
:class:`policylint._runtime.dispatch.RuleDispatch`): a post without seven digits in a row is not
searched for phone, card or social security numbers, one without a digit for IBANs, one
without an exclamation mark skips the rules that count them.

Detectors and metrics declare their precheck in one place each:
:data:`policylint.detectors.DETECTOR_PRECHECKS` (detector modules are imported lazily, so the
registry holds the names) and :attr:`policylint._runtime.metrics.Metric.precheck`.
``tests/test_prechecks.py`` checks every promise.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType

from policylint._runtime import metrics

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["MASKS", "PRECHECKS"]

# Python's \d is Unicode's decimal digits: every digit the detectors' regexes or
# phonenumbers (which reads Arabic-Indic digits too) can use.
_DIGIT = re.compile(r"\d")
# Seven digits in a row, with up to three spaces, dots, dashes, slashes or brackets between
# each two: every phone number holds such a run (the phone detector's own rule), and so do
# card numbers (13-19 digits, single spaces or dashes) and SSNs (ddd-dd-dddd).
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6}")
_LETTER = re.compile(r"[^\W\d_]")
#: The characters the exclamation and question metrics count.
EXCLAMATION_MARKS = frozenset(metrics.EXCLAMATION_MARKS)
QUESTION_MARKS = frozenset(metrics.QUESTION_MARKS)


def _digit(ctx: PostViews) -> bool:
    return _DIGIT.search(ctx.plain.text) is not None


def _digit_run(ctx: PostViews) -> bool:
    return _DIGIT_RUN.search(ctx.plain.text) is not None


def _exclamation(ctx: PostViews) -> bool:
    return not EXCLAMATION_MARKS.isdisjoint(ctx.text)


def _question(ctx: PostViews) -> bool:
    return not QUESTION_MARKS.isdisjoint(ctx.text)


def _non_ascii(ctx: PostViews) -> bool:
    return not ctx.text.isascii()


def _hash(ctx: PostViews) -> bool:
    plain = ctx.plain.text  # NFKC: the small and fullwidth number signs read as "#"
    return "#" in plain or "\uff03" in plain


def _letter(ctx: PostViews) -> bool:
    return _LETTER.search(ctx.plain.text) is not None


def _condition(ctx: PostViews) -> bool:
    """The condition detector's: once its vocabulary is loaded, the search itself (~15 us a
    post, kept for the detector; the rules it lets through cost ~170 us), before that a
    letter (a check of one post should not load 5,000 names only to skip two rules)."""
    # Not imported until a rule first runs the detector, and then not loaded either: a
    # check of one post need not import it (0.3 ms) for this.
    condition = sys.modules.get("policylint.detectors.condition")
    if condition is None or not condition.vocabulary_loaded():
        return _letter(ctx)
    return bool(condition.conditions_in(ctx.folded.text))


def _capital(ctx: PostViews) -> bool:
    plain = ctx.plain.text
    return plain.lower() != plain  # only a capital (or title-case) letter changes


def _address(ctx: PostViews) -> bool:
    from policylint.detectors.email import could_hold_address

    return could_hold_address(ctx.plain.text)


#: The symbols that may stand for a letter in a masked word (``f*ck``, ``sh!t``, ``s***``):
#: a post without one holds no masked spelling (``MaskedTermsNode``).
MASKS = frozenset("*#@$%!.-")


def _mask(ctx: PostViews) -> bool:
    """A letter, a mask symbol, then a letter or a mask ("f*c", "s**", "h.l"): every
    masked spelling holds one (its first mask follows a letter, and is not its last
    character alone). "Big news! 20% off" has none; "example.com" does."""
    text = ctx.text
    last = len(text) - 1
    for symbol in MASKS:
        at = text.find(symbol, 1)
        while 0 < at < last:
            after = text[at + 1]
            if text[at - 1].isalpha() and (after.isalpha() or after in MASKS):
                return True
            at = text.find(symbol, at + 1)
    return False


#: Every precheck, by name.
PRECHECKS: Mapping[str, Callable[[PostViews], bool]] = MappingProxyType(
    {
        "digit": _digit,
        "digit_run": _digit_run,
        "exclamation": _exclamation,
        "question": _question,
        "non_ascii": _non_ascii,
        "address": _address,
        "hash": _hash,
        "letter": _letter,
        "condition": _condition,
        "capital": _capital,
        "mask": _mask,
    }
)
