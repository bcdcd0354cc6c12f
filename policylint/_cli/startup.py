"""The garbage collector during a command-line start.

A start allocates some 100,000 objects (modules, the cached policy) and almost none of them
is garbage; at Python's threshold of 700 allocations the collector would walk them again and
again (~4 ms of a ~90 ms run). The console script collects the young generation only every
100,000 allocations until the policy is loaded and frozen out of the collector's sight
(``gc.freeze``); then the usual thresholds return, so a long run keeps its memory as flat as
before. mypy raises the threshold the same way.
"""

from __future__ import annotations

import gc

__all__ = ["STARTUP_THRESHOLD", "begin", "end"]

STARTUP_THRESHOLD = 100_000
_saved: tuple[int, int, int] | None = None


def begin() -> None:
    """Collect young objects rarely until :func:`end`."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(STARTUP_THRESHOLD, *_saved[1:])


def end() -> None:
    """Freeze what exists (the loaded policy) and restore the thresholds ``begin`` found."""
    global _saved
    gc.freeze()
    if _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None
