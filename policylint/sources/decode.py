"""Bytes -> text, refusing what is not text instead of guessing.

A byte-order mark selects UTF-8, UTF-16 or UTF-32 (and is dropped: it is not part of the
post). Anything else must be strict UTF-8: silently decoding a Windows-1252 file as Latin-1
would check different characters from the ones that will be published. Newlines are left
exactly as they are so that findings' offsets and spans stay true to the file.
"""

from __future__ import annotations

import codecs

from policylint._limits import MAX_INPUT_BYTES
from policylint._model.positions import line_starts, position_of

__all__ = ["BOMS", "MAX_BYTES", "DecodeError", "decode"]

#: Inputs larger than this are refused: no post is that long, and a stray video or database
#: dump should not take the linter's memory with it.
MAX_BYTES = MAX_INPUT_BYTES

#: Byte-order marks and their encodings, in the order to test them: UTF-32 first, as its
#: little-endian mark begins with the UTF-16 little-endian one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class DecodeError(ValueError):
    """Bytes that are not acceptable text, with the position of the first problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode(data: bytes, *, max_bytes: int = MAX_BYTES, byte_offset: int = 0) -> str:
    """Decode a file's bytes; raise :class:`DecodeError` if they are not text we accept.

    ``byte_offset`` is where ``data`` starts in its file (a piece of a file read in
    pieces), added to the byte positions messages give."""
    if len(data) > max_bytes:
        raise DecodeError(f"file too large: {len(data)} bytes (the limit is {max_bytes})")
    encoding, body = _split_bom(data)
    bom_length = len(data) - len(body) + byte_offset
    if encoding == "utf-8":
        _refuse_binary(body, bom_length)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(body, error.start, encoding)
        name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
        raise DecodeError(
            f"invalid {name} at byte {error.start + bom_length}: "
            f"{error.reason}; save the file as UTF-8",
            line,
            column,
        ) from None


def _split_bom(data: bytes) -> tuple[str, bytes]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    return "utf-8", data


def _refuse_binary(body: bytes, bom_length: int) -> None:
    # No text format we read contains NUL, and UTF-8 text never encodes anything else with a
    # zero byte, so one means an image, an archive or a UTF-16 file without its BOM.
    index = body.find(b"\x00")
    if index >= 0:
        line, column = _position_of_byte(body, index, "utf-8")
        raise DecodeError(f"binary file (NUL byte at byte {index + bom_length})", line, column)


def _position_of_byte(body: bytes, index: int, encoding: str) -> tuple[int, int]:
    """Line and column (in characters) at which byte ``index`` of ``body`` falls."""
    # The prefix may itself be undecodable (a binary file); replacement characters keep one
    # character per bad sequence, which is what an editor would show.
    prefix = body[:index].decode(encoding, errors="replace")
    return position_of(prefix, len(prefix), starts=line_starts(prefix))
