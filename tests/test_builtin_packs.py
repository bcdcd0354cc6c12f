"""The built-in packs: they load, their own examples pass, every catalogued rule exists,
every rule is documented and docs/rules/ is in sync with them."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

import policylint
from policylint._cli.rulesdoc import render_index, render_rule, shipped_policy
from policylint._pipeline.policy import Policy

ROOT = Path(__file__).resolve().parents[1]
#: The project's rules catalogue: a planning document beside the repository, not in it.
CATALOGUE = "domain/rules-catalogue.md"
CATEGORIES = {"regulatory", "legal", "privacy", "tone", "accessibility", "platform", "security"}
PACKS = ["regulatory", "legal", "privacy", "tone", "accessibility", "platform", "security"]


@cache
def builtin() -> Policy:
    return policylint.load_policy("builtin:all")


def catalogue_ids(catalogue: Path) -> set[str]:
    text = catalogue.read_text(encoding="utf-8")
    ids = {
        found
        for found in re.findall(r"`([a-z0-9_]+(?:\.[a-z0-9_]+)+)`", text)
        if not found.startswith("meta.")
    }
    # "`platform.instagram.length` / `.hashtags`" names two rules
    ids.add("platform.instagram.hashtags")
    return ids


@pytest.mark.parametrize("pack", PACKS)
def test_each_pack_loads_on_its_own(pack: str) -> None:
    policy = policylint.load_policy(f"builtin:{pack}")
    assert policy.rules
    assert {r.category for r in policy.rules} == {pack}


def sub_packs() -> list[str]:
    """Every named policy of the shipped rule files (``builtin:tone/hostile`` ...)."""
    names = set()
    for path in (ROOT / "rules").rglob("*.policy"):
        names.update(re.findall(r'^policy "(builtin:[^"]+)"', path.read_text("utf-8"), re.M))
    return sorted(names)


@pytest.mark.parametrize("pack", sub_packs())
def test_each_sub_pack_loads_on_its_own(pack: str) -> None:
    # Sub-packs supersede one another's rules; loading one alone must not call those typos.
    assert policylint.load_policy(pack).rules or pack == "builtin:organisation"


def test_every_superseded_id_of_the_packs_names_a_rule() -> None:
    # Built-in files are exempt from PL207's typo check on supersedes (sub-packs name rules
    # they do not load), so this is where a misspelt id in them is caught.
    ids = {rule.id for rule in builtin().rules}
    unknown = {
        (rule.id, superseded)
        for rule in builtin().rules
        for superseded in rule.supersedes
        if superseded not in ids
    }
    assert not unknown


def test_every_catalogued_rule_is_implemented(shared_file: Callable[[str], Path]) -> None:
    ids = {r.id for r in builtin().rules}
    missing = sorted(catalogue_ids(shared_file(CATALOGUE)) - ids)
    assert missing == []
    assert len(ids) >= 67


def test_every_example_of_every_rule_passes() -> None:
    results = builtin().run_examples()
    failures = [
        f"{r.path}:{r.line}: {r.rule}: example {r.expect} {r.text!r} found {r.found}"
        for r in results
        if not r.passed
    ]
    assert failures == []
    assert len(results) >= 4 * len(builtin().rules)


def test_every_rule_is_documented_with_two_examples_each_way() -> None:
    problems = []
    for rule in builtin().rules:
        fails = sum(1 for example in rule.examples if example.expect == "fail")
        passes = sum(1 for example in rule.examples if example.expect == "pass")
        if fails < 2 or passes < 2:
            problems.append(f"{rule.id}: {fails} fail / {passes} pass examples")
        if rule.category not in CATEGORIES:
            problems.append(f"{rule.id}: category {rule.category}")
        if not (rule.owner and rule.reference and rule.description):
            problems.append(f"{rule.id}: owner, reference and description are required")
    assert problems == []


def test_docs_rules_are_in_sync_with_the_packs() -> None:
    folder = ROOT / "docs" / "rules"
    infos = shipped_policy().rules
    expected = {f"{r.id}.md": render_rule(r) for r in infos}
    expected["README.md"] = render_index(infos)
    actual = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    stale = sorted(set(actual) ^ set(expected))
    assert stale == [], "run: python -m policylint._cli.rulesdoc docs/rules"
    changed = sorted(name for name in expected if actual[name] != expected[name])
    assert changed == [], "run: python -m policylint._cli.rulesdoc docs/rules"
