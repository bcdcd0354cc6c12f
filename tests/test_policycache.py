"""The compiled-policy cache: hits, invalidation, and refusing anything but its own data."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import policylint
from policylint import policycache
from policylint.compiled import Trigger
from policylint.engine import Policy
from policylint.severity import Severity

POLICY = """
terms g = ["guarantee*"]
setting thresholds.n = 2
rule fin.g {
  severity error
  message "{match} ({thresholds.n})"
  flag g near ["return*"] within 3 words unless preceded by ["never"] within 2 words
  flag /\\bQ[1-4]\\b/i
  flag detect(email) unless allow ["help@acme.example"]
  when platform in ["x", "linkedin"] or meta.force
  example fail "Guaranteed returns" with platform = "x"
}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from policylint import cachedir

    directory = tmp_path / "cache"
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(directory))
    cachedir.cache_dir.cache_clear()
    yield directory
    cachedir.cache_dir.cache_clear()


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "policies").glob("*.json"))


def test_second_load_comes_from_the_cache_and_behaves_the_same(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    key = entry.stem
    assert policycache.load(key) is not None
    cached = policylint.load_policy(str(path))
    text = "Guaranteed returns in Q3! mail jo@x.example or help@acme.example; never guaranteed"
    for platform in ("x", "tiktok"):
        assert cached.check(text, platform=platform) == fresh.check(text, platform=platform)
    assert [r.passed for r in cached.run_examples()] == [True]
    assert cache.stat().st_mode & 0o077 == 0  # private directory


def test_a_changed_policy_file_is_recompiled(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    assert policylint.load_policy(str(path)).check("old").findings
    path.write_text('rule a.b { flag ["new"] }', encoding="utf-8")
    policy = policylint.load_policy(str(path))
    assert not policy.check("old").findings
    assert policy.check("new").findings


def test_a_changed_extended_file_is_recompiled(cache: Path, tmp_path: Path) -> None:
    (tmp_path / "base.policy").write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    root = tmp_path / "root.policy"
    root.write_text('policy "r" { extends "./base.policy" }', encoding="utf-8")
    assert policylint.load_policy(str(root)).check("old").findings
    (tmp_path / "base.policy").write_text('rule a.b { flag ["new"] }', encoding="utf-8")
    assert policylint.load_policy(str(root)).check("new").findings


def test_an_edit_keeping_size_and_mtime_is_caught_while_the_entry_is_young(
    cache: Path, tmp_path: Path
) -> None:
    # Written, cached and rewritten within the same timestamp tick: stat alone cannot tell.
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    assert policylint.load_policy(str(path)).check("old").findings
    before = path.stat()
    path.write_text('rule a.b { flag ["new"] }', encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert policylint.load_policy(str(path)).check("new").findings


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The policy files hashed from now on."""
    hashed: list[str] = []
    real = policycache._file_digest

    def counting(name: str) -> str | None:
        hashed.append(name)
        return real(name)

    monkeypatch.setattr(policycache, "_file_digest", counting)
    return hashed


def test_files_older_than_their_entry_are_checked_by_stat_alone(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))
    policylint.load_policy(str(path))
    hashed = _count_hashing(monkeypatch)
    assert policylint.load_policy(str(path)).check("old").findings
    assert hashed == []  # a hit without reading the file
    os.utime(path)  # touched, not changed: hashed once, still a hit
    assert policylint.load_policy(str(path)).check("old").findings
    assert len(hashed) == 1
    assert len(entries(cache)) == 1


def test_files_hashed_at_load_are_recorded_again_and_then_checked_by_stat(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry stored just after the files were written (the first run after ``pip
    install``), or files touched since (``git checkout``), make a load hash them: the entry
    is then recorded again, so the next start needs stat alone, and edits still show."""
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    policylint.load_policy(str(path))  # the entry is as young as the file
    half_hour_ago = time.time_ns() - 1800 * 10**9
    os.utime(path, ns=(half_hour_ago, half_hour_ago))  # touched: the recorded mtime differs
    hashed = _count_hashing(monkeypatch)
    assert policylint.load_policy(str(path)).check("old").findings
    assert hashed == [str(path)]
    assert policylint.load_policy(str(path)).check("old").findings
    assert hashed == [str(path)]  # recorded again: not hashed a second time
    assert len(entries(cache)) == 1
    path.write_text('rule a.b { flag ["new"] }', encoding="utf-8")
    assert policylint.load_policy(str(path)).check("new").findings


def test_settings_are_part_of_the_key(cache: Path) -> None:
    source = 'setting organisation.x = ["a"]\nrule a.b { flag organisation.x }'
    assert policylint.load_policy(source).check("a").findings
    other = policylint.load_policy(source, settings={"organisation.x": ["b"]})
    assert not other.check("a").findings and other.check("b").findings


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps({"format": 999}),
        # a node type outside the whitelist must never be instantiated
        None,
    ],
)
def test_corrupt_or_foreign_entries_are_ignored_and_rebuilt(
    cache: Path, tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["x"] }', encoding="utf-8")
    policylint.load_policy(str(path))
    (entry,) = entries(cache)
    if content is None:
        data = json.loads(entry.read_text())
        from policylint.compiled import CompiledRule

        fields = data["rules"][0]["@CompiledRule"]  # nodes are stored by position
        fields[CompiledRule.FIELDS.index("flags")] = [
            {"@Popen": ["touch", str(tmp_path / "pwned")]}
        ]
        content = json.dumps(data)
    entry.write_text(content, encoding="utf-8")
    assert policycache.load(entry.stem) is None
    policy = policylint.load_policy(str(path))
    assert policy.check("x").findings
    assert not (tmp_path / "pwned").exists()
    assert policycache.load(entry.stem) is not None  # rebuilt


def test_no_cache_when_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint import cachedir

    monkeypatch.setenv("POLICYLINT_NO_CACHE", "1")
    cachedir.cache_dir.cache_clear()
    try:
        assert cachedir.cache_dir() is None
        assert policylint.load_policy('rule a.b { flag ["x"] }').check("x").findings
    finally:
        cachedir.cache_dir.cache_clear()


def test_a_shared_writable_cache_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint import cachedir

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(shared))
    cachedir.cache_dir.cache_clear()
    try:
        assert cachedir.cache_dir() is None
    finally:
        cachedir.cache_dir.cache_clear()


# ----------------------------------------------------------------------------- regex facts
def _regex_nodes(policy: policylint.Policy) -> list[tuple[object, ...]]:
    """Each regex of the policy with its atoms, second atoms and non-ASCII flag, as its
    prefilter index holds them (the index is built from the compiled nodes)."""
    index = policy._regexes
    return list(zip(index._patterns, index._atoms, index._also, index._non_ascii, strict=True))


def test_a_recompile_reuses_what_it_learned_of_each_regex(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint import compile as compiler

    calls: list[str] = []
    real_compile, real_analyse = compiler.compile_regex, compiler.analyse
    monkeypatch.setattr(
        compiler, "compile_regex", lambda s, f: calls.append(s) or real_compile(s, f)
    )
    monkeypatch.setattr(compiler, "analyse", lambda s, f: calls.append(s) or real_analyse(s, f))
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    assert calls  # validated and analysed: /\bQ[1-4]\b/
    calls.clear()
    path.write_text(POLICY + "\n# an edit: the policy is compiled again\n", encoding="utf-8")
    edited = policylint.load_policy(str(path))
    assert calls == []  # the regex is known: neither compiled nor analysed
    assert _regex_nodes(fresh) and _regex_nodes(edited) == _regex_nodes(fresh)
    text = "Guaranteed returns in Q3! mail jo@x.example"
    assert edited.check(text, platform="x") == fresh.check(text, platform="x")
    assert [f.match for f in edited.check(text, platform="x").findings].count("Q3") == 1


def test_known_regexes_are_still_checked_for_syntax_re2_lacks(cache: Path) -> None:
    # A facts file cannot make look-around acceptable (it is checked before the facts)...
    policylint.load_policy(text="rule a.b { flag /abc/ }")
    (facts_file,) = (cache / "regexes").glob("*.json")
    facts = json.loads(facts_file.read_text(encoding="utf-8"))
    facts[policycache.regex_key("a(?=b)", "")] = [["a"], [], False]
    facts_file.write_text(json.dumps(facts), encoding="utf-8")
    with pytest.raises(policylint.PolicyError, match="PL302"):
        policylint.load_policy(text="rule a.b { flag /a(?=b)/ }")
    # ... and a bad regex is never remembered, so it is reported every time.
    for _ in range(2):
        with pytest.raises(policylint.PolicyError, match="PL301"):
            policylint.load_policy(text="rule a.c { flag /a(b/ }")


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"\\u0000abc": [1, 2, 3]}'])
def test_a_corrupt_regex_facts_file_is_ignored(cache: Path, content: str) -> None:
    policylint.load_policy(text="rule a.b { flag /abc/ }")
    (facts_file,) = (cache / "regexes").glob("*.json")
    facts_file.write_text(content, encoding="utf-8")
    policy = policylint.load_policy(text="rule a.b { flag /abc/ }\n# changed\n")
    assert [f.match for f in policy.check("x abc y").findings] == ["abc"]


def test_the_built_in_sha256_gives_hashlibs_digests() -> None:
    import hashlib

    data = "naïve café\0policy".encode()
    assert policycache.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_an_entry_written_for_other_node_fields_is_not_read(cache: Path, tmp_path: Path) -> None:
    from policylint import compiled

    class Reordered(compiled.RegexNode):
        __slots__ = ()
        FIELDS = ("flags", "source", "atoms", "also", "non_ascii", "exact")

    changed = dict(policycache._NODE_TYPES, **{"@RegexNode": Reordered})
    assert policycache._format(changed) != policycache._FORMAT
    path = tmp_path / "p.policy"
    path.write_text("rule a.b { flag /x+/ }", encoding="utf-8")
    policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = json.loads(entry.read_text())
    data["format"] = policycache._format(changed)
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert policycache.load(entry.stem) is None


def test_cached_dispatch_routes_are_the_ones_the_nodes_give(cache: Path) -> None:
    from policylint.compiled import index_regexes, route

    policylint.load_policy("builtin:all")  # compiled, stored
    cached = policylint.load_policy("builtin:all")  # from the entry, with its routes
    assert cached._routes is not None and len(cached._routes) == len(cached._rules) >= 80
    # The entry's regexes are numbered as a walk over the rules numbers them (route() reads
    # the nodes' numbers, which a cached policy's nodes only look up when first used).
    assert index_regexes(cached._rules).table() == cached._regexes.table()
    assert list(cached._routes) == [route(rule) for rule in cached._rules]
    subset = cached.select(["privacy"], severities={"privacy.email": Severity.INFO})
    assert subset._routes is not None
    assert list(subset._routes) == [route(rule) for rule in subset._rules]
    text = "Mail ben@example.com or call +44 7911 123456 #ad"
    fresh = policylint.load_policy("builtin:all").select(["privacy"])
    assert len(fresh.check(text).findings) >= 2  # the e-mail address, the phone number
    assert [f.rule for f in subset.check(text).findings] == [
        f.rule for f in fresh.check(text).findings
    ]


def test_routes_that_do_not_fit_the_policy_are_worked_out_again(cache: Path) -> None:
    from policylint.compiled import route

    policy = policylint.load_policy("rule a.b { flag /x+/ }\n")
    rules, index = list(policy._rules), policy._index
    wrong = [(None, frozenset({"tiktok"}))] * (len(rules) + 1)
    rebuilt = Policy(policy.name, None, rules, index, {}, routes=wrong)
    assert rebuilt._routes is None
    assert rebuilt.check("xx").findings
    bad_regex = [(Trigger(regexes=frozenset({99})), None)]
    assert Policy(policy.name, None, rules, index, {}, routes=bad_regex)._routes is None
    assert route(rules[0])[0] is not None


def test_a_cached_policys_regexes_find_their_numbers_on_first_use(cache: Path) -> None:
    from policylint.compiled import RegexNode

    compiled = policylint.load_policy("builtin:all")  # compiled, numbered by a walk
    cached = policylint.load_policy("builtin:all")  # from the entry: numbered on use

    def regex_nodes(value: object) -> list[RegexNode]:
        if isinstance(value, RegexNode):
            return [value]
        if isinstance(value, tuple | list):
            return [n for item in value for n in regex_nodes(item)]
        if hasattr(value, "FIELDS"):
            return [n for name in value.FIELDS for n in regex_nodes(getattr(value, name))]
        return []

    nodes = regex_nodes(list(cached._rules))
    assert len(nodes) >= 80 and all(node._regex_id == -2 for node in nodes)
    texts = [
        "Guaranteed 12% returns! Mail jo.smith@gmail.com, call +44 7911 123456 #ad",
        "Password is hunter22. Card 4111 1111 1111 1111 #spon #gifted #partner",
        "THIS IS HUGE!!!! Shop now https://example.com #throwbackthursday",
    ] * 12  # past the regex index's warm-up: its RE2 sets are used too
    for text in texts:
        assert cached.check(text) == compiled.check(text)
    used = [node for node in nodes if node._regex_id != -2]
    assert len(used) >= 10
    for node in used:
        assert node._regex_id == cached._regexes.id_of(node.source, node.flags) >= 0


def test_entries_unused_for_a_month_are_deleted_when_another_is_stored(
    cache: Path, tmp_path: Path
) -> None:
    used = tmp_path / "used.policy"
    used.write_text('rule a.b { flag ["x"] }', encoding="utf-8")
    policylint.load_policy(str(used))
    (kept,) = entries(cache)
    folder = cache / "policies"
    stale = time.time() - policycache.STALE_AFTER_S - 60
    for name in ("old.json", ".tmp-dead.json", "kept.json", "notes.txt"):
        (folder / name).write_text("{}", encoding="utf-8")
    for name in ("old.json", ".tmp-dead.json", "notes.txt"):
        os.utime(folder / name, (stale, stale))
    os.utime(kept, (stale, stale))
    assert policylint.load_policy(str(used)).check("x").findings  # a load touches its entry
    other = tmp_path / "other.policy"
    other.write_text('rule c.d { flag ["y"] }', encoding="utf-8")
    policylint.load_policy(str(other))  # stored: the folder is pruned
    left = sorted(p.name for p in folder.iterdir())
    assert kept.name in left and "kept.json" in left and "notes.txt" in left
    assert "old.json" not in left and ".tmp-dead.json" not in left
    assert len([n for n in left if n.endswith(".json")]) == 3  # used, other, kept.json
