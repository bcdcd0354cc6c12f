"""Diagnostics for broken policies, compared with their exact expected rendering.

Each ``tests/policy_errors/NAME.policy`` has a ``NAME.expected`` beside it holding what
``PolicyError.render()`` must print. Regenerate one by hand after a deliberate change:
``policylint check --isolated --policy NAME.policy empty.txt`` from that folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import policylint
from policylint.language.errors import PolicyError

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
    # cycle/b.policy is only reached through cycle/a.policy
    assert missing == [Path("cycle/b.policy")]
    assert len(CASES) >= 9


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
