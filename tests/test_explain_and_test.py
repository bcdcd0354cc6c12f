"""``policylint explain`` and ``policylint test``: each example shown with the ``with ...``
it runs with, long text kept under its label, and ``test`` quiet unless asked (``-v``)."""

from __future__ import annotations

import os
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


# ----------------------------------------------------------------------------- a folder
PACK_A = """
rule pack.base {
  flag ["cheap"]
  example fail "cheap shoes"
  example pass "good shoes"
}
"""
PACK_B = """
rule pack.special {
  flag ["cheap"] in hashtags
  supersedes pack.base
  example fail "#cheap"
  example pass "cheap"
}
"""
SUB = """
rule sub.one {
  flag ["free"]
  example fail "free gift"
  example fail "a gift"
}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder pack whose second file names a rule of the first (it does not load alone),
    a subfolder pack with one failing example, and a hidden folder with a broken file."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "rules"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.policy").write_text(PACK_A, encoding="utf-8")
    (root / "b.policy").write_text(PACK_B, encoding="utf-8")
    (root / "sub" / "one.policy").write_text(SUB, encoding="utf-8")
    (root / ".hidden" / "x.policy").write_text("rule {", encoding="utf-8")
    return root


def test_test_of_a_folder_tests_every_policy_file_in_it(folder: Path) -> None:
    result = CliRunner().invoke(main, ["test", "--isolated", "rules"])
    sep = os.sep
    assert result.stdout.splitlines() == [
        f"rules{sep}a.policy: 2 passed, 0 failed",
        f"rules{sep}b.policy: 2 passed, 0 failed",
        f'FAIL  rules{sep}sub{sep}one.policy:5: sub.one: example fail "a gift": '
        "expected a finding, found none",
        f"rules{sep}sub{sep}one.policy: 1 passed, 1 failed",
        "5 passed, 1 failed",
    ]
    assert result.exit_code == 1
    # the same by its absolute path; once every example passes, 0
    assert CliRunner().invoke(main, ["test", "--isolated", str(folder)]).exit_code == 1
    (folder / "sub" / "one.policy").write_text(SUB.replace('fail "a gift"', 'pass "a gift"'))
    assert CliRunner().invoke(main, ["test", "--isolated", "rules"]).exit_code == 0


def test_a_folder_that_does_not_load_is_reported_and_the_others_are_tested(folder: Path) -> None:
    (folder / "sub" / "two.policy").write_text('rule sub.two {\n  flag ["x"\n}\n')
    result = CliRunner().invoke(main, ["test", "--isolated", "rules"])
    assert result.exit_code == 2
    assert "two.policy:3:1: error[PL101]" in result.stderr
    assert "b.policy: 2 passed, 0 failed" in result.stdout
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"


def test_a_folder_without_policy_files_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["test", "--isolated", str(tmp_path)])
    assert result.exit_code == 2
    assert "no *.policy file" in result.stderr


def test_a_folder_is_a_policy_and_its_cache_entry_sees_a_new_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import policylint
    from policylint._cache import folder as cache_folder

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(folder.parent / "cache"))
    cache_folder.cache_dir.cache_clear()
    try:
        assert sorted(r.id for r in policylint.load_policy("rules").rules) == [
            "pack.base",
            "pack.special",
        ]
        (folder / "c.policy").write_text('rule pack.third { flag ["x"] }', encoding="utf-8")
        assert len(policylint.load_policy("rules").rules) == 3
    finally:
        cache_folder.cache_dir.cache_clear()
