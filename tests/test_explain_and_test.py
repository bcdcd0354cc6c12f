"""``policylint explain`` and ``policylint test``: each example shown with the ``with ...``
it runs with, long text kept under its label, and ``test`` quiet unless asked (``-v``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint._cli.app import main
from policylint._cli.rulesdoc import render_rule
from policylint._lang.render import example_context, render_value
from policylint._model.rules import RuleExample, RuleInfo
from policylint._model.severity import Severity

POLICY = '''
rule fin.testimonial {
  category  regulatory
  description """
    Advisers' testimonials need disclosures: that the person is a client, whether they
    were paid, and any conflict of interest.
    """
  when      meta.company_type == "ria"
  flag      ["client"]
  example fail "Sam grew my IRA 30%! - client" with meta.company_type = "ria"
  example pass "Sam grew my IRA 30%! - client" with meta.company_type = "bank"
  example pass "no quote here" with platform = "x", meta.company_type = "ria"
}
rule fin.broken {
  flag ["guaranteed"]
  example pass "guaranteed returns" with meta.media.alt = "a \\"chart\\""
}
'''


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "org.policy"
    path.write_text(POLICY, encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_explain_shows_the_context_of_each_example(policy: Path) -> None:
    """The same text fails for an adviser and passes for a bank: both are shown as such."""
    out = invoke("explain", "fin.testimonial", "--isolated", "--policy", policy.name).output
    examples = [line.strip() for line in out.splitlines() if line.strip().startswith("example")]
    assert examples == [
        'example fail (with meta.company_type = "ria"): Sam grew my IRA 30%! - client',
        'example pass (with meta.company_type = "bank"): Sam grew my IRA 30%! - client',
        'example pass (with platform = "x", meta.company_type = "ria"): no quote here',
    ]


def test_explain_keeps_wrapped_lines_under_their_label(policy: Path) -> None:
    out = invoke("explain", "fin.testimonial", "--isolated", "--policy", policy.name).output
    lines = out.splitlines()
    why = next(i for i, line in enumerate(lines) if line.startswith("  why:"))
    start = lines[why].index("Advisers'")
    assert lines[why + 1] == " " * start + "were paid, and any conflict of interest."


def test_test_is_quiet_by_default(policy: Path) -> None:
    result = invoke("test", "--isolated", policy.name)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f'FAIL  {policy.name}:16: fin.broken: example pass "guaranteed returns" with '
        'meta.media.alt = "a \\"chart\\"": expected no finding, found: \'guaranteed\'',
        "3 passed, 1 failed",
    ]


def test_test_verbose_lists_every_example_with_its_context(policy: Path) -> None:
    lines = invoke("test", "-v", "--isolated", policy.name).output.splitlines()
    assert lines[:3] == [
        'ok    fin.testimonial: example fail "Sam grew my IRA 30%! - client" with '
        'meta.company_type = "ria"',
        'ok    fin.testimonial: example pass "Sam grew my IRA 30%! - client" with '
        'meta.company_type = "bank"',
        'ok    fin.testimonial: example pass "no quote here" with platform = "x", '
        'meta.company_type = "ria"',
    ]
    assert lines[-1] == "3 passed, 1 failed"
    # -q, the old way to ask for this, is still accepted
    assert invoke("test", "-q", "--isolated", policy.name).output.splitlines()[-1] == lines[-1]


def test_rule_pages_show_the_context_of_each_example() -> None:
    info = RuleInfo(
        id="a.b",
        category="tone",
        severity=Severity.WARNING,
        owner=None,
        reference=None,
        reference_url=None,
        message="m",
        description=None,
        suggestion=None,
        fix_safe=False,
        waivable=True,
        path="builtin:tone/x.policy",
        line=1,
        examples=(
            RuleExample("fail", "x", None, {"kind": "ria"}),
            RuleExample("pass", "x", None, {"kind": "bank"}),
        ),
    )
    page = render_rule(info)
    assert '- ✗ `x` (`with meta.kind = "ria"`)' in page
    assert '- ✓ `x` (`with meta.kind = "bank"`)' in page


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('say "hi"\n\\', '"say \\"hi\\"\\n\\\\"'),
        (True, "true"),
        (12, "12"),
        (0.5, "0.5"),
        (["a", 1, False], '["a", 1, false]'),
    ],
)
def test_values_are_written_as_a_policy_writes_them(value: object, written: str) -> None:
    assert render_value(value) == written


def test_example_context_flattens_nested_metadata() -> None:
    assert example_context(None, {}) == ""
    assert (
        example_context("x", {"media": {"alt": "a"}, "n": 2})
        == 'with platform = "x", meta.media.alt = "a", meta.n = 2'
    )
