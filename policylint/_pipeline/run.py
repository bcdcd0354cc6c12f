"""The pipeline's middle: scan each post, apply its waivers, stream the results in order.

One path for every caller. ``policylint check``, :meth:`policylint.Policy.check_many` and
the Dask integration all check posts through :func:`check_stream` with a
:class:`PostChecker`, so the same post gives the same findings, waivers included, however
it is checked: one post or a million, in this process or on a pool of workers.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence

from policylint._limits import MAX_POST_CHARS
from policylint._model.errors import WorkerStartError
from policylint._model.posts import InputError, Post
from policylint._model.reports import Finding, PostResult
from policylint._pipeline.findings import rule_findings, scan
from policylint._pipeline.recipe import Recipe, load_engine, load_fresh
from policylint._pipeline.waivers import DEFAULT_OPTIONS, RuleTable, WaiverOptions, check_post
from policylint._runtime.engine import Engine

TYPE_CHECKING = False
if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = ["PostChecker", "check_stream", "describe", "load_checker"]

#: Posts sent to a worker at a time (see :mod:`policylint._pipeline.pool`).
DEFAULT_CHUNK_SIZE = 256


class PostChecker:
    """The pipeline for one post: its findings by the engine's rules, its waivers applied."""

    __slots__ = ("engine", "options", "recipe", "table")

    def __init__(
        self,
        engine: Engine,
        recipe: Recipe,
        options: WaiverOptions = DEFAULT_OPTIONS,
        table: RuleTable | None = None,
    ) -> None:
        self.engine = engine
        #: How to load the same engine in a worker process.
        self.recipe = recipe
        self.options = options
        #: What waivers know of the rules: the whole policy's, and those that run.
        self.table = table or RuleTable(
            (rule.info for rule in engine.executable.rules), (rule.info.id for rule in engine.rules)
        )

    def check(self, post: Post) -> list[Finding]:
        """``post``'s findings, sorted, waived ones kept and marked, with the problems of its
        waivers."""
        return check_post(post, self.scan, self.table, self.options)

    def outcome(self, post: Post) -> list[Finding] | str:
        """:meth:`check`, or what it raised, described: one bad post must never end an
        audit (in this process as in a worker, it becomes that post's input error)."""
        try:
            return self.check(post)
        except Exception as error:
            return describe(error)

    def scan(self, post: Post) -> list[Finding]:
        """``post``'s findings before waivers (the scan stage)."""
        return scan(self.engine, post)

    def with_options(self, options: WaiverOptions) -> PostChecker:
        """This checker with other waiver options (a configuration's)."""
        return PostChecker(self.engine, self.recipe, options, self.table)

    def rescan(self, post: Post, rule_id: str, text: str) -> list[Finding]:
        """The findings of ``rule_id`` alone on ``post`` with ``text`` for its text, in the
        text itself (whether a rule's fixes settle: see ``fixes.fix_file``)."""
        for rule in self.engine.rules:
            if rule.info.id == rule_id:
                found = rule_findings(self.engine, rule, post.replace(text=text))
                return [f for f in found if f.field is None]
        return []


def describe(error: BaseException) -> str:
    """An exception as a post's outcome: its type and message."""
    return f"{type(error).__name__}: {error}"


def load_checker(recipe: Recipe, options: WaiverOptions) -> PostChecker:
    """The checker a worker process uses: the engine loaded from ``recipe`` (once per
    process)."""
    return PostChecker(load_engine(recipe), recipe, options)


def check_stream(
    checker: PostChecker,
    items: Iterable[Post | InputError],
    *,
    jobs: int | None = 1,
    max_post_chars: int | None = MAX_POST_CHARS,
    limit_name: str = "max_post_chars",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    min_pool_posts: int = 0,
    in_flight: int | None = None,
    mp_context: BaseContext | None = None,
) -> Iterator[PostResult]:
    """A :class:`PostResult` for each item, in input order, as the posts are checked.

    - ``items``: posts, and the input errors met reading them, which keep their place. The
      iterable is consumed lazily: a generator reading an archive is never held in memory.
    - ``max_post_chars``: a longer post is not checked but is an input error (accounted
      for, never silently dropped); None or 0: no limit. ``limit_name`` names the limit in
      that error (the API's argument, the command line's option).
    - ``jobs``: worker processes; 0 or None: every CPU; 1: this process, no pool.
    - ``min_pool_posts``: with fewer posts than this (the first are read ahead to find out),
      no pool is started: a pre-commit run over three drafts pays no pool start-up.
    - ``chunk_size``, ``in_flight``, ``mp_context``: see :mod:`policylint._pipeline.pool`.

    A post whose check raises gets an input error saying why, and the run goes on. Stop
    iterating (or close the iterator) to cancel the remaining work.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if jobs is not None and jobs < 0:
        raise ValueError("jobs must be a positive number (or 0/None for every CPU)")
    # Errors and refused posts, each with the number of posts admitted before it.
    held: deque[tuple[int, PostResult]] = deque()
    posts = _admitted(items, max_post_chars, limit_name, held)
    few = isinstance(items, Sequence) and len(items) < max(min_pool_posts, 1)
    outcomes = (
        _in_process(checker, posts)
        if jobs == 1 or few
        else _in_pool(checker, posts, jobs, chunk_size, min_pool_posts, in_flight, mp_context)
    )
    return _in_order(outcomes, held)


def _in_order(outcomes: _Outcomes, held: deque[tuple[int, PostResult]]) -> Iterator[PostResult]:
    """Each post's result, with the errors met reading its input (``held``) in their
    places, as the outcomes come."""
    try:
        for index, (post, outcome) in enumerate(outcomes):
            while held and held[0][0] <= index:
                yield held.popleft()[1]
            if isinstance(outcome, str):
                yield PostResult(post, [], _error_for(post, index, outcome))
            else:
                yield PostResult(post, outcome)
        for _, result in held:
            yield result
    finally:
        outcomes.close()  # shuts a pool down at once when the caller stops early


def _admitted(
    items: Iterable[Post | InputError],
    limit: int | None,
    limit_name: str,
    held: deque[tuple[int, PostResult]],
) -> Iterator[Post]:
    """The posts of ``items`` to check; errors and posts over the limit go to ``held``."""
    admitted = 0
    for position, item in enumerate(items):
        if isinstance(item, InputError):
            held.append((admitted, PostResult(None, [], item)))
        elif limit and len(item.text) > limit:
            held.append(
                (admitted, PostResult(item, [], _too_long(item, position, limit, limit_name)))
            )
        else:
            admitted += 1
            yield item


#: Each post with its findings, or what its check raised.
_Outcomes = Generator[tuple[Post, "list[Finding] | str"], None, None]


def _in_process(checker: PostChecker, posts: Iterable[Post]) -> _Outcomes:
    for post in posts:
        yield post, checker.outcome(post)


def _in_pool(
    checker: PostChecker,
    posts: Iterator[Post],
    jobs: int | None,
    chunk_size: int,
    min_pool_posts: int,
    in_flight: int | None,
    mp_context: BaseContext | None,
) -> _Outcomes:
    from policylint._pipeline import pool
    from policylint._pipeline.recipe import remember

    workers = jobs or pool.default_jobs()
    if workers == 1:
        yield from _in_process(checker, posts)
        return
    head = list(itertools.islice(posts, min_pool_posts))
    if len(head) < min_pool_posts:
        yield from _in_process(checker, head)
        return
    remember(checker.recipe, checker.engine)  # a forked worker starts with it loaded
    ahead = in_flight if in_flight is not None else workers * pool.IN_FLIGHT_PER_WORKER
    plan = pool.PoolPlan(workers, chunk_size, max(1, ahead), mp_context)
    factory = (load_checker, (checker.recipe, checker.options))
    try:
        yield from pool.run_in_pool(factory, itertools.chain(head, posts), plan)
    except WorkerStartError:
        # The workers' failure, reproduced here to raise it with its own type and details
        # (a PolicyError with its diagnostics, a PolicyMismatchError): exceptions do not
        # always survive pickling.
        load_fresh(checker.recipe)
        raise


def _error_for(post: Post, index: int, message: str) -> InputError:
    """The input error of a post whose check raised (``message`` says what)."""
    return _located(post, f"post {_name(post, index)}: could not be checked: {message}")


def _too_long(post: Post, index: int, limit: int, limit_name: str) -> InputError:
    return _located(
        post,
        f"post {_name(post, index)} is {len(post.text):,} characters; the limit is "
        f"{limit:,} ({limit_name}): not checked",
    )


def _name(post: Post, index: int) -> str:
    """How messages name a post: its id, else its position in the input (``#1``...)."""
    return post.id if post.id is not None else f"#{index + 1}"


def _located(post: Post, message: str) -> InputError:
    """An input error about ``post``, placed where its text is."""
    source = post.source
    if source is not None:
        return InputError(source.path, message, source.line, source.column)
    return InputError("<posts>", message)
