"""Required literals of regexes (``policylint._compiler.regexatoms``) and the prefilter on them.

A prefilter must never hide a match: every test here checks that whenever RE2 finds a match,
the text holds one of the regex's atoms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policylint
from policylint._compiler.regexatoms import (
    _ASCII_TWINS,
    _NEVER_ASCII,
    _translate,
    analyse,
    atom_sets,
    needs_non_ascii,
    required_atoms,
)
from policylint._model.struct import Struct
from policylint._pipeline.policy import checker_of
from policylint._runtime.regexes import RegexIndex, compile_regex

CORPUS = Path(__file__).parent / "corpus"
TWEETS = Path(__file__).parent / "data" / "vader_icwsm2014" / "tweets_GroundTruth.sample.txt"
ALL_TWEETS = "corpora/vader_icwsm2014/tweets_GroundTruth.txt"


# 100 words with no common first letter (Python's parser factors a shared prefix out).
_WORDS = [f"{chr(97 + i % 26)}{i:02d}z" for i in range(100)]


@pytest.mark.parametrize(
    ("pattern", "atoms"),
    [
        ("abc", {"abc"}),
        ("(?i)ABC", {"abc"}),
        (r"(?i)\bcolou?r\b", {"color", "colour"}),
        (r"x\w+abc", {"abc"}),  # the longer literal is the rarer
        (r"\w+abc", {"abc"}),
        (r"(?:foo|bar)+baz", {"baz"}),
        (r"(?:foo|bar)+", {"foo", "bar"}),
        (r"[$£€]\s?\d", {"$", "£", "€"}),
        (r"\d{3,}", set("0123456789")),  # RE2's \d is ASCII
        (r"\x{1F600}x", {"\U0001f600x"}),
        (r"(?i:lic(?:ense|ence)?)", {"lic"}),  # "license" holds "lic": redundant
        (r"[:x]abc", {":abc", "xabc"}),  # a class starting with ':' is no POSIX class
        (r"\bvote\s+(?:yes|no)\b", {"vote"}),
        ("a(?:bc|de)f", {"abcf", "adef"}),
        ("(?i)allée", {"allée"}),
        ("Straße", {"strasse"}),  # folded as the text is: 'ß' and 'ẞ' both become 'ss'
        ("€5", {"€5"}),
        # A literal joins the alternation after it, even one too big to list exactly
        (r"x(?:foo|bar)+", {"xfoo", "xbar"}),
        ("#(?:" + "|".join(_WORDS) + ")", {"#" + w for w in _WORDS}),
        (r"\b#(?:\w+|ab)", {"#"}),  # a branch without known starts adds nothing
        (r"(?i)\b(?:werbung|anzeige)\z", {"werbung", "anzeige"}),  # RE2's end of text
    ],
)
def test_required_atoms(pattern: str, atoms: set[str]) -> None:
    assert required_atoms(pattern) == frozenset(atoms)


@pytest.mark.parametrize(
    ("pattern", "atoms", "repeats"),
    [
        (r"(?:#[\p{L}\p{N}_]+[\s.,;|·•]*){3,}$", {"#"}, 3),  # three hashtags at the end
        (r"a{3,}", {"a"}, 3),
        (r"(?:#\w+|@\w+){2,}", {"#", "@"}, 2),
        (r"(?:(?:#x\s){2}y){3,}", {"#x"}, 6),  # nested: 3 times 2
        (r"x(?:#\w+\s){2,}", {"x#"}, 1),  # the count is of "#", not of the best atom
        (r"(?:#\w+\s){2,}|#", {"#"}, 1),  # one branch holds one "#"
        ("abc", {"abc"}, 1),
    ],
)
def test_how_many_times_a_match_holds_its_atoms(
    pattern: str, atoms: set[str], repeats: int
) -> None:
    facts = analyse(pattern)
    assert (facts.atoms, facts.repeats) == (frozenset(atoms), repeats)


def test_a_regex_is_a_candidate_only_with_as_many_atoms_as_a_match_holds() -> None:
    source = r"(?:#[\p{L}\p{N}_]+[\s.,;|·•]*){3,}$"
    facts = analyse(source)
    index = RegexIndex()
    regex_id = index.add(source, "", tuple(facts.atoms or ()), exact=True, repeats=facts.repeats)
    assert regex_id not in index.candidates("Our savings account #ad #finance")
    assert regex_id in index.candidates("Our savings account #ad #finance #money")
    assert compile_regex(source, "").search("Our savings account #ad #finance #money")


@pytest.mark.parametrize(
    ("pattern", "second"),
    [
        (r"\b\d{1,5},?\s+\w+\s+(?:Street|Road)\b", set("0123456789")),  # a digit too
        (r"(?:foo|bar)+baz", {"foo", "bar"}),
        (r"\bvote\s+(?:yes|no)\b", {"yes", "no"}),
        ("abc", None),  # one literal: nothing else is required
        (r"\w+", None),
        # An alternation: a second literal of each branch (or its only one)
        (r"\breturns?\s+fraud\b|\bshoplift\w*", {"fraud", "shoplift"}),
        (
            r"(?i)\b(?:fired|sacked)\s+for\s+stealing\b|\bcaught\s+stealing\b",
            {"fired", "sacked", "caught"},
        ),
        (r"\bnew\s+york\b|\bla\b", {"new", "la"}),
        (r"ab|cd", None),  # every branch one literal: the first set says it all
        (r"\bcheat\s+us\b|\bshoplift", None),  # not "us" (too short): the first set again
    ],
)
def test_a_second_set_of_atoms(pattern: str, second: set[str] | None) -> None:
    first, also = atom_sets(pattern)
    assert first == required_atoms(pattern)
    assert also == (frozenset(second) if second is not None else None)


def test_a_word_of_one_branch_alone_does_not_make_an_alternation_a_candidate() -> None:
    """A warm start compiles every regex its first posts are candidates of (one of the
    built-in packs' took 9 ms): "returns" alone no longer makes one that wants "returns
    fraud" a candidate."""
    index = RegexIndex()
    source = r"\b(?:refund|returns?)\s+fraud\b|\bshoplift(?:ed|ing)?\b"
    atoms, also = atom_sets(source)
    assert atoms is not None and also is not None
    regex_id = index.add(source, "", tuple(atoms), also=tuple(also))
    assert regex_id not in index.candidates("double your returns before friday")
    assert regex_id in index.candidates("that is returns fraud")
    assert regex_id in index.candidates("they shoplifted")


@pytest.mark.parametrize(
    "pattern",
    [
        r"\w+",
        r"a|\w",  # one branch needs no literal
        r"(?:abc)?",
        r"\pL{2,}\s+\pL{2,}",
        r"[^a]+",
        r".*",
        r"\QA.B\E",  # RE2 quoting: Python reads it otherwise
        r"[[:alpha:]]x",  # POSIX class: Python reads '[' ':' 'a'... and a literal ']'
        r"a{,3}b",  # RE2: literal "{,3}"; Python: a repeat
        r"(?U)ab",  # RE2's ungreedy flag
        "(unbalanced",
        r"\z",
        "ab\\",  # a trailing backslash
    ],
)
def test_no_atoms_when_nothing_is_required_or_the_engines_disagree(pattern: str) -> None:
    assert required_atoms(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"[\x{24B6}-\x{24E9}]{3,}", True),
        (r"(?:[\x{1D400}-\x{1D7FF}]|[\x{FF21}-\x{FF5A}])+", True),
        ("é", True),
        ("abcé", True),
        ("é?", False),  # may be absent
        ("é|a", False),
        ("[a-zé]", False),
        (r"(?i)\x{212A}", False),  # the Kelvin sign matches "k"
        ("[\u00c0-\u00ff]", False),  # the range holds ß, whose folding is "ss"
        (r"\p{Han}+", True),  # a script without ASCII characters
        (r"[\p{Cherokee}\p{Yi}]{3,}", True),  # ... or a class of them
        (r"(?i)[\p{Greek}\p{Cyrillic}]+", True),  # ... in any case
        (r"[\p{Latin}\p{Greek}]+", False),  # ... but for a class with Latin in it
        (r"\p{L}+", False),  # other \p{..} are not analysed: never taken as foreign
        (r"\p{^Greek}", False),  # nor are negations
        (r"\pL\p{Mn}{4,}", True),  # the combining marks: never ASCII
        (r"[\p{Mn}]{4,}", True),  # ... in a class too
        (r"a\P{Mn}", False),
        (r"[^a-z]", False),
        (r"\w+", False),
    ],
)
def test_needs_non_ascii(pattern: str, needed: bool) -> None:
    assert needs_non_ascii(pattern) is needed


def test_the_properties_taken_as_foreign_match_no_ascii_character_in_re2() -> None:
    """Each property ``needs_non_ascii`` reads as foreign, asked of RE2 itself (the engine
    that matches; an unknown name would not compile), case-folded: no ASCII character is
    in it."""
    ascii_text = "".join(map(chr, range(128)))
    for name in sorted(_NEVER_ASCII):
        assert compile_regex(rf"\p{{{name}}}", "i").search(ascii_text) is None, name


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"[\p{Mn}]x", "e\u0301x"),
        (r"q[\p{Greek}]xyz", "q\u03b1xyz"),
        (r"[\p{Cherokee}\p{Yi}]{3,}", "\u13a0\u13a1\ua000"),
        (r"[^]\p{Greek}]b", "xb"),
    ],
)
def test_a_property_inside_a_class_is_read_as_one_member_of_it(pattern: str, text: str) -> None:
    r"""A property rewritten as a class of its own inside a class was read by Python as a
    literal "[" and "]": ``[\p{Mn}]x`` required "]x", and hid its match in "e\u0301x"."""
    assert compile_regex(pattern, "").search(text)
    facts = analyse(pattern)
    assert facts.atoms is None or any(atom in text for atom in facts.atoms), facts
    assert facts.also is None or any(atom in text for atom in facts.also), facts
    assert not (facts.non_ascii and text.isascii())


def test_the_ascii_twins_are_every_character_with_an_ascii_case_form() -> None:
    twins = {
        code
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and any(
            ord(ch) < 0x80
            for form in (chr(code).lower(), chr(code).upper(), chr(code).title())
            for ch in form + chr(code).casefold()
        )
    }
    assert twins == _ASCII_TWINS


def _builtin_regexes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(source, flags, atoms) of every regex in builtin:all."""
    from policylint._runtime.patterns import RegexNode

    found: dict[tuple[str, str], tuple[str, ...]] = {}

    def walk(value: object) -> None:
        if isinstance(value, RegexNode):
            found[(value.source, value.flags)] = value.atoms
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)
        elif isinstance(value, Struct):
            for item in value.field_values():
                walk(item)

    for rule in checker_of(policylint.load_policy()).engine.rules:
        walk(rule)
    return [(source, flags, atoms) for (source, flags), atoms in found.items()]


BUILTIN = _builtin_regexes()


def test_most_builtin_regexes_have_atoms() -> None:
    assert len(BUILTIN) >= 80
    with_atoms = sum(bool(atoms) for _, _, atoms in BUILTIN)
    assert with_atoms >= 0.8 * len(BUILTIN), with_atoms
    # the cached atoms are the ones the analysis gives
    for source, flags, atoms in BUILTIN:
        assert atoms == tuple(sorted(analyse(source, flags).atoms or ())), source


def _texts(tweets: Path = TWEETS, limit: int = 3000) -> list[str]:
    """The posts of tests/corpus, then the first ``limit`` tweets of a VADER file."""
    texts: list[str] = []
    for path in sorted(CORPUS.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    for line in tweets.read_text(encoding="utf-8", errors="replace").splitlines()[:limit]:
        texts.append(line.split("\t")[-1])
    return texts


def _index(*, exact: bool = True) -> RegexIndex:
    """builtin:all's regexes as the compiler registers them (``exact=False``: as they were
    before case-sensitive regexes got exact atoms, every atom folded)."""
    index = RegexIndex()
    for source, flags, _ in BUILTIN:
        facts = analyse(source, flags) if exact else analyse(source, "i")
        index.add(
            source,
            flags,
            tuple(sorted(facts.atoms or ())),
            also=tuple(sorted(facts.also or ())),
            non_ascii=facts.non_ascii,
            exact=facts.exact,
            repeats=facts.repeats,
        )
    return index


def test_some_builtin_regexes_need_non_ascii_text() -> None:
    # the fancy-letter patterns: an ASCII post never compiles them
    assert 1 <= sum(needs_non_ascii(source) for source, _, _ in BUILTIN) < len(BUILTIN) / 4
    policy = policylint.load_policy()
    index = checker_of(policy).engine.executable.regexes
    for source, flags, _ in BUILTIN:  # the compiled (cached) policy says what analysis says
        facts = analyse(source, flags)
        assert index._non_ascii[index._ids[source]] is facts.non_ascii, source
        assert facts.non_ascii >= needs_non_ascii(source), source  # folding only loses some


def test_a_case_sensitive_class_of_letters_with_ascii_twins_needs_non_ascii() -> None:
    """U+01F0 (in U+01DD-U+0217) has "J" in its upper case, so a case-insensitive class
    holding it may match ASCII; a case-sensitive one cannot, and an ASCII post never
    compiled it (builtin:all's Latin Extended pattern: ~6 ms of RE2 on every run)."""
    latin_extended = r"[\x{01DD}-\x{0217}]\pL{0,12}?[\x{01DD}-\x{0217}]"
    assert analyse(latin_extended, "").non_ascii
    assert not analyse(latin_extended, "i").non_ascii
    assert not analyse("(?i)" + latin_extended, "").non_ascii
    assert not needs_non_ascii(latin_extended)  # read as folded: unsure, so no


def test_atoms_never_hide_a_match_on_real_posts() -> None:
    texts = _texts(TWEETS, 3000)
    assert len(texts) > 2000
    _assert_atoms_never_hide_a_match(texts)


def test_atoms_never_hide_a_match_on_more_real_posts(
    shared_file: Callable[[str], Path],
) -> None:
    texts = _texts(shared_file(ALL_TWEETS), 3000)
    assert len(texts) > 3000
    _assert_atoms_never_hide_a_match(texts)


def _assert_atoms_never_hide_a_match(texts: list[str]) -> None:
    index = _index()
    regexes = [compile_regex(source, flags) for source, flags, _ in BUILTIN]
    skipped = 0
    for text in texts:
        candidates = index.candidates(text)
        for regex_id, regex in enumerate(regexes):
            if regex_id in candidates:
                continue
            skipped += 1
            assert regex.search(text) is None, (BUILTIN[regex_id][0], text)
    # the filter does work: most regexes are ruled out for most posts
    assert skipped > 0.6 * len(texts) * len(regexes)


def _python_pattern(source: str) -> str | None:
    translated = _translate(source)
    if translated is None:
        return None
    try:
        re.compile(translated)
    except re.error:
        return None
    return translated


GENERABLE = [
    (number, translated)
    for number, (source, _flags, atoms) in enumerate(BUILTIN)
    if (atoms or analyse(source, _flags).non_ascii)
    and (translated := _python_pattern(source)) is not None
]


def test_many_builtin_regexes_have_a_second_set_of_atoms() -> None:
    seconds = [analyse(source, flags).also for source, flags, _ in BUILTIN]
    assert sum(bool(also) for also in seconds) >= len(BUILTIN) / 4
    policy = policylint.load_policy()
    index = checker_of(policy).engine.executable.regexes
    for (source, _, _), also in zip(BUILTIN, seconds, strict=True):  # cached as analysed
        assert index._also[index._ids[source]] == tuple(sorted(also or ())), source


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_atoms_never_hide_a_match_on_generated_matches(data: st.DataObject) -> None:
    """Strings made to match each regex (by Hypothesis, from its Python reading), swapped
    in case and set in other text: whenever RE2 agrees they match, an atom is there."""
    number, translated = data.draw(st.sampled_from(GENERABLE))
    source, flags, atoms = BUILTIN[number]
    inner = data.draw(st.from_regex(translated, fullmatch=False))
    if data.draw(st.booleans()):
        inner = inner.swapcase()
    text = data.draw(st.text(max_size=5)) + inner + data.draw(st.text(max_size=5))
    if compile_regex(source, flags).search(text) is None:
        return
    facts = analyse(source, flags)
    assert atoms == tuple(sorted(facts.atoms or ()))
    haystack = text if facts.exact else text.casefold()
    assert not atoms or any(atom in haystack for atom in atoms), (source, text)
    also = facts.also
    assert not also or any(atom in haystack for atom in also), (source, text)
    assert not (facts.non_ascii and text.isascii()), (source, text)
    assert not atoms or sum(map(haystack.count, atoms)) >= facts.repeats, (source, text)


def test_casefold_agrees_with_re2_case_folding_on_every_cased_character() -> None:
    """Every character RE2 matches case-insensitively with ``a`` casefolds like ``a``: the
    premise of folding atoms and text with ``str.casefold``."""
    cased = [
        chr(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and len({chr(code), chr(code).lower(), chr(code).upper(), chr(code).casefold()}) > 1
    ]
    assert len(cased) > 2500
    haystack = "\n".join(cased)
    orbits = 0
    for char in cased:
        regex = compile_regex(re.escape(char), "i")
        matched = {m.group() for m in regex.finditer(haystack)}
        assert char in matched
        orbits += len(matched) > 1
        for other in matched:
            assert other.casefold() == char.casefold(), (char, other)
    assert orbits > 1000


def test_case_insensitive_atoms_cover_the_characters_re2_folds_to_ascii() -> None:
    # RE2 folds the Kelvin sign to k and the long s to s; casefold() does too
    for pattern, text in (("(?i)kelvin", "\u212aelvin"), ("(?i)sale", "\u017fale")):
        assert compile_regex(pattern, "").search(text) is not None
        index = RegexIndex()
        index.add(pattern, "", tuple(sorted(required_atoms(pattern) or ())))
        assert index.candidates(text) == {0}


def test_the_index_compiles_only_candidates_while_warming_up() -> None:
    index = _index()
    candidates = index.matching("Nothing to see here, just a plain sentence")
    assert 0 < len(candidates) < len(BUILTIN) / 4
    assert index._sets is None  # no RE2 set compiled yet


def test_a_hashtag_alternation_is_ruled_out_by_the_hashtags_a_post_holds() -> None:
    """A regex of "#" then one of many words (as a11y.hashtag_case's was before it became a
    detector): its atoms join the two, so a post whose words are on the list but whose
    hashtags are not never compiles it (1.5 ms of a start-up for 600 words)."""
    words = ["Monday", "monday", "Throwback", "throwback", "Small", "small", "Return", "return"]
    source = "#(?:" + "|".join(words) + ")(?:motivation|thursday|business)+\\b"
    index = RegexIndex()
    facts = analyse(source)
    regex_id = index.add(source, "", tuple(sorted(facts.atoms or ())), exact=facts.exact)
    assert facts.atoms and all(atom.startswith("#") for atom in facts.atoms)
    assert regex_id not in index.candidates("Double your returns this Monday #ad")
    post = "Double your returns #mondaymotivation"
    assert regex_id in index.candidates(post.replace("#m", "#M"))
    assert compile_regex(source, "").search(post.replace("#m", "#M"))


def test_regexes_rules_are_not_dispatched_by_are_matched_on_demand_and_exactly() -> None:
    """Regexes only in guards and exceptions sit in sets that run when a rule asks; what
    they report is exactly what RE2 finds, before and after the sets are built."""
    from policylint._runtime.context import PostContext
    from policylint._runtime.state import EvalState

    engine = checker_of(policylint.load_policy()).engine
    index, terms = engine.executable.regexes, engine.executable.terms
    eager = engine._dispatch.regex_triggers
    assert 20 <= len(eager) < len(index._patterns)
    regexes = {i: compile_regex(pattern, "") for i, pattern in enumerate(index._patterns)}
    texts = _texts()[:400]
    on_demand = 0
    for text in texts:  # the first 16 go through the warm-up, the rest through the sets
        state = EvalState(PostContext(text), terms, None, index)
        for regex_id, regex in regexes.items():
            expected = regex.search(state.ctx.plain.text) is not None
            if state.regex_may_match(regex_id) != expected:
                assert index._sets is None and not expected  # warm-up may over-approximate
        on_demand += len(state._lazy_hits or ())
    assert index._lazy_sets and on_demand > 0


@pytest.mark.parametrize(
    ("pattern", "flags", "atoms", "exact"),
    [
        ("abc", "", {"abc"}, True),
        ("Straße", "", {"Straße"}, True),  # exact: not folded to "strasse"
        (r"(?:Street|St|Pl)\b", "", {"St", "Pl"}, True),  # "Street" holds "St"
        ("[Ss]t", "", {"St", "st"}, True),
        ("abc", "i", {"abc"}, False),  # the rule's i flag
        ("(?i)ABC", "", {"abc"}, False),
        ("Ab(?i:C)", "", {"abc"}, False),  # any inline i: folded throughout
        ("(?s-i:Ab)", "", {"ab"}, False),  # clearing i reads as folded too: merely safe
        ("(?P<digits>x)Y", "", {"xY"}, True),  # a group name is no flag
    ],
)
def test_case_sensitive_regexes_get_exact_atoms(
    pattern: str, flags: str, atoms: set[str], exact: bool
) -> None:
    facts = analyse(pattern, flags)
    assert (facts.atoms, facts.exact) == (frozenset(atoms), exact)


def test_exact_atoms_rule_out_more_posts_and_hide_no_match() -> None:
    exact, folded = _index(exact=True), _index(exact=False)
    regexes = [compile_regex(source, flags) for source, flags, _ in BUILTIN]
    texts = _texts()
    kept_exact = kept_folded = 0
    for text in texts:
        candidates = exact.candidates(text)
        kept_exact += len(candidates)
        kept_folded += len(folded.candidates(text))
        for regex_id, regex in enumerate(regexes):
            if regex_id not in candidates:
                assert regex.search(text) is None, (BUILTIN[regex_id][0], text)
    assert kept_exact < kept_folded, (kept_exact, kept_folded)
    # The street-address pattern: "example" holds "pl" folded, but no exact street word.
    post = "Call Ben on +44 7911 123456 or email ben@example.com before Friday"
    address = next(i for i, (source, _, _) in enumerate(BUILTIN) if "Street|St|" in source)
    assert address in folded.candidates(post)
    assert address not in exact.candidates(post)


def test_a_regex_set_that_does_not_compile_is_split_until_its_parts_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sets are large now (RegexIndex.CHUNK): one out of RE2's memory must not make all of
    # its regexes "may match anything", only the one that fails alone.
    index = RegexIndex()
    ids = [index.add(f"word{n:02d}", "") for n in range(20)]
    real = RegexIndex._compiled_set

    def limited(self: RegexIndex, chunk: tuple[int, ...]) -> object:
        if len(chunk) > 3 or ids[5] in chunk:
            return None  # too big, or holds the regex that never compiles
        return real(self, chunk)

    monkeypatch.setattr(RegexIndex, "_compiled_set", limited)
    index.set_eager(frozenset(ids))
    index.WARM_UP = 0
    found = index.matching("say word07 and word05 and word19")
    assert found == {5, 7, 19}  # 5 may match anything; 7 and 19 are found by their sets
    assert sorted(i for chunk, _ in index._sets or () for i in chunk) == sorted(set(ids) - {5})
    assert index.matching("nothing here") == {5}
