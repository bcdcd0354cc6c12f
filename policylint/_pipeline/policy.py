"""``Policy``: a loaded policy, the object ``policylint.load_policy`` returns.

A thin face over the pipeline: its rules (:class:`~policylint._model.rules.RuleInfo`), a
copy with some of them (:meth:`Policy.select`), checking one post or many
(:meth:`Policy.check`, :meth:`Policy.check_many`: the same path as ``policylint check``,
waivers included) and its rules' own examples (:meth:`Policy.run_examples`). A policy is
immutable once loaded, safe to share between threads, and pickles as its recipe (how it
was loaded and which rules were selected), never as compiled automata: unpickled in another
process, it is loaded there once, through the compiled-policy cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from policylint._cache.policies import PolicySpec, load_or_compile
from policylint._limits import MAX_POST_CHARS
from policylint._model.errors import SelectorError
from policylint._model.posts import Post
from policylint._model.reports import PostResult, Report
from policylint._model.rules import ExampleResult, RuleInfo
from policylint._pipeline.findings import rule_findings
from policylint._pipeline.recipe import Recipe, load_engine
from policylint._pipeline.run import DEFAULT_CHUNK_SIZE, PostChecker, check_stream
from policylint._pipeline.selection import check_selectors, matches
from policylint._runtime.engine import Engine
from policylint._runtime.rules import described

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._model.diagnostics import Diagnostic

__all__ = ["Policy", "checker_of", "restore_policy", "rules_to_check"]


class Policy:
    """A loaded, compiled policy. Create it with ``policylint.load_policy``."""

    __slots__ = ("_checker", "description", "files", "name", "settings")

    def __init__(self, engine: Engine, recipe: Recipe) -> None:
        executable = engine.executable
        self.name = executable.name
        self.description = executable.description
        self.settings: Mapping[str, Any] = executable.settings
        #: The policy files read, the root first.
        self.files = executable.files
        self._checker = PostChecker(engine, recipe)

    @classmethod
    def load(cls, spec: PolicySpec) -> Policy:
        """The policy ``spec`` names (see :func:`policylint.load_policy`)."""
        engine = Engine(load_or_compile(spec))
        return cls(engine, Recipe.of(spec, engine, None))

    def __reduce__(self) -> tuple[Any, tuple[Recipe]]:
        return restore_policy, (self._checker.recipe,)

    def __repr__(self) -> str:
        return f"<Policy {self.name!r}: {len(self._checker.engine.rules)} rules>"

    # ------------------------------------------------------------------ its rules
    @property
    def warnings(self) -> list[Diagnostic]:
        """What loading the policy warns about: rules that work but may silently miss
        (PL3xx, such as a ``\\b`` next to a non-ASCII letter in a regular expression)."""
        return list(self._checker.engine.executable.warnings)

    @property
    def rules(self) -> list[RuleInfo]:
        """The rules this policy checks, in policy order."""
        return [described(rule) for rule in self._checker.engine.rules]

    def rule(self, rule_id: str) -> RuleInfo | None:
        for rule in self._checker.engine.rules:
            if rule.info.id == rule_id:
                return described(rule)
        return None

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Policy:
        """A copy keeping rules whose id or category matches ``select`` (all if empty), minus
        ``ignore``; selectors are ids, globs (``tone.*``), prefixes (``tone``) or
        categories (``privacy``).

        Raises ``policylint.SelectorError`` when a selector names no rule of this policy
        (with a "did you mean") or when no rule is left: a misspelt selector must never
        turn the check off.
        """
        select, ignore = list(select), list(ignore)
        named = self.name and not self.name.startswith("<")  # "<policy>": text, no header
        here = f"policy '{self.name}'" if named else "the policy"
        infos = rules_to_check(self)  # ids and categories: not the examples
        check_selectors(select, infos, origin="select", policy=here)
        check_selectors(ignore, infos, origin="ignore", policy=here)
        chosen = {
            info.id
            for info in infos
            if (not select or _matches_any(info, select))
            and not (ignore and _matches_any(info, ignore))
        }
        if not chosen:
            raise SelectorError(
                f"select {select or 'everything'} minus ignore {ignore} leaves no rule of {here}"
            )
        engine = self._checker.engine
        executable = engine.executable
        kept = [n for n, rule in enumerate(executable.rules) if rule.info.id in chosen]
        selected = Engine(executable, kept)
        ids = tuple(rule.info.id for rule in selected.rules)
        recipe = Recipe.of(self._checker.recipe.spec, selected, ids)
        return Policy(selected, recipe)

    # ------------------------------------------------------------------ checking
    def check(
        self,
        post: Post | str,
        *,
        platform: str | None = None,
        meta: Mapping[str, Any] | None = None,
        max_post_chars: int | None = MAX_POST_CHARS,
    ) -> Report:
        """Check one post (a ``Post`` or plain text) and return its ``Report``;
        ``platform`` and ``meta`` override the post's. A post over ``max_post_chars``
        (None or 0: no limit) is an input error in the report, not checked. Raises
        ``TypeError`` for an argument of the wrong type."""
        checked = _checkable(post, "Policy.check()")
        if platform is not None and not isinstance(platform, str):
            raise TypeError(
                f"Policy.check(): platform must be a str or None, not {type(platform).__name__}"
            )
        if meta is not None and not isinstance(meta, Mapping):
            raise TypeError(
                "Policy.check(): meta must be a mapping (a dict) or None, "
                f"not {type(meta).__name__}"
            )
        if platform is not None or meta is not None:
            checked = checked.replace(
                platform=checked.platform if platform is None else platform,
                meta={**checked.meta, **(meta or {})},
            )
        return Report.from_results(self.check_many([checked], max_post_chars=max_post_chars))

    def check_many(
        self,
        posts: Iterable[Post | str],
        *,
        jobs: int | None = 1,
        max_post_chars: int | None = MAX_POST_CHARS,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> Iterator[PostResult]:
        """Check ``posts`` (``Post`` objects or strings), yielding a ``PostResult`` for each,
        in input order, as they are checked: ``Report.from_results`` makes the report.

        ``jobs`` > 1 (0 or None: every core) checks in worker processes, ``chunk_size``
        posts at a time; memory stays flat however many posts the iterable yields. A post
        over ``max_post_chars`` (None or 0: no limit), or whose check raises, gets an input
        error instead of findings. Raises ``TypeError`` for an item that is not a post.
        """
        if isinstance(posts, str | bytes) or not isinstance(posts, Iterable):
            raise TypeError(
                "Policy.check_many(): posts must be an iterable of Post objects or strings, "
                f"not {type(posts).__name__}"
            )
        checkable = (_checkable(item, "Policy.check_many()") for item in posts)
        return check_stream(
            self._checker,
            checkable,
            jobs=jobs,
            max_post_chars=max_post_chars,
            chunk_size=chunk_size,
        )

    # ------------------------------------------------------------------ examples
    def run_examples(self) -> list[ExampleResult]:
        """Run every rule's ``example pass|fail`` against that rule alone."""
        engine = self._checker.engine
        results = []
        for rule in engine.rules:
            info = described(rule)
            for example in info.examples:
                post = Post(example.text, platform=example.platform, meta=dict(example.meta))
                found = rule_findings(engine, rule, post)
                passed = bool(found) if example.expect == "fail" else not found
                results.append(
                    ExampleResult(
                        rule=info.id,
                        expect=example.expect,
                        text=example.text,
                        passed=passed,
                        found=tuple(f.match or f.message for f in found),
                        path=info.path,
                        line=example.line,
                        platform=example.platform,
                        meta=example.meta,
                    )
                )
        return results


def rules_to_check(policy: Policy) -> list[RuleInfo]:
    """The rules ``policy`` checks, in policy order, as a check needs them: their examples
    may be left out (read from the cache only when asked for, :meth:`Policy.rules`)."""
    return [rule.info for rule in policy._checker.engine.rules]


def checker_of(policy: Policy) -> PostChecker:
    """The pipeline behind ``policy``: what the command line checks posts with, with its
    configuration's waiver options."""
    return policy._checker


def restore_policy(recipe: Recipe) -> Policy:
    """The policy a recipe describes, loaded once per process (how a policy unpickles)."""
    return Policy(load_engine(recipe), recipe)


def _matches_any(rule: RuleInfo, patterns: Iterable[str]) -> bool:
    return any(matches(pattern, rule.id, rule.category) for pattern in patterns)


def _checkable(item: Any, caller: str) -> Post:
    """``item`` as the pipeline checks it: a str becomes a post; anything else must be a
    ``Post`` (or have its ``text``, ``platform``, ``meta``, ``id`` and ``source``)."""
    if isinstance(item, str):
        return Post(item)
    text = getattr(item, "text", None)
    if isinstance(text, str) and isinstance(getattr(item, "meta", None), Mapping):
        platform = getattr(item, "platform", None)
        if platform is None or isinstance(platform, str):
            return (
                item
                if isinstance(item, Post)
                else Post(text, item.id, platform, dict(item.meta), getattr(item, "source", None))
            )
    if isinstance(item, bytes | bytearray):
        raise TypeError(f"{caller}: a post is text, not bytes: decode it first")
    raise TypeError(f"{caller}: expected a Post or a str, not {type(item).__name__}")
