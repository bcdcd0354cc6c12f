"""policylint._cache.toml: configuration parsed once per content, tomllib only when it changed."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from policylint._cache import folder as cachedir
from policylint._cache import toml as tomlcache

TEXT = 'policy = "org.policy"\n[settings]\n"organisation.name" = "Acme"\nlimit = 1.5\n'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from policylint._cache import folder as cachedir

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path / "cache"))
    cachedir.cache_dir.cache_clear()
    yield tmp_path / "cache"
    cachedir.cache_dir.cache_clear()


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts tomllib parses from now on."""
    parsed: list[str] = []
    real = tomllib.loads

    def counting(text: str, **kwargs: object) -> dict[str, object]:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(tomllib, "loads", counting)
    return parsed


def test_the_same_text_is_parsed_once(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _parses(monkeypatch)
    path = tmp_path / ".policylint.toml"
    first = tomlcache.loads(path, TEXT)
    assert first == tomllib.loads(TEXT)
    assert tomlcache.loads(path, TEXT) == first
    assert parsed == [TEXT, TEXT]  # once by loads, once by the assertion above
    changed = TEXT.replace("Acme", "Globex")
    assert tomlcache.loads(path, changed)["settings"]["organisation.name"] == "Globex"
    assert parsed[-1] == changed


def test_dates_are_parsed_every_time(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "launch = 2026-12-05\nnan = nan\n"
    parsed = _parses(monkeypatch)
    for _ in range(2):
        data = tomlcache.loads(tmp_path / "a.toml", text)
        assert data["launch"] == datetime.date(2026, 12, 5)
    assert len(parsed) == 2


def test_invalid_toml_raises_a_value_error(cache: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 1"):
        tomlcache.loads(tmp_path / "a.toml", "policy = \n")


@pytest.mark.parametrize("content", ["not json", "[1]", '{"%s": ["x", {}]}', '{"%s": [1]}'])
def test_a_corrupt_cache_is_parsed_afresh(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    path = tmp_path / "a.toml"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / tomlcache._FILE_NAME).write_text(content.replace("%s", str(path)), "utf-8")
    parsed = _parses(monkeypatch)
    assert tomlcache.loads(path, TEXT) == tomllib.loads(TEXT)
    assert len(parsed) == 2


def test_an_entry_this_user_did_not_seal_is_never_used(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry naming the real file's hash with ``ignore = ["*"]`` in its table silenced
    every rule. The file is sealed with the user's key: such an entry is never read."""
    path = tmp_path / "pyproject.toml"
    tomlcache.loads(path, TEXT)
    store = cache / tomlcache._FILE_NAME
    known = cachedir.read_json_object(store)
    digest, table = known[str(path)]
    known[str(path)] = [digest, {**table, "ignore": ["*"]}]
    store.write_text(json.dumps(known), encoding="utf-8")
    parsed = _parses(monkeypatch)
    assert tomlcache.loads(path, TEXT) == tomllib.loads(TEXT)  # no "ignore"
    assert len(parsed) == 2


@pytest.mark.parametrize(
    "table", [["not", "a", "table"], {"nested": {"bad": [1, {"x": float("inf")}]}}, {"x": None}]
)
def test_a_sealed_entry_that_is_not_a_plain_table_is_parsed_afresh(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: object
) -> None:
    path = tmp_path / "a.toml"
    tomlcache.loads(path, TEXT)
    store = cache / tomlcache._FILE_NAME
    known = cachedir.read_json_object(store)
    known[str(path)][1] = table
    cachedir.write_json(store, known)
    parsed = _parses(monkeypatch)
    assert tomlcache.loads(path, TEXT) == tomllib.loads(TEXT)
    assert len(parsed) == 2


def test_at_most_max_files_are_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tomlcache, "MAX_FILES", 3)
    for number in range(5):
        tomlcache.loads(tmp_path / f"{number}.toml", TEXT)
    kept = cachedir.read_json_object(cache / tomlcache._FILE_NAME)
    assert list(kept) == [str(tmp_path / f"{n}.toml") for n in (4, 3, 2)]


def test_a_warm_check_with_a_config_file_does_not_import_tomllib(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.policylint]\nfail-on = "error"\n', encoding="utf-8"
    )
    (tmp_path / "post.txt").write_text("We utilise AI.\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from policylint._cli.entrypoint import main\n"
        "sys.argv = ['policylint', 'check', 'post.txt']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('tomllib' in sys.modules, file=sys.stderr)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "POLICYLINT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
        )
        for _ in range(2)
    ]
    assert [run.stderr.split()[-1] for run in runs] == ["True", "False"]
    assert runs[0].stdout == runs[1].stdout
