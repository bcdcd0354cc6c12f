"""Issue 17, round 3: per-flag conditions and exceptions, the post's language as a
condition, warnings for regular expressions that silently miss, and mentions with
non-ASCII letters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import policylint
from policylint import PolicyError


def matched(policy: policylint.Policy, text: str, **meta: Any) -> list[str]:
    """The matched texts of a post's findings, in order."""
    return [f.match for f in policy.check(text, meta=meta).findings]


# ----------------------------------------------------------------------------- per-flag blocks
PER_FLAG = """
terms claims = ["cures", "treats"]
terms conditions = ["cancer", "diabetes"]
rule t.health {
  flag claims near conditions within 6 words {
    unless followed by ["not evaluated by the FDA"] within 40 words
  }
  flag ["you people", "your problem"] { when meta.reply }
  flag ["miracle"] {
    when platform == "x"
    unless meta.satire
  }
  flag ["risk-free"]
}
"""


@pytest.mark.parametrize(
    ("text", "meta", "expected"),
    [
        ("It cures cancer", {}, ["cures"]),
        ("It cures cancer (not evaluated by the FDA)", {}, []),
        # the exception is the first flag's: another flag's match is not excused by it
        ("Risk-free, it cures cancer (not evaluated by the FDA)", {}, ["Risk-free"]),
        ("you people again", {}, []),
        ("you people again", {"reply": True}, ["you people"]),
        # only the second flag is guarded by meta.reply
        ("It cures cancer, you people", {}, ["cures"]),
        ("It cures cancer, you people", {"reply": True}, ["cures", "you people"]),
        ("a miracle", {}, []),
        ("a miracle", {"platform": "x"}, ["miracle"]),
        ("a miracle", {"platform": "x", "satire": True}, []),
    ],
)
def test_a_flag_has_its_own_when_and_unless(
    text: str, meta: dict[str, Any], expected: list[str]
) -> None:
    policy = policylint.load_policy(PER_FLAG)
    platform = meta.pop("platform", None)
    findings = policy.check(text, platform=platform, meta=meta).findings
    assert [f.match for f in findings] == expected


def test_the_rules_own_when_and_unless_still_apply_to_every_flag() -> None:
    policy = policylint.load_policy(
        """rule t.r {
          when meta.industry == "finance"
          unless preceded by ["not"] within 2 words
          flag ["guaranteed"] { when meta.reply }
          flag ["risk-free"]
        }"""
    )
    assert matched(policy, "guaranteed and risk-free", reply=True) == []
    both = matched(policy, "guaranteed and risk-free", reply=True, industry="finance")
    assert both == ["guaranteed", "risk-free"]
    assert matched(policy, "not guaranteed, not risk-free", reply=True, industry="finance") == []


def test_a_flags_allow_list_compares_its_detectors_canonical_values() -> None:
    policy = policylint.load_policy(
        """rule t.phone {
          flag detect(phone) { unless allow ["+1 800 555 0100"] }
        }"""
    )
    assert matched(policy, "Call 1-800-555-0100") == []
    assert matched(policy, "Call +44 7911 123456") == ["+44 7911 123456"]


def test_a_per_flag_condition_may_read_metrics_and_contain_patterns() -> None:
    policy = policylint.load_policy(
        """rule t.r {
          flag ["sale"] { when exclamations > 1 and not contains ["terms apply"] }
        }"""
    )
    assert matched(policy, "sale!!") == ["sale"]
    assert matched(policy, "sale!") == []
    assert matched(policy, "sale!! terms apply") == []


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "hint"),
    [
        # an empty block, a rule field inside one, and a block after a require
        ('rule t.r {\n  flag ["x"] { }\n}', "PL101", 2, 16, "'unless' or 'when'"),
        ('rule t.r {\n  flag ["x"] { message "m" }\n}', "PL101", 2, 16, "'unless' or 'when'"),
        ('rule t.r {\n  require ["x"] { when meta.x }\n}', "PL101", 2, 17, None),
        # names inside a block are checked like the rule's own
        ('rule t.r {\n  flag ["x"] { unless matches claimz }\n}', "PL201", 2, 31, None),
        ('rule t.r {\n  flag ["x"] { when lenght > 3 }\n}', "PL206", 2, 21, "length"),
        (
            'rule t.r {\n  flag ["x"] { unless near ["y"] within z.w words }\n}',
            "PL213",
            2,
            41,
            None,
        ),
    ],
)
def test_block_mistakes_point_at_the_token(
    text: str, code: str, line: int, column: int, hint: str | None
) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (code, line, column)
    if hint is not None:
        assert hint in (diagnostic.hint or "") + diagnostic.message


@pytest.fixture
def fresh_and_cached(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], tuple[policylint.Policy, policylint.Policy]]]:
    """Loads a policy twice through a private cache folder: compiled, then from its entry."""
    from policylint._cache import folder

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path / "cache"))
    folder.cache_dir.cache_clear()

    def load(text: str) -> tuple[policylint.Policy, policylint.Policy]:
        path = tmp_path / "p.policy"
        path.write_text(text, encoding="utf-8")
        fresh = policylint.load_policy(str(path))
        assert list((tmp_path / "cache" / "policies").glob("*.json"))
        return fresh, policylint.load_policy(str(path))

    yield load
    folder.cache_dir.cache_clear()


def test_a_cached_per_flag_block_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(PER_FLAG)
    from policylint._runtime.guarded import GuardedNode

    assert any(isinstance(f, GuardedNode) for r in cached._checker.engine.rules for f in r.flags)
    for text, meta in [
        ("It cures cancer (not evaluated by the FDA), you people", {"reply": True}),
        ("It cures cancer, you people", {}),
    ]:
        assert cached.check(text, meta=meta) == fresh.check(text, meta=meta)
        assert cached.check(text, meta=meta).findings
