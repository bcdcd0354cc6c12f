"""Loading policies: the entry point behind ``policylint.load_policy``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policylint.engine import LoadSpec, Policy

__all__ = ["load_policy"]


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
    ``path:line:col``, the source line and a hint.
    """
    from policylint.compile import compile_policy
    from policylint.language.resolve import resolve_policy

    path: str | Path | None = None
    if text is None and isinstance(source, str) and ("\n" in source or "{" in source):
        text = source
    elif source is not None:
        path = source
    resolved = resolve_policy(path=path, text=text, settings=settings)
    rules, index = compile_policy(resolved)
    policy = Policy(
        resolved.name,
        resolved.description,
        rules,
        index,
        resolved.settings,
        [f.path for f in resolved.files],
    )
    # How to load it again: worker processes rebuild the policy from this (and the cache)
    # instead of unpickling compiled automata.
    policy.load_spec = LoadSpec(
        source=str(path) if path is not None else None,
        text=text,
        settings=dict(settings or {}),
    )
    return policy
