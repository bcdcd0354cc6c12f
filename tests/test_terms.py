"""The term index finds the same hits, in the same order, before and after it builds its
automaton (the first posts of a run are looked up key by key instead)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policylint
from policylint._pipeline.policy import checker_of
from policylint._runtime.terms import TermIndex, parse_term
from policylint._text.views import fold_for_matching

CORPUS = Path(__file__).parent / "corpus"


def _index() -> TermIndex:
    return checker_of(policylint.load_policy()).engine.executable.terms


INDEX = _index()
KEYS = sorted(INDEX.keys())


def _both(index: TermIndex, folded: str) -> tuple[list[object], list[object]]:
    """Raw hits of the word keys and of the phrase keys, looked up and from the automata."""
    looked_up, scanned = [], []
    for prefix in ("", " "):
        looked_up.append(index._lookup(folded, prefix))
        scanned.append(list(index._raw_hits(folded, False, prefix)))
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
        hits += sum(map(len, scanned))
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
    assert terms._automata is None
    assert terms._entries is None  # nor a table of every key: a binary search
    for _ in range(TermIndex.WARM_UP):
        policy.check("This miracle cream cures eczema.")
    assert terms._automata is not None


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


# --- spellings: one key per term, the same hits as a key per spelling ---------------------


def _reference_spellings(text: str) -> set[str]:
    """The spellings the documentation promises (docs/language.md), listed outright: each
    of up to three separators a space, a hyphen or nothing; more, all spaces, all hyphens or
    as written; a separator at an end or next to another, as written only."""
    words = re.split("[ -]", text)
    separators = re.findall("[ -]", text)
    if not all(words):
        return {text}
    if len(separators) > 3:
        return {" ".join(words), "-".join(words), text}
    return {
        "".join(w + s for w, s in zip(words, (*choice, ""), strict=True))
        for choice in itertools.product((" ", "-", ""), repeat=len(separators))
    }


def _reference_find(terms: list[str], folded: str) -> dict[int, list[tuple[int, int]]]:
    """Every spelling of every term looked for with str.find, whole words or wild ends."""

    def word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"

    found: dict[int, set[tuple[int, int]]] = {}
    for term_id, term in enumerate(terms):
        spec = parse_term(term)
        core_texts = (spec.core, spec.core.replace("'", "")) if "'" in spec.core else (spec.core,)
        for spelling in {s for t in core_texts for s in _reference_spellings(t)}:
            at = folded.find(spelling)
            while at >= 0 and spelling:
                start, end = at, at + len(spelling)
                inside_left = start > 0 and word(folded[start - 1]) and word(folded[start])
                inside_right = end < len(folded) and word(folded[end]) and word(folded[end - 1])
                if spec.left_wild:
                    while start > 0 and word(folded[start - 1]):
                        start -= 1
                if spec.right_wild:
                    while end < len(folded) and word(folded[end]):
                        end += 1
                if not (inside_left and not spec.left_wild) and not (
                    inside_right and not spec.right_wild
                ):
                    found.setdefault(term_id, set()).add((start, end))
                at = folded.find(spelling, at + 1)
    return {term_id: sorted(spans) for term_id, spans in found.items()}


_PIECE = st.sampled_from(["ab", "ba", "a", "b", "ab'a", "bab"])
_TERM = st.builds(
    lambda star_left, pairs, star_right: (
        ("*" if star_left else "")
        + "".join(word + sep for word, sep in pairs)[: -len(pairs[-1][1]) or None]
        + ("*" if star_right else "")
    ),
    st.booleans(),
    st.lists(
        st.tuples(_PIECE, st.sampled_from([" ", "-", " ", "-", " - ", "--"])),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(_TERM, min_size=1, max_size=6, unique=True), st.booleans(), st.data())
def test_one_key_per_term_finds_every_spelling_and_no_other(
    terms: list[str], automaton: bool, data: st.DataObject
) -> None:
    """The index (a key per term, phrases matched without separators and read back) finds
    exactly what looking for each spelling of each term would, looked up or by automaton.
    The post is made of the terms' words respelt with any separators, and noise."""
    words = [w for term in terms for w in re.split("[ *-]", term) if w]
    respelt = st.builds(
        lambda term, seps: " " + re.sub("[ -]", lambda _: seps.pop() if seps else " ", term) + " ",
        st.sampled_from([term.strip("*") for term in terms]),
        st.lists(st.sampled_from([" ", "-", "", "--"]), max_size=6),
    )
    noise = st.sampled_from([*words, " ", "-", "x", "'", " - "])
    text = "".join(data.draw(st.lists(st.one_of(respelt, noise), max_size=8)))
    index = TermIndex()
    for term in terms:
        index.add(term)
    if automaton:
        index._uses = index.WARM_UP
    # A wildcard term may reach one span from two hits ("*b*" in "bb"): the same match.
    got = {term_id: sorted(set(spans)) for term_id, spans in index.find(text).items()}
    assert got == _reference_find(terms, text)


@pytest.mark.parametrize(
    ("term", "text", "spans"),
    [
        ("risk free fund", "a risk-freefund b", [(2, 15)]),
        ("one two three four five", "one two-three four five", []),
        ("one two three four five", "one-two-three-four-five", [(0, 23)]),
        ("-like", "child-like, likeable", [(5, 10)]),
        ("draft - do not post", "draft - do not post; draft-do not post", [(0, 19)]),
        ("-", "a - b", [(2, 3)]),
        ("riskfree", "risk free riskfree", [(10, 18)]),
    ],
)
def test_phrase_spellings_at_the_edges(term: str, text: str, spans: list[object]) -> None:
    index = TermIndex()
    index.add(term)
    assert index.find(text).get(0, []) == spans


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("can't", "cant", True),  # not a common word: the apostrophe may be left out
        ("c'est", "cest", True),
        ("we're", "were", False),  # a different common word
        ("it's", "its", False),
        ("we'll", "well done", False),
        ("don't", "ce dont il parle", False),  # French 'dont' ('of which')
        ("i'm", "im Haus", False),  # German 'im' ('in the')
        ("we're not responsible", "were not responsible", False),
        ("we're", "we’re", True),  # the apostrophe itself, in either form, always matches
    ],
)
def test_an_apostrophe_may_be_left_out_unless_that_spells_a_common_word(
    term: str, text: str, found: bool
) -> None:
    policy = policylint.load_policy(f'rule t.r {{ flag ["{term}"] }}')
    assert bool(policy.check(text).findings) is found
