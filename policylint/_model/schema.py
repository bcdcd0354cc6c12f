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
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from policylint._model.posts import InputError, Post, SourceLocation
from policylint._model.reports import Finding, Report, Summary
from policylint._model.severity import Severity

__all__ = ["DESCRIPTIONS", "json_schema", "validate"]

#: The records that cross the boundary, by name (the names their annotations use).
_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (SourceLocation, Post, InputError, Finding, Summary, Report)
}

#: Descriptions of fields in the JSON Schemas, by record and field.
DESCRIPTIONS: dict[tuple[type[Any], str], str] = {
    (Finding, "start"): "Offset of the match in the post's text (code points).",
    (Finding, "end"): "End offset (exclusive) of the match in the post's text.",
    (Finding, "match"): "The exact characters matched: text[start:end].",
    (Finding, "field"): "Set when the match is inside a metadata field (e.g. 'meta.alt') "
    "rather than the post text; offsets are then relative to that field.",
    (Finding, "waived"): "True when a waiver silences the finding; kept in reports as an "
    "audit trail.",
    (Summary, "posts_checked"): "Posts checked.",
    (Summary, "posts_with_errors"): "Posts with at least one finding of severity error.",
    (Summary, "input_errors"): "Inputs that could not be checked (the report's errors).",
    (Summary, "files"): "Files read (standard input counts as one).",
    (Summary, "findings"): "Findings.",
    (Summary, "by_severity"): "Findings by severity: error, warning, info.",
    (Report, "version"): "Raised when a field is added, removed or changes meaning.",
}

_NAMESPACE: dict[str, Any] = {
    **_RECORDS,
    "Any": Any,
    "Final": typing.Final,
    "Severity": Severity,
}


def json_schema(record: type[Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``record``: ``Post`` or ``Report``."""
    return _model(record).model_json_schema()


def validate(record: type[Any], data: Any) -> Any:
    """``data`` (plain values, as JSON gives them) as a ``record``, validated by pydantic:
    raises its ``ValidationError`` (a ``ValueError``) naming what is wrong."""
    return _made(record, _model(record).model_validate(data).model_dump())


def _fields(record: type[Any]) -> list[tuple[str, Any, Any]]:
    """(name, type, default) of each field of ``record``, in its declared order; the default
    is ``...`` for a required field, or a factory for one whose constructor fills it in."""
    hints = {name: _resolve(text) for name, text in record.__annotations__.items()}
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


def _resolve(text: str) -> Any:
    """An annotation written as text (``from __future__ import annotations``), evaluated."""
    hint = eval(text, _NAMESPACE)  # the records' own annotations, names from _NAMESPACE
    if typing.get_origin(hint) is typing.Final:
        (hint,) = typing.get_args(hint)
    return hint


def _optional(hint: Any) -> bool:
    return type(None) in typing.get_args(hint)


def _factory(hint: Any) -> Any:
    kind = typing.get_origin(hint) or hint
    made = _model(kind) if kind in _RECORDS.values() else kind
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
        description = DESCRIPTIONS.get((record, name))
        if description is not None:
            default = (
                Field(default, description=description)
                if not hasattr(default, "default_factory")
                else Field(default_factory=default.default_factory, description=description)
            )
        fields[name] = (_as_model_type(hint), default)
    # A post's id may be written as a number ({"id": 42}); the record makes it text.
    config = ConfigDict(coerce_numbers_to_str=record is Post)
    model: type[BaseModel] = create_model(
        record.__name__, __config__=config, __doc__=record.__doc__, **fields
    )
    return model


def _as_model_type(hint: Any) -> Any:
    """``hint`` with every record in it replaced by its model."""
    if hint in _RECORDS.values():
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
    if hint in _RECORDS.values():
        return _made(hint, value)
    origin = typing.get_origin(hint)
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin is list:
        return [_value(args[0], item) for item in value]
    if origin in (typing.Union, type(int | None)) and len(args) == 1:
        return _value(args[0], value)
    return value
