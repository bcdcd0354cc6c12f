"""How to load a policy again in another process: its recipe, and a per-process cache.

A loaded policy is never pickled as compiled automata: a worker process (a ``--jobs`` pool, a
Dask worker) gets the policy's :class:`Recipe` (how it was loaded, which rules were
selected, a fingerprint of them) and loads it once, through the compiled-policy cache
(:func:`policylint._cache.policies.load_or_compile`), keeping it for every later chunk or
partition. A worker that loads a different policy (a file changed on disk since) refuses to
run (:class:`~policylint._model.errors.PolicyMismatchError`) rather than give findings the
caller's policy would not.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter

from policylint._cache.policies import PolicySpec, load_or_compile
from policylint._hashing import sha256
from policylint._model.errors import PolicyMismatchError
from policylint._model.struct import NamedTuple
from policylint._runtime.engine import Engine

__all__ = ["BUILDS", "Recipe", "fingerprint", "load_engine", "load_fresh", "remember"]


class Recipe(NamedTuple):
    """How to load a policy again: how it was loaded, its selected rules (None: all), and
    a fingerprint of its rules (ids and severities), checked after the load."""

    spec: PolicySpec
    selection: tuple[str, ...] | None
    fingerprint: str

    @classmethod
    def of(cls, spec: PolicySpec, engine: Engine, selection: tuple[str, ...] | None) -> Recipe:
        source = spec.source
        if source is not None and not source.startswith("builtin:") and os.path.exists(source):
            # Workers may start in another directory (Dask, a pool created after a chdir).
            spec = spec._replace(source=os.path.abspath(source))
        return cls(spec._replace(settings=dict(spec.settings)), selection, fingerprint(engine))

    @property
    def key(self) -> str:
        """A stable string identifying the recipe (the per-process cache key)."""
        spec = self.spec
        parts = [spec.source, spec.text, spec.settings, self.selection, self.fingerprint]
        return json.dumps(parts, sort_keys=True, default=repr)


def fingerprint(engine: Engine) -> str:
    digest = sha256()
    for rule in engine.rules:
        digest.update(f"{rule.info.id}\0{rule.info.severity.value}\n".encode())
    return digest.hexdigest()[:32]


#: Engines kept per process (workers usually need one; a Dask worker serving several audits
#: may see a few).
_CACHE_SIZE = 4
_CACHE: dict[str, Engine] = {}
_CACHE_LOCK = threading.Lock()
#: How many times this process loaded each recipe (tests check "once per worker").
BUILDS: Counter[str] = Counter()


def load_engine(recipe: Recipe) -> Engine:
    """The engine ``recipe`` describes, loaded at most once per process.

    Raises :class:`~policylint._model.errors.PolicyMismatchError` if the loaded policy's
    rules differ from the original's, and ``policylint.PolicyError`` if it no longer loads.
    """
    key = recipe.key
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        engine = _load(recipe)
        BUILDS[key] += 1
        _keep(key, engine)
        return engine


def remember(recipe: Recipe, engine: Engine) -> None:
    """Seed this process's cache with an engine already loaded, so that forked workers (and
    in-process callers) start with it compiled; spawned workers load it from the recipe."""
    with _CACHE_LOCK:
        if recipe.key not in _CACHE:
            _keep(recipe.key, engine)


def _keep(key: str, engine: Engine) -> None:
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = engine


def load_fresh(recipe: Recipe) -> Engine:
    """The engine ``recipe`` describes, loaded now whatever this process holds (what a worker
    process that just started does)."""
    return _load(recipe)


def _load(recipe: Recipe) -> Engine:
    executable = load_or_compile(recipe.spec)
    kept = None
    if recipe.selection is not None:
        wanted = set(recipe.selection)
        kept = [n for n, rule in enumerate(executable.rules) if rule.info.id in wanted]
    engine = Engine(executable, kept)
    if fingerprint(engine) != recipe.fingerprint:
        where = recipe.spec.source or "<text>"
        raise PolicyMismatchError(
            "a worker process rebuilt a different policy from the one loaded "
            f"(source={where}): did a policy file change on disk?"
        )
    return engine
