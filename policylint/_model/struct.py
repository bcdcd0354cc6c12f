"""``Struct``: the base of policylint's internal records, in place of dataclasses.

A struct is slotted and writes its constructor out; ``FIELDS`` names what it is made of
(equality, repr, ``replace`` and the compiled-policy cache use those), and any other slot
is a cache or working state. Dataclasses would cost ~13 ms of every start: ~8 ms generating
code for the ~30 classes a check loads, and ~5 ms importing ``inspect``, which nothing else
on the check path needs. Immutable records with no behaviour of their own are NamedTuples.

Nothing a check imports imports ``typing`` at run time (~2.5 ms of a start): annotations are
strings (``from __future__ import annotations``), names used only in them are imported
under ``if TYPE_CHECKING:`` with ``TYPE_CHECKING = False`` defined in the module (mypy reads
any name ``TYPE_CHECKING`` as true), and records derive from this module's ``NamedTuple``:
``typing.NamedTuple`` to mypy, ``collections.namedtuple`` at run time.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Self
    from typing import NamedTuple as NamedTuple
else:

    class _NamedTupleMaker(type):
        """Makes ``class Point(NamedTuple): x: int; y: int = 0`` a ``namedtuple`` with
        the class's docstring, methods and defaults, as ``typing.NamedTuple`` does."""

        def __new__(mcls, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(mcls, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            defaults = [namespace[field] for field in fields if field in namespace]
            made = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            for key, value in namespace.items():
                if key not in fields and key not in ("__module__", "__dict__", "__weakref__"):
                    setattr(made, key, value)
            return made

    class NamedTuple(metaclass=_NamedTupleMaker):
        pass


__all__ = ["NamedTuple", "Struct", "Validated", "Value", "dump_json"]


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


class Validated(Struct):
    """A record the public API also takes and describes as plain data (``Post``, ``Report``):
    validated and schemed by the pydantic boundary (:mod:`policylint._model.schema`), which
    is imported only when one of these is called."""

    __slots__ = ()

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """A record from plain data (as JSON gives it), validated: raises ``ValueError``
        (pydantic's ``ValidationError``) naming what is wrong."""
        from policylint._model.schema import validate

        record: Self = validate(cls, data)
        return record

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        """The record's JSON Schema (``policylint schema post`` / ``report``)."""
        from policylint._model.schema import json_schema

        return json_schema(cls)


def dump_json(data: dict[str, Any]) -> str:
    """A record's ``model_dump(mode="json")`` as compact JSON text, as pydantic's
    ``model_dump_json()`` writes it (characters as they are, not escaped)."""
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
