"""What every reporter is: a function of a report, a stream and :class:`RenderOptions`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from policylint._model.reports import Finding, Report
from policylint._model.rules import RuleInfo
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol, TextIO
else:
    Protocol = object  # a structural type: nothing to check at run time

__all__ = ["RenderOptions", "Reporter"]


class RenderOptions(NamedTuple):
    """What a reporter may be told besides the report; each ignores what it has no use for."""

    #: Colour the output (the command line decides: a terminal, NO_COLOR, FORCE_COLOR...).
    color: bool = False
    #: The texts read from standard input, by label, for excerpts (files are read again).
    sources: Mapping[str, str] | None = None
    #: The rules that ran (SARIF describes each).
    rules: Sequence[RuleInfo] = ()
    #: List waived findings too (the text report leaves them out by default).
    show_waived: bool = False
    #: End with a summary line (not with ``--quiet``).
    summary: bool = True
    #: The findings ``--fix`` would fix, and those it would fix with ``--unsafe-fixes``.
    fixable: Collection[Finding] = frozenset()
    unsafe_fixable: Collection[Finding] = frozenset()
    #: The text of the post of each finding read from a record (JSON, CSV...), for excerpts.
    post_texts: Mapping[Finding, str] | None = None


class Reporter(Protocol):
    def __call__(self, report: Report, out: TextIO, options: RenderOptions) -> None: ...
