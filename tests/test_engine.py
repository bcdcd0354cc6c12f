"""The engine's semantics: what each construct matches, and spans exact on the original text."""

from __future__ import annotations

from typing import Any

import pytest

import policylint
from policylint import Post
from policylint._model.struct import Struct


def matches(policy_text: str, text: str, **kwargs: Any) -> list[str]:
    policy = policylint.load_policy(policy_text)
    report = policy.check(text, **kwargs)
    for finding in report.findings:
        # the core invariant: a finding's match is exactly the original characters
        assert text[finding.start : finding.end] == finding.match
    return [f.match for f in report.findings]


def flag(pattern: str, text: str, **kwargs: Any) -> list[str]:
    return matches(f"rule t.r {{ flag {pattern} }}", text, **kwargs)


# ----------------------------------------------------------------------------- terms
@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        ('["guarantee"]', "We GUARANTEE it", ["GUARANTEE"]),
        ('["guarantee"]', "guaranteed", []),  # whole word
        ('["guarantee*"]', "Guaranteed returns, guarantees", ["Guaranteed", "guarantees"]),
        ('["*partner"]', "#CloudNinePartner here", ["CloudNinePartner"]),
        ('["sure thing"]', "a sure   thing", ["sure   thing"]),
        ('["sure thing"]', "a sure\nthing", ["sure\nthing"]),
        (
            '["risk-free"]',
            "risk free, risk-free and riskfree",
            ["risk free", "risk-free", "riskfree"],
        ),
        ('["can\'t lose"]', "you cant lose, can’t lose", ["cant lose", "can’t lose"]),
        ('["#ad"]', "#ad #adventure #Ad", ["#ad", "#Ad"]),
        ('["ad"]', "bad ad", ["ad"]),
        ('["café"]', "Cafe and CAFÉ", ["Cafe", "CAFÉ"]),
        ('["straße"]', "STRASSE", ["STRASSE"]),
    ],
)
def test_terms_are_case_insensitive_whole_words_with_wildcards(
    terms: str, text: str, expected: list[str]
) -> None:
    assert flag(terms, text) == expected


def test_overlapping_terms_report_the_longest_leftmost() -> None:
    assert flag('["guaranteed", "guaranteed returns"]', "guaranteed returns") == [
        "guaranteed returns"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "G\u200buaranteed returns",  # zero-width space inside the word
        "Guаranteed returns",  # Cyrillic а
        "ＧＵＡＲＡＮＴＥＥＤ returns",  # fullwidth
        "G-U-A-R-A-N-T-E-E-D returns",  # letter-spaced
        "gu4r4nt33d returns",  # leetspeak
        "Gua\u0301ranteed returns",  # combining accent
    ],
)
def test_obfuscation_is_folded_and_the_span_maps_back(text: str) -> None:
    found = flag('["guaranteed"]', text)
    assert len(found) == 1
    assert found[0] == text.split(" returns")[0]


def test_spans_are_exact_after_emoji_and_cjk() -> None:
    text = "👩🏽‍💻 漢字 ok: guaranteed 🇬🇧"
    policy = policylint.load_policy('rule t.r { flag ["guaranteed"] }')
    (finding,) = policy.check(text).findings
    assert (finding.start, finding.end) == (text.index("guaranteed"), text.index(" 🇬🇧"))
    assert finding.column == text.index("guaranteed") + 1


# ----------------------------------------------------------------------------- regex, detect
def test_regex_is_re2_on_the_plain_view() -> None:
    assert flag(r"/\bQ[1-4]\b/", "Q4 and q3 and Q5") == ["Q4"]
    assert flag(r"/\bq[1-4]\b/i", "Q4 and q3") == ["Q4", "q3"]
    # zero-width characters are removed before regexes run; the span still covers them
    assert flag(r"/AKIA[0-9A-Z]{4}/", "key AKIA\u200b1234!") == ["AKIA\u200b1234"]


def test_detectors_are_called_and_allow_compares_canonical_values() -> None:
    policy = 'rule t.r { flag detect(phone) unless allow ["+1 800 555 0100"] }'
    assert matches(policy, "Call us: 1-800-555-0100") == []
    assert matches(policy, "Call Ben: +44 7911 123456") == ["+44 7911 123456"]


def test_allow_can_name_a_list_setting() -> None:
    policy = """
    setting organisation.contact_emails = ["help@acme.example"]
    rule t.r { flag detect(email) unless allow organisation.contact_emails }
    """
    assert matches(policy, "Write to HELP@acme.example or jo@gmail.com") == ["jo@gmail.com"]


# ----------------------------------------------------------------------------- scopes
def test_first_and_last_scopes() -> None:
    assert flag('["#ad"] in first 10 chars', "#ad first ... #ad") == ["#ad"]
    assert flag('["x"] in last 1 words', "x y x") == ["x"]
    assert flag('["x"] in first 2 words', "a x x") == ["x"]
    assert flag('["x"] in first 1 lines', "x\nx") == ["x"]


def test_entity_scopes() -> None:
    assert flag('["ad"] in hashtags', "an ad #ad") == ["ad"]
    assert flag('["acme"] in mentions', "acme @acme") == ["acme"]
    assert flag('["internal"] in links', "internal https://internal.example/x") == ["internal"]


def test_field_scope_reports_the_field() -> None:
    policy = policylint.load_policy('rule t.r { flag ["lol"] in meta.alt }')
    report = policy.check("lol", meta={"alt": "a lol picture"})
    (finding,) = report.findings
    assert (finding.field, finding.match, finding.start) == ("meta.alt", "lol", 2)


# ----------------------------------------------------------------------------- combinators
def test_near_counts_words_between() -> None:
    assert flag('["sale"] near ["now"] within 1 words', "sale ends now") == ["sale"]
    assert flag('["sale"] near ["now"] within 0 words', "sale ends now") == []
    assert flag('["sale"] near ["now"] within 0 words', "now sale") == ["sale"]
    found = matches(
        'rule t.r { flag ["sale"] not near ["now"] within 0 words }', "sale now. The big Sale"
    )
    assert found == ["Sale"]


def test_followed_by_is_ordered() -> None:
    assert flag('["buy"] followed by ["now"] within 2 words', "now buy") == []
    assert flag('["buy"] followed by ["now"] within 2 words', "buy it now") == ["buy"]
    assert flag('["buy"] followed by ["now"] within 3 chars', "buy   now buy    now") == ["buy"]


def test_and_needs_both_or_takes_either() -> None:
    assert flag('["a"] and ["b"]', "a only") == []
    assert flag('["a"] and ["b"]', "b then a") == ["b", "a"]
    assert flag('["a"] or ["b"]', "b then a") == ["b", "a"]


# ----------------------------------------------------------------------------- require, when
def test_require_reports_absence_once() -> None:
    policy = 'rule t.r { require ["#ad"] in first 10 chars require ["x"] }'
    policy_obj = policylint.load_policy(policy)
    assert len(policy_obj.check("nothing here").findings) == 1
    assert policy_obj.check("#ad and x").findings == []


@pytest.mark.parametrize(
    ("condition", "platform", "meta", "fires"),
    [
        ('platform == "x"', "twitter", {}, True),
        ('platform == "twitter"', "X", {}, True),
        ('platform in ["linkedin", "x"]', "Twitter", {}, True),
        ('platform not in ["x"]', "linkedin", {}, True),
        ("meta.sponsored", None, {"sponsored": True}, True),
        ("meta.sponsored", None, {"sponsored": "no"}, False),
        ("meta.sponsored", None, {}, False),
        ('meta.industry == "finance"', None, {"industry": "Finance"}, True),
        ("meta.followers > 1000", None, {"followers": 5000}, True),
        ("meta.followers > 1000", None, {"followers": "many"}, False),
        ("not meta.sponsored", None, {}, True),
        ('meta.a and (meta.b or platform == "x")', "x", {"a": True}, True),
        ("length > 5", None, {}, True),
        ("exclamations >= 2", None, {}, False),
        ('contains ["hello"]', None, {}, True),
    ],
)
def test_guards(condition: str, platform: str | None, meta: dict[str, Any], fires: bool) -> None:
    policy = policylint.load_policy(f"rule t.r {{ when {condition} }}")
    report = policy.check("hello world", platform=platform, meta=meta)
    assert bool(report.findings) is fires


def test_x_length_uses_weighted_counting() -> None:
    policy = policylint.load_policy(
        'rule t.r { when platform == "x" and length > 280 message "{length}" }'
    )
    url = "https://example.com/" + "a" * 200
    assert policy.check("short " + url, platform="x").findings == []
    cjk = "漢" * 150  # each CJK character weighs 2: 300 > 280
    (finding,) = policy.check(cjk, platform="x").findings
    assert finding.message == "300"


# ----------------------------------------------------------------------------- unless
def test_negation_context_does_not_cross_sentences() -> None:
    policy = 'rule t.r { flag ["guaranteed"] unless preceded by ["no", "never"] within 3 words }'
    assert matches(policy, "Returns are never guaranteed") == []
    assert matches(policy, "No fees. Guaranteed returns") == ["Guaranteed"]


def test_unless_followed_and_near() -> None:
    followed = 'rule t.r { flag ["cure"] unless followed by ["not"] within 1 words }'
    assert matches(followed, "cure, not really") == []
    assert matches(followed, "cure? not really") == ["cure"]  # not across a sentence end
    near = 'rule t.r { flag ["cure"] unless near ["disclaimer"] within 1 words }'
    assert matches(near, "disclaimer: cure") == []
    assert matches(near, "disclaimer: we do not cure") == ["cure"]


def test_unless_matches_drops_parts_of_a_larger_match() -> None:
    policy = """rule t.r { flag ["guaranteed"]
      unless matches ["guaranteed investment certificate*"] }"""
    assert matches(policy, "Guaranteed Investment Certificates pay") == []
    assert matches(policy, "Guaranteed growth") == ["Guaranteed"]


def test_unless_condition_switches_the_rule_off_for_the_post() -> None:
    policy = 'rule t.r { flag ["x"] unless contains ["disclaimer"] unless meta.ok }'
    assert matches(policy, "x disclaimer") == []
    assert matches(policy, "x", meta={"ok": True}) == []
    assert matches(policy, "x") == ["x"]


# ----------------------------------------------------------------------------- findings
def test_message_placeholders_and_metadata() -> None:
    policy = policylint.load_policy(
        """
setting thresholds.n = 3
rule fin.x {
  category regulatory
  severity error
  owner "Compliance"
  reference "Rule 1" "https://example.org/r1"
  message "'{match}' on {platform} ({meta.industry}, {words} words, max {thresholds.n}) {{ok}}"
  flag ["guaranteed"]
  suggest "aims to"
}"""
    )
    (finding,) = policy.check(
        "Guaranteed returns", platform="linkedin", meta={"industry": "finance"}
    ).findings
    assert finding.message == "'Guaranteed' on linkedin (finance, 2 words, max 3) {ok}"
    assert (finding.rule, finding.category, finding.severity.value) == (
        "fin.x",
        "regulatory",
        "error",
    )
    assert (finding.owner, finding.reference, finding.reference_url) == (
        "Compliance",
        "Rule 1",
        "https://example.org/r1",
    )
    assert finding.suggestion == "aims to"


def test_findings_are_sorted_deduplicated_and_deterministic() -> None:
    policy = policylint.load_policy(
        'rule b.r { flag ["ex"] flag ["ex"] }\nrule a.r { flag ["why"] or ["ex"] }'
    )
    text = "why ex\nex why"
    first = policy.check(text).findings
    assert [(f.line, f.column, f.rule) for f in first] == [
        (1, 1, "a.r"),
        (1, 5, "a.r"),
        (1, 5, "b.r"),
        (2, 1, "a.r"),
        (2, 1, "b.r"),
        (2, 4, "a.r"),
    ]
    assert policy.check(text).findings == first


def test_positions_map_into_the_source_file() -> None:
    from policylint._model.posts import SourceLocation

    policy = policylint.load_policy('rule t.r { flag ["bad"] }')
    post = Post(
        text="ok\r\nso bad",
        source=SourceLocation(path="p.md", line=4, column=1, verbatim=True),
    )
    (finding,) = policy.check(post).findings
    assert (finding.path, finding.line, finding.column, finding.end_column) == ("p.md", 5, 4, 7)


def test_select_and_ignore_by_id_glob_and_category() -> None:
    policy = policylint.load_policy(
        'rule tone.a { category tone flag ["x"] }\n'
        'rule tone.b { category tone flag ["x"] }\n'
        'rule privacy.c { category privacy flag ["x"] }'
    )
    ids = lambda p: sorted({f.rule for f in p.check("x").findings})  # noqa: E731
    assert ids(policy.select(["tone.*"])) == ["tone.a", "tone.b"]
    assert ids(policy.select(["privacy"])) == ["privacy.c"]
    assert ids(policy.select(ignore=["tone.a", "privacy"])) == ["tone.b"]
    assert ids(policy.select(["tone"], ["tone.b"])) == ["tone.a"]


def test_check_many_counts_posts() -> None:
    policy = policylint.load_policy('rule t.r { flag ["x"] }')
    report = policylint.Report.from_results(policy.check_many(["x", "y", Post(text="x x")]))
    assert report.summary.posts_checked == 3
    assert len(report.findings) == 3


def test_examples_run_against_their_own_rule() -> None:
    policy = policylint.load_policy(
        'rule t.r { flag ["x"] example fail "x" example pass "y" example pass "x!" }'
    )
    results = policy.run_examples()
    assert [(r.expect, r.passed) for r in results] == [
        ("fail", True),
        ("pass", True),
        ("pass", False),
    ]
    assert results[2].found == ("x",)


def test_regex_prefilter_never_hides_a_match() -> None:
    # more regexes than one RE2 set holds, with flags, so several sets are used
    rules = "\n".join(f"rule r.n{i} {{ flag /\\bcode{i}x/i }}" for i in range(70))
    policy = policylint.load_policy(rules)
    text = " ".join(f"CODE{i}X" for i in range(0, 70, 3))
    assert sorted(f.rule for f in policy.check(text).findings) == sorted(
        f"r.n{i}" for i in range(0, 70, 3)
    )
    subset = policy.select(["r.n3", "r.n66"])
    assert sorted(f.rule for f in subset.check(text).findings) == ["r.n3", "r.n66"]
    # the parent still works after a copy was made
    assert len(policy.check("code69x").findings) == 1


def test_unicode_property_classes_are_not_mistaken_for_possessive_quantifiers() -> None:
    assert flag(r"/\b\p{Lu}\p{Ll}+\p{Lu}\p{Ll}+/", "CrookProof locks") == ["CrookProof"]
    with pytest.raises(policylint.PolicyError) as raised:
        policylint.load_policy(r"rule t.r { flag /a{2,3}+/ }")
    assert raised.value.first.code == "PL302"


def test_hashtag_scope_sees_through_zero_width_characters() -> None:
    assert flag('["#spon"] in hashtags', "Best SPF ever #sp\u200bon") == ["#sp\u200bon"]


def test_dates_from_the_api_compare_like_iso_strings() -> None:
    import datetime

    policy = policylint.load_policy("rule t.r { when meta.posted_at < meta.embargo_until }")
    meta = {
        "posted_at": datetime.datetime(2026, 5, 4, 9, 0),
        "embargo_until": "2026-05-05T09:00",
    }
    assert len(policy.check("x", meta=meta).findings) == 1


def _without_metric_bounds(value: object) -> int:
    """Make every comparison of ``value`` compute its metric (no upper-bound shortcut)."""
    from policylint._runtime.conditions import CompareNode

    if isinstance(value, CompareNode):
        value._rules_out = False
        return 1
    if isinstance(value, tuple | list):
        return sum(_without_metric_bounds(item) for item in value)
    if isinstance(value, Struct):
        return sum(_without_metric_bounds(item) for item in value.field_values())
    return 0


class _EveryRule:
    """A dispatch that asks every rule."""

    def __init__(self, count: int) -> None:
        self.count = count

    def candidates(self, state: object) -> range:
        return range(self.count)


def test_skipping_rules_a_post_cannot_trigger_changes_no_finding() -> None:
    """Rules are dispatched by the terms, regexes and platforms they need, and regexes are
    prefiltered by their atoms and RE2 sets; evaluating every rule and every regex on every
    post must give exactly the same findings."""
    import json
    from pathlib import Path

    from policylint._pipeline.findings import scan
    from policylint._pipeline.policy import checker_of
    from policylint._runtime.dispatch import guard_trigger, index_regexes, platforms_of, trigger
    from policylint._runtime.engine import Engine
    from policylint._runtime.rules import with_nodes

    engine = checker_of(policylint.load_policy()).engine
    rules = [with_nodes(rule) for rule in engine.rules]  # (from the cache: made on first use)
    # Every rule on every post (no dispatch), every regex searched (no prefilter index).
    loaded = checker_of(policylint.load_policy()).engine.executable
    everything = Engine(loaded._replace(regexes=None), kept=range(len(loaded.rules)))  # type: ignore[arg-type]
    everything._dispatch = _EveryRule(len(loaded.rules))  # type: ignore[assignment]
    assert _without_metric_bounds([with_nodes(rule) for rule in loaded.rules]) >= 10
    # trigger() needs the regexes numbered: the cache's numbering is the one a walk gives
    assert index_regexes(rules).table() == engine.executable.regexes.table()
    triggers = [t for r in rules if (t := trigger(r)) is not None]
    assert len(triggers) >= 50
    assert sum(bool(t.regexes) for t in triggers) >= 10
    assert sum(platforms_of(r) is not None for r in rules) >= 10
    texts = [
        "Guaranteed 12% returns every year! Email jo.smith.1990@gmail.com",
        "#ad Loving this pillow #sleep",
        "WE ARE CLOSED TODAY SORRY!!!",
        "Kids, tell us your name and school in the comments!",
        "Our shop opens at nine.",
        "WOW!!!! Best day ever!!!! 🎉🎉🎉🎉🎉🎉🎉🎉 call 07700 900982",
        "OMG YES this is HUGE. WE did IT, THANK you ALL @BigBrand https://t.co/AbC",
        "Long post. " * 40,
        "Card 4111 1111 1111 1111, sort code 12-34-56, account number 12345678",
        "Not guaranteed: past performance does not guarantee future results.",
    ]
    # the labelled corpus too: far more posts than the regex sets' warm-up, so the skip by
    # regex (which needs the sets) is exercised as well as the skip by term
    for path in sorted(Path(__file__).parent.joinpath("corpus").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    assert len(texts) > 500
    platforms = ("x", "instagram", "LinkedIn", None)
    # every metadata key a guard of builtin:all needs, so the dispatch by key is exercised
    metas: list[dict[str, object]] = [
        {"industry": "alcohol", "audience": "children"},
        {"industry": "financial", "company_type": "public", "quiet_period": True},
        {"region": "GB", "reply": True},
        {"region": "ES", "in_reply_to": "123"},
        {"image": True, "media_type": "video", "alt": "A red mug"},
        {"videos": ["a.mp4"], "images": ["b.png"], "media": "image"},
        {"embargo_until": "2031-01-01T00:00", "posted_at": "2030-01-01T00:00"},
        {"affiliate": True, "employee_advocacy": True},
        {"industry": "pharma"},
        {"industry": "cannabis"},
        {"industry": "nicotine"},
    ]
    fired: set[str] = set()
    for number, text in enumerate(texts):
        platform = platforms[number % len(platforms)]
        for meta in ({"sponsored": True}, {}, metas[number % len(metas)]):
            post = policylint.Post(text=text, platform=platform, meta=meta)
            found = scan(engine, post)
            assert found == scan(everything, post), (text, platform)
            fired.update(f.rule for f in found)
    # rules dispatched by their guards' metadata keys did run, and report
    guarded = {r.info.id for r in rules if trigger(r) is None and guard_trigger(r)}
    assert len(guarded & fired) >= 5, guarded & fired
    # and so did the rules dispatched by prechecks (digits, exclamation marks, emoji)
    prechecked = {r.info.id for r in rules if (t := trigger(r) or guard_trigger(r)) and t.prechecks}
    assert len(prechecked & fired) >= 4, prechecked & fired
    # and the rules whose comparisons a metric's bound can decide
    assert "tone.shouting.ratio" in fired
    assert any(rule.startswith("platform.") and rule.endswith(".length") for rule in fired)
    # platforms compare case-insensitively, in the dispatch as in the guards
    long_post = policylint.Post(text="Our news. " * 400, platform="LinkedIn")
    found = {f.rule for f in scan(engine, long_post)}
    assert "platform.linkedin.length" in found
    assert found == {f.rule for f in scan(everything, long_post)}
