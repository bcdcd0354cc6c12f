"""Loading policies: the entry point behind ``policylint.load_policy``."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path

from policylint._pipeline.policy import LoadSpec, Policy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["load_policy", "read_path", "read_text"]


def load_policy(
    source: str | Path | None = None,
    *,
    text: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Policy:
    """Load and compile a policy.

    ``source`` is a path to a ``.policy`` file, a ``builtin:NAME`` pack, or policy text
    (anything containing a newline or a ``{``); ``None`` loads the built-in packs
    (``builtin:all``). ``settings`` override the policy's settings (``organisation.*``,
    ``thresholds.*``), as ``[tool.policylint]`` configuration does.

    Raises ``policylint.PolicyError`` listing every problem found, each with
    ``path:line:col``, the source line and a hint (an empty ``source`` and a setting the
    policy does not declare are such problems), and ``TypeError`` for an argument of the
    wrong type.
    """
    from policylint._cache import policies as policycache

    _check_arguments(source, text, settings)
    path: str | Path | None = None
    if text is None and isinstance(source, str) and ("\n" in source or "{" in source):
        text = source
    elif source is not None:
        from policylint._lang.names import check_policy_path

        check_policy_path(source)
        path = source
    key = policycache.cache_key(str(path) if path is not None else None, text, settings)
    # Loading makes ~100,000 objects and no garbage cycle: the collector, run every 700
    # allocations, would only walk them over and over (a third of a warm load's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        cached = policycache.load(key)
        if cached is None:
            cached = _compile(path, text, settings, key)
    finally:
        if collecting:
            gc.enable()
    policy = Policy(
        cached.name,
        cached.description,
        cached.rules,
        cached.term_index,
        cached.settings,
        cached.files,
        routes=cached.routes,
        regexes=cached.regex_index,
    )
    # How to load it again: worker processes rebuild the policy from this (and the cache)
    # instead of unpickling compiled automata.
    policy.load_spec = LoadSpec(
        source=str(path) if path is not None else None,
        text=text,
        settings=dict(settings or {}),
    )
    return policy


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
        from policylint._model.errors import Diagnostic, PolicyError

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


def _compile(
    path: str | Path | None,
    text: str | None,
    settings: Mapping[str, Any] | None,
    key: str,
) -> Any:
    """Parse, resolve and compile (the slow path), then store the result in the cache."""
    from policylint._cache import policies as policycache
    from policylint._compiler.compiler import compile_policy
    from policylint._lang.resolve import resolve_policy

    resolved = resolve_policy(path=path, text=text, settings=settings)
    rules, index = compile_policy(resolved)
    regexes, routes = policycache.indexed(rules)
    compiled = policycache.CachedPolicy(
        name=resolved.name,
        description=resolved.description,
        rules=rules,
        term_index=index,
        settings=dict(resolved.settings),
        files=[f.path for f in resolved.files],
        routes=routes,  # stored, and used by the Policy built now
        regex_index=regexes,
    )
    policycache.store(key, compiled, resolved.file_stamps, resolved.folder_listings)
    return compiled


def read_path(path: str | Path, **options: Any) -> Any:
    """Read posts from a file: ``ReadResult(posts=[Post], errors=[InputError])``.

    Options are those of ``policylint.sources.read_path`` (``format``, ``default_platform``,
    ``default_meta``). Bad input never raises; it becomes an ``InputError``.
    """
    from policylint.sources import read_path as read_posts

    return read_posts(path, **options)


def read_text(text: str, **options: Any) -> Any:
    """Read posts from text (``format="md"``, ``"jsonl"``...); see ``read_path``."""
    from policylint.sources import read_text as read_posts

    return read_posts(text, **options)
