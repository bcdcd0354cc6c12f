"""Issue 17, round 5: judgement from several weak cues (``at least K of (...)``) and the
sentence as a unit (``within N sentences``, ``in first N sentences``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import policylint
from policylint import PolicyError
from policylint._text.sentences import sentence_starts

CUES = """
rule t.cues {
  category tone
  message "two cues"
  when at least 2 of (contains ["you"], contains ["clearly"], contains ["🙄"])
  flag /(?s).+/
}
"""


def fired(policy: policylint.Policy, text: str, **meta: Any) -> bool:
    return bool(policy.check(text, meta=meta or None).findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You clearly missed it", True),
        ("clearly 🙄", True),
        ("You missed it 🙄 clearly", True),  # all three
        ("You missed it", False),  # one cue is not enough
        ("clearly the best", False),
        ("nothing here", False),
    ],
)
def test_at_least_counts_the_conditions_that_hold(text: str, expected: bool) -> None:
    assert fired(policylint.load_policy(CUES), text) is expected


def test_at_least_mixes_any_kind_of_condition_and_nests() -> None:
    policy = policylint.load_policy(
        """
rule t.mixed {
  when at least 2 of (
    meta.reply,
    exclamations > 2,
    at least 1 of (contains ["whatever"], contains ["sure, because"])
  )
  flag /(?s).+/
}
"""
    )
    assert fired(policy, "whatever", reply=True)
    assert fired(policy, "Fine!!! whatever")
    assert not fired(policy, "Fine!!!")
    assert not fired(policy, "thanks", reply=True)


@pytest.mark.parametrize(("count", "column"), [("0", 17), ("3", 17)])
def test_a_count_outside_one_to_n_is_an_error_at_the_count(count: str, column: int) -> None:
    when = f'when at least {count} of (meta.reply, contains ["x"])'
    text = f'rule t.r {{\n  {when}\n  flag ["y"]\n}}\n'
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (error,) = caught.value.diagnostics
    assert (error.code, error.line, error.column) == ("PL216", 2, column)
    assert "from 1 to 2" in (error.hint or "")


def test_one_condition_is_not_a_list_of_cues() -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy('rule t.r {\n  when at least 1 of (meta.reply)\n  flag ["y"]\n}\n')
    assert caught.value.diagnostics[0].code == "PL101"


def test_a_rule_of_term_cues_is_dispatched_only_to_posts_holding_one() -> None:
    """When every cue needs a term, a post holding none of them skips the rule (and the
    skipping changes no result: the same posts are checked both ways)."""
    from policylint._pipeline.policy import checker_of
    from policylint._runtime.dispatch import guard_trigger
    from policylint._runtime.rules import with_nodes

    def need(text: str) -> Any:
        (rule,) = [with_nodes(r) for r in checker_of(policylint.load_policy(text)).engine.rules]
        return guard_trigger(rule)

    assert need(CUES).terms and not need(CUES).meta
    with_reply = need(CUES.replace('contains ["🙄"]', "meta.reply"))
    assert with_reply.terms and with_reply.meta == {"reply"}  # a term or a reply
    # A cue that holds on a post without anything in it: no shortcut at all.
    assert need(CUES.replace('contains ["🙄"]', 'not contains ["thanks"]')) is None
    negated = policylint.load_policy(CUES.replace('contains ["🙄"]', 'not contains ["thanks"]'))
    assert fired(negated, "clearly") and not fired(negated, "clearly, thanks")


def test_a_cached_at_least_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(CUES)
    for text in ("You clearly missed it", "You missed it", "clearly 🙄"):
        assert cached.check(text) == fresh.check(text)


# ----------------------------------------------------------------------------- sentences
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
        ("Dr. Okafor saw Mrs. Lee. Then lunch.", ["Dr. Okafor saw Mrs. Lee. ", "Then lunch."]),
        ("J. Smith, e.g. this one. Next", ["J. Smith, e.g. this one. ", "Next"]),
        ('She said "no." Then left', ['She said "no." ', "Then left"]),
        ("a line\nanother line", ["a line\n", "another line"]),
        ("Wait… what?! ok", ["Wait… ", "what?! ", "ok"]),
        ("v1.2 is out", ["v1.2 is out"]),  # a dot inside a word ends nothing
        ("The end.", ["The end."]),
    ],
)
def test_sentence_starts(text: str, expected: list[str]) -> None:
    starts = sentence_starts(text)
    pieces = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert pieces == expected


SAME_SENTENCE = """
rule t.sentence {
  flag ["patient"] near ["insulin"] within 0 sentences
}
rule t.next {
  flag ["patient"] followed by ["insulin"] within 1 sentences
}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My patient, who taught at Elm St, skipped insulin all week.", ["t.next", "t.sentence"]),
        ("Dr. Okafor's patient skipped insulin.", ["t.next", "t.sentence"]),
        ("My patient was lovely. Insulin prices are up.", ["t.next"]),
        ("My patient was lovely\nInsulin prices are up", ["t.next"]),
        ("Insulin prices are up. My patient was lovely.", []),  # followed by: order counts
        ("My patient was lovely. Sunny. Insulin prices are up.", []),
    ],
)
def test_near_within_sentences(text: str, expected: list[str]) -> None:
    policy = policylint.load_policy(SAME_SENTENCE)
    assert sorted(f.rule for f in policy.check(text).findings) == expected


def test_in_first_and_last_sentences() -> None:
    policy = policylint.load_policy(
        'rule t.first { flag ["sorry"] in first 1 sentences }\n'
        'rule t.last { flag ["sorry"] in last 2 sentences }\n'
    )
    rules = lambda text: sorted(f.rule for f in policy.check(text).findings)  # noqa: E731
    assert rules("Sorry! We will fix it. Promise.") == ["t.first"]
    assert rules("We will fix it. Sorry. Promise.") == ["t.last"]
    assert rules("Sorry.") == ["t.first", "t.last"]


def test_a_sentence_distance_may_be_a_setting() -> None:
    policy = policylint.load_policy(
        "setting thresholds.sentences = 1\n"
        'rule t.r { flag ["patient"] near ["insulin"] within thresholds.sentences sentences }\n'
    )
    assert fired(policy, "My patient. Insulin.")
    assert not fired(policy, "My patient. Then. Insulin.")


# ----------------------------------------------------------------------------- named cues
NAMED = """
rule t.named {
  category tone
  message "Reads as a put-down ({cues})"
  when at least 2 of (
    addressed: contains ["you"],
    judged: contains ["clearly", "obviously"],
    contains ["🙄"],
    reply: meta.reply
  )
  flag /(?s).+/
}
"""


@pytest.mark.parametrize(
    ("text", "reply", "message"),
    [
        ("You clearly missed it", False, "Reads as a put-down (addressed, judged)"),
        ("clearly 🙄", False, "Reads as a put-down (judged)"),  # an unnamed cue is not named
        ("You missed it", True, "Reads as a put-down (addressed, reply)"),
    ],
)
def test_the_message_names_the_cues_that_held(text: str, reply: bool, message: str) -> None:
    policy = policylint.load_policy(NAMED)
    (finding,) = policy.check(text, meta={"reply": reply}).findings
    assert finding.message == message


def test_cues_is_an_unknown_placeholder_without_named_cues() -> None:
    text = 'rule t.r {\n  message "{cues}"\n  when at least 1 of (meta.a, meta.b)\n}\n'
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (error,) = caught.value.diagnostics
    assert (error.code, error.line, error.column) == ("PL215", 2, 12)


def test_two_cues_of_one_name_are_an_error_at_the_second() -> None:
    text = "rule t.r {\n  when at least 1 of (a: meta.a,\n    a: meta.b)\n}\n"
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (error,) = caught.value.diagnostics
    assert (error.code, error.line, error.column) == ("PL216", 3, 5)


def test_cached_named_cues_behave_as_fresh_ones(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(NAMED)
    for text in ("You clearly missed it", "You missed it", "clearly 🙄"):
        assert cached.check(text) == fresh.check(text)
        assert [f.message for f in cached.check(text).findings] == [
            f.message for f in fresh.check(text).findings
        ]


def test_the_cues_of_a_branch_that_failed_are_not_named() -> None:
    policy = policylint.load_policy(
        """
rule t.r {
  message "({cues})"
  when at least 2 of (a: contains ["x"], b: at least 1 of (c: contains ["y"], d: meta.d),
                      e: contains ["z"]) or contains ["w"]
  flag /(?s).+/
}
"""
    )
    (finding,) = policy.check("y w").findings  # inner held (c), outer failed; w decided
    assert finding.message == "()"
    (finding,) = policy.check("y z").findings
    assert finding.message == "(c, b, e)"


LABELLED = """
rule demo.card_network {
  category privacy
  message "A {label} card number{label}"
  flag detect(card) or ["iban:"]
}
"""


def test_the_label_placeholder_gives_the_detection_that_matched() -> None:
    policy = policylint.load_policy(text=LABELLED)
    [card] = policy.check("Card 4111 1111 1111 1111").findings
    assert card.message == "A visa card numbervisa"
    # A flag that is not a detection has no label: the placeholder is left empty.
    [term] = policy.check("our iban: see the invoice").findings
    assert term.message == "A  card number"
