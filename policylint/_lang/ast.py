"""Typed syntax tree of a policy file.

The parser produces these nodes and nothing downstream sees Lark's trees. Every node that a
diagnostic may point at carries a ``Pos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from policylint._model.diagnostics import Diagnostic

__all__ = [
    "AllOf",
    "Amount",
    "AnyOf",
    "AtLeast",
    "Compare",
    "Condition",
    "Contains",
    "Detect",
    "Example",
    "Exception_",
    "FollowedBy",
    "Guarded",
    "Header",
    "Literal_",
    "Member",
    "MetricRef",
    "Near",
    "Not",
    "Operand",
    "PathRef",
    "Pattern",
    "PlatformRef",
    "PolicyFile",
    "Pos",
    "Quantified",
    "Regex",
    "RuleNode",
    "Scope",
    "Scoped",
    "SettingDef",
    "TermsDef",
    "TermsLiteral",
    "TermsRef",
    "Unit",
    "UnlessAllow",
    "UnlessCondition",
    "UnlessContext",
    "UnlessMatches",
    "Value",
]

Unit: TypeAlias = Literal["words", "chars", "lines", "sentences"]
#: A count as written: a number, or a numeric setting that holds it (``thresholds.fold``).
Amount: TypeAlias = "int | PathRef"
Value: TypeAlias = "str | float | bool | list[Value] | dict[str, Value]"


@dataclass(frozen=True, slots=True)
class Pos:
    """1-based line and column (in code points) of a span in a policy file."""

    line: int
    column: int
    end_line: int
    end_column: int

    def diagnostic(
        self, code: str, message: str, path: str, lines: Sequence[str], hint: str | None = None
    ) -> Diagnostic:
        """A diagnostic pointing at this span of the file ``path`` (split in ``lines``),
        quoting its line."""
        source_line = lines[self.line - 1] if 0 < self.line <= len(lines) else None
        return Diagnostic(
            code,
            message,
            path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            hint,
            source_line,
        )


# ----------------------------------------------------------------------------- patterns
@dataclass(frozen=True, slots=True)
class Term:
    text: str
    pos: Pos
    #: Defined in a ``masked`` list: masked spellings (``f*ck``) match it too.
    masked: bool = False


@dataclass(frozen=True, slots=True)
class TermsLiteral:
    terms: tuple[Term, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class TermsRef:
    """A named term list, or a setting holding a list of strings (``organisation.competitors``)."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Regex:
    source: str
    flags: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Detect:
    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Scope:
    kind: Literal["first", "last", "hashtags", "mentions", "links", "field"]
    pos: Pos
    amount: Amount = 0
    unit: Unit = "chars"
    path: str = ""


@dataclass(frozen=True, slots=True)
class Scoped:
    pattern: Pattern
    scope: Scope
    pos: Pos


@dataclass(frozen=True, slots=True)
class Near:
    """``left near right within N unit``; with ``negated`` it is ``left not near right``."""

    left: Pattern
    right: Pattern
    distance: Amount
    unit: Unit
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class FollowedBy:
    left: Pattern
    right: Pattern
    distance: Amount
    unit: Unit
    pos: Pos


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Pattern, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Pattern, ...]
    pos: Pos


Pattern: TypeAlias = (
    "TermsLiteral | TermsRef | Regex | Detect | Scoped | Near | FollowedBy | AnyOf | AllOf"
    " | Guarded"
)


# ----------------------------------------------------------------------------- conditions
@dataclass(frozen=True, slots=True)
class PlatformRef:
    pos: Pos


@dataclass(frozen=True, slots=True)
class PathRef:
    """``meta.x.y`` (post metadata) or a setting path such as ``thresholds.emoji``."""

    path: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class MetricRef:
    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Literal_:
    value: Value
    pos: Pos


Operand: TypeAlias = "PlatformRef | PathRef | MetricRef | Literal_"


@dataclass(frozen=True, slots=True)
class Compare:
    left: Operand
    op: str
    right: Operand
    pos: Pos


@dataclass(frozen=True, slots=True)
class Member:
    operand: Operand
    values: TermsLiteral | PathRef
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class Contains:
    pattern: Pattern
    pos: Pos


@dataclass(frozen=True, slots=True)
class Truthy:
    path: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition
    pos: Pos


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Quantified:
    """``any|all|none meta.LIST where (CONDITION)``: the condition is asked of each object
    of a metadata list, whose fields it reads as ``item.FIELD``."""

    quantifier: Literal["any", "all", "none"]
    items: PathRef
    condition: Condition
    pos: Pos


@dataclass(frozen=True, slots=True)
class AtLeast:
    """``at least COUNT of (C1, C2, ...)``: a judgement from several weak cues, none of
    which decides alone."""

    count: int
    items: tuple[Condition, ...]
    pos: Pos


Condition: TypeAlias = (
    "Compare | Member | Contains | Truthy | Not | And | Or | AtLeast | Quantified"
)


# ----------------------------------------------------------------------------- exceptions
@dataclass(frozen=True, slots=True)
class UnlessContext:
    """``unless preceded by / followed by / near P within N unit``: looks around each match."""

    direction: Literal["preceded", "followed", "near"]
    pattern: Pattern
    distance: Amount
    unit: Unit
    pos: Pos


@dataclass(frozen=True, slots=True)
class UnlessAllow:
    """``unless allow [...]``: drop a match equal to an allowed value (canonicalised)."""

    values: TermsLiteral | TermsRef
    pos: Pos


@dataclass(frozen=True, slots=True)
class UnlessMatches:
    """``unless matches P``: drop a match whose own text matches P."""

    pattern: Pattern
    pos: Pos


@dataclass(frozen=True, slots=True)
class UnlessCondition:
    """``unless <condition>``: the whole rule is off for posts where the condition holds."""

    condition: Condition
    pos: Pos


Exception_: TypeAlias = "UnlessContext | UnlessAllow | UnlessMatches | UnlessCondition"


@dataclass(frozen=True, slots=True)
class Guarded:
    """``flag P { when C  unless E }``: a flag with conditions and exceptions of its own,
    which apply to its matches only (the rule's own apply as well). Only a ``flag`` makes
    one, so it is never inside another pattern."""

    pattern: Pattern
    when: tuple[Condition, ...]
    unless: tuple[Exception_, ...]
    pos: Pos


# ----------------------------------------------------------------------------- definitions
@dataclass(frozen=True, slots=True)
class Example:
    expect: Literal["fail", "pass"]
    text: str
    platform: str | None
    meta: dict[str, Any]
    pos: Pos


@dataclass(slots=True)
class RuleNode:
    id: str
    pos: Pos
    category: str | None = None
    severity: str | None = None
    severity_pos: Pos | None = None
    owner: str | None = None
    reference: str | None = None
    reference_url: str | None = None
    message: str | None = None
    message_pos: Pos | None = None
    description: str | None = None
    when: list[Condition] = field(default_factory=list)
    flags: list[Pattern] = field(default_factory=list)
    requires: list[Pattern] = field(default_factory=list)
    unless: list[Exception_] = field(default_factory=list)
    suggest: str | None = None
    fix_safe: bool = False
    waivable: bool = True
    #: Rules whose finding on the same text this rule's finding replaces (``supersedes``).
    supersedes: list[RuleRef] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    #: The file the rule was written in (filled in by the parser).
    path: str = ""


@dataclass(frozen=True, slots=True)
class TermsDef:
    name: str
    parts: tuple[TermsLiteral | TermsRef, ...]
    pos: Pos
    masked: bool = False


@dataclass(frozen=True, slots=True)
class SettingDef:
    path: str
    value: Value
    pos: Pos


@dataclass(frozen=True, slots=True)
class Extend:
    target: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class SeverityOverride:
    rule: str
    level: str
    pos: Pos
    level_pos: Pos


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A rule id a rule names (``supersedes``), and where it is written."""

    rule: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Disable:
    rule: str
    pos: Pos


@dataclass(slots=True)
class Header:
    name: str
    pos: Pos
    description: str | None = None
    extends: list[Extend] = field(default_factory=list)
    severity_overrides: list[SeverityOverride] = field(default_factory=list)
    disables: list[Disable] = field(default_factory=list)
    sets: list[SettingDef] = field(default_factory=list)


@dataclass(slots=True)
class PolicyFile:
    path: str
    source: str
    header: Header | None = None
    terms: list[TermsDef] = field(default_factory=list)
    settings: list[SettingDef] = field(default_factory=list)
    rules: list[RuleNode] = field(default_factory=list)
    #: The source's lines, split once for every diagnostic's quoted line.
    lines: list[str] = field(default_factory=list)
    #: Top-level blocks left out for a syntax error or a limit, as (keyword, name):
    #: ("rule", "a.b"), ("terms", "x"), ("policy", "") or ("", "") when unknown. What they
    #: define is missing, so an "unknown name" error about it would only echo their error.
    broken: list[tuple[str, str]] = field(default_factory=list)
