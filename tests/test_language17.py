"""Issue 17's rule-language extensions: dates compared as instants, settings as distances,
quantifiers over metadata lists, metadata values as term lists, masked terms."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policylint
from policylint import PolicyError


def fires(condition: str, meta: dict[str, Any], text: str = "hello world") -> bool:
    policy = policylint.load_policy(f"rule t.r {{ when {condition} }}")
    return bool(policy.check(text, meta=meta).findings)


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("posted", "op", "until", "expected"),
    [
        # the same instant in two time zones
        ("2026-03-01T09:00:00+01:00", "==", "2026-03-01T08:00:00Z", True),
        ("2026-03-01T09:00:00+01:00", ">=", "2026-03-01T08:00:00Z", True),
        ("2026-03-01T09:00:00+01:00", "<", "2026-03-01T08:00:00Z", False),
        # text order says the opposite of time order here
        ("2026-03-01T10:00:00+02:00", "<", "2026-03-01T09:00:00Z", True),
        ("2026-03-01T08:30+00:00", ">", "2026-03-01T09:00+01:00", True),
        # a date alone is that day's start (UTC), a time without a zone is UTC
        ("2026-03-01", "==", "2026-03-01T00:00:00Z", True),
        ("2026-03-01", "<", "2026-03-01T00:00:01", True),
        ("2026-03-01 06:00", "<", "2026-03-01T07:00", True),
        # not a valid date/time, compared with one: false (and != true)
        ("2026-02-30T09:00", "<", "2026-03-01", False),
        ("2026-02-30T09:00", ">=", "2026-03-01", False),
        ("tomorrow", "<", "2026-03-01", False),
        ("tomorrow", ">=", "2026-03-01", False),
        ("2026-03-01 9am", "!=", "2026-03-01", True),
    ],
)
def test_dates_compare_as_instants(posted: str, op: str, until: str, expected: bool) -> None:
    meta = {"posted_at": posted, "embargo_until": until}
    assert fires(f"meta.posted_at {op} meta.embargo_until", meta) is expected


def test_a_date_compares_with_a_literal_and_with_datetime_objects() -> None:
    assert fires('meta.posted_at < "2026-03-01T09:00+01:00"', {"posted_at": "2026-03-01T07:59Z"})
    moment = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    assert fires('meta.posted_at == "2026-03-01T10:00+01:00"', {"posted_at": moment})
    assert fires('meta.day < "2026-03-01T00:00:01Z"', {"day": datetime.date(2026, 3, 1)})


def test_a_missing_date_compares_false() -> None:
    assert not fires("meta.posted_at < meta.embargo_until", {"embargo_until": "2026-03-01"})
    assert not fires("meta.posted_at >= meta.embargo_until", {"embargo_until": "2026-03-01"})


def test_strings_that_are_not_dates_still_compare_as_text() -> None:
    assert fires('meta.tier < "b"', {"tier": "A"})
    assert fires("meta.count > 3", {"count": 4})


def test_embargo_pack_honours_time_zones() -> None:
    policy = policylint.load_policy('policy "p" { extends "builtin:security" }')
    text = "Embargoed until 09:00 CET: Acme opens in Paris."
    # posted 08:30 UTC = 09:30 CET, after the embargo lifted at 09:00 CET
    after = {"posted_at": "2026-03-01T08:30:00Z", "embargo_until": "2026-03-01T09:00:00+01:00"}
    before = {"posted_at": "2026-03-01T07:30:00Z", "embargo_until": "2026-03-01T09:00:00+01:00"}
    assert not [f for f in policy.check(text, meta=after).findings if f.rule.startswith("sec.")]
    assert [f for f in policy.check(text, meta=before).findings if f.rule == "sec.embargo"]


# ----------------------------------------------------------------------------- settings as counts
def test_a_numeric_setting_sets_a_scope_and_a_distance() -> None:
    policy = policylint.load_policy(
        """
        setting thresholds.fold = 10
        setting thresholds.window = 1
        rule t.fold { flag ["#ad"] in first thresholds.fold chars }
        rule t.near { flag ["free"] near ["money"] within thresholds.window words }
        rule t.after { flag ["buy"] followed by ["now"] within thresholds.window words }
        rule t.unless { flag ["win"] unless preceded by ["not"] within thresholds.window words }
        """
    )
    found = {f.rule for f in policy.check("#ad first: free extra money, buy it now").findings}
    assert found == {"t.fold", "t.near", "t.after"}
    assert {f.rule for f in policy.check("later in the post #ad").findings} == set()
    assert {f.rule for f in policy.check("not really truly win").findings} == {"t.unless"}
    assert {f.rule for f in policy.check("not really win").findings} == set()


def test_a_set_in_the_header_changes_the_count() -> None:
    base = """
        setting thresholds.fold = 5
        rule t.fold { flag ["#ad"] in first thresholds.fold chars }
    """
    assert not policylint.load_policy(base).check("hello #ad").findings
    wider = 'policy "p" { set thresholds.fold = 20 }\n' + base
    assert policylint.load_policy(wider).check("hello #ad").findings


@pytest.mark.parametrize(
    ("value", "code"),
    [('"ten"', "PL214"), ("2.5", "PL214"), ("-1", "PL214"), ('["a"]', "PL214")],
)
def test_a_setting_that_is_not_a_count_is_an_error_at_the_token(value: str, code: str) -> None:
    text = (
        f"setting thresholds.fold = {value}\n"
        'rule t.r { flag ["x"] in first thresholds.fold chars }'
    )
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (code, 2, 32)


def test_an_unknown_setting_as_a_count_suggests_the_numeric_one() -> None:
    text = (
        "setting thresholds.window = 3\n"
        'rule t.r { flag ["x"] near ["y"] within thresholds.windw words }'
    )
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("PL213", 2, 41)
    assert "thresholds.window" in (diagnostic.hint or "")


def test_the_fold_pack_reads_its_fold_from_a_setting() -> None:
    text = "Lovely morning walk with the dog, then coffee. #ad"  # '#ad' at character 47
    base = 'policy "p" {{ extends "builtin:platform" {} }}'
    default = policylint.load_policy(base.format(""))
    assert not [f for f in default.check(text, platform="instagram").findings]
    narrow = policylint.load_policy(base.format("set thresholds.fold = 30"))
    (finding,) = [f for f in narrow.check(text, platform="instagram").findings]
    assert (finding.rule, finding.match) == ("platform.fold", "#ad")
    assert "about 30 characters" in finding.message


# ----------------------------------------------------------------------------- quantifiers
MEDIA_RULE = """
rule t.alt {
  message "image {item.number} (meta.media[{item.index}], {item.src}) has no alt text"
  when any meta.media where (item.type == "image" and not item.alt)
}
"""


@pytest.mark.parametrize(
    ("media", "fires"),
    [
        ([{"type": "video"}, {"type": "image", "alt": ""}], True),
        ([{"type": "image"}], True),
        ([{"type": "image", "alt": "Two mugs on a shelf"}], False),
        (["image", 3, None], False),  # items that are not objects are skipped
        ([], False),
        ("image", False),  # not a list
        (None, False),
    ],
)
def test_any_looks_inside_a_list_of_objects(media: Any, fires: bool) -> None:
    policy = policylint.load_policy(MEDIA_RULE)
    meta = {} if media is None else {"media": media}
    assert bool(policy.check("New in!", meta=meta).findings) is fires


def test_the_message_names_the_item_that_decided() -> None:
    policy = policylint.load_policy(MEDIA_RULE)
    media = [{"type": "image", "alt": "A dog"}, {"type": "image", "src": "b.png"}]
    (finding,) = policy.check("New in!", meta={"media": media}).findings
    assert finding.message == "image 2 (meta.media[1], b.png) has no alt text"


@pytest.mark.parametrize(
    ("condition", "media", "expected"),
    [
        ("all meta.media where (item.alt)", [{"alt": "x"}, {"alt": "y"}], True),
        ("all meta.media where (item.alt)", [{"alt": "x"}, {"alt": ""}], False),
        ("all meta.media where (item.alt)", None, True),
        ("all meta.media where (item.alt)", [], True),
        ("none meta.media where (item.alt)", [{"alt": ""}], True),
        ("none meta.media where (item.alt)", [{"alt": "x"}], False),
        ("none meta.media where (item.alt)", "not a list", True),
        ("any meta.media where (item.alt)", None, False),
        # nested: an item's own list
        (
            'any meta.posts where (any item.media where (item.type == "video"))',
            [{"media": [{"type": "image"}]}, {"media": [{"type": "video"}]}],
            True,
        ),
        ('any meta.media where (item.kind in ["gif", "png"])', [{"kind": "GIF"}], True),
    ],
)
def test_all_and_none(condition: str, media: Any, expected: bool) -> None:
    key = "posts" if "meta.posts" in condition else "media"
    meta = {} if media is None else {key: media}
    assert fires(condition, meta) is expected


def test_examples_can_hold_lists_of_objects() -> None:
    policy = policylint.load_policy(
        """
        rule t.alt {
          when any meta.media where (item.type == "image" and not item.alt)
          example fail "x" with meta.media = [{type: "video"}, {type: "image", "alt": ""}]
          example pass "x" with meta.media = [{type: "image", alt: "A dog", size: [1, 2]}]
        }
        """
    )
    (rule,) = policy.rules
    assert rule.examples[0].meta == {"media": [{"type": "video"}, {"type": "image", "alt": ""}]}
    results = policy.run_examples()
    assert len(results) == 2 and all(r.passed for r in results)


@pytest.mark.parametrize(
    ("text", "code", "column", "hint"),
    [
        ("rule t.r { when item.alt }", "PL216", 17, "any meta.LIST where"),
        ("rule t.r { when any media where (item.alt) }", "PL101", 21, "dotted name"),
        ("rule t.r { when any thresholds.x where (item.alt) }", "PL216", 21, "meta.thresholds"),
        ('rule t.r { when any meta.m where (item.alt) and item.x == "y" }', "PL216", 49, None),
        ('rule t.r { message "{item.index}" when meta.x }', "PL215", 21, None),
        ("rule t.r { when any meta.media (item.alt) }", "PL101", 32, "where"),
    ],
)
def test_quantifier_mistakes_point_at_the_token(
    text: str, code: str, column: int, hint: str | None
) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.column) == (code, column)
    if hint is not None:
        assert hint in (diagnostic.hint or "") + diagnostic.message


def test_a_cached_quantifier_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(MEDIA_RULE)
    meta = {"media": [{"type": "image", "src": "a.png"}]}
    assert cached.check("x", meta=meta) == fresh.check("x", meta=meta)
    assert cached.check("x", meta=meta).findings


# ----------------------------------------------------------------------------- masked terms
MASKED_POLICY = """
terms strong = masked ["fuck", "shit", "cazzo", "merde", "hell", "put*", "son of a bitch"]
terms plain = ["fuck"]
rule t.masked { flag strong }
rule t.plain { flag plain }
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What the f*ck", ["f*ck"]),
        ("f**k it", ["f**k"]),
        ("F#CK!", ["F#CK"]),
        ("f@ck and c@zz0", ["f@ck", "c@zz0"]),  # "@" masks a letter; leetspeak still folds
        ("(s***)", ["s***"]),
        ("CÁ**O", ["CÁ**O"]),
        ("that was sh!t", ["sh!t"]),  # leetspeak, already folded
        ("sh.t happens", ["sh.t"]),
        ("s***, late again", ["s***"]),
        ("Che ca**o", ["ca**o"]),
        ("m3rde", ["m3rde"]),
        ("h-ll no", ["h-ll"]),
        ("fuck", ["fuck"]),
        # not masks: a footnote star, sentence punctuation, a different length or first letter
        ("Free* delivery (*over £20)", []),
        ("hell.", ["hell"]),
        ("f***ing", []),
        ("d**k", []),
        ("****", []),
        ("u*ck", []),
        ("a-ha, well-known e.g. mail jo@x.example", []),
    ],
)
def test_masked_lists_match_masked_spellings(text: str, expected: list[str]) -> None:
    policy = policylint.load_policy(MASKED_POLICY)
    found = [f.match for f in policy.check(text).findings if f.rule == "t.masked"]
    assert found == expected


def test_only_masked_lists_accept_masks_and_lists_built_from_them_keep_it() -> None:
    policy = policylint.load_policy(
        MASKED_POLICY + 'terms wider = strong + ["crap"]\nrule t.wider { flag wider }'
    )
    rules = {f.rule for f in policy.check("f*ck").findings}
    assert rules == {"t.masked", "t.wider"}


def test_a_masked_list_setting_is_matched_masked() -> None:
    policy = policylint.load_policy(
        """
        setting organisation.swears = ["bloody"]
        terms swears = masked organisation.swears
        rule t.r { flag swears }
        """
    )
    assert [f.match for f in policy.check("b***dy hell").findings] == ["b***dy"]


def test_a_cached_masked_list_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(MASKED_POLICY)
    text = "s*** and f**k and Free*"
    assert cached.check(text) == fresh.check(text)
    assert [f.match for f in cached.check(text).findings] == ["s***", "f**k"]


def test_masked_words_are_looked_up_by_first_letter_and_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only words holding a mask are compared, and each only with the terms of its
    (first letter, length): a long list costs no more per masked word."""
    from policylint._runtime import patterns

    words = ["".join("abcdefghij"[int(d)] for d in f"{i:05d}") for i in range(3000)]
    policy = policylint.load_policy(
        "terms many = masked [" + ", ".join(f'"{w}"' for w in [*words, "fuck", "fork"]) + "]"
        "\nrule t.r { flag many }"
    )
    compared: list[str] = []
    real_zip = zip

    def counting_zip(*args: Any, **kwargs: Any) -> Any:
        compared.append(args[1])
        return real_zip(*args, **kwargs)

    monkeypatch.setattr(patterns, "zip", counting_zip, raising=False)
    text = " ".join(["f*ck", "plain", "words", "x*yz", "f**d"] * 50)
    assert [f.match for f in policy.check(text).findings] == ["f*ck"] * 50
    assert set(compared) == {"fuck", "fork"}
    assert len(compared) <= 4 * 50  # 'f*ck' and 'f**d' against two terms each, at most


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="fuckshit*#@$%!.- \u00e9\u0131\u2122", max_size=30))
def test_a_masked_list_finds_nothing_where_the_mask_precheck_fails(text: str) -> None:
    from policylint._runtime.context import PostContext
    from policylint._runtime.prechecks import PRECHECKS

    policy = _masked_policy()
    found = [f for f in policy.check(text).findings if f.rule == "t.masked"]
    if not PRECHECKS["mask"](PostContext(text)):
        assert all(f.match.casefold() in ("fuck", "shit") for f in found), text


_MASKED: list[Any] = []


def _masked_policy() -> Any:
    if not _MASKED:
        _MASKED.append(policylint.load_policy(MASKED_POLICY))
    return _MASKED[0]


# ----------------------------------------------------------------------------- metadata as terms
META_TERMS = """
rule t.claim { flag ["cures", "treats"] not near meta.approved_indication within 3 words }
rule t.best { flag ["best"] unless matches meta.brand_names }
rule t.names { flag meta.code_names in first 40 chars }
"""


@pytest.mark.parametrize(
    ("rule", "text", "meta", "expected"),
    [
        ("t.claim", "It cures migraine fast", {"approved_indication": "Migraine"}, []),
        ("t.claim", "It cures migraine fast", {}, ["cures"]),
        ("t.claim", "It cures insomnia", {"approved_indication": ["migraine"]}, ["cures"]),
        (
            "t.claim",
            "Treats cluster headaches",
            {"approved_indication": ["migraine", "cluster headache*"]},
            [],
        ),
        ("t.best", "Best Buy has the best deals", {"brand_names": ["Best Buy"]}, ["best"]),
        ("t.best", "the best deals", {"brand_names": []}, ["best"]),
        ("t.names", "Project Nightjar ships", {"code_names": ["nightjar", "", "*"]}, ["Nightjar"]),
        ("t.names", "Project Nightjar ships", {"code_names": "NIGHTJAR"}, ["Nightjar"]),
        ("t.names", "Project Nightjar ships", {"code_names": 3}, []),
        ("t.names", "Project Nightjar ships", {"code_names": [{"a": 1}]}, []),
        ("t.names", "Project Nightjars ships", {"code_names": ["nightjar"]}, []),  # whole words
    ],
)
def test_a_metadata_value_is_a_term_list(
    rule: str, text: str, meta: dict[str, Any], expected: list[str]
) -> None:
    policy = policylint.load_policy(META_TERMS)
    found = [f.match for f in policy.check(text, meta=meta).findings if f.rule == rule]
    assert found == expected


def test_metadata_terms_are_built_once_per_post_and_only_when_a_rule_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint._runtime import terms

    built: list[int] = []
    real_init = terms.TermIndex.__init__

    def counting_init(self: Any) -> None:
        built.append(1)
        real_init(self)

    policy = policylint.load_policy(
        META_TERMS + 'rule t.again { flag ["x"] unless matches meta.brand_names }'
    )
    monkeypatch.setattr(terms.TermIndex, "__init__", counting_init)
    policy.check("the best x", meta={"brand_names": ["Acme"]})
    assert len(built) == 1  # t.best and t.again share it
    built.clear()
    policy.check("nothing here", meta={"brand_names": ["Acme"]})
    assert built == []  # no rule needed it: no 'best', no 'x'


@pytest.mark.parametrize(
    "text",
    [
        'terms names = ["a"] + meta.brand_names\nrule t.r { flag names }',
        "rule t.r { flag detect(phone) unless allow meta.phones }",
    ],
)
def test_metadata_cannot_define_a_list_or_an_allow_list(text: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "PL216"
    assert "meta." in diagnostic.message
