"""The built grammar is cached per user, never in a shared predictable place."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from policylint import cachedir
from policylint.language import parser


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "user-cache"
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(directory))
    cachedir.cache_dir.cache_clear()
    parser._parser.cache_clear()
    yield directory
    cachedir.cache_dir.cache_clear()
    parser._parser.cache_clear()


def test_grammar_tables_are_cached_in_the_private_user_directory(private_cache: Path) -> None:
    parser.parse_policy('rule a.b { flag ["x"] }', "t")
    (cached,) = list(private_cache.glob("grammar-*.lark"))
    assert stat.S_IMODE(private_cache.stat().st_mode) == 0o700
    assert cached.stat().st_uid == os.getuid()
    # a second build loads the cache file, and parses the same
    parser._parser.cache_clear()
    mtime = cached.stat().st_mtime_ns
    assert parser.parse_policy('rule a.b { flag ["x"] }', "t").rules[0].id == "a.b"
    assert cached.stat().st_mtime_ns == mtime


def test_a_truncated_grammar_cache_is_rebuilt(private_cache: Path) -> None:
    parser.parse_policy('rule a.b { flag ["x"] }', "t")
    (cached,) = list(private_cache.glob("grammar-*.lark"))
    cached.write_bytes(cached.read_bytes()[:40])
    parser._parser.cache_clear()
    assert parser.parse_policy('rule c.d { flag ["y"] }', "t").rules[0].id == "c.d"


def test_default_location_is_per_user_not_tmp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/someone/.cache")
    location = cachedir._default_location()
    assert location == Path("/home/someone/.cache/policylint")
    assert not str(location).startswith("/tmp")
