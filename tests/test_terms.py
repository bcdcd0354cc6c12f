"""The term index finds the same hits, in the same order, before and after it builds its
automaton (the first posts of a run are looked up key by key instead)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import policylint
from policylint._pipeline.policy import checker_of
from policylint._runtime.terms import TermIndex
from policylint._text.views import fold_for_matching

CORPUS = Path(__file__).parent / "corpus"


def _index() -> TermIndex:
    return checker_of(policylint.load_policy()).engine.executable.terms


INDEX = _index()
KEYS = sorted(INDEX.keys())


def _both(index: TermIndex, folded: str) -> tuple[list[object], list[object]]:
    looked_up = index._lookup(folded)
    index._uses = index.WARM_UP  # from now on, the automaton
    scanned = list(index._raw_hits(folded))
    return looked_up, scanned


def test_lookup_and_automaton_agree_on_real_posts() -> None:
    texts = []
    for path in sorted(CORPUS.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    assert len(texts) > 500
    hits = 0
    for text in texts:
        folded = fold_for_matching(text).text
        looked_up, scanned = _both(INDEX, folded)
        assert looked_up == scanned, text
        hits += len(scanned)
    assert hits > 1000


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(st.sampled_from(KEYS), st.text(alphabet=" -'ab#@*é", max_size=3)), max_size=8
    )
)
def test_lookup_and_automaton_agree_on_runs_of_keys(parts: list[str]) -> None:
    # keys back to back, overlapping and inside each other: every end position has several
    folded = "".join(parts)
    looked_up, scanned = _both(INDEX, folded)
    assert looked_up == scanned


def test_a_few_posts_do_not_build_the_automaton() -> None:
    policy = policylint.load_policy()
    for _ in range(3):
        assert policy.check("This miracle cream cures eczema.").findings
    terms = checker_of(policy).engine.executable.terms
    assert terms._automaton is None
    assert terms._entries is None  # nor a table of every key: a binary search
    for _ in range(TermIndex.WARM_UP):
        policy.check("This miracle cream cures eczema.")
    assert terms._automaton is not None


def test_the_cache_keeps_terms_as_written_and_their_specs_come_back_the_same() -> None:
    import pytest

    fresh = TermIndex()
    for term in ("guarantee*", "*coin", "risk-free", "crème brûlée", "get rich * quick", "#ad"):
        fresh.add(term)
    terms, table, starts = fresh.data()
    assert terms == ["guarantee*", "*coin", "risk-free", "crème brûlée", "get rich * quick", "#ad"]
    cached = TermIndex.from_data(terms, table, starts)
    assert [cached.spec(i) for i in range(len(cached))] == [fresh.spec(i) for i in range(6)]
    assert cached.add("#ad") == 5 and cached.add("new") == 6  # ids as before, then new ones
    with pytest.raises(ValueError):
        TermIndex.from_data([["#ad", "#ad", False, False, None]], table, starts)
