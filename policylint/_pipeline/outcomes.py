"""A post's outcome as the pipeline carries it: its findings, or what its check raised.

One bad post must never end an audit: an exception while checking a post becomes that post's
outcome (its type and message), in this process as in a worker, and then its input error.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Checker(Protocol):
        def check(self, post: Any) -> list[Any]: ...


__all__ = ["checked", "describe"]


def describe(error: BaseException) -> str:
    """An exception as a post's outcome: its type and message."""
    return f"{type(error).__name__}: {error}"


def checked(checker: Checker, post: Any) -> list[Any] | str:
    """``checker.check(post)``, or the exception it raised, described."""
    try:
        return checker.check(post)
    except Exception as error:
        return describe(error)
