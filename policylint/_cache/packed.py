"""Compact tables for the compiled-policy cache: many strings as one, many integers as one.

A large policy's entry holds hundreds of thousands of small values (term keys, targets, term
ids). As JSON lists they cost the decoder an object each and a check each in Python; packed,
they are a few long strings, unpacked by C calls (``str.split``, ``a2b_base64``) and checked
as wholes (bounds with ``max``, order with one ``map``).
"""

from __future__ import annotations

import sys
from array import array
from binascii import a2b_base64, b2a_base64
from collections.abc import Iterable, Sequence
from itertools import islice
from operator import le

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["increasing", "pack_ints", "pack_strings", "unpack_ints", "unpack_strings"]


#: Candidates for the character that joins a list of strings: printable, so that JSON
#: writes it as itself (an escape costs the decoder a step per string); the first one no
#: string holds is used. Private-use characters are the fallback of a list that holds all.
_SEPARATORS = "|~^`<>{}[]=;!$%&@" + "".join(map(chr, range(0xE000, 0xE100)))
#: Unsigned 32-bit integers (every array item: term ids, targets, offsets), stored
#: little-endian.
_U32 = next(code for code in "IL" if array(code).itemsize == 4)
_SWAP = sys.byteorder != "little"


def pack_strings(values: Sequence[str]) -> list[str]:
    """``values`` as ``[separator, text, more text]``: each value preceded by a separator
    none holds (an empty list is no text at all, a list of one empty string the separator).
    The first text holds the values up to the first that is not ASCII: the file writes
    other characters as ``\\u`` escapes, and one escape makes the decoder copy the whole
    string piece by piece (sorted keys put every non-ASCII one last: ~3 ms on builtin:all's
    keys). Raises ``ValueError`` if every candidate separator is used (such a policy is
    compiled each time)."""
    joined = "".join(values)
    for separator in _SEPARATORS:
        if separator not in joined:
            break
    else:
        raise ValueError("no separator for the strings")
    ascii_run = next((n for n, value in enumerate(values) if not value.isascii()), len(values))
    return [
        separator,
        "".join(separator + value for value in values[:ascii_run]),
        "".join(separator + value for value in values[ascii_run:]),
    ]


def unpack_strings(packed: Any) -> list[str]:
    """The strings of :func:`pack_strings`; ``ValueError`` for anything else."""
    if not (type(packed) is list and len(packed) == 3):
        raise ValueError("not packed strings")
    separator, *texts = packed
    if not (type(separator) is str and len(separator) == 1):
        raise ValueError("not packed strings")
    values: list[str] = []
    for text in texts:
        if type(text) is not str:
            raise ValueError("not packed strings")
        if text:
            more = text.split(separator)
            if more[0]:
                raise ValueError("packed strings that do not start with their separator")
            values += islice(more, 1, None)
    return values


def pack_ints(values: Iterable[int]) -> str:
    """``values`` (each in ``range(2**32)``) as base64 of a little-endian array; raises
    ``ValueError`` for others."""
    try:
        packed = array(_U32, values)
    except OverflowError as error:
        raise ValueError("an integer out of the packed range") from error
    if _SWAP:
        packed.byteswap()
    return b2a_base64(packed.tobytes(), newline=False).decode("ascii")


def unpack_ints(packed: Any, bound: int) -> array[int]:
    """The integers of :func:`pack_ints`, each below ``bound``: checked as a whole (two
    C calls), never one by one. ``ValueError`` for anything else."""
    if type(packed) is not str:
        raise ValueError("not packed integers")
    raw = a2b_base64(packed, strict_mode=True)  # binascii.Error (a ValueError) if not base64
    if len(raw) % 4:
        raise ValueError("packed integers of a partial item")
    values = array(_U32)
    values.frombytes(raw)
    if _SWAP:
        values.byteswap()
    if values and max(values) >= bound:
        raise ValueError("a packed integer out of range")
    return values


def increasing(values: Sequence[int]) -> bool:
    """Whether ``values`` never decrease, compared in C."""
    return all(map(le, values, islice(values, 1, None)))
