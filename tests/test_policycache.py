"""The compiled-policy cache: hits, invalidation, and refusing anything but its own data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import policylint
from policylint._cache import codec, packed
from policylint._cache import folder as cachedir
from policylint._cache import policies as policycache
from policylint._cache.code import stamp_of
from policylint._compiler.regexes import regex_key
from policylint._model.severity import Severity
from policylint._pipeline.policy import checker_of
from policylint._runtime.rules import LazyRule, described, with_nodes

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
    from policylint._cache import folder as cachedir

    directory = tmp_path / "cache"
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(directory))
    cachedir.cache_dir.cache_clear()
    yield directory
    cachedir.cache_dir.cache_clear()


def refused(entry: Path) -> bool:
    """Whether the entry is refused: on load, or (a rule's nodes, checked when the rule is
    first evaluated) when its rules are made."""
    policy = policycache.load(entry.stem)
    if policy is None:
        return True
    try:
        for rule in policy.rules:
            with_nodes(rule)
            described(rule)  # its examples, read when first asked for
    except codec.Corrupt:
        return True
    return False


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "policies").glob("*.json"))


def unsealed(entry: Path) -> dict[str, Any]:
    """An entry's content as this user's policylint wrote it."""
    data = cachedir.read_json_object(entry)
    assert data, "not a sealed entry"
    return data


def reseal(entry: Path, data: dict[str, Any]) -> None:
    """Write ``data`` over the entry sealed with this user's key, as someone with the
    user's rights could: past the seal, the entry's validation is what is left to refuse
    what compiling would not make."""
    cachedir.write_json(entry, data)


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


def test_a_checkout_whose_code_changed_does_not_read_its_old_entries(tmp_path: Path) -> None:
    """Run from a source checkout, a module edited under the same version and format
    number makes another key; an installed copy (under site-packages) does not stat."""
    package = tmp_path / "policylint"
    (package / "_runtime").mkdir(parents=True)
    module = package / "_runtime" / "terms.py"
    module.write_text("KEYS = 1\n", encoding="utf-8")
    before = stamp_of(package)
    module.write_text("KEYS = 22\n", encoding="utf-8")
    assert stamp_of(package) not in ("", before)
    installed = tmp_path / "lib" / "site-packages" / "policylint"
    installed.mkdir(parents=True)
    assert stamp_of(installed) == ""  # no installation record: version and path decide


def test_a_reinstall_under_the_same_version_does_not_read_its_old_entries(
    tmp_path: Path,
) -> None:
    """An installed copy is known by its RECORD, which pip rewrites on every install: a
    --force-reinstall of another build under one version number gets a new key."""
    import os

    from policylint._version import __version__

    installed = tmp_path / "lib" / "site-packages" / "policylint"
    installed.mkdir(parents=True)
    record = installed.parent / f"policylint-{__version__}.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("policylint/__init__.py,sha256=a,10\n", encoding="utf-8")
    first = stamp_of(installed)
    record.write_text("policylint/__init__.py,sha256=b,10\n", encoding="utf-8")
    os.utime(record, ns=(1, 1))  # same size; another install time
    assert first and stamp_of(installed) not in ("", first)


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
        data = unsealed(entry)
        _set_field(data, "flags", [{"@Popen": ["touch", str(tmp_path / "pwned")]}])
        reseal(entry, data)
    else:
        entry.write_text(content, encoding="utf-8")
    assert refused(entry)
    policy = policylint.load_policy(str(path))
    assert policy.check("x").findings
    assert not (tmp_path / "pwned").exists()
    assert policycache.load(entry.stem) is not None  # rebuilt


def test_no_cache_when_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint._cache import folder as cachedir

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
    from policylint._cache import folder as cachedir

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
    index = checker_of(policy).engine.executable.regexes
    return list(zip(index._patterns, index._atoms, index._also, index._non_ascii, strict=True))


def test_a_recompile_reuses_what_it_learned_of_each_regex(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint._compiler import regexes

    calls: list[str] = []
    real_compile, real_analyse = regexes.compile_regex, regexes.analyse
    monkeypatch.setattr(
        regexes, "compile_regex", lambda s, f: calls.append(s) or real_compile(s, f)
    )
    monkeypatch.setattr(regexes, "analyse", lambda s, f: calls.append(s) or real_analyse(s, f))
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
    facts = unsealed(facts_file)
    facts[regex_key("a(?=b)", "")] = [["a"], [], False, True, 1]
    reseal(facts_file, facts)
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

    from policylint._hashing import sha256

    data = "naïve café\0policy".encode()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_an_entry_written_for_other_node_fields_is_not_read(cache: Path, tmp_path: Path) -> None:
    from policylint._runtime import patterns as compiled

    class Reordered(compiled.ScopedNode):
        __slots__ = ()
        FIELDS = ("kind", "inner", "amount", "unit", "path")

    changed = dict(codec._NODE_TYPES, **{"@ScopedNode": Reordered})
    assert codec._format(changed) != codec.FORMAT
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["x"] in first 5 words }', encoding="utf-8")
    policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = unsealed(entry)
    data["format"] = codec._format(changed)
    reseal(entry, data)
    assert policycache.load(entry.stem) is None


def test_cached_dispatch_routes_are_the_ones_the_nodes_give(cache: Path) -> None:
    from policylint._runtime.dispatch import index_regexes, route

    policylint.load_policy("builtin:all")  # compiled, stored
    cached = policylint.load_policy("builtin:all")  # from the entry, with its routes
    engine = checker_of(cached).engine
    assert len(engine.routes) == len(engine.rules) >= 80
    # The entry's regexes are numbered as a walk over the rules numbers them (route() reads
    # the nodes' numbers, which a cached policy's nodes carry from the entry's table).
    rules = [with_nodes(rule) for rule in engine.rules]
    assert index_regexes(rules).table() == engine.executable.regexes.table()
    assert list(engine.routes) == [route(rule) for rule in rules]
    subset = cached.select(["privacy"])
    selected = checker_of(subset).engine
    assert list(selected.routes) == [route(with_nodes(rule)) for rule in selected.rules]
    text = "Mail ben@example.com or call +44 7911 123456 #ad"
    fresh = policylint.load_policy("builtin:all").select(["privacy"])
    assert len(fresh.check(text).findings) >= 2  # the e-mail address, the phone number
    assert [f.rule for f in subset.check(text).findings] == [
        f.rule for f in fresh.check(text).findings
    ]


def test_routes_that_do_not_fit_the_policy_are_never_used(cache: Path) -> None:
    # Routes come from the compiler or from an entry, whose decoding refuses any that do not
    # fit its rules (one per rule, term and regex ids of the policy's own tables).
    from policylint._runtime.dispatch import route

    policy = policylint.load_policy("rule a.b { flag /x+/ }\n")
    (entry,) = entries(cache)
    for wrong in (
        lambda data: data["routes"].append([None, ["tiktok"]]),
        lambda data: data["routes"].__setitem__(0, [[[], [99], [], []], None]),
    ):
        data = unsealed(entry)
        wrong(data)
        reseal(entry, data)
        assert policycache.load(entry.stem) is None
    rebuilt = policylint.load_policy("rule a.b { flag /x+/ }\n")
    assert rebuilt.check("xx").findings and policy.check("xx").findings
    assert route(with_nodes(checker_of(rebuilt).engine.rules[0]))[0] is not None


def test_a_cached_policys_regexes_carry_their_numbers_from_the_entry(cache: Path) -> None:
    from policylint._runtime.patterns import RegexNode

    compiled = policylint.load_policy("builtin:all")  # compiled, numbered by a walk
    cached = policylint.load_policy("builtin:all")  # from the entry: numbered by its table

    def regex_nodes(value: object) -> list[RegexNode]:
        if isinstance(value, RegexNode):
            return [value]
        if isinstance(value, tuple | list):
            return [n for item in value for n in regex_nodes(item)]
        if hasattr(value, "FIELDS"):
            return [n for name in value.FIELDS for n in regex_nodes(getattr(value, name))]
        return []

    index = checker_of(cached).engine.executable.regexes
    nodes = regex_nodes([with_nodes(rule) for rule in checker_of(cached).engine.rules])
    assert len(nodes) >= 80
    for node in nodes:
        assert node.regex_id == index.id_of(node.source, node.flags) >= 0
    texts = [
        "Guaranteed 12% returns! Mail jo.smith@gmail.com, call +44 7911 123456 #ad",
        "Password is hunter22. Card 4111 1111 1111 1111 #spon #gifted #partner",
        "THIS IS HUGE!!!! Shop now https://example.com #throwbackthursday",
    ] * 12  # past the regex index's warm-up: its RE2 sets are used too
    for text in texts:
        assert cached.check(text) == compiled.check(text)


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


# ----------------------------------------------------------------------------- caches that lie
# Issue 15: an entry must hold what compiling the policy read and made, or not be used.

CHECKED = "Guaranteed returns in Q3! mail jo@x.example or help@acme.example; never guaranteed"


def test_a_policy_edited_while_it_compiles_is_not_cached_as_the_old_rules(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry recorded each file's stamp when it was stored, after the compile had read
    the file: an edit in between was recorded next to the old rules, and every later run
    used them (``cp v1 p.policy; check & sleep 1; cp v2 p.policy``). It records what was
    read."""
    from policylint._compiler import compiler

    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["old"] }', encoding="utf-8")
    compile_policy = compiler.compile_policy

    def edited_meanwhile(resolved: Any, *known: Any) -> Any:
        path.write_text('rule a.b { flag ["new"] }', encoding="utf-8")  # the same size
        return compile_policy(resolved, *known)

    monkeypatch.setattr(compiler, "compile_policy", edited_meanwhile)
    assert policylint.load_policy(str(path)).check("old").findings  # the rules read
    monkeypatch.setattr(compiler, "compile_policy", compile_policy)
    policy = policylint.load_policy(str(path))
    assert policy.check("new").findings and not policy.check("old").findings
    assert policycache.load(entries(cache)[0].stem) is not None  # and that is kept


def test_an_entry_records_when_its_files_were_read(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text('rule a.b { flag ["x"] }', encoding="utf-8")
    before = time.time_ns()
    policylint.load_policy(str(path))
    inputs = unsealed(entries(cache)[0])["inputs"]
    info = path.stat()
    assert inputs["files"][str(path)][:2] == [info.st_size, info.st_mtime_ns]
    assert before <= inputs["recorded_ns"] <= time.time_ns()


def _set_field(data: dict[str, Any], name: str, value: Any) -> None:
    """Set a field of the first rule: of its metadata (RuleInfo), or of its nodes (the
    rule's second item: its fields after ``info``, as JSON text)."""
    from policylint._model.rules import RuleInfo
    from policylint._runtime.rules import CompiledRule

    info, nodes = data["rules"][0]
    if name in RuleInfo._fields:
        info["@RuleInfo"][RuleInfo._fields.index(name)] = value
    else:
        fields = json.loads(nodes)
        fields[CompiledRule._fields.index(name) - 1] = value
        # "NESTED" stays a marker the test replaces (inside the text, its quotes escaped)
        data["rules"][0][1] = json.dumps(fields)


#: Edits that keep an entry well formed and change what it does.
VALID_EDITS = {
    "severity lowered": lambda data: _set_field(data, "severity", {"@severity": "info"}),
    "rule removed": lambda data: (data["rules"].clear(), data["routes"].clear()),
    "exception widened": lambda data: _set_field(
        data, "post_exceptions", [{"@TruthyNode": [{"@Getter": ["const", True]}]}]
    ),
}


@pytest.mark.parametrize("edit", list(VALID_EDITS))
def test_an_entry_this_users_policylint_did_not_seal_is_never_used(
    cache: Path, tmp_path: Path, edit: str
) -> None:
    """Well-formed edits silently changed results (a severity lowered, a rule removed).
    Entries are sealed with a per-user key; one whose seal does not check is a miss."""
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = unsealed(entry)
    VALID_EDITS[edit](data)
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert policycache.load(entry.stem) is None
    again = policylint.load_policy(str(path))
    assert again.check(CHECKED, platform="x") == fresh.check(CHECKED, platform="x")
    assert again.check(CHECKED, platform="x").findings[0].severity == Severity.ERROR
    assert policycache.load(entry.stem) is not None  # rebuilt


def test_an_entry_moved_over_another_or_sealed_with_another_key_is_a_miss(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lenient, strict = tmp_path / "lenient.policy", tmp_path / "strict.policy"
    lenient.write_text('rule a.b { severity info flag ["x"] }', encoding="utf-8")
    strict.write_text('rule a.b { severity error flag ["x"] }', encoding="utf-8")
    policylint.load_policy(str(lenient))
    (lenient_entry,) = entries(cache)
    policylint.load_policy(str(strict))
    (strict_entry,) = set(entries(cache)) - {lenient_entry}
    # Another entry, sealed for its own name: not for this one.
    strict_entry.write_bytes(lenient_entry.read_bytes())
    assert policycache.load(strict_entry.stem) is None
    assert policylint.load_policy(str(strict)).check("x").findings[0].severity == Severity.ERROR
    # The same entry sealed with another key (another user's, another machine's cache).
    other = tmp_path / "other-cache"
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(other))
    cachedir.cache_dir.cache_clear()
    policylint.load_policy(str(lenient))
    foreign = (other / "policies" / lenient_entry.name).read_bytes()
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(cache))
    cachedir.cache_dir.cache_clear()
    assert lenient_entry.read_bytes() != foreign  # same content, another seal
    lenient_entry.write_bytes(foreign)
    assert policycache.load(lenient_entry.stem) is None


def _seal_text(entry: Path, text: str) -> None:
    """Write JSON text sealed with this user's key, whatever it holds."""
    key = cachedir._mac_key()
    assert key is not None and text.startswith("{")
    rest = b"," + text.encode()[1:]
    entry.write_bytes(cachedir._SEAL + cachedir._mac(key, entry, rest) + b'"' + rest)


def _nest(data: dict[str, Any]) -> None:
    _set_field(data, "flags", "NESTED")


def _unpacked(text: str) -> list[int]:
    return list(packed.unpack_ints(text, 1 << 32))


def _edit_ints(table: dict[str, Any] | list[Any], key: Any, edit: Any) -> None:
    """Apply ``edit`` to the list of a packed integer array of the entry, and pack it again."""
    values = _unpacked(table[key])
    edit(values)
    table[key] = packed.pack_ints(values)


def _edit_strings(table: dict[str, Any] | list[Any], key: Any, edit: Any) -> None:
    """Apply ``edit`` to the list of packed strings of the entry, and pack them again."""
    values = packed.unpack_strings(table[key])
    edit(values)
    table[key] = packed.pack_strings(values)


def _set_lists(data: dict[str, Any], lists: list[list[int]]) -> None:
    """The rules' term lists, packed as a compile packs them."""
    ends = [sum(map(len, lists[: n + 1])) for n in range(len(lists))]
    data["lists"] = [packed.pack_ints([i for ids in lists for i in ids]), packed.pack_ints(ends)]


def _lists(data: dict[str, Any]) -> list[list[int]]:
    ids, ends = (_unpacked(part) for part in data["lists"])
    return [ids[start:end] for start, end in zip([0, *ends], ends, strict=False)]


#: Entries sealed with the user's key but not what a compile makes: each must be refused
#: by the entry's validation. (Those that crashed a run crashed every run: a load never
#: rebuilt them.)
SEALED_CORRUPTIONS = {
    "nested 100,000 deep": _nest,
    "nested 900 deep": _nest,
    "term ids as a list, not packed": lambda data: data["lists"].__setitem__(0, [0]),
    "a term id out of range": lambda data: _set_lists(data, [[10**6], *_lists(data)[1:]]),
    "a negative term id (as 32 bits)": lambda data: _set_lists(
        data, [[(1 << 32) - 1], *_lists(data)[1:]]
    ),
    "a terms node beyond the lists": lambda data: _set_field(
        data, "requires", [{"@TermsNode": 99}]
    ),
    "a severity as text": lambda data: _set_field(data, "severity", "info"),
    "a guard that is a pattern": lambda data: _set_field(data, "guards", [{"@TermsNode": 0}]),
    "an unknown comparison": lambda data: _set_field(
        data,
        "guards",
        [{"@CompareNode": [{"@Getter": ["metric", "length"]}, "=~", {"@Getter": ["const", 1]}]}],
    ),
    "an unknown getter": lambda data: _set_field(
        data, "guards", [{"@TruthyNode": [{"@Getter": ["env", "HOME"]}]}]
    ),
    "an unknown quantifier": lambda data: _set_field(
        data,
        "guards",
        [
            {
                "@QuantifierNode": [
                    "some",
                    {"@Getter": ["meta", "media"]},
                    {"@TruthyNode": [{"@Getter": ["item", "alt"]}]},
                ]
            }
        ],
    ),
    "a quantifier over a constant": lambda data: _set_field(
        data,
        "guards",
        [
            {
                "@QuantifierNode": [
                    "any",
                    {"@Getter": ["const", [{}]]},
                    {"@TruthyNode": [{"@Getter": ["item", "alt"]}]},
                ]
            }
        ],
    ),
    "a distance below zero": lambda data: _set_field(
        data,
        "match_exceptions",
        [{"@ContextException": ["preceded", {"@TermsNode": 0}, -2, "words"]}],
    ),
    "fields left out": lambda data: _set_field(data, "flags", [{"@RegexNode": ["Q", "i"]}]),
    "a regex node beyond the table": lambda data: _set_field(data, "flags", [{"@RegexNode": 7}]),
    "an unknown regex flag": lambda data: data["regexes"][0].__setitem__(1, "x"),
    "a marker with a second key": lambda data: _set_field(
        data, "severity", {"@severity": "error", "extra": 1}
    ),
    "a route beyond the terms": lambda data: data["routes"][0][0].__setitem__(
        0, packed.pack_ints([10**6])
    ),
    "a route beyond the regexes": lambda data: data["routes"][0][0].__setitem__(1, [7]),
    "routes for other rules": lambda data: data["routes"].append(data["routes"][0]),
    "regex atoms that are not text": lambda data: data["regexes"][0].__setitem__(2, [5]),
    "an unsorted term table": lambda data: _edit_strings(data["keys"], "keys", list.reverse),
    "a term target beyond the terms": lambda data: _edit_ints(
        data["keys"], "targets", lambda targets: targets.__setitem__(0, 10**9)
    ),
    # The compact tables (strings joined, integers as base64 arrays) as wholes.
    "packed integers that are not base64": lambda data: data["keys"].__setitem__("targets", "@@@@"),
    "packed integers of a partial item": lambda data: data["keys"].__setitem__(
        "targets", data["keys"]["targets"] + "AAA="
    ),
    "a target more than there are keys": lambda data: _edit_ints(
        data["keys"], "targets", lambda targets: targets.append(0)
    ),
    "an empty key": lambda data: _edit_strings(
        data["keys"], "keys", lambda keys: keys.__setitem__(0, "")
    ),
    "keys not led by their separator": lambda data: data["keys"]["keys"].__setitem__(
        1, data["keys"]["keys"][1][1:]
    ),
    "a separator of two characters": lambda data: data["terms"].__setitem__(0, "||"),
    "terms not packed": lambda data: data.__setitem__("terms", ["guarantee*"]),
    "further targets of a key past the table": lambda data: data["keys"].__setitem__(
        "more", packed.pack_ints([10**6, 1, 0])
    ),
    "further targets cut short": lambda data: data["keys"].__setitem__(
        "more", packed.pack_ints([0, 3, 8])
    ),
    "further targets beyond the terms": lambda data: data["keys"].__setitem__(
        "more", packed.pack_ints([0, 1, 10**7])
    ),
    "further targets of a key twice": lambda data: data["keys"].__setitem__(
        "more", packed.pack_ints([0, 1, 8, 0, 1, 8])
    ),
    "prefilter atoms naming a regex past the table": lambda data: data["atoms"].__setitem__(
        0, [packed.pack_strings(["q1"]), packed.pack_ints([7]), packed.pack_ints([1])]
    ),
    "prefilter atoms ending past their regexes": lambda data: _edit_ints(
        data["atoms"][0], 2, lambda ends: ends.__setitem__(-1, ends[-1] + 1)
    ),
    "prefilter atoms without their ends": lambda data: _edit_ints(data["atoms"][0], 2, list.pop),
    "prefilter atoms not packed": lambda data: data.__setitem__("atoms", [[], []]),
    "a rule's examples in its info": lambda data: _set_field(
        data, "examples", [{"@RuleExample": 0}]
    ),
    "term lists ending past their ids": lambda data: _edit_ints(
        data["lists"], 1, lambda ends: ends.__setitem__(-1, ends[-1] + 1)
    ),
    "term lists ending before their ids": lambda data: _edit_ints(
        data["lists"], 1, lambda ends: ends.__setitem__(-1, ends[-1] - 1)
    ),
    "term lists ending out of order": lambda data: _edit_ints(
        data["lists"], 1, lambda ends: ends.__setitem__(slice(0, 2), ends[1::-1])
    ),
    "a rule twice": lambda data: (
        data["rules"].append(data["rules"][0]),
        data["routes"].append(data["routes"][0]),
    ),
    "settings that are not data": lambda data: data.__setitem__(
        "settings", {"@map": {"x": {"@TermsNode": [[0]]}}}
    ),
    "a stamp that is not one": lambda data: data["inputs"]["files"].update(
        {k: ["big", 1, "x"] for k in data["inputs"]["files"]}
    ),
}


#: The examples' table (JSON text: columns, and where each rule's rows end), edited.
EXAMPLE_CORRUPTIONS = {
    "an example neither pass nor fail": lambda table: table[0][0].__setitem__(0, ["maybe"]),
    "an example's text that is not text": lambda table: table[0][1].__setitem__(0, [1]),
    "an example's metadata that is not data": lambda table: table[0][3].__setitem__(
        0, {"@map": {"x": {"@TermsNode": 0}}}
    ),
    "an example's line below zero": lambda table: table[0][4].__setitem__(0, -1),
    "examples' columns of two lengths": lambda table: table[0][1].append("more"),
    "an example no rule has": lambda table: [column.append(column[0]) for column in table[0]],
    "examples of a rule the policy lacks": lambda table: table[1].append(table[1][-1]),
    "examples ending past the table": lambda table: table[1].__setitem__(-1, 5),
    "a column missing": lambda table: table[0].pop(),
}


def _edit_examples(data: dict[str, Any], edit: Any) -> None:
    table = json.loads(data["examples"])
    edit(table)
    data["examples"] = json.dumps(table)


@pytest.mark.parametrize("corruption", [*EXAMPLE_CORRUPTIONS, "not JSON"])
def test_corrupt_examples_are_found_when_first_asked_for(
    cache: Path, tmp_path: Path, corruption: str
) -> None:
    """A check never reads the rules' examples; ``policylint test``, ``explain`` and
    ``Policy.rules`` do, and a table that is not what compiling makes then gives way to the
    examples of a fresh compile, which is stored over the entry."""
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = unsealed(entry)
    if corruption == "not JSON":
        data["examples"] = data["examples"][:-2]
    else:
        _edit_examples(data, EXAMPLE_CORRUPTIONS[corruption])
    reseal(entry, data)
    assert refused(entry)
    cached = policylint.load_policy(str(path))
    assert cached.check(CHECKED, platform="x") == fresh.check(CHECKED, platform="x")
    assert refused(entry)  # the check did not read them
    assert cached.run_examples() == fresh.run_examples()
    assert cached.rules == fresh.rules
    assert not refused(entry)  # rebuilt


def test_a_check_from_the_cache_does_not_read_the_examples(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    calls: list[int] = []
    decode_examples = codec.decode_examples

    def counted(*args: Any) -> Any:
        calls.append(1)
        return decode_examples(*args)

    monkeypatch.setattr(codec, "decode_examples", counted)
    cached = policylint.load_policy(str(path))
    assert cached.check(CHECKED, platform="x") == fresh.check(CHECKED, platform="x")
    assert calls == []
    assert cached.rules == fresh.rules  # with their examples
    assert [r.passed for r in cached.run_examples()] == [True]
    assert calls == [1]  # the table, decoded once


def test_the_regex_prefilters_atoms_come_from_the_entry(cache: Path, tmp_path: Path) -> None:
    """The atoms the first posts' regex prefilter looks up, each with its regexes, are kept
    with the entry: a start does not index them again (~2 ms for builtin:all)."""
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = checker_of(policylint.load_policy(str(path))).engine.executable.regexes
    cached = checker_of(policylint.load_policy(str(path))).engine.executable.regexes
    assert cached._atom_index is not None  # before any post

    def as_lists(index: Any) -> list[list[list[Any]]]:
        return [[list(column) for column in part] for part in index]

    assert as_lists(cached.atom_index()) == as_lists(fresh.atom_index())
    assert any(as_lists(fresh.atom_index())[0])  # the regex's folded atoms ("q1"...)
    assert cached.candidates("in Q3") == fresh.candidates("in Q3") == {0}


def test_a_warm_command_line_check_does_not_read_the_examples(cache: Path, tmp_path: Path) -> None:
    """Selections, waivers and reports use the rules' ids and metadata, never examples."""
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "post.txt").write_text(CHECKED, encoding="utf-8")
    code = (
        "import sys\n"
        "from policylint._cache import codec\n"
        "calls = []\n"
        "decode = codec.decode_examples\n"
        "codec.decode_examples = lambda *args: (calls.append(1), decode(*args))[1]\n"
        "from policylint._cli.entrypoint import main\n"
        "sys.argv = ['policylint', 'check', '--isolated', '--policy', 'p.policy',\n"
        "            '--select', 'fin', '--platform', 'x', 'post.txt']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, len(calls), file=sys.stderr)\n"
    )
    env = {**os.environ, "POLICYLINT_CACHE_DIR": str(cache)}
    for _ in range(2):  # the second one warm
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
        )
    assert out.stderr.split()[-2:] == ["1", "0"], out.stderr  # a finding; no examples read


#: Rows of the entry's tables that no rule names: never reached (a rule's nodes name the rows
#: they use), so harmless; they are not found, since a start no longer walks every rule.
UNUSED_ROWS = {
    "a term list no rule has": lambda data: _set_lists(data, [*_lists(data), [0]]),
    "a regex no rule has": lambda data: data["regexes"].append(["x+", "", [], [], False, False, 1]),
}


@pytest.mark.parametrize("edit", list(UNUSED_ROWS))
def test_a_row_no_rule_names_changes_nothing(cache: Path, tmp_path: Path, edit: str) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = unsealed(entry)
    UNUSED_ROWS[edit](data)
    reseal(entry, data)
    assert not refused(entry)
    cached = policylint.load_policy(str(path))
    for text in (CHECKED, "xx Q3", "Q3 mail help@acme.example"):
        assert cached.check(text, platform="x") == fresh.check(text, platform="x")


@pytest.mark.parametrize("corruption", list(SEALED_CORRUPTIONS))
def test_a_sealed_entry_that_is_not_what_compiling_makes_is_a_miss(
    cache: Path, tmp_path: Path, corruption: str
) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    data = unsealed(entry)
    SEALED_CORRUPTIONS[corruption](data)
    text = json.dumps(data)
    depth = 100_000 if "100,000" in corruption else 900
    nested = "[" * depth + "]" * depth
    # in a rule's nodes, the marker is inside JSON text: its quotes are escaped
    _seal_text(entry, text.replace('\\"NESTED\\"', nested).replace('"NESTED"', nested))
    assert refused(entry)
    again = policylint.load_policy(str(path))
    assert again.check(CHECKED, platform="x") == fresh.check(CHECKED, platform="x")
    assert not refused(entry)  # rebuilt


TWO_RULES = """
rule a.first { flag ["alpha"] }
rule b.second { flag ["beta", "gamma"] when platform == "x" }
"""


def _corrupt_nodes(entry: Path, position: int) -> None:
    """Seal the entry with rule ``position``'s nodes made text that is not JSON."""
    data = unsealed(entry)
    data["rules"][position][1] = data["rules"][position][1][:-3]
    reseal(entry, data)


def test_a_rules_corrupt_nodes_are_found_when_it_is_first_evaluated(
    cache: Path, tmp_path: Path
) -> None:
    """A start decodes only the rules a post selects: a rule's nodes are checked when it is
    first evaluated; then the policy is compiled afresh, the rule gets its fresh nodes (the
    same findings) and the entry is written again, good."""
    path = tmp_path / "p.policy"
    path.write_text(TWO_RULES, encoding="utf-8")
    fresh = policylint.load_policy(str(path))
    (entry,) = entries(cache)
    _corrupt_nodes(entry, 1)
    cached = policylint.load_policy(str(path))
    _, second = checker_of(cached).engine.rules
    assert cached.check("alpha").findings == fresh.check("alpha").findings
    assert type(second) is LazyRule and second._rule is None  # never asked: not decoded
    assert refused(entry)  # still the corrupt entry
    text = "alpha and beta, gamma"
    assert [f.rule for f in cached.check(text, platform="x").findings] == [
        "a.first",
        "b.second",
        "b.second",
    ]
    assert cached.check(text, platform="x") == fresh.check(text, platform="x")
    assert not refused(entry)  # compiled afresh and stored


def test_corrupt_nodes_of_an_entry_compiling_no_longer_makes_use_the_fresh_tables(
    cache: Path, tmp_path: Path
) -> None:
    """The policy changed since the entry was loaded: the fresh rule's nodes number terms
    as the fresh compile does, so it runs with that compile's tables (no crash, no term
    mistaken for another); a rule the policy no longer has reports nothing."""
    path = tmp_path / "p.policy"
    path.write_text(TWO_RULES, encoding="utf-8")
    policylint.load_policy(str(path))
    (entry,) = entries(cache)
    _corrupt_nodes(entry, 1)
    _corrupt_nodes(entry, 0)
    cached = policylint.load_policy(str(path))
    path.write_text('rule b.second { flag ["delta", "beta"] }\n', encoding="utf-8")
    assert [f.rule for f in cached.check("alpha delta beta", platform="x").findings] == [
        "b.second",
        "b.second",
    ]


def test_the_key_is_private_and_made_once(cache: Path) -> None:
    policylint.load_policy('rule a.b { flag ["x"] }')
    key = cache / cachedir.KEY_FILE
    assert len(key.read_bytes()) == 32
    if os.name == "posix":
        assert key.stat().st_mode & 0o077 == 0
    first = key.read_bytes()
    cachedir._key_in.cache_clear()
    assert cachedir._mac_key() == first


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_key_others_could_read_is_not_used(cache: Path) -> None:
    policylint.load_policy('rule a.b { flag ["x"] }')
    (cache / cachedir.KEY_FILE).chmod(0o644)
    cachedir._key_in.cache_clear()
    try:
        assert cachedir._mac_key() is None
        assert cachedir.read_json_object(entries(cache)[0]) == {}
        assert policylint.load_policy('rule a.b { flag ["x"] }').check("x").findings
    finally:
        (cache / cachedir.KEY_FILE).chmod(0o600)
        cachedir._key_in.cache_clear()


def test_regex_facts_this_user_did_not_seal_cannot_suppress_a_regex(cache: Path) -> None:
    policylint.load_policy(text="rule a.b { flag /abc/ }")
    (facts_file,) = (cache / "regexes").glob("*.json")
    facts = unsealed(facts_file)
    facts[regex_key("x[0-9]+y", "")] = [["zzz"], [], False, True, 1]
    facts_file.write_text(json.dumps(facts), encoding="utf-8")  # not sealed
    policy = policylint.load_policy(text="rule a.c { flag /x[0-9]+y/ }")
    assert [f.match for f in policy.check("x12y").findings] == ["x12y"]


def test_two_installs_of_one_version_never_share_built_in_entries(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies of policylint with the same version (two virtual environments, a checkout
    beside a release) each read their own built-in packs through one cache folder: the
    entry compiled from one copy's rules is never used for the other's, whose files it
    never read (its stamps would only say the first copy is unchanged)."""
    from policylint import _resources as resources

    first = policylint.load_policy("builtin:tone")
    assert first.rule("tone.shouting") is not None
    other_rules = tmp_path / "other" / "rules"
    other_rules.mkdir(parents=True)
    (other_rules / "tone.policy").write_text(
        'rule other.only {\n  category tone\n  flag ["zzyzx"]\n  example fail "zzyzx"\n}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(resources, "rules_dir", lambda: other_rules)
    second = policylint.load_policy("builtin:tone")
    assert [rule.id for rule in second.rules] == ["other.only"]


def test_packed_tables_keep_every_string_and_integer() -> None:
    """The compact tables: strings joined with a separator none of them holds (even when
    they hold the usual ones), integers as one unsigned 32-bit array."""
    awkward = ["", "a|b", packed._SEPARATORS[:20], "x", "crème"]
    for values in (awkward, [], [""], ["|"]):
        assert packed.unpack_strings(packed.pack_strings(values)) == values
    assert packed.pack_strings(awkward)[0] not in "".join(awkward)
    edges = [0, 5, (1 << 32) - 1]
    assert list(packed.unpack_ints(packed.pack_ints(edges), 1 << 32)) == edges
    for outside in ([1 << 32], [-1]):
        with pytest.raises(ValueError):
            packed.pack_ints(outside)
    with pytest.raises(ValueError):
        packed.unpack_ints(packed.pack_ints([3]), 3)  # each below the bound given


def test_terms_holding_the_separators_come_back_from_the_cache(cache: Path) -> None:
    text = 'rule a.b { flag ["a|b", "c~d", "^e^"] }'
    fresh = policylint.load_policy(text=text)
    post = "a|b and c~d and ^e^ here"
    cached = policylint.load_policy(text=text)
    assert entries(cache) and policycache.load(entries(cache)[0].stem) is not None
    assert [f.match for f in cached.check(post).findings] == ["a|b", "c~d", "^e^"]
    assert cached.check(post) == fresh.check(post)
