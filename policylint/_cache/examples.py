"""The rules' examples as the compiled-policy cache keeps them: one JSON text, a table by
column (each column checked at once, ``checks.EXAMPLE_COLUMNS``) and where each rule's rows
end. Only ``policylint test``, ``explain`` and the docs read examples, so the text is
decoded the first time a rule's are asked for, never by a check (``ValueError`` for one
that is not what this version writes)."""

from __future__ import annotations

import json

from policylint._cache.checks import EXAMPLE_COLUMNS, SCALARS, ints_below
from policylint._cache.packed import increasing
from policylint._model.rules import RuleExample

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["decode_examples"]


def _scalar_map(value: Any) -> dict[str, Any] | None:
    """The mapping ``{"@map": {...}}`` holds when its values are all scalars (an example's
    metadata nearly always), made without a call per value; else None."""
    inner = value.get("@map") if type(value) is dict and len(value) == 1 else None
    if type(inner) is dict and inner and set(map(type, inner.values())) <= SCALARS:
        return inner
    return None


def decode_examples(
    text: str, value: Callable[[Any], Any], rule_count: int
) -> list[tuple[RuleExample, ...]]:
    """Each rule's examples, from the examples' table (JSON text: its columns, and where
    each rule's rows end), checked a column at a time."""
    columns, ends = json.loads(text)
    if not (
        type(columns) is list
        and len(columns) == len(EXAMPLE_COLUMNS)
        and all(type(column) is list for column in columns)
        and len(set(map(len, columns))) == 1
        and type(ends) is list
        and len(ends) == rule_count
        and ints_below(ends, len(columns[0]) + 1)
        and increasing([0, *ends])
        and (ends[-1] if ends else 0) == len(columns[0])  # every row some rule's
    ):
        raise ValueError("the examples' table")
    columns = list(columns)
    meta = RuleExample._fields.index("meta")
    columns[meta] = [_scalar_map(item) or value(item) for item in columns[meta]]
    checks = EXAMPLE_COLUMNS.values()
    if not all(check(column) for check, column in zip(checks, columns, strict=True)):
        raise ValueError("an example's field out of its range")
    rows = list(map(RuleExample, *columns))
    return [tuple(rows[start:end]) for start, end in zip([0, *ends], ends, strict=False)]
