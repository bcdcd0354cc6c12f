"""Test-wide set-up: a private cache directory, so tests never touch the user's cache; and
the ``shared_file`` fixture for optional extras; ``fresh_and_cached``, a policy loaded compiled
and then from its cache entry.

Test data the suite needs lives in ``tests/data`` (each set with its LICENSE and
PROVENANCE.md). The project's full reference corpora and documents sit in ``../shared``
beside the repository in its workspace and CI, never in a clone: the few tests that use
them skip, saying why, when it is not there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import policylint

# Set before policylint._cache.folder is first used; subprocesses inherit it.
os.environ.setdefault("POLICYLINT_CACHE_DIR", tempfile.mkdtemp(prefix="policylint-test-cache-"))

#: ``../shared`` beside the repository (or where ``POLICYLINT_SHARED`` says, for a git
#: worktree elsewhere): optional extras only.
SHARED = Path(os.environ.get("POLICYLINT_SHARED") or Path(__file__).resolve().parents[2] / "shared")


@pytest.fixture
def shared_file() -> Callable[[str], Path]:
    """``shared_file("corpora/x/y.txt")``: that file of ``../shared``, or skip the test."""

    def get(relative: str) -> Path:
        path = SHARED / relative
        if not path.is_file():
            pytest.skip(
                f"optional extra: {SHARED / relative} is not there (../shared beside the "
                "repository, which a clone does not have; see tests/data/README.md)"
            )
        return path

    return get


@pytest.fixture
def fresh_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], tuple[policylint.Policy, policylint.Policy]]]:
    """Loads a policy twice through a private cache folder: compiled, then from its entry."""
    import policylint
    from policylint._cache import folder

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path / "cache"))
    folder.cache_dir.cache_clear()

    def load(text: str) -> tuple[policylint.Policy, policylint.Policy]:
        path = tmp_path / "p.policy"
        path.write_text(text, encoding="utf-8")
        fresh = policylint.load_policy(str(path))
        assert list((tmp_path / "cache" / "policies").glob("*.json"))
        return fresh, policylint.load_policy(str(path))

    yield load
    folder.cache_dir.cache_clear()
