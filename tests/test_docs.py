"""Every ```policy block in the docs loads, and its examples pass: the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import policylint

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```policy\n(.*?)^```", re.MULTILINE | re.DOTALL)

BLOCKS = [
    pytest.param(
        match.group(1), id=f"{doc.name}:{doc.read_text()[: match.start()].count(chr(10)) + 1}"
    )
    for doc in DOCS
    for match in BLOCK.finditer(doc.read_text(encoding="utf-8"))
]


def test_the_docs_have_policy_examples() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("source", BLOCKS)
def test_policy_block_loads_and_its_examples_pass(source: str) -> None:
    policy = policylint.load_policy(source)
    results = policy.run_examples()
    failures = [(r.rule, r.expect, r.text, r.found) for r in results if not r.passed]
    assert failures == []
