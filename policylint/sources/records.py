"""Turn one record (a JSON object, a YAML mapping, a CSV row, front matter) into a Post.

The rules, shared by every structured format:

* The text is the first of ``text``, ``body``, ``caption``, ``content`` that is present and
  not null. Schedulers and spreadsheets use all of these names; ``text`` wins when several
  are present, and the others are kept in ``meta``.
* ``id`` (a string or an integer) and ``platform`` (a string) are the post's own fields.
  A missing ``id`` falls back to the reader's default, the line the record starts on (see
  :func:`default_ids`); a missing or blank ``platform`` to the caller's default platform.
* ``meta``, when present, must be a mapping.
* Every string is text and every value data (:mod:`policylint.sources.jsonable`): a field
  holding an unpaired surrogate, a number too long to read or a value its reader could not
  make is an error for its record, located at that field.
* Every other field goes into ``meta`` too, so a content calendar's ``sponsored``,
  ``industry`` or ``region`` columns are there for rules to guard on. Nothing is dropped.
* Meta is merged in this order, later winning: the caller's ``default_meta``, the defaults
  of an enclosing ``{"posts": [...]}`` container, the record's other fields, the record's
  own ``meta`` mapping. The merge is shallow.

A record that breaks these rules raises :class:`RecordError`; the reader turns it into an
:class:`~policylint.InputError` for that record and goes on with the next one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from policylint._model.posts import Post, SourceLocation
from policylint._model.struct import NamedTuple
from policylint.sources.jsonable import MetaError, UnreadableValue, not_text, to_jsonable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CONTAINER_KEY",
    "OWN_FIELDS",
    "TEXT_FIELDS",
    "Defaults",
    "RecordError",
    "default_ids",
    "post_from_fields",
    "post_from_record",
    "read_record",
    "text_field",
]

#: Field names that can hold a post's text, in order of preference.
TEXT_FIELDS: tuple[str, ...] = ("text", "body", "caption", "content")
#: Fields that are the post's own and never copied into ``meta``.
OWN_FIELDS: tuple[str, ...] = ("id", "platform", "meta")
#: The key of an object that holds a list of posts (``{"posts": [...]}``).
CONTAINER_KEY = "posts"


class RecordError(ValueError):
    """A record that cannot become a post. ``field`` names the offending field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Defaults(NamedTuple):
    """What a post gets when its record does not say: the caller's and its container's."""

    platform: str | None = None
    meta: Mapping[str, Any] = MappingProxyType({})

    def under_container(self, container: Mapping[Any, Any]) -> Defaults:
        """Defaults for the posts of ``{"platform": ..., "meta": {...}, "posts": [...]}``.

        The container's ``platform`` and ``meta`` apply to each of its posts, and its other
        keys (a calendar's ``campaign``, say) go into each post's meta, as a record's would.
        """
        platform = _optional_platform(container)
        extra = {k: v for k, v in container.items() if k not in (CONTAINER_KEY, *OWN_FIELDS)}
        meta = {**self.meta, **extra, **_optional_meta(container)}
        return Defaults(platform=platform or self.platform, meta=meta)


def default_ids(positions: Sequence[tuple[int, int]]) -> list[str]:
    """Ids for records without one, from where each starts: the line number, which a user
    can find, or ``line:column`` for records sharing a line (minified JSON, a YAML flow
    list), so that ids stay unique within a file."""
    per_line = Counter(line for line, _ in positions)
    return [str(line) if per_line[line] == 1 else f"{line}:{column}" for line, column in positions]


def text_field(record: Mapping[Any, Any]) -> str | None:
    """The name of the field holding the record's text, or None if it has none."""
    for name in TEXT_FIELDS:
        if record.get(name) is not None:
            return name
    return None


def post_from_record(
    record: Mapping[Any, Any],
    *,
    source: SourceLocation | None,
    default_id: str | None,
    defaults: Defaults,
) -> Post:
    """Build a post from a record whose text is one of its fields."""
    name = text_field(record)
    if name is None:
        raise RecordError(f"record has no text: expected a field named {_names(TEXT_FIELDS)}")
    text = record[name]
    if isinstance(text, UnreadableValue):
        raise RecordError(f"'{name}': {text.message}", field=name)
    if not isinstance(text, str):
        # Typically YAML reading `text: no` as a boolean or `text: 2024` as a number.
        raise RecordError(f"'{name}' must be a string, not {_kind(text)}; quote it", field=name)
    _check_text(name, text)
    fields = {k: v for k, v in record.items() if k != name}
    return post_from_fields(
        fields, text=text, source=source, default_id=default_id, defaults=defaults
    )


def read_record(
    record: Mapping[Any, Any],
    *,
    default_platform: str | None = None,
    default_meta: Mapping[str, Any] | None = None,
) -> Post:
    """One record already parsed (a JSON object, a YAML mapping, a CSV row) as a post, by
    the rules every reader follows (see the module). Raises :class:`RecordError` (a
    ``ValueError``) for a record that is not a post."""
    defaults = Defaults(platform=default_platform, meta=default_meta or {})
    return post_from_record(record, source=None, default_id=None, defaults=defaults)


def post_from_fields(
    fields: Mapping[Any, Any],
    *,
    text: str,
    source: SourceLocation | None,
    default_id: str | None,
    defaults: Defaults,
) -> Post:
    """Build a post whose text comes from elsewhere (a Markdown body) from its other fields."""
    post_id = _optional_id(fields)
    platform = _optional_platform(fields)
    extra = {k: v for k, v in fields.items() if k not in OWN_FIELDS}
    merged = {**defaults.meta, **extra, **_optional_meta(fields)}
    try:
        meta = to_jsonable(merged)
    except MetaError as error:
        field = _culprit(fields)
        raise RecordError(f"'{_printable(field)}': {error}", field=field) from None
    return Post(
        id=post_id if post_id is not None else default_id,
        text=text,
        platform=platform or defaults.platform,
        meta=meta,
        source=source,
    )


def _check_text(name: str, value: str) -> None:
    problem = not_text(value)
    if problem is not None:
        raise RecordError(f"'{name}' {problem}", field=name)


def _printable(name: str) -> str:
    """``name`` as a message can show it (an unpaired surrogate as its escape)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _culprit(fields: Mapping[Any, Any]) -> str:
    """The field whose value cannot be metadata (to locate the error), else ``meta`` (the
    enclosing container's defaults are then at fault)."""
    for key, value in fields.items():
        if key in ("id", "platform") or not isinstance(key, str):
            continue
        try:
            to_jsonable({key: value})
        except MetaError:
            return key
    return "meta"


def _optional_id(fields: Mapping[Any, Any]) -> str | None:
    value = fields.get("id")
    if value is None or value == "":
        return None
    if isinstance(value, UnreadableValue):
        raise RecordError(f"'id': {value.message}", "id")
    if isinstance(value, str):
        _check_text("id", value)
    # bool is an int subclass, but `id: true` is a mistake, not the post number 1.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f"'id' must be a string or an integer, not {_kind(value)}", "id")
    return str(value)


def _optional_platform(fields: Mapping[Any, Any]) -> str | None:
    value = fields.get("platform")
    if value is None:
        return None
    if isinstance(value, UnreadableValue):
        raise RecordError(f"'platform': {value.message}", "platform")
    if not isinstance(value, str):
        raise RecordError(f"'platform' must be a string, not {_kind(value)}", "platform")
    _check_text("platform", value)
    # Blank means "not said", so the default applies rather than no platform at all.
    return value if value.strip() else None


def _optional_meta(fields: Mapping[Any, Any]) -> Mapping[Any, Any]:
    value = fields.get("meta")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(f"'meta' must be a mapping, not {_kind(value)}", "meta")
    return value


_KINDS = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a mapping"}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), f"a {type(value).__name__}")


def _names(names: tuple[str, ...]) -> str:
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
