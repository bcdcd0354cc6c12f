"""The health-condition vocabulary: its data file is well formed for a detector, and the term
lists generated from the curated lay names (a block of rules/regulatory/health.policy) are in
sync with their source."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

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
