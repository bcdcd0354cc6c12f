"""Diagnostics for broken policies, compared with their exact expected rendering.

Each ``tests/policy_errors/NAME.policy`` has a ``NAME.expected`` beside it holding what
``PolicyError.render()`` must print. Regenerate one by hand after a deliberate change:
``policylint check --isolated --policy NAME.policy empty.txt`` from that folder.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import policylint
from policylint._model.errors import PolicyError

HERE = Path(__file__).parent / "policy_errors"
CASES = sorted(
    p.relative_to(HERE) for p in HERE.rglob("*.policy") if p.with_suffix(".expected").exists()
)


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_diagnostics_match_expected_output(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy(str(case))
    expected = (HERE / case).with_suffix(".expected").read_text(encoding="utf-8")
    assert raised.value.render() + "\n" == expected


def test_every_case_has_an_expected_file() -> None:
    policies = sorted(p.relative_to(HERE) for p in HERE.rglob("*.policy"))
    missing = [p for p in policies if not (HERE / p).with_suffix(".expected").exists()]
    # cycle/b.policy and several_files/team.policy are only reached through another file
    assert missing == [Path("cycle/b.policy"), Path("several_files/team.policy")]
    assert len(CASES) >= 13


def test_one_mistake_gives_one_error(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text('rule a.b {\n  flag ["x"] near ["y"] within 3 wrds\n  severity error\n}\n')
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy(str(policy))
    assert len(raised.value.diagnostics) == 1
    assert raised.value.first.code == "PL101"


def test_caret_sits_under_the_token_after_wide_characters() -> None:
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy('rule a.b { flag ["😀漢字"] near missing within 2 words }')
    rendered = raised.value.render().splitlines()
    source, caret = rendered[2], rendered[3]
    # the emoji and the two CJK characters are two cells wide each
    assert source.index("missing") + 3 * 1 == caret.index("^")
    assert caret.count("^") == len("missing")


def _error(source: str) -> PolicyError:
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy(text=source)
    return raised.value


def test_the_count_line_closes_the_report() -> None:
    one = _error("rule a.b { flag detect(emial) }\n")
    assert one.render().endswith("\n\n1 error in 1 file")
    two = _error("rule a.b { flag detect(emial) }\nrule c.d { when lenght > 3 }\n")
    assert two.render().endswith("\n\n2 errors in 1 file")


def test_a_syntax_error_hides_no_other_mistake() -> None:
    """A keyword typo in one rule, an unknown detector, an undefined term list and a bad
    regex in others: all four, each once."""
    error = _error(
        'rule a.one {\n  severty error\n  flag ["x"]\n}\n'
        "rule a.two { flag detect(emial) }\n"
        "rule a.three { flag guarantes }\n"
        "rule a.four { flag /(Q[1-4] results/ }\n"
    )
    assert [(d.code, d.line) for d in error.diagnostics] == [
        ("PL101", 2),
        ("PL205", 5),
        ("PL201", 6),
        ("PL301", 7),
    ]


@pytest.mark.parametrize(
    ("broken", "user"),
    [
        ('terms claims = ["a", "b"', "rule r.x { flag claims }"),
        ("setting org.limit = [1, 2", "rule r.x { when length > org.limit }"),
        ('rule team.old {\n  flg ["x"]\n}', 'policy "p" { disable team.old }'),
        ('rule team.old {\n  flg ["x"]\n}', 'policy "p" { severity team.* info }'),
        (
            'policy "p" {\n  extends "builtin:privacy"\n  disabel x\n}',
            "rule r.x { flag phone_words }",
        ),
    ],
    ids=["terms", "setting", "disable", "severity-glob", "header"],
)
def test_what_a_broken_block_defines_is_not_reported_unknown(broken: str, user: str) -> None:
    """A name defined by a block that did not parse is not 'unknown': that would only echo
    the block's own syntax error."""
    error = _error(f"{user}\n{broken}\n")
    assert [d.code for d in error.diagnostics] == ["PL101"]


def test_a_missing_extended_file_is_reported_without_its_echoes(tmp_path: Path) -> None:
    policy = tmp_path / "org.policy"
    policy.write_text(
        'policy "org" {\n  extends "./team.policy"\n  disable team.a\n}\n'
        "rule org.a { flag team_terms }\n"
        "rule org.b { flag detect(emial) }\n"
    )
    with pytest.raises(PolicyError) as raised:
        policylint.load_policy(policy)
    assert [d.code for d in raised.value.diagnostics] == ["PL209", "PL205"]


class _SplitCounter:
    """Counts the characters of every ``str.split`` call made while active (PEP 669 would
    be lighter, but sys.setprofile sees C calls on every supported Python)."""

    def __init__(self) -> None:
        self.characters = 0

    def __enter__(self) -> _SplitCounter:
        sys.setprofile(self.profile)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == "split":
            receiver = getattr(arg, "__self__", None)
            if isinstance(receiver, str):
                self.characters += len(receiver)


def test_diagnostics_do_not_split_the_source_again_for_each_error() -> None:
    """Quoting each error's line used to split the whole file per error: 20,000 rules with
    an error took 17 s. Each file is split once however many errors it has."""
    source = "".join(f"rule r.n{i} {{ flag detect(nope{i}) }}\n" for i in range(300))
    with _SplitCounter() as counter:
        error = _error(source)
    assert len(error.diagnostics) == 300
    assert counter.characters < 5 * len(source)


def test_syntax_recovery_parses_each_block_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recovery parses the blocks one by one without padding each with the lines before it
    (which made 20,000 broken rules quadratic): the text parsed is about the file twice."""
    from policylint._lang import parser

    real = parser._parser()
    parsed: list[int] = []

    class Counting:
        def parse(self, text: str) -> Any:
            parsed.append(len(text))
            return real.parse(text)

    monkeypatch.setattr(parser, "_parser", lambda: Counting())
    source = "".join(f'rule r.n{i} {{\n  flgg ["x"]\n}}\n' for i in range(500))
    error = _error(source)
    assert [d.line for d in error.diagnostics] == [2 + 3 * i for i in range(500)]
    assert sum(parsed) <= 2 * len(source) + 10


def test_an_unclosed_bracket_is_reported_where_it_opens() -> None:
    error = _error('terms t = ["a", "b"\n\nrule a.b { flag t }\n')
    (diagnostic,) = error.diagnostics
    assert (diagnostic.line, diagnostic.column, diagnostic.message) == (
        1,
        11,
        "'[' is never closed",
    )


def test_a_long_line_is_quoted_around_the_caret() -> None:
    """5,000 errors on one 200 KB line printed the line 5,000 times (1.4 GB, 80 s), and
    PolicyError rendered it all when raised."""
    source = " ".join(f"rule r.n{i} {{ flag detect(nope{i}) }}" for i in range(1_000))
    error = _error(source)
    assert len(error.diagnostics) == 1_000
    rendered = error.render()
    assert len(rendered) < 500 * len(error.diagnostics)
    for diagnostic in (error.diagnostics[0], error.diagnostics[500], error.diagnostics[-1]):
        _, _, quoted, carets, _ = diagnostic.render().split("\n")
        text = quoted.split(" | ", 1)[1]
        start = carets.split(" | ", 1)[1].index("^")
        name = diagnostic.message.split("'")[1]
        assert text[start : start + len(name)] == name


def test_every_statement_keyword_of_the_grammar_is_suggested() -> None:
    # The keywords come from the grammar: `supersedes`, once missing from a hand-kept list,
    # is suggested like any other statement.
    error = _error('rule a.b {\n  message "m"\n  supercedes c.d\n}\n')
    (diagnostic,) = error.diagnostics
    assert diagnostic.message == "unknown keyword 'supercedes'"
    assert diagnostic.hint == "did you mean 'supersedes'?"
