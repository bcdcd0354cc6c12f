"""The pydantic boundary: JSON Schemas of posts and reports, and plain data made records.

The records (:mod:`policylint._model.posts`, :mod:`policylint._model.reports`) are slotted
classes, not pydantic models: importing pydantic and building models costs ~85 ms, more
than a whole pre-commit run. Where pydantic earns its cost, for a JSON Schema
(``policylint schema report``, ``Report.model_json_schema()``) or for validating data from
outside (``Post.model_validate(dict)``), a model is made here from the record's own field
declarations, once per process: a field added to a record is in its schema with nothing
else to change.
"""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

__all__ = ["DESCRIPTIONS", "json_schema", "validate"]

#: Descriptions of fields in the JSON Schemas, by record and field.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Finding", "start"): "Offset of the match in the post's text (code points).",
    ("Finding", "end"): "End offset (exclusive) of the match in the post's text.",
    ("Finding", "match"): "The exact characters matched: text[start:end].",
    ("Finding", "field"): "Set when the match is inside a metadata field (e.g. 'meta.alt') "
    "rather than the post text; offsets are then relative to that field.",
    ("Finding", "waived"): "True when a waiver silences the finding; kept in reports as an "
    "audit trail.",
    ("Summary", "posts_checked"): "Posts checked.",
    ("Summary", "posts_with_errors"): "Posts with at least one finding of severity error.",
    ("Summary", "input_errors"): "Inputs that could not be checked (the report's errors).",
    ("Summary", "files"): "Files read (standard input counts as one).",
    ("Summary", "findings"): "Findings.",
    ("Summary", "by_severity"): "Findings by severity: error, warning, info.",
    ("Report", "version"): "Raised when a field is added, removed or changes meaning.",
}

#: Records whose text fields take numbers too (a post's id may be written ``{"id": 42}``;
#: the record makes it text).
_NUMBERS_AS_TEXT = frozenset({"Post"})


def json_schema(record: type[Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``record``: ``Post`` or ``Report``."""
    return _model(record).model_json_schema()


def validate(record: type[Any], data: Any) -> Any:
    """``data`` (plain values, as JSON gives them) as a ``record``, validated by pydantic:
    raises its ``ValidationError`` (a ``ValueError``) naming what is wrong."""
    return _made(record, _model(record).model_validate(data).model_dump())


def _is_record(hint: Any) -> bool:
    """Whether ``hint`` is one of the records (nested records become nested models)."""
    return isinstance(hint, type) and hasattr(hint, "model_dump")


def _fields(record: type[Any]) -> list[tuple[str, Any, Any]]:
    """(name, type, default) of each field of ``record``, in its declared order; the default
    is ``...`` for a required field, or a factory for one whose constructor fills it in."""
    # Annotations are text (``from __future__ import annotations``): evaluated with the
    # names of the record's own module, as typing.get_type_hints would.
    namespace = {**vars(sys.modules[record.__module__]), "Any": Any, "Final": typing.Final}
    hints = {name: _resolve(text, namespace) for name, text in record.__annotations__.items()}
    if hasattr(record, "_fields"):  # a NamedTuple
        defaults = record._field_defaults
    else:  # a Struct: its constructor's defaults
        parameters = inspect.signature(record.__init__).parameters
        defaults = {name: p.default for name, p in parameters.items() if p.default is not p.empty}
    found = []
    for name, hint in hints.items():
        default = defaults.get(name, ...)
        if default is None and not _optional(hint):
            default = _factory(hint)  # None stands for "a new empty one"
        found.append((name, hint, default))
    return found


def _resolve(text: str, namespace: dict[str, Any]) -> Any:
    """An annotation written as text, evaluated (the records' own, never input)."""
    hint = eval(text, namespace)
    if typing.get_origin(hint) is typing.Final:
        (hint,) = typing.get_args(hint)
    return hint


def _optional(hint: Any) -> bool:
    return type(None) in typing.get_args(hint)


def _factory(hint: Any) -> Any:
    kind = typing.get_origin(hint) or hint
    made = _model(kind) if _is_record(kind) else kind
    return Field(default_factory=made)


_MODELS: dict[type[Any], type[BaseModel]] = {}


def _model(record: type[Any]) -> type[BaseModel]:
    """The pydantic model of ``record`` (made once): its fields with their types (records
    nested as their models), defaults and descriptions, and its docstring."""
    made = _MODELS.get(record)
    if made is None:
        made = _MODELS[record] = _make_model(record)
    return made


def _make_model(record: type[Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, hint, default in _fields(record):
        description = DESCRIPTIONS.get((record.__name__, name))
        if description is not None:
            default = (
                Field(default, description=description)
                if not hasattr(default, "default_factory")
                else Field(default_factory=default.default_factory, description=description)
            )
        fields[name] = (_as_model_type(hint), default)
    config = ConfigDict(coerce_numbers_to_str=record.__name__ in _NUMBERS_AS_TEXT)
    model: type[BaseModel] = create_model(
        record.__name__, __config__=config, __doc__=record.__doc__, **fields
    )
    return model


def _as_model_type(hint: Any) -> Any:
    """``hint`` with every record in it replaced by its model."""
    if _is_record(hint):
        return _model(hint)
    args = typing.get_args(hint)
    if not args:
        return hint
    converted = tuple(_as_model_type(arg) for arg in args)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, type(int | None)):
        return typing.Union[converted]  # noqa: UP007 (built from parts)
    return origin[converted] if len(converted) > 1 else origin[converted[0]]


def _made(record: type[Any], values: dict[str, Any]) -> Any:
    """The record made from a validated model's ``model_dump()``."""
    kwargs = {}
    for name, hint, _ in _fields(record):
        if name in values:
            kwargs[name] = _value(hint, values[name])
    return record(**kwargs)


def _value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if _is_record(hint):
        return _made(hint, value)
    origin = typing.get_origin(hint)
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin is list:
        return [_value(args[0], item) for item in value]
    if origin in (typing.Union, type(int | None)) and len(args) == 1:
        return _value(args[0], value)
    return value
