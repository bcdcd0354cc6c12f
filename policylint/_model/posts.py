"""Posts, where they come from, and what a reader gives back: posts and input errors.

These are the records the readers make, the engine checks and the public API takes: one
family, slotted and cheap to make (a bulk audit makes millions), with pydantic only at the
boundary (:mod:`policylint._model.schema`: JSON Schemas and validation of plain data).
"""

from __future__ import annotations

from policylint._model.struct import NamedTuple, Validated, dump_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

__all__ = [
    "PLATFORM_ALIASES",
    "InputError",
    "Post",
    "ReadResult",
    "SourceLocation",
    "normalise_platform",
    "truthy",
]


def truthy(value: Any) -> bool:
    """Whether a metadata value counts as set, as ``when meta.KEY`` reads it: a string
    other than an empty or negative word ("false", "no", "0", "off", "none", "null"), a
    non-zero number, a non-empty list."""
    if isinstance(value, str):
        return value.strip().casefold() not in ("", "false", "no", "0", "off", "none", "null")
    return bool(value)


#: Other spellings people use, mapped to the canonical platform name.
PLATFORM_ALIASES: dict[str, str] = {
    "twitter": "x",
    "x.com": "x",
    "tweet": "x",
    "ig": "instagram",
    "insta": "instagram",
    "fb": "facebook",
    "meta": "facebook",
    "li": "linkedin",
    "linked-in": "linkedin",
    "tik-tok": "tiktok",
    "tt": "tiktok",
    "yt": "youtube",
    "bsky": "bluesky",
}


def normalise_platform(value: str | None) -> str | None:
    """The canonical platform name for ``value`` (``"Twitter"`` -> ``"x"``).

    Unknown names are kept (lower-cased): an organisation may publish somewhere we do not
    know, and a rule guarded on ``platform == "intranet"`` should still work.
    """
    if value is None:
        return None
    key = value.strip().lower()
    if not key:
        return None
    return PLATFORM_ALIASES.get(key, key)


class SourceLocation(NamedTuple):
    """Where a post's text sits in the file it was read from.

    ``line``/``column`` (1-based, columns in code points) give the first character of the
    text. When ``verbatim`` is true the text appears character for character in the file from
    there, so any offset in the text can be mapped to a line and column of the file. When it
    is false (a JSON string with escapes, a CSV field with doubled quotes) only the record's
    own position is known and findings point at it.
    """

    path: str
    line: int = 1
    column: int = 1
    verbatim: bool = False

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return self._asdict()


class Post(Validated):
    """One drafted post: its text, where it will be published, and what we know about it.

    ``platform`` is folded to its canonical name (``"Twitter"`` -> ``"x"``) and an integer
    ``id`` becomes text. A post is not changed once made (``replace`` makes a new one).
    """

    __slots__ = ("id", "meta", "platform", "source", "text")
    FIELDS = ("text", "id", "platform", "meta", "source")
    # The JSON Schema's properties, in the order people read a post.
    id: Final[str | None]
    text: Final[str]
    platform: Final[str | None]
    meta: Final[dict[str, Any]]
    source: Final[SourceLocation | None]

    def __init__(
        self,
        text: str,
        id: str | None = None,
        platform: str | None = None,
        meta: dict[str, Any] | None = None,
        source: SourceLocation | None = None,
    ) -> None:
        if isinstance(id, int | float) and not isinstance(id, bool):
            id = str(id)
        self.text = text
        self.id = id
        self.platform = None if platform is None else normalise_platform(platform)
        self.meta = {} if meta is None else meta
        self.source = source

    def __reduce__(self) -> tuple[type[Post], tuple[Any, ...]]:
        # Worker pools pickle every post: by its fields this is a third of the cost of the
        # default slot state (the constructor's normalising is idempotent).
        return Post, (self.text, self.id, self.platform, self.meta, self.source)

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        source = self.source
        return {
            "id": self.id,
            "text": self.text,
            "platform": self.platform,
            "meta": dict(self.meta),
            "source": None if source is None else source.model_dump(mode),
        }

    def model_dump_json(self) -> str:
        return dump_json(self.model_dump(mode="json"))


class InputError(NamedTuple):
    """An input that could not be checked (unreadable file, malformed record, ...)."""

    path: str
    message: str
    line: int = 1
    column: int = 1

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ReadResult(NamedTuple):
    """Posts read from one input, and the parts of it that could not be read.

    Both can be non-empty at once: a bad record is reported and the good ones are still
    checked, so one typo in a content calendar does not hide the rest of it.
    """

    posts: list[Post]
    errors: list[InputError]

    @classmethod
    def failure(cls, path: str, message: str, line: int = 1, column: int = 1) -> ReadResult:
        """A result for an input that could not be read at all."""
        return cls(posts=[], errors=[InputError(path, message, line, column)])
