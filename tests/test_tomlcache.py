"""policylint.tomlcache: configuration parsed once per content, tomllib only when it changed."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from policylint import tomlcache

TEXT = 'policy = "org.policy"\n[settings]\n"organisation.name" = "Acme"\nlimit = 1.5\n'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from policylint import cachedir

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


def test_at_most_max_files_are_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tomlcache, "MAX_FILES", 3)
    for number in range(5):
        tomlcache.loads(tmp_path / f"{number}.toml", TEXT)
    kept = json.loads((cache / tomlcache._FILE_NAME).read_text("utf-8"))
    assert list(kept) == [str(tmp_path / f"{n}.toml") for n in (4, 3, 2)]


def test_a_warm_check_with_a_config_file_does_not_import_tomllib(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.policylint]\nfail-on = "error"\n', encoding="utf-8"
    )
    (tmp_path / "post.txt").write_text("We utilise AI.\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from policylint.entrypoint import main\n"
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
