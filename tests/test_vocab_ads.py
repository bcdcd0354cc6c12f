"""The advertising-disclosure vocabulary: generated from its table, and reported once.

rules/data/ads_disclosure_labels.tsv lists every disclosure label with its language and
source; tools/vocab/ads_disclosures.py writes the term lists of advertising.policy and
fold.policy from it. These tests keep the packs in step with the table and check, label by
label, that a buried disclosure is one finding (ad.disclosure.placement), never also
platform.fold's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import policylint

ROOT = Path(__file__).resolve().parents[1]
FILLER = (
    "Two weeks with the new pillow and I wake up before my alarm, no snoozing and no "
    "grogginess, just coffee and a long walk by the river every single morning. "
)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ads_disclosures", ROOT / "tools" / "vocab" / "ads_disclosures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()
ROWS = GENERATOR.read_table()


@pytest.fixture(scope="module")
def builtin() -> Any:
    return policylint.load_policy("builtin:all")


def test_generated_term_lists_match_the_table() -> None:
    assert GENERATOR.main(["--check"]) == 0, "run: python tools/vocab/ads_disclosures.py"


def test_the_table_covers_every_language_with_labels() -> None:
    languages = {lang for _, lang, kind, _ in ROWS if kind == "label"}
    assert languages == set(GENERATOR.LANGUAGES)


def test_a_bad_table_row_is_reported_with_its_line(tmp_path: Path) -> None:
    table = tmp_path / "labels.tsv"
    table.write_text(
        "label\tlang\tkind\tsource\n#ad\ten\tlabel\tFTC-D101\n#x\tnl\tlabel\tFTC-D101\n"
    )
    with pytest.raises(SystemExit, match=r"labels\.tsv:3: unknown language 'nl'"):
        GENERATOR.read_table(table)


@pytest.mark.parametrize("label", sorted({label for label, _, kind, _ in ROWS if kind == "label"}))
def test_a_buried_label_is_one_regulatory_finding(builtin: Any, label: str) -> None:
    text = f"{FILLER}{label} CloudNine"
    fired = {f.rule for f in builtin.check(text, platform="instagram").findings}
    assert "ad.disclosure.placement" in fired
    assert not fired & {"platform.fold", "platform.fold.linkedin"}


@pytest.mark.parametrize(
    "disclosure", sorted({label for label, _, kind, _ in ROWS if kind in {"label", "phrase"}})
)
def test_any_disclosure_up_front_excuses_a_later_label(builtin: Any, disclosure: str) -> None:
    text = f"{disclosure} CloudNine. {FILLER}#ad"
    fired = {f.rule for f in builtin.check(text, platform="instagram").findings}
    assert not fired & {"ad.disclosure.placement", "platform.fold"}


@pytest.mark.parametrize(
    "denial", sorted({label for label, _, kind, _ in ROWS if kind == "negated"})
)
def test_a_denial_is_neither_a_disclosure_nor_a_buried_one(builtin: Any, denial: str) -> None:
    late = {f.rule for f in builtin.check(f"{FILLER}{denial}.", platform="instagram").findings}
    assert not late & {"ad.disclosure.placement", "platform.fold"}
    upfront = f"{denial}. {FILLER}#ad"
    fired = {f.rule for f in builtin.check(upfront, platform="instagram").findings}
    assert "ad.disclosure.placement" in fired
