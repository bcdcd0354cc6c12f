"""What a policy says about each of its rules, and how its examples fared.

:class:`RuleInfo` is a rule's metadata as written in its ``rule`` block: what ``policylint
rules`` and ``explain`` show, what the rule pages are generated from, what a finding copies
(owner, reference...). The compiled rule carries one, so a new rule field is declared here
once and travels with the rule through the compiler, the cache and the reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ExampleResult", "RuleExample", "RuleInfo"]


class RuleExample(NamedTuple):
    """A rule's ``example pass|fail "text" [with ...]``: one of its own unit tests."""

    expect: str
    text: str
    #: The ``with`` values: the example runs as a post on this platform with this metadata.
    platform: str | None = None
    meta: Mapping[str, Any] = MappingProxyType({})
    #: Where it is written in the policy file.
    line: int = 0


class RuleInfo(NamedTuple):
    """A rule's metadata, as listed by ``policylint rules`` and ``explain``."""

    id: str
    category: str
    severity: Severity
    owner: str | None
    reference: str | None
    reference_url: str | None
    message: str
    description: str | None
    suggestion: str | None
    fix_safe: bool
    waivable: bool
    path: str
    line: int
    examples: tuple[RuleExample, ...] = ()
    #: Rules whose finding on the same text this one's replaces (``supersedes``).
    supersedes: tuple[str, ...] = ()


class ExampleResult(NamedTuple):
    """One ``example pass|fail`` of a rule, run by ``policylint test``."""

    rule: str
    expect: str
    text: str
    passed: bool
    found: tuple[str, ...]
    path: str
    line: int
    #: The example's ``with`` values: it ran as a post on this platform with this metadata.
    platform: str | None = None
    meta: Mapping[str, Any] = MappingProxyType({})
