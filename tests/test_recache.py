"""policylint._cache.sre: regex programs kept between runs give the patterns re itself makes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from policylint._cache import folder as cachedir
from policylint._cache import sre as recache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from policylint._cache import folder as cachedir

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path))
    cachedir.cache_dir.cache_clear()
    recache.uninstall()
    yield tmp_path
    recache.uninstall()
    cachedir.cache_dir.cache_clear()


def _fresh(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """What re compiles, bypassing its cache and any installed hook."""
    from re import _compiler  # type: ignore[attr-defined]

    compile_ = recache._original or _compiler.compile
    return compile_(pattern, flags)  # type: ignore[no-any-return]


def _phone_patterns() -> list[tuple[str, int]]:
    """Every str pattern re compiles while phonenumbers is imported and finds a number
    (hundreds of real patterns: big classes, named groups, look-arounds, flags)."""
    code = """
import json, re, sys
from re import _compiler
seen = []
original = _compiler.compile
def spy(p, flags=0):
    if type(p) is str:
        seen.append((p, int(flags)))
    return original(p, flags)
_compiler.compile = spy
import phonenumbers
list(phonenumbers.PhoneNumberMatcher("Call +44 7911 123456 or (212) 555-0199", "US"))
json.dump(seen, sys.stdout)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [(p, f) for p, f in json.loads(done.stdout)]


PATTERNS = [
    ("(?P<user>[\\w.]+)@(?P<host>\\w+)\\.com", 0),
    ("colou?r", re.IGNORECASE),
    ("^a.b$", re.MULTILINE | re.DOTALL),
    ("(?i)[Ѐ-ӿ]+\\b", 0),
    ("(?<=\\$)\\d+(?:\\.\\d\\d)?", 0),
    ("(a)(?P<b>b)(?:c)(?P=b)\\1", re.VERBOSE),
    ("\\U0001F600|[\\u2600-\\u27bf]", 0),
]
KEY = f"0:{PATTERNS[0][0]}"  # the first pattern's entry in the file
TEXTS = ["jo.bloggs@acme.com", "COLOUR", "a\nb", "Привет мир", "$12.50", "abbb", "😀 ☀"]


def test_the_patterns_it_builds_are_those_re_builds() -> None:
    from re import _compiler  # type: ignore[attr-defined]

    for pattern, flags in [*PATTERNS, *_phone_patterns()]:
        assert recache._agrees(_compiler.compile, pattern, flags), pattern


def test_a_second_run_takes_the_programs_from_the_file(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recache.install()
    assert recache.installed()
    first = [re.compile(p, f) for p, f in PATTERNS]  # learned
    recache.save()
    (saved,) = (cache / "sre").glob("*.json")
    assert len(cachedir.read_json_object(saved)) >= len(PATTERNS)
    recache.uninstall()
    re.purge()

    recache.install()
    built: list[str] = []
    real = recache._build

    def counting(pattern: str, flags: int) -> object:
        built.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(recache, "_build", counting)
    second = [re.compile(p, f) for p, f in PATTERNS]
    assert built == []  # every program came from the file
    for a, b, (pattern, flags) in zip(first, second, PATTERNS, strict=True):
        assert a == b == _fresh(pattern, flags)
        assert (a.groupindex, a.groups, a.flags) == (b.groupindex, b.groups, b.flags)
        for text in TEXTS:
            assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[1, 2]",
        # A program _sre refuses, entries of the wrong shape: each compiled afresh
        json.dumps(
            {f"0:{PATTERNS[0][0]}": [32, [1, 2, 3], 2, {"user": 1}, [None, "user"]]}
        ).encode(),
        json.dumps({KEY: "x"}).encode(),
        json.dumps({KEY: [32, "code", 2, {}, []]}).encode(),
        json.dumps({KEY: [32, [10**30], 2, {}, []]}).encode(),
    ],
)
def test_a_corrupt_file_or_entry_is_compiled_afresh(cache: Path, content: bytes) -> None:
    recache.install()
    path = recache._path()
    recache.uninstall()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    re.purge()
    recache.install()
    pattern, flags = PATTERNS[0]
    compiled = re.compile(pattern, flags)
    assert compiled == _fresh(pattern, flags)
    assert compiled.match("jo@acme.com").group("host") == "acme"  # type: ignore[union-attr]
    recache.save()  # the bad entry is replaced by a good one
    entry = cachedir.read_json_object(path)[f"{flags}:{pattern}"]
    assert recache._make(pattern, entry) == compiled


@pytest.mark.parametrize(
    "entry",
    [
        "x",
        [32, "code", 2, {}, []],
        [32, [10**30], 2, {}, []],
        [32, [1, 2, 3], 2, {"user": 1}, [None, "user"]],  # a program _sre refuses
    ],
)
def test_a_sealed_entry_of_the_wrong_shape_is_compiled_afresh(cache: Path, entry: object) -> None:
    recache.install()
    path = recache._path()
    recache.uninstall()
    cachedir.write_json(path, {KEY: entry})
    re.purge()
    recache.install()
    pattern, flags = PATTERNS[0]
    assert re.compile(pattern, flags) == _fresh(pattern, flags)


def test_a_program_this_user_did_not_seal_is_never_used(cache: Path) -> None:
    """A valid program planted for a pattern made it match something else: the file is
    sealed, and a program from an unsealed file is never used."""
    recache.install()
    re.compile("colou?r", re.IGNORECASE)
    other = re.compile("zzz", re.IGNORECASE)
    recache.save()
    path = recache._path()
    recache.uninstall()
    programs = cachedir.read_json_object(path)
    programs[f"{int(re.IGNORECASE)}:colou?r"] = programs[f"{int(re.IGNORECASE)}:zzz"]
    path.write_text(json.dumps(programs), encoding="utf-8")
    re.purge()
    recache.install()
    compiled = re.compile("colou?r", re.IGNORECASE)
    assert compiled.match("COLOR") and not compiled.match("zzz")
    assert other.match("ZZZ")


def test_bytes_and_debug_patterns_are_left_to_re(cache: Path) -> None:
    recache.install()
    assert re.compile(b"ab+").match(b"abb")
    recache.save()
    path = recache._path()
    assert not path.exists() or b"ab+" not in path.read_bytes()


def test_nothing_is_installed_when_caching_is_off(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint._cache import folder as cachedir

    monkeypatch.setenv("POLICYLINT_NO_CACHE", "1")
    cachedir.cache_dir.cache_clear()
    recache.install()
    assert not recache.installed()


def test_the_file_keeps_this_runs_programs_then_older_ones_up_to_max_entries(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recache, "MAX_ENTRIES", 5)
    recache.install()
    for number in range(10):
        re.compile(f"old{number}")
    recache.save()
    recache.uninstall()
    re.purge()
    recache.install()
    for number in range(3):
        re.compile(f"new{number}")
    recache.save()
    saved = cachedir.read_json_object(recache._path())
    assert len(saved) == 5
    assert {"0:new0", "0:new1", "0:new2"} <= saved.keys()


def test_the_command_line_installs_it_and_a_library_import_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "import policylint, re; from policylint._cache import sre; print(sre.installed())"
    env = {"POLICYLINT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "False"
    post = tmp_path / "post.txt"
    post.write_text("Call me on +44 7911 123456", encoding="utf-8")
    command = [sys.executable, "-m", "policylint", "check", "--isolated", str(post)]
    first = subprocess.run(command, capture_output=True, text=True, env=env)
    assert "privacy.phone" in first.stdout, first.stderr
    (saved,) = (tmp_path / "sre").glob("*.json")
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path))
    cachedir.cache_dir.cache_clear()
    assert len(cachedir.read_json_object(saved)) > 50  # phonenumbers' patterns
    second = subprocess.run(command, capture_output=True, text=True, env=env)
    assert second.stdout == first.stdout
