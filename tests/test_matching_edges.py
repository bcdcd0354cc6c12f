"""Matching at run time stays linear and bounded whatever the policy and the post hold.

Each test pins one hard edge of issue 15 by counting work (or, where the old behaviour took
minutes or gigabytes, with a generous bound in a child process); the times before and
after are in the commit messages and ``docs/security.md``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import policylint
from policylint._runtime.context import PostContext
from policylint._runtime.patterns import RegexNode
from policylint._runtime.regexes import compile_regex, spans
from policylint._runtime.state import EvalState
from policylint._runtime.terms import TermIndex


class _CountingRegex:
    """A compiled regex that counts the bytes or characters of the text it is handed."""

    def __init__(self, regex: Any) -> None:
        self.regex = regex
        self.handed = 0

    def search(self, text: Any, *args: Any) -> Any:
        self.handed += len(text)
        return self.regex.search(text, *args)

    def finditer(self, text: Any, *args: Any) -> Any:
        self.handed += len(text)
        return self.regex.finditer(text, *args)


def _node_matches(source: str, text: str) -> tuple[list[tuple[int, int]], int]:
    """A regex node's spans on ``text`` (below the loader and its bounds), and how much
    text RE2 was handed to find them."""
    node = RegexNode(source)
    counting = _CountingRegex(compile_regex(source, ""))
    node._compiled = counting
    state = EvalState(PostContext(text), TermIndex())
    found = [(m.start, m.end) for m in node.matches(state)]
    return found, counting.handed


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("b?", "a" * 10_000),  # an empty match at every position (43 s on 100 KB before)
        ("a", "a" * 10_000),  # a match at every position (8 s on 40 KB before)
        ("a", "é" * 5_000),  # non-ASCII: byte offsets mapped to characters in one pass
    ],
)
def test_a_regex_reads_the_post_once_however_many_matches(source: str, text: str) -> None:
    found, handed = _node_matches(source, text)
    assert handed <= 2 * len(text.encode())  # was once per match: quadratic
    assert len(found) == (0 if source == "b?" else text.count(source))


def test_regex_spans_are_characters_on_mixed_text() -> None:
    text = "añb 😀c\u0301d x"
    regex = compile_regex(r"\w+|😀|.", "")
    found = list(spans(regex, text))
    assert "".join(text[s:e] for s, e in found) == text
    assert all(s < e for s, e in found)


def test_groups_never_capture() -> None:
    # RE2 computes every group of a match it is asked to report: 1,000 "(a?)" groups on a
    # 10 KB post took 14 s, 100,000 nested groups more memory than the machine had.
    regex = compile_regex("(a?)" * 1_000 + "a", "")
    assert regex.groups == 0
    found, _ = _node_matches("(a?)" * 1_000 + "a", "a" * 10_000)
    assert found[0] == (0, 1_001) and len(found) == 10  # the last one: 991 characters


def test_deeply_nested_groups_match_in_bounded_memory() -> None:
    """100,000 nested groups on a 1,000-character post: was std::bad_alloc at a 3 GiB
    address-space cap (24 GB unbounded); now a few MB."""
    code = textwrap.dedent(
        """
        import json, resource, sys
        limit = 1 << 30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from policylint._runtime.patterns import RegexNode
        from policylint._runtime.state import EvalState
        from policylint._runtime.context import PostContext
        from policylint._runtime.terms import TermIndex
        node = RegexNode("(" * 100_000 + "a" + ")" * 100_000)
        found = node.matches(EvalState(PostContext("a" * 1_000), TermIndex()))
        print(json.dumps(len(found)))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == 1_000


def test_a_lone_surrogate_is_matched_around() -> None:
    """Half of a UTF-16 pair (a truncated string, a JSON escape) is a character like any
    other: it raised UnicodeEncodeError from every regex before."""
    policy = policylint.load_policy(
        'rule t.word { flag /gu.ranteed/ }\nrule t.any { flag /x.y/ }\nrule t.t { flag ["now"] }'
    )
    text = "call \ud800 now: gu\udc00ranteed x\ud83dy"
    report = policy.check(text)
    found = {(f.rule, f.match) for f in report.findings}
    assert found == {
        ("t.word", "gu\udc00ranteed"),
        ("t.any", "x\ud83dy"),
        ("t.t", "now"),
    }
    for finding in report.findings:
        assert text[finding.start : finding.end] == finding.match


def test_builtin_packs_check_a_post_with_lone_surrogates() -> None:
    text = "Call 415-555-0132 \ud800 now!!! Guaranteed 20% returns \udfff #ad"
    report = policylint.load_policy().check(text)
    assert report.findings
    for finding in report.findings:
        assert text[finding.start : finding.end] == finding.match


@pytest.mark.parametrize("output_format", ["json", "text", "sarif", "github", "jsonl"])
def test_the_cli_reports_a_record_with_a_lone_surrogate_as_an_input_error(
    tmp_path: Any, output_format: str
) -> None:
    """A file's record holding ``"\\ud800"`` is not text a person wrote: the reader reports
    it (path:line:col) and checks the rest, in every output format (issue 15). Text given
    to the API is matched around instead (above)."""
    (tmp_path / "any.policy").write_text(
        'rule t.any {\n  severity error\n  message "found {match}"\n  flag /x.y/\n}\n'
    )
    (tmp_path / "posts.jsonl").write_text('{"text": "x\\ud800y"}\n{"text": "xay"}\n')
    command = ["check", "--policy", "any.policy", "--format", output_format, "posts.jsonl"]
    done = subprocess.run(
        [sys.executable, "-m", "policylint", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "xay" in done.stdout  # the other record is still checked
    if output_format == "json":
        report = json.loads(done.stdout)
        assert [f["match"] for f in report["findings"]] == ["xay"]
        ((error),) = report["errors"]
        assert error["line"] == 1


# ------------------------------------------------------------------------------- long posts


def test_sentiment_scores_a_long_post_in_bounded_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """VADER's cost is quadratic in the words it is given (100,000 characters: 8 s)."""
    from policylint._runtime import metrics

    sentence = "The service was great, but the wait was awful! "
    short = sentence * 50  # 450 words: scored whole, as VADER scores it
    assert metrics.METRICS["sentiment"].compute(PostContext(short)) == pytest.approx(
        metrics._vader().polarity_scores(short)["compound"]
    )
    given: list[int] = []
    real = metrics._vader()

    class Counting:
        def polarity_scores(self, text: str) -> dict[str, float]:
            given.append(len(text.split()))
            return dict(real.polarity_scores(text))

    monkeypatch.setattr(metrics, "_vader", Counting)
    long = sentence * 2_000  # 18,000 words
    score = metrics.METRICS["sentiment"].compute(PostContext(long))
    assert sum(given) == 18_000
    assert max(given) <= metrics.SENTIMENT_WORDS
    assert score == pytest.approx(real.polarity_scores(sentence * 111)["compound"], abs=0.05)


def test_sentence_groups_keep_every_word_in_order() -> None:
    from policylint._runtime.metrics import _sentence_groups

    text = "One two three. " + "long " * 25 + "end! Four five?\nsix"
    groups = list(_sentence_groups(text, 10))
    assert " ".join(groups).split() == text.split()
    assert all(0 < len(group.split()) <= 10 for group in groups)
    assert groups[0] == "One two three."  # whole sentences, while they fit


def test_phone_numbers_claim_their_spans_without_rescanning() -> None:
    import random

    from policylint.detectors.base import Found
    from policylint.detectors.phone import _Claimed

    rng = random.Random(3)
    claimed = _Claimed()
    for _ in range(2_000):
        start = rng.randrange(0, 5_000)
        span = Found(start, start + rng.randrange(1, 30), "", "")
        overlaps = any(span.start < f.end and f.start < span.end for f in claimed.found)
        assert claimed.free(span) is not overlaps
        if not overlaps:
            claimed.add(span)


def test_a_long_post_builds_the_automaton_instead_of_looking_up_each_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = TermIndex()
    index.add("guaranteed")
    looked_up: list[int] = []
    lookup = index._lookup

    def counting(text: str, prefix: str) -> list[tuple[int, int]]:
        looked_up.append(len(text))
        return lookup(text, prefix)

    monkeypatch.setattr(index, "_lookup", counting)
    assert index.find("a guaranteed win") == {0: [(2, 12)]}
    hits = index.find("guaranteed " * 10_000)
    assert len(hits[0]) == 10_000
    # The short post only: its words, then its phrases (looked up without separators).
    assert looked_up == [len("a guaranteed win"), len("aguaranteedwin")]


def test_terms_sharing_a_wildcard_piece_run_only_where_all_their_pieces_are() -> None:
    """100,000 terms "guarantee*abcd"... all ran as regexes on the first post holding
    "guarantee" (7.7 s, 520 MB): now they are keyed by their rarest piece."""
    import itertools
    import string

    index = TermIndex()
    words = ["".join(p) for p in itertools.product(string.ascii_lowercase, repeat=3)]
    ids = {word: index.add(f"guarantee*{word}") for word in words[:5_000]}
    text = "we guarantee returns; guaranteedabc and guaranteeabd"
    hits = index.find(text)
    assert hits == {ids["abc"]: [(22, 35)], ids["abd"]: [(40, 52)]}
    # compiled only for the terms every piece of which is in the post ("ret", "and"...)
    assert set(index._regex_cache) == {i for word, i in ids.items() if word in text}
    assert len(index._regex_cache) < 20
