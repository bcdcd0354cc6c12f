"""Findings people can act on: one problem is one finding, and each points at what to change.

Issue 15: overlapping matches of one rule are merged, a rule that restates another's finding
(``supersedes``) is not reported twice, and the built-in rules underline the text to change.
"""

from __future__ import annotations

from typing import Any

import pytest

import policylint
from policylint import PolicyError


@pytest.fixture(scope="module")
def builtin() -> Any:
    return policylint.load_policy()


def found(policy: Any, text: str, **kwargs: Any) -> list[tuple[str, str]]:
    report = policy.check(text, **kwargs)
    for finding in report.findings:
        assert text[finding.start : finding.end] == finding.match
    return [(f.rule, f.match) for f in report.findings]


# ------------------------------------------------------------------------------- one finding


def test_overlapping_matches_of_one_rule_are_one_finding(builtin: Any) -> None:
    text = "Earn 8% a year on your savings!"
    # fin.promise.learned reads the sentence as a promise too: another rule, its own finding.
    findings = found(builtin, text, meta={"industry": "finance"})
    assert [f for f in findings if f[0] == "fin.balance"] == [("fin.balance", "Earn 8% a year")]


def test_overlapping_matches_merge_into_their_union() -> None:
    policy = policylint.load_policy("rule t.r {\n  flag /abc/\n  flag /bcd/\n  flag /xy/\n}\n")
    assert found(policy, "abcd xy xy") == [("t.r", "abcd"), ("t.r", "xy"), ("t.r", "xy")]


def test_touching_matches_stay_apart() -> None:
    policy = policylint.load_policy('rule t.r { flag ["ab", "cd"] or /ab/ or /cd/ }\n')
    assert found(policy, "abcd") == [("t.r", "ab"), ("t.r", "cd")]


def test_a_buried_disclosure_is_reported_once(builtin: Any) -> None:
    text = (
        "Been sleeping so much better lately. Two weeks in and I wake up before my alarm, no "
        "snoozing, no grogginess, just coffee and a walk. Link in bio. #sleep #cozy #ad #night"
    )
    assert found(builtin, text, platform="instagram") == [("ad.disclosure.placement", "#ad")]
    # platform.fold still reports what nothing else does: a risk warning after the fold
    late = "Our new ISA pays up to 5.1% on balances up to £20,000, " * 3 + "Capital at risk."
    assert ("platform.fold", "Capital at risk") in found(builtin, late, platform="instagram")


SUPERSEDING = """
rule t.specific {
  severity   error
  flag       ["#ad"]
  supersedes t.general
}
rule t.general {
  flag ["#ad", "#sponsored"]
}
rule t.other {
  flag ["#ad"]
}
"""


def test_supersedes_drops_the_restated_finding_on_the_same_text() -> None:
    policy = policylint.load_policy(SUPERSEDING)
    assert sorted(found(policy, "a #ad and #sponsored")) == [
        ("t.general", "#sponsored"),  # not restated: t.specific has nothing there
        ("t.other", "#ad"),  # not named by t.specific: a different problem, still reported
        ("t.specific", "#ad"),
    ]


def test_a_superseded_rule_reports_alone_when_the_other_is_not_selected() -> None:
    policy = policylint.load_policy(SUPERSEDING).select(["t.general"])
    assert found(policy, "a #ad") == [("t.general", "#ad")]


def test_supersedes_covers_findings_of_the_whole_post() -> None:
    policy = policylint.load_policy(
        'rule t.a {\n  require ["#ad"]\n  supersedes t.b\n}\nrule t.b { require ["#ad"] }\n'
    )
    assert found(policy, "no disclosure") == [("t.a", "")]


def test_a_misspelt_superseded_rule_is_an_error_with_a_did_you_mean() -> None:
    with pytest.raises(PolicyError) as error:
        policylint.load_policy(
            'rule t.a {\n  flag ["x"]\n  supersedes t.genral\n}\nrule t.general { flag ["x"] }\n'
        )
    diagnostic = error.value.first
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("PL207", 3, 14)
    assert diagnostic.hint == "did you mean 't.general'?"


def test_a_rule_cannot_supersede_itself() -> None:
    with pytest.raises(PolicyError) as error:
        policylint.load_policy('rule t.a {\n  flag ["x"]\n  supersedes t.a\n}\n')
    assert error.value.first.code == "PL207"


def test_a_rule_of_a_pack_not_loaded_may_be_superseded() -> None:
    policy = policylint.load_policy('rule t.a {\n  flag ["x"]\n  supersedes platform.fold\n}\n')
    assert found(policy, "x") == [("t.a", "x")]
    # and the built-in regulatory pack loads without the platform pack it names
    assert policylint.load_policy("builtin:regulatory").rule("ad.disclosure.placement")


def test_examples_run_each_rule_alone(builtin: Any) -> None:
    failed = [r for r in builtin.run_examples() if not r.passed]
    assert failed == []


# ------------------------------------------------------------------------------- where to change


def test_an_exclamation_run_is_underlined_where_it_is(builtin: Any) -> None:
    pick = builtin.select(["tone.exclamation"])
    assert found(pick, "Big news today, we launched!!! Come see") == [("tone.exclamation", "!!!")]
    assert found(pick, "Doors open at 9 ‼️!") == [("tone.exclamation", "‼️!")]
    assert found(pick, "Wow!! Sale！！！") == [
        ("tone.exclamation", "!!"),
        ("tone.exclamation", "！！！"),
    ]
    # marks spread out one by one: the post as a whole, as before
    assert found(pick, "Wow! Amazing! Thanks! See you!") == [("tone.exclamation", "")]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Call me at (415-555-0132 now", "415-555-0132"),
        ("Call me at ( 415-555-0132 now", "415-555-0132"),
        ("Call me at (415) 555-0132 now", "(415) 555-0132"),
        ("Call me (at 415-555-0132) now", "415-555-0132"),
    ],
)
def test_a_phone_number_does_not_swallow_an_unclosed_bracket(
    builtin: Any, text: str, number: str
) -> None:
    assert found(builtin.select(["privacy.phone"]), text) == [("privacy.phone", number)]


def test_a_run_together_hashtag_gets_its_own_camel_case_as_the_fix(builtin: Any) -> None:
    report = builtin.select(["a11y.hashtag_case"]).check("Morning! #coffeelover #mondaymotivation")
    assert [(f.match, f.suggestion) for f in report.findings] == [
        ("#coffeelover", "#CoffeeLover"),
        ("#mondaymotivation", "#MondayMotivation"),
    ]
    assert report.findings[0].message.endswith("Capitalise each word: #CoffeeLover.")


@pytest.mark.parametrize(
    ("hashtag", "camel"),
    [
        ("#throwbackthursday2024", "#ThrowbackThursday2024"),
        ("#Mondaymotivation", "#MondayMotivation"),
        ("#smallbusinessoftheyear", "#SmallBusinessOfTheYear"),
        ("#xyzzy", "#xyzzy"),  # no split into known words: left as it is
    ],
)
def test_camel_case_splits_into_the_fewest_known_words(hashtag: str, camel: str) -> None:
    from policylint._text.camelcase import camel_case

    assert camel_case(hashtag) == camel


def test_a_suggestion_is_a_template_checked_when_the_policy_loads() -> None:
    policy = policylint.load_policy(
        'rule t.r {\n  flag ["teh"]\n  suggest "the (not {match})"\n}\n'
    )
    assert [f.suggestion for f in policy.check("teh end").findings] == ["the (not teh)"]
    for bad in ("{nope}", "{suggestion}"):
        with pytest.raises(PolicyError) as error:
            policylint.load_policy(f'rule t.r {{\n  flag ["teh"]\n  suggest "{bad}"\n}}\n')
        assert error.value.first.code == "PL215"
        assert "in suggestion" in error.value.first.message


def test_a_hostile_reply_is_not_excused_by_a_help_phrase(builtin: Any) -> None:
    tone = builtin.select(["tone.*"])
    for text in (
        "@dan your complaint is frankly stupid. DM us your order number",
        "@dan your complaint is frankly stupid. Sorry for the wait.",
    ):
        assert found(tone, text) == [("tone.hostile", "stupid")]
    # the post-level note is not repeated beside the insult it comes from
    assert found(tone, "@ben_k this is a terrible, stupid complaint and you are wrong") == [
        ("tone.hostile", "stupid")
    ]
    assert found(tone, "@ben_k that's awful, we're so sorry. DM us your order number?") == []
