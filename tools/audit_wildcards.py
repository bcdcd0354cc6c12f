"""Audit the built-in packs' wildcard terms: which real words does each one match?

A term ending or starting with ``*`` matches the rest of a word (docs/language.md), and so
reaches words its writer never thought of: ``concorre*`` (to compete for a prize) also read
"concorrente" (a competitor), issue 17. No corpus shows such a false alarm until a writer
happens to use the word, so this script expands every wildcard term against the vocabularies
of the six languages the packs read, for a person to review.

Dev-only (never imported by the package; its one extra dependency is not a runtime or test
dependency). Run it from the repository root:

    python -m venv /tmp/audit && /tmp/audit/bin/pip install -e . wordfreq
    /tmp/audit/bin/python tools/audit_wildcards.py                 # every wildcard term
    /tmp/audit/bin/python tools/audit_wildcards.py --term 'concorre*' --limit 0
    /tmp/audit/bin/python tools/audit_wildcards.py --min-words 2 --min-zipf 3

Vocabularies: wordfreq's ``top_n_list(lang, 100000)`` for en, es, de, fr, it, pt (code
Apache-2.0, data CC BY-SA 4.0: read here, never copied into the repository), and the words
of the tweet corpora in ../shared/corpora when they are there (POLICYLINT_CORPORA names
another folder; skipped with a note when absent).

The terms come from the packs as the package reads them: every file of every built-in pack
(``builtin_packs``, the opt-in ones too) parsed by the package's parser, each term with its
file, line and the list or rule that holds it; the terms of the compiled ``builtin:all`` are
checked against that, so a wildcard reaching the engine some other way is not missed. The
words are matched by the package's own term index, so a word listed is one a post would
match (same folding, word boundaries and wildcard ends).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import re
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

from policylint._lang import ast
from policylint._lang.packs import builtin_files, builtin_packs
from policylint._lang.parser import parse_policy
from policylint._runtime.terms import TermIndex, parse_term
from policylint._text.views import fold_term

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
VOCABULARY_SIZE = 100_000
CORPORA = Path(os.environ.get("POLICYLINT_CORPORA", ROOT.parent / "shared" / "corpora"))
WORD = re.compile(r"[^\W\d_][\w'’-]*")


class Place(NamedTuple):
    """Where a term is written: its file, line, and the list or rule holding it."""

    path: str
    line: int
    holder: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.holder})"


class Word(NamedTuple):
    """A vocabulary word as a post would show it, with its best frequency (zipf) and the
    languages it is frequent in, or the times the tweet corpora use it."""

    text: str
    zipf: float
    languages: tuple[str, ...]
    tweets: int


# ----------------------------------------------------------------------------- terms
def _terms_in(node: Any) -> Iterator[ast.Term]:
    """Every term inside an AST node (a rule's patterns, conditions and exceptions)."""
    if isinstance(node, ast.Term):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            yield from _terms_in(getattr(node, field.name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _terms_in(item)


def pack_terms() -> dict[str, list[Place]]:
    """Every wildcard term of every built-in pack file -> where it is written."""
    places: dict[str, list[Place]] = defaultdict(list)
    seen: set[Path] = set()
    for pack in builtin_packs():
        for path in builtin_files(pack) or ():
            if path in seen:
                continue
            seen.add(path)
            display = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            policy_file = parse_policy(path.read_text(encoding="utf-8"), display)
            holders: list[tuple[str, Any]] = [(f"terms {d.name}", d) for d in policy_file.terms]
            holders += [(f"rule {r.id}", r) for r in policy_file.rules]
            for holder, node in holders:
                for term in _terms_in(node):
                    if "*" in term.text:
                        places[term.text].append(Place(display, term.pos.line, holder))
    return places


def compiled_wildcards() -> set[str]:
    """The wildcard terms of the compiled builtin:all (its engine's term index)."""
    import policylint

    policy = policylint.load_policy("builtin:all")
    index = policy._checker.engine.executable.terms  # a dev tool may look inside
    return {index.spec(i).source for i in range(len(index)) if "*" in index.spec(i).source}


def wildcard_word(term: str) -> str | None:
    """The word of a term a wildcard extends: the term itself, a phrase's first or last word
    ("guaranteed investment certificate*" -> "certificate*"), or None when the term's only
    '*' is a slot for a whole word ("more * than", "* of treatment for")."""
    words = term.split()
    if len(words[-1]) > 1 and words[-1].endswith("*"):
        return term if len(words) == 1 else words[-1]
    if len(words[0]) > 1 and words[0].startswith("*"):
        return words[0]
    return None


# ----------------------------------------------------------------------------- words
def wordfreq_words() -> dict[str, Word]:
    """The most frequent words of each language, keyed by their folded form."""
    try:
        from wordfreq import top_n_list, zipf_frequency
    except ImportError:
        sys.exit("error: this audit needs wordfreq (pip install wordfreq, in a dev venv)")
    words: dict[str, Word] = {}
    for lang in LANGUAGES:
        for text in top_n_list(lang, VOCABULARY_SIZE):
            if not WORD.fullmatch(text):
                continue
            zipf = zipf_frequency(text, lang)
            key = fold_term(text)
            old = words.get(key)
            if old is None:
                words[key] = Word(text, zipf, (lang,), 0)
            else:
                best = old if old.zipf >= zipf else old._replace(text=text, zipf=zipf)
                words[key] = best._replace(languages=(*old.languages, lang))
    return words


def tweet_texts() -> Iterator[str]:
    """The tweets of the shared corpora (none, with a note, when they are absent)."""
    vader = CORPORA / "vader_icwsm2014" / "tweets_GroundTruth.txt"
    davidson = CORPORA / "davidson_hate_offensive_2017" / "labeled_data.csv"
    if not vader.is_file() or not davidson.is_file():
        print(f"note: no tweet corpora in {CORPORA}: wordfreq's lists only", file=sys.stderr)
        return
    for line in vader.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            yield parts[2]
    with davidson.open(encoding="utf-8", errors="replace", newline="") as handle:
        for record in csv.DictReader(handle):
            yield record["tweet"]


def add_tweet_words(words: dict[str, Word], texts: Iterable[str]) -> None:
    """Count the words of the tweets into ``words`` (new ones with no frequency)."""
    counts = Counter(fold_term(w) for text in texts for w in WORD.findall(text.lower()))
    for key, count in counts.items():
        old = words.get(key)
        words[key] = (old or Word(key, 0.0, (), 0))._replace(tweets=count)


# ----------------------------------------------------------------------------- matching
def expansions(terms: Iterable[str], words: dict[str, Word]) -> dict[str, list[Word]]:
    """Each term -> the vocabulary words it matches, most frequent first, found by the
    package's own term index over all the words at once."""
    index = TermIndex()
    ids = {term: index.add(wildcard_word(term) or term) for term in terms}
    # One text of every word, a line each: a hit's start finds its word by bisection.
    keys = sorted(words)
    starts = list(accumulate((len(key) + 1 for key in keys[:-1]), initial=0))
    hits = index.find("\n".join(keys))
    found: dict[str, list[Word]] = {}
    for term, term_id in ids.items():
        matched = {keys[bisect_right(starts, start) - 1] for start, _ in hits.get(term_id, ())}
        found[term] = sorted(
            (words[k] for k in matched), key=lambda w: (-w.zipf, -w.tweets, w.text)
        )
    return found


def show(word: Word) -> str:
    tag = ",".join(word.languages) + (f" {word.zipf:.1f}" if word.zipf else "")
    if word.tweets:
        tag += f"{' ' if tag else ''}tw{word.tweets}"
    return f"{word.text} ({tag})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--term", action="append", default=[], help="only these terms")
    parser.add_argument("--limit", type=int, default=30, help="words shown per term (0: all)")
    parser.add_argument(
        "--min-words", type=int, default=1, help="only terms matching at least this many words"
    )
    parser.add_argument(
        "--min-zipf",
        type=float,
        default=0.0,
        help="count only words at least this frequent (zipf; 3 = once per million words)",
    )
    args = parser.parse_args(argv)

    places = pack_terms()
    missing = compiled_wildcards() - places.keys()
    for term in sorted(missing):
        places[term].append(Place("<compiled builtin:all>", 0, "not found in a pack file"))
    # A '*' standing alone ("more * than") is a slot for one word, not a word's rest.
    slots = sorted(t for t in places if wildcard_word(t) is None)
    terms = sorted(t for t in places if t not in slots and (not args.term or t in args.term))
    words = wordfreq_words()
    add_tweet_words(words, tweet_texts())
    found = expansions(terms, words)

    shown = 0
    for term in terms:
        kept = [w for w in found[term] if w.zipf >= args.min_zipf or w.tweets]
        if len(kept) < args.min_words:
            continue
        shown += 1
        spec = parse_term(term)
        print(f"\n{term!r}  {len(kept)} words; core {spec.core!r}")
        for place in places[term]:
            print(f"    at {place}")
        listed = kept if args.limit == 0 else kept[: args.limit]
        more = " ..." if len(kept) > len(listed) else ""
        print("    " + ", ".join(show(w) for w in listed) + more)
    unmatched = sum(1 for t in terms if not found[t])
    print(
        f"\n{len(terms)} wildcard terms ({sum(len(places[t]) for t in terms)} places in the packs;"
        f" {len(missing)} only in the compiled policy); {shown} shown;"
        f" {unmatched} match no vocabulary word; {len(words)} vocabulary words;"
        f" {len(slots)} terms whose '*' is a word slot left out"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
