"""What resolving a policy yields (:class:`ResolvedPolicy`), the compiler's input.

Resolution (:mod:`policylint._lang.resolve`) follows ``extends``, merges the files' rules and
settles overrides and settings; the compiler (:mod:`policylint._compiler`) turns the result
into an executable policy. This module is the boundary between them: the compiler reads
these records and nothing else of the resolver.
"""

from __future__ import annotations

import fnmatch
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from policylint._lang import ast
from policylint._lang.stamps import FileStamp
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import Suggester

__all__ = ["LostNames", "ResolvedPolicy", "RuleIds", "TermScope", "sorted_diagnostics"]


@dataclass(frozen=True, slots=True)
class TermScope:
    """The term lists a file can see: its own, then those of the files it extends.

    ``complete`` is False when some of them may be missing: the file's header did not parse,
    or a file it extends (directly or not) could not be loaded.
    """

    terms: Mapping[str, tuple[ast.Term, ...]]
    complete: bool = True
    #: The references of this file's own list definitions to names that are not lists
    #: (``terms a = organisation.competitors + [...]``): settings, or mistakes, which the
    #: compiler reports even when no rule uses the list.
    refs: tuple[ast.Term, ...] = ()


@dataclass(slots=True)
class ResolvedPolicy:
    """A policy with its ``extends`` followed: its rules, severities and settings as the
    files together define them, and what the compiler needs to report on them."""

    name: str
    description: str | None
    #: The display path of every file that contributed, in load order.
    files: list[str]
    rules: list[ast.RuleNode]
    #: Effective severity of each rule after the headers' overrides.
    severities: dict[str, str]
    settings: dict[str, ast.Value]
    #: Term scope of each file, by the file's display path.
    scopes: dict[str, TermScope]
    #: Source text of each file, by display path, for diagnostics.
    sources: dict[str, str] = field(default_factory=dict)
    #: Problems found so far that did not stop resolution; the compiler adds its own.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: What was read, by real path, for the compiled cache (``policylint._lang.stamps``): each
    #: file's stamp (None: it could not be read) and each globbed pack folder's listing
    #: (None: it changed while it was globbed).
    file_stamps: dict[str, FileStamp | None] = field(default_factory=dict)
    folder_listings: dict[str, list[str] | None] = field(default_factory=dict)
    #: What failed to load: see :meth:`lost`.
    lost_names: LostNames = field(default_factory=lambda: LostNames((), complete=True))
    #: The lines of each file's source, by display path (split once, for diagnostics).
    lines: dict[str, list[str]] = field(default_factory=dict)
    #: "did you mean" hints, within the load's budget (the compiler's share what is left).
    suggest: Suggester = field(default_factory=Suggester)

    def lost(self, kind: str, name: str) -> bool:
        """Whether the rule, term list or setting ``name`` might be defined by what failed
        to load (see :class:`LostNames`)."""
        return self.lost_names.may_define(kind, name)


class RuleIds:
    """Rule ids, sorted so that a glob finds its rules by bisection.

    The grammar's only glob is a dotted prefix and ``.*`` (``tone.*``), which matches the ids
    that start with the prefix and a dot: matching every id against every glob instead took
    minutes for 10,000 rules and 20,000 globs.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.sorted = sorted(set(ids))

    def matching(self, pattern: str) -> list[str]:
        """The ids ``pattern`` (an id or a glob) names."""
        if not pattern.endswith(".*") or "*" in pattern[:-2]:
            if "*" in pattern:  # not a shape the grammar makes; matched the slow way
                return [i for i in self.sorted if fnmatch.fnmatchcase(i, pattern)]
            found = bisect_left(self.sorted, pattern)
            return [pattern] if self.sorted[found : found + 1] == [pattern] else []
        prefix = pattern[:-1]
        start = end = bisect_left(self.sorted, prefix)
        while end < len(self.sorted) and self.sorted[end].startswith(prefix):
            end += 1
        return self.sorted[start:end]


class LostNames:
    """What failed to load, so that an "unknown name" error that would only echo that
    failure is left out: blocks dropped for a syntax error or a limit, as (keyword, name)
    (ast.PolicyFile.broken); ``complete`` is False if a file or a header could not be
    loaded, which could have defined anything."""

    def __init__(self, broken: Iterable[tuple[str, str]], complete: bool) -> None:
        self.complete = complete
        self.exact = set(broken)
        self.rules = RuleIds(name for kind, name in self.exact if kind == "rule")

    def may_define(self, kind: str, name: str) -> bool:
        """Whether the rule (an id or a glob), term list or setting ``name`` (``kind``:
        "rule", "terms", "setting") might be defined by what failed to load."""
        if not self.complete:
            return True
        if kind == "rule":
            return bool(self.rules.matching(name))
        return (kind, name) in self.exact


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` in the order they are shown: by file, then place."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.column))
