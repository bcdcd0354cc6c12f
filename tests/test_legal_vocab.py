"""The legal packs' derived vocabularies stay in step with the data they were built from."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

import policylint
from policylint import Policy

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "rules" / "data" / "legal_company_suffixes.txt"


def build_script() -> ModuleType:
    """tools/vocab/legal_company_suffixes.py (it imports cleanco only when it builds)."""
    path = ROOT / "tools" / "vocab" / "legal_company_suffixes.py"
    spec = importlib.util.spec_from_file_location("legal_company_suffixes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def defamation() -> Policy:
    return policylint.load_policy("builtin:legal/defamation")


def test_the_defamation_pack_matches_exactly_the_listed_legal_forms() -> None:
    script = build_script()
    alternation = script.suffix_alternation(script.read_forms(DATA))
    policy_text = (ROOT / "rules" / "legal" / "defamation.policy").read_text(encoding="utf-8")
    assert policy_text.count(alternation) == 2  # any named party, and the certain ones


@pytest.mark.parametrize("form", build_script().read_forms(DATA))
def test_a_legal_form_makes_a_name_a_party_that_can_be_defamed(form: str) -> None:
    written = form + "." if "." in form else form
    report = defamation().check(f"Hartwell {written} – total crooks, all of them.")
    assert [f.rule for f in report.findings] == ["legal.defamation"]


def test_without_a_legal_form_a_label_names_nobody() -> None:
    assert defamation().check("Hartwell – total crooks, all of them.").findings == []
