"""A selector that names no rule is an error at every entry point, never a quiet pass.

``policylint check drafts --select privcy`` used to print "0 findings" and exit 0: the worst
way for a linter to fail. Every place a selector comes from is tried here: the command line
(through the console script's fast path and through click), ``.policylint.toml``,
``pyproject.toml``, ``[[overrides]]`` and the library's ``Policy.select``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import policylint
from policylint._cli.app import main as click_main

POLICY = """
rule tone.shouting {
  category tone
  severity warning
  flag ["LOUD"]
}
rule tone.exclaim {
  category tone
  severity warning
  flag ["wow"]
}
rule privacy.email {
  category privacy
  severity error
  flag detect(email)
}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script's way in (``python -m policylint`` takes the fast path)."""
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1"},
    )


def run_click(*args: str, cwd: Path) -> tuple[int, str]:
    """The same command line through the click application."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(click_main, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.txt").write_text("Mail ben@example.com LOUD\n", encoding="utf-8")
    return tmp_path


# --- the command line -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["--select", "privcy"],
            "error: --select 'privcy' names no rule of org.policy",
            "= hint: did you mean 'privacy'?",
        ),
        (
            ["--select", "tone.shoutin"],
            "error: --select 'tone.shoutin' names no rule of org.policy",
            "= hint: did you mean 'tone.shouting'?",
        ),
        (
            ["--select", "legal.*"],
            "error: --select 'legal.*' names no rule of org.policy",
            "= hint: the policy's categories are privacy, tone",
        ),
        (
            ["--ignore", "tone.nope"],
            "error: --ignore 'tone.nope' names no rule of org.policy",
            "= hint: did you mean 'tone'?",
        ),
        (
            ["--select", "tone", "--extend-select", "privacy.emial"],
            "error: --extend-select 'privacy.emial' names no rule of org.policy",
            "= hint: did you mean 'privacy.email'?",
        ),
    ],
)
def test_an_unknown_selector_on_the_command_line_is_a_usage_error(
    repo: Path, args: list[str], message: str, hint: str
) -> None:
    command = ["check", "--isolated", "--policy", "org.policy", *args, "drafts"]
    result = run(*command, cwd=repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(message + "\n  " + hint), result.stderr
    assert run_click(*command, cwd=repo) == (2, result.stderr)


def test_a_selector_of_a_bigger_policy_is_still_an_error_for_this_one(repo: Path) -> None:
    # 'legal' selects rules of builtin:all, but none of org.policy: it would check nothing.
    assert policylint.load_policy("builtin:all").select(["legal"]).rules
    result = run("check", "--isolated", "-p", "org.policy", "--select", "legal", "drafts", cwd=repo)
    assert result.returncode == 2
    assert "--select 'legal' names no rule of org.policy" in result.stderr


def test_a_selection_that_leaves_no_rule_is_an_error(repo: Path) -> None:
    command = ["check", "--isolated", "-p", "org.policy", "--select", "tone", "--ignore", "tone.*"]
    result = run(*command, "drafts", cwd=repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "error: no rule is left to check drafts/a.txt: select tone minus ignore tone.* "
        "leaves none of the 3 rules of org.policy"
    )
    assert run_click(*command, "drafts", cwd=repo)[0] == 2


def test_a_policy_without_rules_checks_nothing_and_says_so(repo: Path) -> None:
    (repo / "empty.policy").write_text('policy "empty" { description "none yet" }\n')
    result = run("check", "--isolated", "-p", "empty.policy", "drafts", cwd=repo)
    assert result.returncode == 2
    assert "error: empty.policy has no rules: nothing would check drafts/a.txt" in result.stderr


def test_no_input_is_no_reason_to_pass_a_bad_selector(repo: Path) -> None:
    (repo / "nothing").mkdir()
    result = run(
        "check", "--isolated", "-p", "org.policy", "--select", "privcy", "nothing", cwd=repo
    )
    assert result.returncode == 2
    assert "--select 'privcy' names no rule" in result.stderr


def test_valid_selectors_still_select(repo: Path) -> None:
    for selector in ("privacy", "privacy.email", "privacy.*", "tone", "tone.shouting"):
        result = run(
            "check", "--isolated", "-p", "org.policy", "--select", selector, "drafts", cwd=repo
        )
        assert result.returncode in (0, 1), (selector, result.stderr)
    ignored = run(
        "check", "--isolated", "-p", "org.policy", "--ignore", "privacy", "drafts", cwd=repo
    )
    assert ignored.returncode == 0 and "privacy.email" not in ignored.stdout


# --- the configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "where", "key", "selector", "hint"),
    [
        (
            'policy = "org.policy"\nselect = ["tone", "privcy"]\n',
            "2:19",
            "select",
            "privcy",
            "did you mean 'privacy'?",
        ),
        (
            'policy = "org.policy"\nextend-select = [\n  "tone.shouting",\n  "tone.shoutin",\n]\n',
            "4:3",
            "extend-select",
            "tone.shoutin",
            "did you mean 'tone.shouting'?",
        ),
        (
            'policy = "org.policy"\nignore = ["tone.nope"]\n',
            "2:11",
            "ignore",
            "tone.nope",
            "did you mean 'tone'?",
        ),
        # An override for files this run does not check is still checked: the file is wrong.
        (
            'policy = "org.policy"\nselect = ["tone"]\n\n[[overrides]]\npaths = ["x/**"]\n'
            'select = ["privacy"]\n\n[[overrides]]\npaths = ["y/**"]\nignore = ["privacy"]\n'
            'extend-select = ["privacy", "privcy"]\n',
            "11:29",
            "overrides[2].extend-select",
            "privcy",
            "did you mean 'privacy'?",
        ),
        (
            'policy = "org.policy"\n\n[[overrides]]\npaths = ["drafts/**"]\nselect = ["tones"]\n',
            "5:11",
            "overrides[1].select",
            "tones",
            "did you mean 'tone'?",
        ),
    ],
)
def test_an_unknown_selector_in_the_configuration_names_file_key_line_and_column(
    repo: Path, config: str, where: str, key: str, selector: str, hint: str
) -> None:
    (repo / ".policylint.toml").write_text(config, encoding="utf-8")
    result = run("check", "drafts", cwd=repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f".policylint.toml:{where}: error: '{key}' entry '{selector}' names no rule of "
        f"org.policy\n  = hint: {hint}" + result.stderr.partition(f"= hint: {hint}")[2]
    )
    assert run_click("check", "drafts", cwd=repo) == (2, result.stderr)


def test_pyproject_selectors_are_located_in_the_policylint_table(repo: Path) -> None:
    # ruff's own select comes first and holds the same word: the position is policylint's.
    (repo / "pyproject.toml").write_text(
        '[tool.ruff.lint]\nselect = ["privcy"]\n\n'
        '[tool.policylint]\npolicy = "org.policy"\nselect = [\n    "privcy",\n]\n',
        encoding="utf-8",
    )
    result = run("check", "drafts", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "pyproject.toml:7:5: error: 'select' entry 'privcy' names no rule of org.policy\n"
    )


def test_the_command_line_selection_may_not_empty_the_configured_one(repo: Path) -> None:
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\nignore = ["tone"]\n', encoding="utf-8"
    )
    result = run("check", "--select", "tone.*", "drafts", cwd=repo)
    assert result.returncode == 2
    assert "no rule is left to check drafts/a.txt" in result.stderr
    assert "--ignore adds to its ignore" in result.stderr  # why: the configuration's ignore


# --- the library ------------------------------------------------------------------------


def test_policy_select_raises_a_documented_error_with_a_suggestion() -> None:
    policy = policylint.load_policy(POLICY)
    with pytest.raises(policylint.SelectorError) as raised:
        policy.select(select=["privcy"])
    error = raised.value
    assert isinstance(error, ValueError)  # for callers that catch bad arguments broadly
    assert (error.selector, error.origin, error.hint) == (
        "privcy",
        "select",
        "did you mean 'privacy'?",
    )
    assert str(error) == ("select 'privcy' names no rule of the policy; did you mean 'privacy'?")
    with pytest.raises(policylint.SelectorError, match=r"ignore 'tone\.nope'"):
        policy.select(ignore=["tone.nope"])
    with pytest.raises(policylint.SelectorError, match="leaves no rule"):
        policy.select(["tone"], ["tone.*"])
    # A selected copy is checked against its own rules.
    tone = policy.select(["tone"])
    with pytest.raises(policylint.SelectorError, match="'privacy'"):
        tone.select(["privacy"])
    assert [rule.id for rule in tone.select(["tone.shouting"]).rules] == ["tone.shouting"]
