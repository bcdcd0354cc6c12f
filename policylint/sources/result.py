"""A helper every reader shares: an input error placed at an offset of the text read.

(What a reader returns, :class:`~policylint._model.posts.ReadResult`, is a record of the
model: the public ``read_path`` gives it back as it is.)
"""

from __future__ import annotations

from policylint._model.positions import LineIndex
from policylint._model.posts import InputError

__all__ = ["error_at"]


def error_at(path: str, lines: LineIndex, offset: int, message: str) -> InputError:
    """An input error located at ``offset`` of the text indexed by ``lines``."""
    line, column = lines.position(offset)
    return InputError(path=path, line=line, column=column, message=message)
