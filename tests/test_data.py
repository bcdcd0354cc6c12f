"""The test suite runs on a fresh clone: its data is in tests/data, with licences and
provenance, and ``../shared`` is reached only as an optional extra."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
DATA_SETS = sorted(path.parent for path in DATA.rglob("PROVENANCE.md"))


def test_every_data_file_belongs_to_a_set_with_a_licence_and_a_provenance() -> None:
    files = [p for p in DATA.rglob("*") if p.is_file() and p.parent != DATA]
    assert files
    homeless = [str(p.relative_to(DATA)) for p in files if p.parent not in DATA_SETS]
    assert homeless == []
    for folder in DATA_SETS:
        assert (folder / "LICENSE").is_file(), folder


@pytest.mark.parametrize("folder", DATA_SETS, ids=lambda p: p.name)
def test_each_set_is_listed_in_the_data_readme(folder: Path) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert f"`{folder.relative_to(DATA).as_posix()}/`" in readme


# A path to ../shared built in a test module: `parents[2] / "shared"`, `"shared" / "corpora"`,
# "shared/corpora/...".
_SHARED_PATH = re.compile(
    r"""parents\[\d\]\s*/\s*["']shared"""
    r"""|["']shared["']\s*/\s*["'](corpora|domain)"""
    r"""|["'](\.\./)?shared/(corpora|domain)"""
)


def test_no_test_requires_the_shared_folder() -> None:
    """Only conftest.py's ``shared_file`` fixture (which skips when it is missing) may
    reach ../shared; a test that opened it directly would fail on a fresh clone."""
    offenders = [
        path.name
        for path in sorted(TESTS.glob("test_*.py"))
        if path != Path(__file__) and _SHARED_PATH.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
