"""Make metadata JSON-shaped: posts are reported, cached and compared as JSON.

YAML gives richer values than JSON (dates, sets, binary, non-string keys) and can share one
value between many places through anchors, even cyclically. Each post gets its own plain
copy made of dicts with string keys, lists, strings, numbers, booleans and None.

Values that are not data at all stop here, so that only the record holding them is an
input error, never the run: a string holding an unpaired surrogate (JSON's ``"\\ud800"``
escape decodes to one; no encoder, regex engine or report can take it), an integer too long
for Python to print (``sys.get_int_max_str_digits()``, 4,300 digits), and the
:class:`UnreadableValue` a reader put where it could not make a value at all.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

from policylint._limits import MAX_META_DEPTH, MAX_META_NODES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MetaError",
    "UnreadableValue",
    "int_or_unreadable",
    "not_text",
    "to_jsonable",
]

#: Metadata nested deeper than this is refused rather than risking the interpreter's stack.
MAX_DEPTH = MAX_META_DEPTH
#: Refuse metadata with more values than this. YAML aliases can expand a small file into an
#: enormous tree ("billion laughs"); a real post's metadata is nowhere near this.
MAX_NODES = MAX_META_NODES

_SCALARS = (str, int, float, bool, type(None))


class MetaError(ValueError):
    """Metadata that cannot be turned into JSON-shaped values."""


class UnreadableValue:
    """Where a reader could not make a value (``!!int abc`` in YAML, an integer of 5,000
    digits in JSON): kept in the data so that the record holding it, and only that record,
    becomes an input error saying ``message``."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"UnreadableValue({self.message!r})"


# An unpaired surrogate: what "\\ud800" decodes to. (A pair decodes to one character.)
_SURROGATE = re.compile("[\ud800-\udfff]")


def not_text(value: str) -> str | None:
    """Why ``value`` is not text (it holds an unpaired surrogate), or None when it is."""
    if value.isascii():
        return None
    found = _SURROGATE.search(value)
    if found is None:
        return None
    escape = found.group().encode("utf-8", "backslashreplace").decode("ascii")
    return f"holds an unpaired surrogate ({escape}), which is not a character"


def int_or_unreadable(digits: str) -> int | UnreadableValue:
    """``int(digits)``, or an :class:`UnreadableValue` for a number longer than Python reads
    (a ``parse_int`` for ``json.loads``)."""
    try:
        return int(digits)
    except ValueError:
        return UnreadableValue(_too_long(len(digits.lstrip("+-"))))


def _too_long(count: int | None) -> str:
    limit = sys.get_int_max_str_digits()
    if count is None:
        return f"a number with more than {limit:,} digits (at most {limit:,} can be read)"
    return f"a number with {count:,} digits (at most {limit:,} can be read)"


def _check_scalar(value: Any) -> None:
    """Raise :class:`MetaError` for a string or number that is not data (see the module)."""
    kind = type(value)
    if kind is str:
        problem = not_text(value)
        if problem is not None:
            raise MetaError(f"a value {problem}")
    elif kind is int and value.bit_length() > 3 * sys.get_int_max_str_digits() > 0:
        # Only an integer this long can have more digits than Python prints (0: no limit).
        try:
            str(value)
        except ValueError:
            raise MetaError(_too_long(None)) from None


def to_jsonable(value: Any) -> Any:
    """A JSON-shaped deep copy of ``value``.

    Dates and times become ISO 8601 strings, sets and tuples lists (sets sorted so output is
    deterministic), bytes base64 text, and mapping keys strings. Raises :class:`MetaError`
    for cyclic, too deep or too large values and :class:`TypeError` for other types, which
    no reader produces (it would be a caller passing odd ``default_meta``).
    """
    return _Converter().convert(value, 0)


class _Converter:
    __slots__ = ("active", "nodes")

    def __init__(self) -> None:
        self.nodes = 0
        # ids of the containers on the current path, to spot a value that contains itself.
        self.active: set[int] = set()

    def convert(self, value: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise MetaError(f"metadata has more than {MAX_NODES} values")
        if isinstance(value, _SCALARS):
            _check_scalar(value)
            return value
        if isinstance(value, UnreadableValue):
            raise MetaError(value.message)
        iso = _iso(value)
        if iso is not None:
            return iso
        if isinstance(value, bytes):
            import base64

            return base64.b64encode(value).decode("ascii")
        if depth >= MAX_DEPTH:
            raise MetaError(f"metadata is nested more than {MAX_DEPTH} levels deep")
        if id(value) in self.active:
            raise MetaError("metadata contains a value that refers to itself")
        self.active.add(id(value))
        try:
            return self._container(value, depth + 1)
        finally:
            self.active.discard(id(value))

    def _container(self, value: Any, depth: int) -> Any:
        if isinstance(value, Mapping):
            return {_key(key): self.convert(item, depth) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.convert(item, depth) for item in value]
        if isinstance(value, set | frozenset):
            return [self.convert(item, depth) for item in sorted(value, key=repr)]
        raise TypeError(f"unsupported metadata value of type {type(value).__name__}")


def _key(key: Any) -> str:
    if isinstance(key, str):
        problem = not_text(key)
        if problem is not None:
            raise MetaError(f"a key {problem}")
        return key
    if isinstance(key, bool) or key is None:
        # Spell them the way JSON does, not Python's "True"/"None".
        return {True: "true", False: "false", None: "null"}[key]
    iso = _iso(key)
    return str(key) if iso is None else iso


def _iso(value: Any) -> str | None:
    """A date's or time's ISO 8601 text (datetime is a date: the same way), else None."""
    # No value can be a date before something (a YAML or TOML reader) imported datetime;
    # a run that reads text or JSON does not, and saves importing it (~1.4 ms a start).
    dates = sys.modules.get("datetime")
    if dates is not None and isinstance(value, dates.date | dates.time):
        return str(value.isoformat())
    return None
