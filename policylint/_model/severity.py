"""Severity levels, in a module of their own so the engine's hot path needs no pydantic."""

from __future__ import annotations

from enum import Enum

__all__ = ["SEVERITY_NAMES", "Severity"]


class Severity(str, Enum):
    """How serious a finding is. Ordered: ``info < warning < error``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

#: The severities' names, most serious first (as the language and the command line list them).
SEVERITY_NAMES: tuple[str, ...] = tuple(
    s.value for s in sorted(Severity, key=_RANK.__getitem__, reverse=True)
)
