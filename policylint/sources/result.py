"""What every reader returns: the posts it could read and an error for everything it could not."""

from __future__ import annotations

from policylint._model.positions import LineIndex
from policylint._model.records import ErrorData, PostData
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False

__all__ = ["ReadResult", "error_at"]


class ReadResult(NamedTuple):
    """Posts read from one input, and the parts of it that could not be read.

    Both can be non-empty at once: a bad record is reported and the good ones are still
    checked, so one typo in a content calendar does not hide the rest of it.
    """

    posts: list[PostData]
    errors: list[ErrorData]

    @classmethod
    def failure(cls, path: str, message: str, line: int = 1, column: int = 1) -> ReadResult:
        """A result for an input that could not be read at all."""
        error = ErrorData(path=path, line=line, column=column, message=message)
        return cls(posts=[], errors=[error])


def error_at(path: str, lines: LineIndex, offset: int, message: str) -> ErrorData:
    """An input error located at ``offset`` of the text indexed by ``lines``."""
    line, column = lines.position(offset)
    return ErrorData(path=path, line=line, column=column, message=message)
