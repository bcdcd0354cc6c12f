"""The library's functions: load a policy, check posts, read files.

Each is a thin door onto the pipeline (:mod:`policylint._pipeline`) and the readers
(:mod:`policylint.sources`): ``check``/``check_many`` are ``Policy.check``/``check_many`` of
the given policy, or of ``builtin:all`` loaded once per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from policylint._limits import MAX_POST_CHARS
from policylint._pipeline.policy import Policy
from policylint._pipeline.run import DEFAULT_CHUNK_SIZE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._model.posts import Post, ReadResult
    from policylint._model.reports import PostResult, Report

__all__ = ["check", "check_many", "load_policy", "read_path", "read_text"]


def load_policy(
    source: str | Path | None = None,
    *,
    text: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Policy:
    """Load and compile a policy (from the compiled-policy cache when it is up to date).

    ``source`` is a path to a ``.policy`` file, a ``builtin:NAME`` pack, or policy text
    (anything containing a newline or a ``{``); ``None`` loads the built-in packs
    (``builtin:all``). ``settings`` override the policy's settings (``organisation.*``,
    ``thresholds.*``), as ``[tool.policylint]`` configuration does.

    Raises ``policylint.PolicyError`` listing every problem found, each with
    ``path:line:col``, the source line and a hint (an empty ``source`` and a setting the
    policy does not declare are such problems), and ``TypeError`` for an argument of the
    wrong type.
    """
    from policylint._cache.policies import PolicySpec

    _check_arguments(source, text, settings)
    path: str | None = None
    if text is None and isinstance(source, str) and ("\n" in source or "{" in source):
        text = source
    elif source is not None:
        from policylint._lang.names import check_policy_path

        check_policy_path(source)
        path = str(source)
    return Policy.load(PolicySpec(path, text, dict(settings or {})))


def check(
    post: Post | str,
    *,
    policy: Policy | None = None,
    platform: str | None = None,
    meta: Mapping[str, Any] | None = None,
    max_post_chars: int | None = MAX_POST_CHARS,
) -> Report:
    """Check one post (a ``Post`` or its text) with ``policy`` (default: ``builtin:all``,
    loaded once per process): its ``Report``, waivers applied, exactly as ``policylint
    check --format json`` reports the same post."""
    return (policy or _builtin()).check(
        post, platform=platform, meta=meta, max_post_chars=max_post_chars
    )


def check_many(
    posts: Iterable[Post | str],
    *,
    policy: Policy | None = None,
    jobs: int | None = 1,
    max_post_chars: int | None = MAX_POST_CHARS,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[PostResult]:
    """Check many posts, streaming: a ``PostResult`` for each, in input order (see
    ``Policy.check_many``); ``Report.from_results`` makes the report."""
    return (policy or _builtin()).check_many(
        posts, jobs=jobs, max_post_chars=max_post_chars, chunk_size=chunk_size
    )


@cache
def _builtin() -> Policy:
    return load_policy()


def _check_arguments(source: Any, text: Any, settings: Any) -> None:
    """Refuse what cannot name a policy before the cache is asked: ``""`` would otherwise
    share the key of ``None`` (``builtin:all``) and load whatever the cache held."""
    if source is not None and not isinstance(source, str | Path):
        raise TypeError(
            "load_policy(): source must be a path, 'builtin:NAME' or policy text, "
            f"not {type(source).__name__}"
        )
    if text is not None and not isinstance(text, str):
        raise TypeError(f"load_policy(): text must be a str, not {type(text).__name__}")
    if settings is not None and not (
        isinstance(settings, Mapping) and all(isinstance(key, str) for key in settings)
    ):
        raise TypeError("load_policy(): settings must be a mapping of setting names to values")
    if isinstance(source, str) and not source.strip() and text is None:
        from policylint._model.diagnostics import Diagnostic
        from policylint._model.errors import PolicyError

        raise PolicyError(
            [
                Diagnostic(
                    "PL100",
                    "no policy given: the source is an empty string",
                    "<policy>",
                    1,
                    1,
                    hint="pass a .policy file, 'builtin:NAME', policy text, "
                    "or None for builtin:all",
                )
            ]
        )


def read_path(path: str | Path, **options: Any) -> ReadResult:
    """Read posts from a file: ``ReadResult(posts=[Post], errors=[InputError])``.

    Options are those of ``policylint.sources.read_path`` (``format``, ``default_platform``,
    ``default_meta``). Bad input never raises; it becomes an ``InputError``.
    """
    from policylint.sources import read_path as read_posts

    return read_posts(path, **options)


def read_text(text: str, **options: Any) -> ReadResult:
    """Read posts from text (``format="md"``, ``"jsonl"``...); see ``read_path``."""
    from policylint.sources import read_text as read_posts

    return read_posts(text, **options)
