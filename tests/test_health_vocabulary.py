"""The health-condition vocabulary: its data file is well formed for a detector, and the term
lists generated from the curated lay names (a block of rules/regulatory/health.policy) are in
sync with their source."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "tools" / "vocab" / "build_health_conditions.py"
DATA = ROOT / "rules" / "data" / "health_conditions.tsv"
POLICY = ROOT / "rules" / "regulatory" / "health.policy"
#: Inline term lists above this size cost every run's start-up (the judgement brief's limit).
INLINE_LIMIT = 1_000


def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_health_conditions", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def generated_block() -> str:
    text = POLICY.read_text(encoding="utf-8")
    return text[text.index("# BEGIN GENERATED CONDITIONS") : text.index("# END GENERATED")]


def data_rows() -> list[list[str]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def test_generated_term_lists_and_data_file_are_in_sync_with_the_curated_names() -> None:
    assert build_script().main(["--check"]) == 0


def test_every_data_row_has_an_id_a_kind_a_language_a_source_and_names() -> None:
    rows = data_rows()
    assert len(rows) > 4_000  # ICD-10-CM gives thousands; the curated layer a few hundred
    code = re.compile(r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?|(?:lay|vet)\.[a-z_]+")
    for row in rows:
        assert len(row) == 5, row
        condition, kind, language, source, names = row
        assert code.fullmatch(condition), row
        assert kind in {"disease", "infection", "symptom", "pseudo", "vet"}, row
        assert language in {"en", "es", "de", "fr", "pt", "it"}, row
        assert source in {"lay", "icd10cm", "icd10cm+lay"}, row
        assert all(name.lstrip("~").strip("*") for name in names.split("|")), row
    assert {row[2] for row in rows} == {"en", "es", "de", "fr", "pt", "it"}


def test_ambiguous_names_stay_out_of_the_inline_lists() -> None:
    ambiguous = {
        name[1:] for row in data_rows() for name in row[4].split("|") if name.startswith("~")
    }
    assert {"cold", "bug", "gota", "lumps"} <= ambiguous
    inline = set(re.findall(r'"([^"]+)"', generated_block()))
    # a name ambiguous in one language may be plain in another ("covid" is not, "corona" is)
    assert not {"cold", "bug", "gota", "lumps", "corona", "pain"} & inline


def test_each_inline_list_is_small_enough_for_start_up() -> None:
    lists = re.findall(r"terms (\w+) = \[(.*?)\]", generated_block(), re.S)
    assert {name for name, _ in lists} == {"conditions_infectious"}
    for name, body in lists:
        assert body.count('"') // 2 < INLINE_LIMIT, name


@pytest.fixture
def fresh_vocabulary() -> Iterator[None]:
    """The condition detector's vocabulary read anew, and forgotten after the test."""
    from policylint.detectors import condition

    condition._vocabulary.cache_clear()
    condition.conditions_in.cache_clear()
    yield
    condition._vocabulary.cache_clear()
    condition.conditions_in.cache_clear()


def _found(text: str) -> list[str]:
    from policylint._text.views import fold_term
    from policylint.detectors import condition

    return [entry[0] for _, _, entry in condition.find_conditions(fold_term(text))]


def test_a_check_reads_the_shipped_index_and_folds_no_names(
    monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None
) -> None:
    from policylint.detectors import condition

    def refolded(*args: object) -> NoReturn:
        raise AssertionError("the data file was folded: its index was not used")

    monkeypatch.setattr(condition, "index_text", refolded)
    monkeypatch.setattr(condition, "fold_names", refolded)
    assert _found("This cures plaque psoriasis and Ekzeme, not a cold") == ["L40", "L20"]
    # The groups a post's words start, and only those, are read.
    assert set(condition._vocabulary().parsed) <= {
        "this", "thi", "cures", "cur", "and", "plaque", "pla", "psoriasis", "pso",
        "ekzeme", "ekz", "not", "a", "cold", "col",
    }  # fmt: skip


@pytest.mark.parametrize("damage", ["stale", "edited", "missing"])
def test_a_stale_damaged_or_missing_index_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_vocabulary: None, damage: str
) -> None:
    from policylint.detectors import condition

    data = DATA.read_text(encoding="utf-8")
    index = (DATA.parent / condition.INDEX_FILE).read_text(encoding="utf-8")
    assert "\npsoriasis\t" in index
    if damage == "stale":  # the data changed since the index was made
        data += "L40\tdisease\ten\tlay\tzorbitis\n"
    elif damage == "edited":  # the index changed, its stamp did not
        index = index.replace("\npsoriasis\t", "\nzorbitis\t", 1)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / condition.DATA_FILE).write_text(data, encoding="utf-8")
    if damage != "missing":
        (folder / condition.INDEX_FILE).write_text(index, encoding="utf-8")
    monkeypatch.setattr("policylint._resources.rules_dir", lambda: tmp_path)
    # What the data file says, read from it.
    assert _found("zorbitis and psoriasis") == (["L40"] if damage == "stale" else []) + ["L40"]
