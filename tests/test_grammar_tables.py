"""The parser's tables ship with the grammar as JSON: nothing is built, cached or unpickled at
run time (``policylint._lang.tables``).

Lark's own cache is a pickle, and a pickle runs the code it names when loaded: under
``umask 000`` it was written 0666 in the cache folder, so another local user could replace
it and run code as each user of policylint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policylint._cache import folder as cachedir
from policylint._lang import parser, tables
from policylint._resources import grammar_path, tables_path

REGENERATE = "python -m policylint._lang.tables"


@pytest.fixture
def fresh_parser() -> object:
    parser._parser.cache_clear()
    yield None
    parser._parser.cache_clear()


def test_shipped_tables_match_the_grammar() -> None:
    shipped = json.loads(tables_path().read_text(encoding="utf-8"))
    built = json.loads(json.dumps(tables.serialise_parser(grammar_path().read_text("utf-8"))))
    for part in ("grammar_sha256", "data", "memo"):
        assert shipped[part] == built[part], f"{part} differs: run {REGENERATE}"


def test_the_parser_is_loaded_from_the_tables(
    fresh_parser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(grammar: str) -> object:
        raise AssertionError("the parser was built from the grammar")

    monkeypatch.setattr(tables, "build_parser", no_build)
    policy = parser.parse_policy('rule a.b { flag ["x"] near ["y"] within 2 words }', "t")
    assert policy.rules[0].id == "a.b"


def test_tables_for_another_grammar_are_not_used(
    fresh_parser: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited grammar with stale tables parses the edited language, slowly."""
    from policylint import _resources as resources

    grammar = tmp_path / "policy.lark"
    grammar.write_text(
        grammar_path().read_text("utf-8").replace('_FLAG: "flag"', '_FLAG: "flagged"'), "utf-8"
    )
    (tmp_path / "policy.tables.json").write_bytes(tables_path().read_bytes())
    monkeypatch.setattr(resources, "grammar_path", lambda: grammar)
    assert parser.parse_policy('rule a.b { flagged ["x"] }', "t").rules[0].flags


@pytest.mark.parametrize("content", ["", "{not json", '{"grammar_sha256": 1}', "[]"])
def test_unreadable_tables_fall_back_to_the_grammar(
    fresh_parser: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    from policylint import _resources as resources

    grammar = tmp_path / "policy.lark"
    grammar.write_bytes(grammar_path().read_bytes())
    (tmp_path / "policy.tables.json").write_text(content, "utf-8")
    monkeypatch.setattr(resources, "grammar_path", lambda: grammar)
    assert parser.parse_policy('rule c.d { flag ["y"] }', "t").rules[0].id == "c.d"


_NO_PICKLE = textwrap.dedent(
    """
    import os, pickle, sys
    os.umask(0)
    loaded = []
    real_loads, real_load = pickle.loads, pickle.load
    pickle.loads = lambda *a, **k: loaded.append("loads") or real_loads(*a, **k)
    pickle.load = lambda *a, **k: loaded.append("load") or real_load(*a, **k)
    import policylint
    policylint.load_policy(text=sys.argv[1])
    print(loaded)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_no_pickle_is_loaded_or_written_even_under_umask_000(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)  # an existing folder: used as it is (owned by us, 0755)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "POLICYLINT_CACHE_DIR": str(cache)}
    for n in range(2):  # the second run would find what the first one cached
        done = subprocess.run(
            [sys.executable, "-c", _NO_PICKLE, f'rule a.n{n} {{ flag ["x{n}"] }}\n'],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "[]"
    assert not list(cache.glob("grammar-*"))


def test_default_location_is_per_user_not_tmp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/someone/.cache")
    location = cachedir._default_location()
    assert location == Path("/home/someone/.cache/policylint")
    assert not str(location).startswith("/tmp")


def test_the_tables_parse_as_the_grammar_does(fresh_parser: None) -> None:
    """The JSON round trip (integer keys, tuples) loses nothing: every built-in pack, and
    every prefix of one, parses or fails the same way with either parser."""
    from lark.exceptions import UnexpectedInput

    from policylint._resources import rules_dir

    built = tables.build_parser(grammar_path().read_text("utf-8"))
    shipped = parser._parser()
    sources = [p.read_text("utf-8") for p in sorted(rules_dir().rglob("*.policy"))]
    sources += [sources[0][:cut] for cut in range(0, len(sources[0]), 97)]

    def outcome(lark: object, text: str) -> object:
        try:
            return lark.parse(text)  # type: ignore[attr-defined]
        except UnexpectedInput as error:
            expected = getattr(error, "expected", None) or getattr(error, "allowed", None)
            return (type(error).__name__, error.line, error.column, sorted(expected or ()))

    for text in sources:
        assert outcome(shipped, text) == outcome(built, text)
