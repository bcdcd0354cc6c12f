"""Property tests (hypothesis): the parser, the engine, the folded view and the JSON report.

* The parser, on generated and mutated policies, raises only ``PolicyError``.
* The engine, on arbitrary Unicode posts (emoji with ZWJ and skin tones, combining marks,
  RTL, CJK, zero-width and look-alike obfuscation), returns findings whose ``match`` is
  exactly ``text[start:end]``, sorted, and the same on every run and every load.
* ``fold_for_matching`` maps every span of the view inside the original text.
* The JSON report always validates against ``Report.model_json_schema()``.

The runs are derandomised (the same examples on every CI run, so a failure is never a
flake); ``POLICYLINT_PROPERTY_EXAMPLES=N`` raises the count and
``POLICYLINT_PROPERTY_RANDOM=1`` explores new examples locally. The number of examples each
property ran is printed at the end of the module (``-s``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policylint
from policylint import PolicyError, Post, Report
from policylint._pipeline.policy import Policy
from policylint._text.views import fold_for_matching, plain_view

EXAMPLES = int(os.environ.get("POLICYLINT_PROPERTY_EXAMPLES", "150"))
RANDOM = os.environ.get("POLICYLINT_PROPERTY_RANDOM", "") not in ("", "0")
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Examples run per property, printed when the module finishes.
RUNS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    from policylint._cache.folder import cache_dir

    # Thousands of generated policies must not each leave an entry in the user's cache.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICYLINT_NO_CACHE", "1")
        cache_dir.cache_clear()
        yield
    cache_dir.cache_clear()
    total = sum(RUNS.values())
    print(f"\nhypothesis examples run: {total} " + str(dict(sorted(RUNS.items()))))


# ------------------------------------------------------------------------------- parser

_DOCS = Path(__file__).resolve().parent.parent / "docs" / "language.md"
_BLOCK = re.compile(r"^```policy\n(.*?)^```", re.MULTILINE | re.DOTALL)

EXTRA_SEEDS = [
    'rule a.b { flag ["x"] }\n',
    """
    setting thresholds.n = 3
    setting organisation.competitors = ["Initech"]
    terms t = ["guarantee*", "risk-free"] + organisation.competitors
    rule x.y {
      category tone severity info owner "PR" reference "R" "https://e.com"
      message "{match} {length} {meta.a} {{x}}"
      when platform in ["x", "threads"] and not meta.draft or length > thresholds.n
      flag (t near /\\d+%/i within 3 chars) or detect(email) in first 2 lines
      flag ["a"] not near ["b"] within 2 words and ["c"] followed by ["d"] within 1 lines
      require ["#ad"] in hashtags
      unless allow ["x"]
      unless matches ["guaranteed investment"]
      unless contains ["no"] in meta.alt
      suggest "may" unsafe
      waivable false
      example fail "t" with platform = "x", meta.a = 1, meta.b = [true, "s"]
    }
    """,
    'policy "p" {\n  description """\n  long\n  """\n  severity x.* warning\n  disable a.b, c.*\n'
    "  set thresholds.n = 4\n}\nsetting thresholds.n = 3\n"
    'rule a.b { flag ["a"] }\nrule c.d { when length > 3 }\nrule x.y { require /z/ }\n',
]


def _seeds() -> list[str]:
    seeds = _BLOCK.findall(_DOCS.read_text(encoding="utf-8")) if _DOCS.exists() else []
    # No extends in seeds: the built-in packs are slow to load and not what is tested here.
    seeds = [re.sub(r"^\s*extends .*$", "", s, flags=re.MULTILINE) for s in seeds]
    return seeds + EXTRA_SEEDS


SEEDS = _seeds()

TOKENS = [
    "policy", "rule", "terms", "setting", "flag", "require", "unless", "when", "near",
    "not", "and", "or", "in", "first", "last", "within", "words", "chars", "lines",
    "followed", "preceded", "by", "allow", "matches", "contains", "detect(", "detect(email)",
    "example", "fail", "pass", "with", "platform", "meta.x", "severity", "error", "extends",
    "disable", "set", "{", "}", "(", ")", "[", "]", ",", "=", "==", "<=", "+", "*", "#",
    '"', '"""', "/", "\\", "\n", " ", "0", "-1", "99999999999999999999", "1.5", '"x"',
    '"\\u00e9"', '"\\q"', "/a+/", "/(?=a)/", "/\\1/", "/[/", "/\\C/", "a.b", "a.*", "é", "😀",
    "\u200b", "\u202e", "\x00", "\r", "\t", "{match}", "{nope}", "hashtags", "mentions",
    "links", "true", "false", "safe", "builtin:nope", "./x.policy", "../x.policy",
]  # fmt: skip


@st.composite
def mutated_policy(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "swap"]))
        position = draw(st.integers(0, len(text)))
        if op == "delete":
            length = draw(st.integers(1, 20))
            text = text[:position] + text[position + length :]
        elif op == "insert":
            piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)))
            text = text[:position] + piece + text[position:]
        elif op == "replace":
            piece = draw(st.one_of(st.sampled_from(TOKENS), st.characters()))
            text = text[:position] + piece + text[position + 1 :]
        elif op == "duplicate":
            length = draw(st.integers(1, 80))
            text = (
                text[:position] + text[position : position + length] * 2 + text[position + length :]
            )
        else:
            words = text.split(" ")
            if len(words) > 2:
                i = draw(st.integers(0, len(words) - 1))
                j = draw(st.integers(0, len(words) - 1))
                words[i], words[j] = words[j], words[i]
                text = " ".join(words)
    return text


@st.composite
def generated_policy(draw: st.DrawFn) -> str:
    """Token soup: sequences of language tokens, mostly ungrammatical."""
    tokens = draw(st.lists(st.sampled_from(TOKENS), max_size=60))
    return " ".join(tokens)


@contextlib.contextmanager
def _empty_cwd() -> Iterator[None]:
    """Text policies resolve relative extends from the working folder: make it empty."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        yield


def _load_only_policy_error(text: str) -> None:
    with _empty_cwd():
        try:
            policy = policylint.load_policy(text=text)
        except PolicyError as error:
            assert error.diagnostics, "a PolicyError must say what is wrong"
            for diagnostic in error.diagnostics:
                assert diagnostic.line >= 1 and diagnostic.column >= 1
                assert re.fullmatch(r"PL\d{3}", diagnostic.code)
            error.render()
            return
        # A policy that loads must also run.
        policy.check("Guaranteed returns! #ad @boss http://x.com 😀")


@PROPERTY
@given(mutated_policy())
def test_parser_on_mutated_policies_raises_only_policy_error(text: str) -> None:
    RUNS["parser: mutated policies"] += 1
    _load_only_policy_error(text)


@PROPERTY
@given(generated_policy())
def test_parser_on_generated_policies_raises_only_policy_error(text: str) -> None:
    RUNS["parser: generated token soup"] += 1
    _load_only_policy_error(text)


@PROPERTY
@given(st.text(max_size=200))
def test_parser_on_arbitrary_text_raises_only_policy_error(text: str) -> None:
    RUNS["parser: arbitrary text"] += 1
    _load_only_policy_error(text)


def test_seeds_are_valid() -> None:
    """The mutations start from policies that load (the docs' blocks and the extra seeds)."""
    assert len(SEEDS) >= 5
    with _empty_cwd():
        for seed in SEEDS:
            try:
                policylint.load_policy(text=seed)
            except PolicyError as error:  # pragma: no cover - a broken seed
                pytest.fail(error.render())


# ------------------------------------------------------------------------------- engine

ENGINE_POLICY = r"""
terms promise = ["guarantee*", "risk-free", "can't lose", "sure thing", "*partner"]
rule t.terms { severity error flag promise unless preceded by ["not", "never"] within 2 words }
rule t.near { flag ["return*", "profit*"] near promise within 4 words }
rule t.notnear { flag ["free"] not near ["trial"] within 2 words }
rule t.followed { flag ["click"] followed by ["here", "now"] within 3 words }
rule t.regex { flag /\d{3}[-.]\d{4}/ }
rule t.regexi { flag /b[a-z]*y/i }
rule t.regexs { flag /a.b/s }
rule t.detect { flag detect(email) or detect(url) or detect(phone) }
rule t.hashtag { flag ["ad", "sponsored"] in hashtags }
rule t.mention { flag ["boss"] in mentions }
rule t.first { flag ["win*"] in first 5 words }
rule t.last { flag ["bye"] in last 10 chars }
rule t.lines { flag ["hi"] in first 1 lines }
rule t.cjk { flag ["保証", "보장", "гарантия"] }
rule t.emoji { flag ["💯", "👍"] }
rule t.and { flag ["sale"] and ["today"] }
rule t.inside { flag ["free"] unless matches ["free trial"] }
rule t.allow { flag detect(phone) unless allow ["+1 800 555 0100"] }
rule t.alt { flag ["guarantee*"] in meta.alt }
rule t.require { require ["#ad"] in first 125 chars when meta.sponsored }
rule t.metric { when exclamation_run >= 3 or caps_ratio > 0.9 }
rule t.message { flag ["sale"] message "{match} on {platform} ({length}, {meta.x}) {{}}" }
"""

FRAGMENTS = [
    "guaranteed", "Guaranteed", "GUARANTEE", "g\u200buaranteed", "gu\u0430rantee",  # Cyrillic a
    "guar4nt33d", "G-U-A-R-A-N-T-E-E-D", "g u a r a n t e e", "risk-free", "risk free",
    "can't lose", "cant lose", "sure thing", "BrandPartner", "returns", "profit", "not",
    "never", "free", "trial", "free trial", "click", "here", "555-1234", "555.1234", "BUY",
    "bay", "a\nb", "ann@example.com", "http://example.com/x", "www.example.org",
    "+44 7911 123456", "1-800-555-0100", "#ad", "#Sponsored", "#adventure", "@boss", "win",
    "bye", "hi", "保証します", "보장", "ГАРАНТИЯ", "💯", "👍🏽", "👩\u200d👩\u200d👧\u200d👦",
    "🇬🇧", "1\ufe0f\u20e3", "e\u0301", "é", "\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u202e", "\u200f", "\u2066", "\ufeff", "\u00ad", "ﬁ", "Ｇｕａｒａｎｔｅｅｄ", "ß", "İ",
    "sale", "today", "!!!", "!", "?", ".", ";", " ", "  ", "\t", "\n", "\r\n", "\r", "\u2028",
    "\u0085", "\x00", "𝐠𝐮𝐚𝐫𝐚𝐧𝐭𝐞𝐞𝐝", "ǅ", "ﷺ", "\u0e01\u0e34",
]  # fmt: skip

post_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map(
    "".join
)
platforms = st.sampled_from([None, "x", "twitter", "linkedin", "instagram", "Threads", "other"])
metas = st.fixed_dictionaries(
    {},
    optional={
        "sponsored": st.booleans(),
        "x": st.one_of(st.text(max_size=5), st.integers(), st.none()),
        "alt": post_text,
    },
)

_POLICIES: dict[int, Policy] = {}


def engine_policy(copy: int = 0) -> Policy:
    """The engine policy; ``copy`` 1 is a second, independent load."""
    if copy not in _POLICIES:
        with _empty_cwd():
            _POLICIES[copy] = policylint.load_policy(text=ENGINE_POLICY)
    return _POLICIES[copy]


def _check_findings(post: Post, findings: list[policylint.Finding]) -> None:
    assert findings == sorted(findings, key=lambda f: f.sort_key())
    keys = [(f.rule, f.start, f.end, f.field) for f in findings]
    assert len(keys) == len(set(keys)), "duplicate findings"
    for finding in findings:
        if finding.field is None:
            text = post.text
        else:
            value = post.meta.get(finding.field.removeprefix("meta."))
            text = "\n".join(value) if isinstance(value, list) else str(value)
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.match == text[finding.start : finding.end]
        assert finding.line >= 1 and finding.column >= 1
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


@PROPERTY
@given(post_text, platforms, metas)
def test_engine_spans_are_exact_sorted_and_deterministic(
    text: str, platform: str | None, meta: dict[str, object]
) -> None:
    RUNS["engine: unicode posts"] += 1
    post = Post(id="p", text=text, platform=platform, meta=meta)
    first = engine_policy().check(post).findings
    _check_findings(post, first)
    assert engine_policy().check(post).findings == first  # the same policy again
    assert engine_policy(copy=1).check(post).findings == first  # an independent load


@PROPERTY
@given(st.text(max_size=300))
def test_engine_on_arbitrary_text(text: str) -> None:
    RUNS["engine: arbitrary text"] += 1
    post = Post(text=text)
    _check_findings(post, engine_policy().check(post).findings)


@PROPERTY
@given(post_text)
def test_findings_report_file_positions_of_verbatim_text(text: str) -> None:
    """Read as a .txt file, a finding's line:column is where its match starts in the file."""
    RUNS["engine: file positions"] += 1
    result = policylint.read_text(text, path="post.txt", format="txt")
    (post,) = result.posts
    lines = re.split(r"\r\n|\r|\n", post.text)
    for finding in engine_policy().check(post).findings:
        if finding.field is not None or finding.start == finding.end:
            continue
        line = lines[finding.line - 1]
        assert line[finding.column - 1 :].startswith(finding.match.split("\n")[0].split("\r")[0])


# ------------------------------------------------------------------------------- text views


def _assert_view_in_bounds(original: str, view: object) -> None:
    from policylint._text.views import NormalisedText

    assert isinstance(view, NormalisedText)
    size = len(view.text)
    assert len(view.starts) == size and len(view.ends) == size
    assert view.original_length == len(original)
    previous_start = previous_end = 0
    for start, end in zip(view.starts, view.ends, strict=True):
        assert 0 <= start < end <= len(original)
        assert start >= previous_start and end >= previous_end
        previous_start, previous_end = start, end


@PROPERTY
@given(post_text, st.data())
def test_fold_for_matching_maps_spans_within_bounds(text: str, data: st.DataObject) -> None:
    RUNS["text: fold_for_matching"] += 1
    view = fold_for_matching(text)
    _assert_view_in_bounds(text, view)
    start = data.draw(st.integers(0, len(view.text)))
    end = data.draw(st.integers(start, len(view.text)))
    original_start, original_end = view.to_original(start, end)
    assert 0 <= original_start <= original_end <= len(text)
    assert fold_for_matching(text) == view  # deterministic


@PROPERTY
@given(st.text())
def test_views_of_arbitrary_text_are_in_bounds(text: str) -> None:
    RUNS["text: views of arbitrary text"] += 1
    _assert_view_in_bounds(text, fold_for_matching(text))
    _assert_view_in_bounds(text, plain_view(text))


# ------------------------------------------------------------------------------- reports

_SCHEMA = Report.model_json_schema()


@PROPERTY
@given(st.lists(st.tuples(post_text, platforms, metas), max_size=4))
def test_json_report_validates_against_its_schema(
    posts: list[tuple[str, str | None, dict[str, object]]],
) -> None:
    RUNS["report: JSON schema"] += 1
    batch = [
        Post(id=str(n), text=text, platform=platform, meta=meta)
        for n, (text, platform, meta) in enumerate(posts)
    ]
    report = Report.from_results(engine_policy().check_many(batch))
    data = json.loads(report.model_dump_json())
    jsonschema.validate(data, _SCHEMA)
    assert data["summary"]["posts_checked"] == len(batch)
    assert Report.model_validate(data) == report


def test_json_format_of_the_cli_validates(tmp_path: Path) -> None:
    """What ``check --format json`` prints validates too (the reporter, not just the model)."""
    import subprocess
    import sys

    (tmp_path / "org.policy").write_text(ENGINE_POLICY, encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(
        json.dumps({"id": 1, "text": "Guaranteed returns #ad 😀 call 555-1234", "alt": "x"})
        + "\n{broken\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "policylint", "check", "--isolated", "--policy", "org.policy",
         "--format", "json", "posts.jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ.get("PATH", ""), "POLICYLINT_NO_CACHE": "1", "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, _SCHEMA)
    assert data["findings"] and data["errors"]
