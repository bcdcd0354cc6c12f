"""Plain text: the whole file is one post, exactly as written."""

from __future__ import annotations

from policylint._model.posts import InputError, ReadResult, SourceLocation
from policylint.sources.records import Defaults, RecordError, post_from_fields

__all__ = ["read"]


def read(text: str, path: str, defaults: Defaults) -> ReadResult:
    # An empty file is still a post (an empty draft is checked, not skipped). It has no id:
    # the path already identifies it.
    source = SourceLocation(path=path, line=1, column=1, verbatim=True)
    try:
        post = post_from_fields({}, text=text, source=source, default_id=None, defaults=defaults)
    except RecordError as error:  # only possible through an unusable default_meta
        return ReadResult(posts=[], errors=[InputError(path=path, message=error.message)])
    return ReadResult(posts=[post], errors=[])
