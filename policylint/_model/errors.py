"""policylint's errors: one base class, and the diagnostics of policy files.

Every error policylint raises on purpose is a :class:`PolicylintError`:

* :class:`PolicyError`: a policy could not be loaded; its ``diagnostics`` give each problem a
  stable code, the exact token, a caret and a hint;
* :class:`SelectorError` (also a ``ValueError``): a rule selector names no rule, or a
  selection leaves none;
* :class:`PolicyMismatchError` and :class:`WorkerStartError` (also ``RuntimeError``): a worker
  process could not rebuild the policy the caller loaded.

Diagnostics are rendered like a compiler's::

    policy/org.policy:12:9: error[PL201]: unknown term list 'guarantes'
       |
    12 |   flag  guarantes near ["return*"] within 6 words
       |         ^^^^^^^^^
       = hint: did you mean 'guarantees'?
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from itertools import chain

from policylint._model.carets import caret_line
from policylint._model.struct import NamedTuple

__all__ = [
    "CODES",
    "Diagnostic",
    "PolicyError",
    "PolicyMismatchError",
    "PolicylintError",
    "SelectorError",
    "Suggester",
    "WorkerStartError",
    "did_you_mean",
]

#: Every diagnostic code, with its symbolic name. docs/language.md lists them with examples.
CODES: dict[str, str] = {
    "PL100": "unreadable-policy",
    "PL101": "syntax-error",
    "PL102": "unterminated-string",
    "PL103": "invalid-escape",
    "PL104": "unexpected-character",
    "PL201": "unknown-name",
    "PL202": "duplicate-rule",
    "PL203": "duplicate-definition",
    "PL204": "invalid-severity",
    "PL205": "unknown-detector",
    "PL206": "unknown-metric",
    "PL207": "unknown-rule",
    "PL208": "extends-cycle",
    "PL209": "extends-not-found",
    "PL210": "rule-does-nothing",
    "PL211": "repeated-field",
    "PL212": "invalid-term",
    "PL213": "unknown-setting",
    "PL214": "type-mismatch",
    "PL215": "invalid-placeholder",
    "PL216": "invalid-value",
    "PL217": "multiple-headers",
    "PL218": "limit-exceeded",
    "PL301": "invalid-regex",
    "PL302": "unsupported-regex-feature",
}


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib  # only on a mistake: it costs a millisecond of every run's start-up

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class Suggester:
    """``did_you_mean`` for one policy load, within a budget of comparisons.

    A hint compares the name with every candidate (about a microsecond each): 20,000 unknown
    names among 10,000 rules would take minutes. Once the load has spent
    ``policylint._limits.MAX_SUGGESTION_COMPARISONS``, errors come without a hint.
    """

    def __init__(self) -> None:
        from policylint._limits import MAX_SUGGESTION_COMPARISONS  # the floor

        self.left = MAX_SUGGESTION_COMPARISONS

    def __call__(self, name: str, *pools: Collection[str]) -> str | None:
        self.left -= sum(len(pool) for pool in pools)
        if self.left < 0:
            return None
        return did_you_mean(name, chain.from_iterable(pools))


#: Characters of a source line a diagnostic quotes; a longer line is cut around the caret.
_SHOWN = 160


class Diagnostic(NamedTuple):
    """One problem of a policy: where (``path:line:column``, to ``end_line:end_column``),
    what (a stable ``code`` and a message), and what to do (a ``hint``)."""

    code: str
    message: str
    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    hint: str | None = None
    source_line: str | None = None
    severity: str = "error"

    @property
    def name(self) -> str:
        return CODES.get(self.code, "error")

    def headline(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"
        )

    def render(self) -> str:
        lines = [self.headline()]
        if self.source_line is not None:
            gutter = str(self.line)
            pad = " " * len(gutter)
            text, column, length = self._shown(self.source_line.rstrip("\r\n"))
            lines.append(f"{pad} |")
            lines.append(f"{gutter} | {text}")
            lines.append(f"{pad} | {caret_line(text, column, length)}")
        if self.hint:
            lines.append(f"{' ' * len(str(self.line))} = hint: {self.hint}")
        return "\n".join(lines)

    def _caret_length(self) -> int:
        if self.end_line == self.line and self.end_column and self.end_column > self.column:
            return self.end_column - self.column
        return 1

    def _shown(self, text: str) -> tuple[str, int, int]:
        """The quoted line, its caret's column and length: a long line is cut to the part
        around the caret, so that 5,000 errors on one 1 MB line do not print it 5,000 times."""
        length = self._caret_length()
        if len(text) <= _SHOWN:
            return text, self.column, length
        start = max(0, min(self.column - 1 - _SHOWN // 4, len(text) - _SHOWN))
        end = start + _SHOWN
        shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
        column = self.column - start + (1 if start else 0)
        return shown, column, min(length, _SHOWN // 2)


class PolicylintError(Exception):
    """The base of every error policylint raises on purpose."""


class PolicyError(PolicylintError):
    """A policy could not be loaded. ``diagnostics`` holds every independent problem found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__()

    def __str__(self) -> str:
        # Rendered when asked for, not when raised: a caller that reads the diagnostics
        # (the CLI renders them itself) never pays for it.
        return self.render()

    def render(self) -> str:
        """Every diagnostic, then a count line ("4 errors in 2 files")."""
        return "\n\n".join([*(d.render() for d in self.diagnostics), self.summary()])

    def summary(self) -> str:
        files = len({d.path for d in self.diagnostics})
        counts = [
            _plural(sum(d.severity == severity for d in self.diagnostics), severity)
            for severity in ("error", "warning")
        ]
        found = " and ".join(c for c in counts if not c.startswith("0 ")) or "0 errors"
        return f"{found} in {_plural(files, 'file')}"

    def __reduce__(self) -> tuple[type[PolicyError], tuple[list[Diagnostic]]]:
        # Exceptions pickle their args (none here); rebuild from the diagnostics so a worker
        # process's error arrives whole.
        return (PolicyError, (self.diagnostics,))

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


class SelectorError(PolicylintError, ValueError):
    """A rule selector names no rule of the policy, or a selection leaves no rule to check.

    ``selector`` is the selector at fault (None when the selection as a whole is empty),
    ``origin`` where it came from (``"select"``, ``"--ignore"``, ``"'overrides[2].select'"``),
    ``hint`` a "did you mean" or the policy's categories. ``str(error)`` holds them all.
    """

    def __init__(
        self,
        problem: str,
        *,
        selector: str | None = None,
        origin: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.selector = selector
        self.origin = origin
        self.hint = hint
        super().__init__(problem + (f"; {hint}" if hint else ""))


class PolicyMismatchError(PolicylintError, RuntimeError):
    """A worker rebuilt a different policy from the one the caller loaded: a policy file
    changed on disk while a run was starting."""


class WorkerStartError(PolicylintError, RuntimeError):
    """A worker process could not load the policy (raised when the parent cannot reproduce
    the original error itself)."""
