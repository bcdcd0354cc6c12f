"""The dispatch gates a rule by its guards' platforms and needs even when its flags give it
a trigger: a rule its guards rule out is never evaluated (issue 17: ``platform.fold``, for
Instagram and Facebook, ran on every tweet that held a disclosure term)."""

from __future__ import annotations

import policylint
from policylint._pipeline.policy import checker_of
from policylint._runtime.engine import Engine

GATED = """
rule a.fold {
  when platform in ["instagram", "facebook"]
  flag ["sale"]
}
rule b.reply {
  when meta.reply
  flag /refund\\w*/
}
rule c.plain {
  flag ["sale"]
}
"""


def _engine(text: str) -> Engine:
    return checker_of(policylint.load_policy(text=text)).engine


def _candidates(engine: Engine, text: str, platform: str | None, **meta: object) -> set[str]:
    state = engine.state(text, platform, meta)
    return {engine.rules[p].info.id for p in engine._dispatch.candidates(state)}


def test_a_rule_limited_to_other_platforms_is_not_evaluated() -> None:
    engine = _engine(GATED)
    assert _candidates(engine, "big sale", "x") == {"c.plain"}
    assert _candidates(engine, "big sale", None) == {"c.plain"}
    assert _candidates(engine, "big sale", "Instagram") == {"a.fold", "c.plain"}


def test_a_rule_whose_guard_needs_metadata_is_not_evaluated_without_it() -> None:
    engine = _engine(GATED)
    assert _candidates(engine, "refunds here", "x") == set()
    assert _candidates(engine, "refunds here", "x", reply=True) == {"b.reply"}
    assert _candidates(engine, "no money back", "x", reply=True) == set()  # its flag's need


def test_a_gated_rule_reports_as_before() -> None:
    policy = policylint.load_policy(text=GATED)
    found = policy.check("refunds here", platform="x", meta={"reply": True}).findings
    assert [(f.rule, f.match) for f in found] == [("b.reply", "refunds")]
    assert policy.check("refunds here", platform="x").findings == []


def test_the_built_in_fold_rule_is_gated_to_its_platforms() -> None:
    engine = _engine_of_builtin()
    text = "Loving this pillow, so soft and comfy, I sleep so well now " * 3 + "#ad"
    assert "platform.fold" not in _candidates(engine, text, "x")
    assert "platform.fold" in _candidates(engine, text, "instagram")


def _engine_of_builtin() -> Engine:
    return checker_of(policylint.load_policy()).engine


NEAR = """
rule d.cured {
  flag detect(condition) followed by ["cured"] within 4 words
}
rule e.alone {
  flag detect(condition) not near ["cured"] within 4 words
}
rule f.both {
  flag detect(condition) and ["cured"]
}
"""


def test_a_proximity_is_dispatched_by_the_side_fewer_posts_have() -> None:
    # Both sides of a proximity must match (unless negated): the term is a narrower need
    # than "a letter", the condition detector's precheck before its vocabulary is loaded.
    from policylint.detectors import condition

    condition._vocabulary.cache_clear()
    engine = _engine(NEAR)
    assert _candidates(engine, "lovely weather", "x") == {"e.alone"}
    assert _candidates(engine, "eczema cured", "x") == {"d.cured", "e.alone", "f.both"}
    policy = policylint.load_policy(text=NEAR)
    found = policy.check("My eczema was cured in a week", platform="x").findings
    assert {f.rule for f in found} == {"d.cured", "f.both"}


def test_a_pattern_in_a_metadata_field_is_dispatched_by_that_key() -> None:
    # security.internal_marking ran on every post for its `... in meta.alt`
    engine = _engine('rule g.alt {\n  flag ["secret"] in meta.alt\n}\n')
    assert _candidates(engine, "a secret in the text", "x") == set()
    assert _candidates(engine, "a post", "x", alt="the secret plan") == {"g.alt"}
    assert _candidates(engine, "a post", "x", other="the secret plan") == set()
    policy = policylint.load_policy(text='rule g.alt {\n  flag ["secret"] in meta.alt\n}\n')
    found = policy.check("a post", platform="x", meta={"alt": "the secret plan"}).findings
    assert [(f.rule, f.match) for f in found] == [("g.alt", "secret")]
