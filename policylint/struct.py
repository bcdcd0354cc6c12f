"""``Struct``: the base of policylint's internal records, in place of dataclasses.

A struct is slotted and writes its constructor out; ``FIELDS`` names what it is made of
(equality, repr, ``replace`` and the compiled-policy cache use those), and any other slot
is a cache or working state. Dataclasses would cost ~13 ms of every start: ~8 ms generating
code for the ~30 classes a check loads, and ~5 ms importing ``inspect``, which nothing else
on the check path needs. Immutable records with no behaviour of their own are NamedTuples.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

__all__ = ["Struct", "Value"]


class Struct:
    """Slots, equality and repr over ``FIELDS``, and ``replace``."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    # Defining __eq__ leaves __hash__ None: most structs change (caches, counters). Those
    # that never do derive from Value.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({values})"

    def field_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (as ``dataclasses.replace``): built by the constructor,
        so what it checks or normalises applies to the copy too."""
        unknown = changes.keys() - set(self.FIELDS)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        return type(self)(**{name: getattr(self, name) for name in self.FIELDS} | changes)


class Value(Struct):
    """A struct never changed once made, so it can be a key: hashed by its fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self.field_values())
