"""policylint's errors, under one base class, and "did you mean" hints.

Every error policylint raises on purpose is a :class:`PolicylintError`:

* :class:`PolicyError`: a policy could not be loaded; its ``diagnostics``
  (:mod:`policylint._model.diagnostics`) give each problem a stable code, the exact token, a
  caret and a hint;
* :class:`SelectorError` (also a ``ValueError``): a rule selector names no rule, or a
  selection leaves none;
* :class:`PolicyMismatchError` and :class:`WorkerStartError` (also ``RuntimeError``): a worker
  process could not rebuild the policy the caller loaded.

Nothing here is costly to import: the command line imports this module on every run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from itertools import chain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._model.diagnostics import Diagnostic

__all__ = [
    "PolicyError",
    "PolicyMismatchError",
    "PolicylintError",
    "SelectorError",
    "Suggester",
    "WorkerStartError",
    "did_you_mean",
]


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
