"""The rule language's grammar: every construct parses into the AST we expect."""

from __future__ import annotations

from pathlib import Path

import pytest

import policylint
from policylint._lang import ast
from policylint._lang.parser import parse_policy
from policylint._model.errors import PolicyError


def parse_rule(body: str) -> ast.RuleNode:
    policy = parse_policy(f"rule t.r {{\n{body}\n}}\n", "t.policy")
    assert len(policy.rules) == 1
    return policy.rules[0]


def test_header_collects_extends_overrides_disables_and_settings() -> None:
    policy = parse_policy(
        """
policy "acme" {
  description "Acme's social policy"
  extends "builtin:privacy", "./finance.policy"
  severity tone.negative warning
  severity tone.* info
  disable legal.comparative, tone.shouting
  set organisation.competitors = ["Initech", "Globex"]
  set thresholds.exclamation = 3
}
""",
        "p.policy",
    )
    header = policy.header
    assert header is not None
    assert header.name == "acme"
    assert header.description == "Acme's social policy"
    assert [e.target for e in header.extends] == ["builtin:privacy", "./finance.policy"]
    assert [(o.rule, o.level) for o in header.severity_overrides] == [
        ("tone.negative", "warning"),
        ("tone.*", "info"),
    ]
    assert [d.rule for d in header.disables] == ["legal.comparative", "tone.shouting"]
    assert [(s.path, s.value) for s in header.sets] == [
        ("organisation.competitors", ["Initech", "Globex"]),
        ("thresholds.exclamation", 3),
    ]


def test_terms_and_settings_definitions() -> None:
    policy = parse_policy(
        'terms a = ["x", "y*"]\nterms b = a + ["z"]\nsetting thresholds.caps = 0.6\n', "t"
    )
    assert [t.name for t in policy.terms] == ["a", "b"]
    first = policy.terms[0].parts[0]
    assert isinstance(first, ast.TermsLiteral)
    assert [t.text for t in first.terms] == ["x", "y*"]
    second = policy.terms[1].parts
    assert isinstance(second[0], ast.TermsRef) and second[0].name == "a"
    assert policy.settings[0].path == "thresholds.caps"
    assert policy.settings[0].value == 0.6


def test_rule_metadata_fields() -> None:
    rule = parse_rule(
        """
  category  regulatory
  severity  error
  owner     "Compliance"
  reference "FINRA Rule 2210(d)(1)(B)" "https://www.finra.org/rules"
  message   "Promissory claim '{match}'"
  description \"\"\"
      Financial posts may not
      promise returns.
  \"\"\"
  flag ["guarantee*"]
  suggest "aims to" safe
  waivable false
"""
    )
    assert rule.category == "regulatory"
    assert rule.severity == "error"
    assert rule.owner == "Compliance"
    assert rule.reference == "FINRA Rule 2210(d)(1)(B)"
    assert rule.reference_url == "https://www.finra.org/rules"
    assert rule.message == "Promissory claim '{match}'"
    assert rule.description == "Financial posts may not\npromise returns."
    assert rule.suggest == "aims to" and rule.fix_safe is True
    assert rule.waivable is False


def test_category_may_be_the_platform_keyword() -> None:
    assert parse_rule('category platform\nflag ["x"]').category == "platform"


@pytest.mark.parametrize(
    ("source", "expected_type"),
    [
        ('["a", "b c"]', ast.TermsLiteral),
        ("guarantees", ast.TermsRef),
        ("organisation.competitors", ast.TermsRef),
        (r"/\d{3}-\d{4}/i", ast.Regex),
        ("detect(email)", ast.Detect),
        ('["#ad"] in first 125 chars', ast.Scoped),
        ('["x"] in last 2 words', ast.Scoped),
        ('["ad"] in hashtags', ast.Scoped),
        ('["x"] in mentions', ast.Scoped),
        ('["x"] in links', ast.Scoped),
        ('["x"] in meta.alt', ast.Scoped),
        ('["a"] near ["b"] within 3 words', ast.Near),
        ('["a"] not near ["b"] within 3 words', ast.Near),
        ('["a"] followed by ["b"] within 10 chars', ast.FollowedBy),
        ('["a"] or ["b"]', ast.AnyOf),
        ('["a"] and ["b"]', ast.AllOf),
        ('(["a"] or ["b"]) near ["c"] within 1 lines', ast.Near),
    ],
)
def test_every_pattern_construct(source: str, expected_type: type) -> None:
    rule = parse_rule(f"flag {source}")
    assert isinstance(rule.flags[0], expected_type)


def test_pattern_precedence_or_binds_loosest() -> None:
    rule = parse_rule('flag ["a"] and ["b"] or ["c"] near ["d"] within 2 words')
    top = rule.flags[0]
    assert isinstance(top, ast.AnyOf)
    assert isinstance(top.items[0], ast.AllOf)
    assert isinstance(top.items[1], ast.Near)


def test_regex_literal_unescapes_slash_and_keeps_flags() -> None:
    rule = parse_rule(r"flag /a\/b+/im")
    regex = rule.flags[0]
    assert isinstance(regex, ast.Regex)
    assert regex.source == "a/b+"
    assert regex.flags == "im"


def test_scope_details() -> None:
    rule = parse_rule('require ["#ad"] in first 125 chars')
    scoped = rule.requires[0]
    assert isinstance(scoped, ast.Scoped)
    assert (scoped.scope.kind, scoped.scope.amount, scoped.scope.unit) == ("first", 125, "chars")


@pytest.mark.parametrize(
    ("source", "expected_type"),
    [
        ('meta.industry == "finance"', ast.Compare),
        ("length > 280", ast.Compare),
        ("sentiment < -0.6", ast.Compare),
        ("hashtags >= 30", ast.Compare),
        ('platform in ["x", "threads"]', ast.Member),
        ('platform not in ["x"]', ast.Member),
        ("meta.sponsored", ast.Truthy),
        ('contains ["crypto"]', ast.Contains),
        ("not meta.sponsored", ast.Not),
        ('meta.a and meta.b or platform == "x"', ast.Or),
        ("(meta.a or meta.b) and meta.c", ast.And),
        ("exclamations > thresholds.exclamation", ast.Compare),
    ],
)
def test_every_condition_construct(source: str, expected_type: type) -> None:
    rule = parse_rule(f"when {source}")
    assert isinstance(rule.when[0], expected_type)


def test_contains_takes_a_proximity_and_and_stays_a_condition() -> None:
    rule = parse_rule('when contains ["a"] near ["b"] within 2 words and meta.x')
    condition = rule.when[0]
    assert isinstance(condition, ast.And)
    assert isinstance(condition.items[0], ast.Contains)
    assert isinstance(condition.items[0].pattern, ast.Near)


@pytest.mark.parametrize(
    ("source", "expected_type", "detail"),
    [
        ('preceded by ["not", "never"] within 3 words', ast.UnlessContext, "preceded"),
        ('followed by ["is not"] within 2 words', ast.UnlessContext, "followed"),
        ('near ["disclaimer"] within 5 words', ast.UnlessContext, "near"),
        ('allow ["+1 800 555 0100"]', ast.UnlessAllow, None),
        ("allow organisation.contact_phones", ast.UnlessAllow, None),
        ('matches ["guaranteed investment certificate"]', ast.UnlessMatches, None),
        ("meta.patient_authorization", ast.UnlessCondition, None),
        ('contains ["results may vary"]', ast.UnlessCondition, None),
    ],
)
def test_every_exception_construct(source: str, expected_type: type, detail: str | None) -> None:
    rule = parse_rule(f'flag ["x"]\nunless {source}')
    exception = rule.unless[0]
    assert isinstance(exception, expected_type)
    if detail is not None:
        assert isinstance(exception, ast.UnlessContext)
        assert exception.direction == detail


def test_examples_with_platform_and_meta() -> None:
    rule = parse_rule(
        'flag ["x"]\n'
        'example fail "x marks" with platform = "twitter", meta.sponsored = true, '
        'meta.media.alt = "a"\n'
        'example pass "nothing"'
    )
    fail, passing = rule.examples
    assert (fail.expect, fail.text, fail.platform) == ("fail", "x marks", "twitter")
    assert fail.meta == {"sponsored": True, "media": {"alt": "a"}}
    assert (passing.expect, passing.platform, passing.meta) == ("pass", None, {})


def test_keywords_need_word_boundaries() -> None:
    # 'flagship' and 'rules' are names, not the keywords 'flag' and 'rule'.
    policy = parse_policy('terms flagship = ["x"]\nterms rules = ["y"]\n', "t")
    assert [t.name for t in policy.terms] == ["flagship", "rules"]


def test_keywords_inside_dotted_names() -> None:
    policy = parse_policy('rule platform.x.length { when meta.platform == "x" }', "t")
    assert policy.rules[0].id == "platform.x.length"


def test_string_escapes_and_comments() -> None:
    rule = parse_rule(
        '# a comment\nmessage "say \\"hi\\"\\n\\u00e9" # trailing comment\nflag ["#ad"]'
    )
    assert rule.message == 'say "hi"\né'
    flag = rule.flags[0]
    assert isinstance(flag, ast.TermsLiteral)
    assert flag.terms[0].text == "#ad"


def test_positions_are_one_based_code_point_columns() -> None:
    policy = parse_policy('rule a.b {\n  flag ["😀x"] near guarantees within 2 words\n}', "t")
    near = policy.rules[0].flags[0]
    assert isinstance(near, ast.Near)
    assert isinstance(near.right, ast.TermsRef)
    assert (near.right.pos.line, near.right.pos.column) == (2, 20)


def test_empty_file_is_an_empty_policy() -> None:
    policy = parse_policy("# nothing here\n", "t")
    assert policy.rules == [] and policy.header is None


@pytest.mark.parametrize(
    "source",
    [
        'rule a.b { flag ["x"] near ["y"] }',  # proximity without distance
        'rule a.b { flag ["x"] in first chars }',  # scope without a number
        "rule a.b { flag }",  # flag without pattern
        'rule { flag ["x"] }',  # rule without id
        'rule a.b { flag ["x"]',  # unclosed block
        'terms = ["x"]',  # terms without a name
        "rule a.b { when length > }",  # comparison without right side
        'rule a.b { unless preceded ["x"] within 2 words }',  # missing 'by'
        'policy "p" { flag ["x"] }',  # rule statement in the header
        'rule a.b { example maybe "x" }',  # example kind
    ],
)
def test_malformed_constructs_are_policy_errors(source: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(source, "bad.policy")
    assert raised.value.diagnostics
    assert all(d.path == "bad.policy" for d in raised.value.diagnostics)


def test_a_utf8_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    """Editors on Windows may start a UTF-8 file with a BOM: it is read, positions unchanged."""
    policy = tmp_path / "org.policy"
    policy.write_bytes(b"\xef\xbb\xbfrule a.b {\n  flag detect(emial)\n}\n")
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy(policy)
    assert [(d.code, d.line, d.column) for d in raised.value.diagnostics] == [("PL205", 2, 15)]
    policy.write_bytes(b'\xef\xbb\xbfrule a.b { flag ["x"] }\n')
    assert [r.id for r in policylint.load_policy(policy).rules] == ["a.b"]
