"""Check many posts on a pool of worker processes, in order, streaming, one error per bad post.

    >>> import policylint
    >>> from policylint._pipeline.parallel import check_many
    >>> policy = policylint.load_policy('rule fin.promise { flag ["guarantee*"] }')
    >>> for index, post, result in check_many(policy, ["Guaranteed!", "Fine."], jobs=1):
    ...     print(index, post.text, [f.match for f in result])
    0 Guaranteed! ['Guaranteed']
    1 Fine. []

The policy is not pickled: each worker process rebuilds it once, in the pool's initializer,
from :class:`PolicyRef` (the policy's ``load_spec`` plus its rule selection), so the compiled
automata never cross a process boundary. Posts go to the workers in chunks, at most a few
chunks per worker in flight at a time, so memory stays flat however many posts the input
iterable yields (millions, read lazily from an archive). Results come back in input order.

An exception while checking one post becomes an :class:`~policylint._model.posts.InputError` for
that post, and the run goes on. A worker process that dies (a crash in a C extension, the OOM
killer) is replaced and its chunk retried (post by post if it fails again), so only a post that
itself kills a worker is reported as an error.

Workers never outlive the process that started them, however it ends: each watches its
parent (the kernel's parent-death signal on Linux; everywhere, a thread waiting on the
parent's sentinel, which the parent's end closes), and while a pool runs in the main thread,
SIGTERM and SIGHUP (when nothing else handles them) end the run as Ctrl-C does: the pool is
shut down and the process exits with code 128 + the signal's number. Workers ignore SIGINT:
Ctrl-C interrupts the parent, which shuts the pool down.

``scan_many`` is the same with the engine's light records (``Post`` in, ``Finding``
out) and imports no pydantic: it is the command line's path. ``check_many`` gives pydantic
models, for the library API.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import signal
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from policylint._model.posts import InputError, Post
from policylint._model.reports import Finding
from policylint._model.severity import Severity

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from policylint._pipeline.policy import Policy

#: What can be checked: pydantic posts, the readers' light records, or plain text.
AnyPost = Any  # Post | str (kept loose: the pydantic model is imported lazily)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Checked",
    "PolicyMismatchError",
    "PolicyRef",
    "PostCheck",
    "Scanned",
    "WorkerStartError",
    "check_many",
    "check_post",
    "default_jobs",
    "load_ref",
    "policy_ref",
    "scan_many",
]

#: Posts sent to a worker at a time. Large enough that inter-process traffic is a small share
#: of the work for short posts (a few hundred microseconds per chunk), small enough that a
#: slow chunk does not starve the other workers at the end of a run.
DEFAULT_CHUNK_SIZE = 256

#: Chunks submitted but not yet consumed, per worker. Two keep every worker busy while the
#: caller consumes results; the total bounds memory at ``jobs * 2 * chunk_size`` posts.
_IN_FLIGHT_PER_WORKER = 2

#: Compiled policies kept per process (workers usually need one; a Dask worker serving
#: several audits may see a few).
_CACHE_SIZE = 4


class PolicyMismatchError(RuntimeError):
    """A worker rebuilt a different policy from the one the caller loaded.

    This happens when a policy file changes on disk while a run is starting, or when the
    ``Policy`` was not made by ``policylint.load_policy`` (it has no recipe to rebuild it).
    """


class WorkerStartError(RuntimeError):
    """A worker process could not load the policy (raised when the parent cannot reproduce
    the original error itself)."""


@dataclass(frozen=True, slots=True)
class Checked:
    """One post's outcome: its position in the input, the post, and findings or an error
    (pydantic models, for the library API). Unpacks as ``index, post, result``."""

    index: int
    post: Post
    result: list[Finding] | InputError

    def __iter__(self) -> Iterator[Any]:
        return iter((self.index, self.post, self.result))

    @property
    def findings(self) -> list[Finding]:
        return self.result if isinstance(self.result, list) else []

    @property
    def error(self) -> InputError | None:
        return None if isinstance(self.result, list) else self.result


@dataclass(frozen=True, slots=True)
class Scanned:
    """One post's outcome as light records (``Finding``/``InputError``), for the command
    line, which never imports pydantic on its hot path. Unpacks as ``index, post, result``."""

    index: int
    post: Post
    #: ``Finding`` records, or what ``scan_many``'s ``check`` returns for the post.
    result: list[Any] | InputError

    def __iter__(self) -> Iterator[Any]:
        return iter((self.index, self.post, self.result))

    @property
    def findings(self) -> list[Any]:
        return self.result if isinstance(self.result, list) else []

    @property
    def error(self) -> InputError | None:
        return None if isinstance(self.result, list) else self.result


@dataclass(frozen=True)
class PolicyRef:
    """A picklable recipe for rebuilding a loaded policy in another process.

    ``source``/``text``/``settings`` are the arguments ``load_policy`` was given;
    ``selection`` and ``severities`` replay ``Policy.select``; ``fingerprint`` is a digest of
    the resulting rule ids and severities, checked after the rebuild.
    """

    source: str | None
    text: str | None
    settings: Mapping[str, Any] = field(default_factory=dict)
    selection: tuple[str, ...] | None = None
    severities: tuple[tuple[str, str], ...] = ()
    fingerprint: str = ""

    @property
    def key(self) -> str:
        """A stable string identifying the recipe (the per-process cache key)."""
        return json.dumps(
            [
                self.source,
                self.text,
                self.settings,
                self.selection,
                self.severities,
                self.fingerprint,
            ],
            sort_keys=True,
            default=repr,
        )

    def load(self) -> Policy:
        """Rebuild the policy (once per process: see :func:`load_ref`)."""
        return load_ref(self)


def _fingerprint(policy: Policy) -> str:
    digest = hashlib.sha256()
    for info in policy.rules:
        digest.update(f"{info.id}\0{info.severity.value}\n".encode())
    return digest.hexdigest()[:32]


def policy_ref(policy: Policy) -> PolicyRef:
    """The recipe for ``policy``: how it was loaded, and which rules were selected."""
    spec = policy.load_spec
    source = spec.source
    if source is not None and not source.startswith("builtin:") and os.path.exists(source):
        # Workers may start in another directory (Dask, a pool created after a chdir).
        source = os.path.abspath(source)
    selection = policy.selection
    severities: tuple[tuple[str, str], ...] = ()
    if selection is not None:
        severities = tuple((info.id, info.severity.value) for info in policy.rules)
    return PolicyRef(
        source=source,
        text=spec.text,
        settings=dict(spec.settings),
        selection=selection,
        severities=severities,
        fingerprint=_fingerprint(policy),
    )


_CACHE: dict[str, Policy] = {}
_CACHE_LOCK = threading.Lock()
#: How many times this process compiled each recipe (tests check "once per worker").
_BUILDS: Counter[str] = Counter()


def load_ref(ref: PolicyRef) -> Policy:
    """The policy ``ref`` describes, loaded and compiled at most once per process.

    Raises :class:`PolicyMismatchError` if the rebuilt policy's rules differ from the
    original's, and ``policylint.PolicyError`` if it no longer loads.
    """
    key = ref.key
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        policy = _build(ref)
        _BUILDS[key] += 1
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = policy
        return policy


def _remember(ref: PolicyRef, policy: Policy) -> None:
    """Seed this process's cache with a policy already loaded, so that forked workers (and
    in-process callers) start with it compiled; spawned workers rebuild it from ``ref``."""
    with _CACHE_LOCK:
        if ref.key not in _CACHE:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[ref.key] = policy


def _build(ref: PolicyRef) -> Policy:
    from policylint._api import load_policy

    policy = load_policy(ref.source, text=ref.text, settings=ref.settings)
    if ref.selection is not None:
        wanted = set(ref.selection)
        severities = {rule: Severity(value) for rule, value in ref.severities}
        policy = policy.select(ref.selection, severities=severities)
        # select() also keeps rules under a selected id's prefix (``a.b`` keeps ``a.b.c``);
        # drop any the original selection did not have.
        extra = [info.id for info in policy.rules if info.id not in wanted]
        if extra:
            policy = policy.select(ignore=extra)
    if ref.fingerprint and _fingerprint(policy) != ref.fingerprint:
        raise PolicyMismatchError(
            "a worker process rebuilt a different policy from the one loaded "
            f"(source={ref.source or '<text>'}): did a policy file change on disk, or was "
            "the Policy not made by policylint.load_policy?"
        )
    return policy


# ---------------------------------------------------------------------------- one post


def _error_for(post: Any, index: int, message: str) -> InputError:
    source = getattr(post, "source", None)
    post_id = getattr(post, "id", None)
    name = post_id if post_id is not None else f"#{index + 1}"
    text = f"post {name}: could not be checked: {message}"
    if source is not None:
        return InputError(source.path, text, source.line, source.column)
    return InputError("<posts>", text)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _as_post(item: AnyPost) -> Any:
    return Post(text=item) if isinstance(item, str) else item


# A post's outcome inside this module: its findings, or the text of the exception it raised.
_Outcome = list[Finding] | str


#: A per-post check run in the workers: ``check(policy, post) -> list``. The default is
#: ``policy.scan(post)``; the command line passes its waiver-aware check. It must be
#: picklable (a module-level function, or a functools.partial of one with picklable
#: arguments): it is sent to each worker once, with the policy's recipe.
PostCheck = Callable[["Policy", Any], list[Any]]


def _scan(policy: Policy, post: Any, check: PostCheck | None = None) -> _Outcome:
    try:
        if check is None:
            return policy.scan(post)
        return check(policy, post)
    except Exception as error:  # one bad post must never end an audit
        return _describe(error)


def check_post(policy: Policy, post: AnyPost, index: int = 0) -> Checked:
    """Check one post; an exception while checking it becomes its error entry."""
    if isinstance(post, str):
        post = Post(text=post)
    return _to_checked(index, post, _scan(policy, post))


def _to_checked(index: int, post: Any, outcome: _Outcome) -> Checked:
    if isinstance(outcome, str):
        error = _error_for(post, index, outcome)
        return Checked(index, post, error)
    return Checked(index, post, outcome)


# ---------------------------------------------------------------------------- workers

_WORKER_POLICY: Policy | None = None
_WORKER_ERROR: BaseException | None = None
_WORKER_CHECK: PostCheck | None = None


def _init_worker(
    ref: PolicyRef, check: PostCheck | None = None, death_signal: bool = False
) -> None:
    global _WORKER_POLICY, _WORKER_ERROR, _WORKER_CHECK
    _stay_a_worker(death_signal)
    _WORKER_CHECK = check
    try:
        _WORKER_POLICY = load_ref(ref)
    except BaseException as error:
        # An exception here would break the whole pool and look like crashed workers;
        # kept, it is raised by the first task instead and reaches the caller as itself.
        _WORKER_ERROR = error
    # The policy's ~100,000 objects live as long as the worker: out of the collector's
    # sight, full collections do not walk them (nor, when forked, copy their pages).
    gc.freeze()


def _stay_a_worker(death_signal: bool) -> None:
    """Make this worker die with its parent, and give it the signal handling of a worker.

    ``death_signal``: ask Linux to kill this process when the thread that started it ends
    (only asked for pools started by the main thread, whose end is the process's)."""
    # A forked worker inherits the parent's handlers; the parent's SIGTERM handler is for
    # the parent (it stops the pool), and Ctrl-C is the parent's to handle.
    for name in _STOP_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if death_signal and sys.platform.startswith("linux"):
        _set_parent_death_signal()
        if os.getppid() != parent:  # the parent ended before the request was made
            os._exit(1)
    import multiprocessing

    watched = multiprocessing.parent_process()
    if watched is not None and watched.sentinel is not None:
        threading.Thread(
            target=_exit_when_ready, args=(watched.sentinel,), name="parent-watch", daemon=True
        ).start()


def _set_parent_death_signal() -> None:
    """prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process when its parent
    ends, even by SIGKILL (which no handler in the parent can see)."""
    import ctypes

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the sentinel thread still watches
        pass


def _exit_when_ready(sentinel: int) -> None:
    """End this process once ``sentinel`` (the parent's end of a pipe, or its process
    handle on Windows) is ready: the parent has ended."""
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _check_chunk(posts: list[Any]) -> list[_Outcome]:
    policy = _WORKER_POLICY
    if policy is None:
        # Not the error itself: exceptions such as PolicyError may not survive pickling.
        problem = _WORKER_ERROR or RuntimeError("worker used before its initializer ran")
        raise WorkerStartError(_describe(problem))
    check = _WORKER_CHECK
    return [_scan(policy, post, check) for post in posts]


def _chunks(posts: Iterable[AnyPost], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in posts:
        chunk.append(_as_post(item))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_jobs() -> int:
    """All the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def scan_many(
    policy: Policy,
    posts: Iterable[AnyPost],
    *,
    jobs: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    in_flight: int | None = None,
    mp_context: BaseContext | None = None,
    min_pool_posts: int = 0,
    check: PostCheck | None = None,
) -> Iterator[Scanned]:
    """Like :func:`check_many`, but yields light records (:class:`Scanned`: lists of
    ``Finding``, or an ``InputError``), and plain strings become ``Post``. This is
    the command line's path: it imports no pydantic.

    ``check(policy, post) -> list`` replaces ``policy.scan(post)`` as the per-post work
    (the command line's waiver-aware check); each result is then the list it returns. It
    must be picklable (a module-level function or a ``functools.partial`` of one) and is
    sent to each worker once."""
    inner = _run(policy, posts, jobs, chunk_size, in_flight, mp_context, min_pool_posts, check)
    return _converted(inner, _to_scanned)


def check_many(
    policy: Policy,
    posts: Iterable[AnyPost],
    *,
    jobs: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    in_flight: int | None = None,
    mp_context: BaseContext | None = None,
    min_pool_posts: int = 0,
) -> Iterator[Checked]:
    """Check ``posts`` with ``jobs`` processes, yielding a :class:`Checked` per post in input
    order: ``(index, post, findings)`` or ``(index, post, InputError)``.

    - ``posts``: ``Post`` objects, the readers' ``Post`` records, or strings (checked
      as ``Post(text=...)``). The iterable is consumed lazily: a generator reading an
      archive line by line is never held in memory.
    - ``jobs``: worker processes; ``None`` or ``0`` means every CPU available, ``1`` checks
      in this process with no pool (and no start-up cost).
    - ``chunk_size``: posts per task sent to a worker.
    - ``in_flight``: chunks submitted ahead of the one being consumed (default: two per
      worker); memory is bounded by ``in_flight * chunk_size`` posts and their findings.
    - ``mp_context``: a ``multiprocessing`` context (default: the platform's).
    - ``min_pool_posts``: when the input has fewer posts than this, check them in this
      process instead of starting a pool (the first ones are read ahead to find out). The
      command line uses it so that a pre-commit run over three drafts pays no pool start-up.

    Stop iterating (or close the iterator) to cancel the remaining work; the pool is shut
    down either way.
    """

    def as_models(items: Iterable[AnyPost]) -> Iterator[Any]:
        for item in items:
            yield Post(text=item) if isinstance(item, str) else item

    inner = _run(policy, as_models(posts), jobs, chunk_size, in_flight, mp_context, min_pool_posts)
    return _converted(inner, _to_checked)


_T = TypeVar("_T")


def _converted(
    inner: Generator[tuple[int, Any, _Outcome], None, None],
    convert: Callable[[int, Any, _Outcome], _T],
) -> Iterator[_T]:
    try:
        for index, post, outcome in inner:
            yield convert(index, post, outcome)
    finally:
        inner.close()  # shuts the pool down at once when the caller stops early


def _to_scanned(index: int, post: Any, outcome: _Outcome) -> Scanned:
    if isinstance(outcome, str):
        return Scanned(index, post, _error_for(post, index, outcome))
    return Scanned(index, post, outcome)


@dataclass(frozen=True)
class _Plan:
    """How a run is carried out (see :func:`check_many` for the meaning of each)."""

    workers: int
    chunk_size: int
    ahead: int
    context: BaseContext | None
    min_pool_posts: int
    check: PostCheck | None


def _run(
    policy: Policy,
    posts: Iterable[AnyPost],
    jobs: int | None,
    chunk_size: int,
    in_flight: int | None,
    mp_context: BaseContext | None,
    min_pool_posts: int = 0,
    check: PostCheck | None = None,
) -> Generator[tuple[int, Any, _Outcome], None, None]:
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    workers = jobs if jobs else default_jobs()
    if workers < 0:
        raise ValueError("jobs must be a positive number (or 0/None for every CPU)")
    if workers == 1:
        return _run_in_process(policy, posts, check)
    ref = policy_ref(policy)
    _remember(ref, policy)
    ahead = in_flight if in_flight is not None else workers * _IN_FLIGHT_PER_WORKER
    plan = _Plan(workers, chunk_size, max(1, ahead), mp_context, min_pool_posts, check)
    if min_pool_posts > 0:
        return _run_small_in_process(policy, posts, ref, plan)
    return _run_in_pool(ref, posts, plan)


def _run_small_in_process(
    policy: Policy, posts: Iterable[AnyPost], ref: PolicyRef, plan: _Plan
) -> Generator[tuple[int, Any, _Outcome], None, None]:
    items = iter(posts)
    head = list(itertools.islice(items, plan.min_pool_posts))
    if len(head) < plan.min_pool_posts:
        yield from _run_in_process(policy, head, plan.check)
    else:
        yield from _run_in_pool(ref, itertools.chain(head, items), plan)


def _run_in_process(
    policy: Policy, posts: Iterable[AnyPost], check: PostCheck | None
) -> Generator[tuple[int, Any, _Outcome], None, None]:
    for index, item in enumerate(posts):
        post = _as_post(item)
        yield index, post, _scan(policy, post, check)


class _Pool:
    """A process pool that can be replaced when one of its workers dies."""

    def __init__(self, ref: PolicyRef, plan: _Plan) -> None:
        self.ref = ref
        self.plan = plan
        # Workers forked from the main thread can ask to die with it (it ends only with
        # the process); a pool started in another thread must outlive that thread.
        self.in_main_thread = threading.current_thread() is threading.main_thread()
        self.executor = self._new()
        _live_pools.add(self)
        if self.in_main_thread:
            _stop_pools_on_signals()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.plan.workers,
            mp_context=self.plan.context,
            initializer=_init_worker,
            initargs=(self.ref, self.plan.check, self.in_main_thread),
        )

    def submit(self, chunk: list[Any]) -> Future[list[_Outcome]]:
        return self.executor.submit(_check_chunk, chunk)

    def replace(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        _live_pools.discard(self)
        try:
            self.executor.shutdown(wait=True, cancel_futures=True)
        finally:
            if not _live_pools:
                _restore_signals()


# ---------------------------------------------------------------------------- signals

#: Signals that end the process by default and that a pool's owner handles while it runs.
_STOP_SIGNALS = tuple(name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_live_pools: set[_Pool] = set()
#: The handlers replaced by :func:`_stop_pools_on_signals`, to put back.
_replaced: dict[int, Any] = {}
#: The process that installed the handlers (a forked child must not act on them).
_handler_owner = 0
#: The stop signal received while pools ran, not acted on yet (0: none).
_stop_requested = 0


def _stop_pools_on_signals() -> None:
    """While pools run, SIGTERM and SIGHUP end the run as Ctrl-C would, but only where the
    pool's loop can stop safely (:func:`_stop_if_signalled`, between two chunks' results):
    ``SystemExit`` then runs the cleanups (a report being written is discarded) and shuts
    the pool down, cancelling the chunks not started; the workers finish the chunk in hand
    and exit. Raised from the handler, it could land inside the executor's own code and
    leave it waiting forever; terminating the workers could kill one halfway through
    sending a result, which the pool's reader would then wait for forever. A second signal
    ends the process at once (the handler puts the default back), and the workers with it.

    Only signals left to their default action are taken: a program that handles them keeps
    its own handlers, and the workers still die with the process (:func:`_stay_a_worker`).
    """
    global _handler_owner
    _handler_owner = os.getpid()
    for name in _STOP_SIGNALS:
        number = getattr(signal, name)
        if number in _replaced or signal.getsignal(number) is not signal.SIG_DFL:
            continue
        _replaced[number] = signal.signal(number, _on_stop_signal)


def _restore_signals() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may; the handler then acts as the default would
    for number, handler in _replaced.items():
        signal.signal(number, handler)
    _replaced.clear()


def _on_stop_signal(number: int, frame: Any) -> None:
    global _stop_requested
    if os.getpid() != _handler_owner:  # a worker that has not reset its handlers yet
        os._exit(128 + number)
    _restore_signals()
    if not _live_pools:  # left installed by a pool closed in another thread
        os.kill(os.getpid(), number)  # the default action: the process ends
        return
    _stop_requested = number


def _stop_if_signalled() -> None:
    """End the run (``SystemExit``, exit code 128 + the signal) if a stop signal came."""
    global _stop_requested
    number, _stop_requested = _stop_requested, 0
    if number:
        raise SystemExit(128 + number)


def _run_in_pool(
    ref: PolicyRef, posts: Iterable[AnyPost], plan: _Plan
) -> Generator[tuple[int, Any, _Outcome], None, None]:
    pool = _Pool(ref, plan)
    pending: deque[tuple[int, list[Any], Future[list[_Outcome]]]] = deque()
    chunks = _chunks(posts, plan.chunk_size)
    next_index = 0
    try:
        while True:
            _stop_if_signalled()
            while len(pending) < plan.ahead:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pending.append((next_index, chunk, _submit(pool, chunk, pending)))
                next_index += len(chunk)
            if not pending:
                return
            start, chunk, future = pending.popleft()
            try:
                outcomes = future.result()
                _stop_if_signalled()
            except BrokenProcessPool:
                outcomes = _recover(pool, chunk, pending)
            except WorkerStartError:
                # Reproduce the workers' failure here, to raise it with its own type and
                # details (a PolicyError with its diagnostics, a PolicyMismatchError).
                pool.close()
                _build(ref)
                raise
            for offset, (post, outcome) in enumerate(zip(chunk, outcomes, strict=True)):
                yield start + offset, post, outcome
    finally:
        pool.close()


def _submit(
    pool: _Pool,
    chunk: list[Any],
    pending: deque[tuple[int, list[Any], Future[list[_Outcome]]]],
) -> Future[list[_Outcome]]:
    try:
        return pool.submit(chunk)
    except BrokenProcessPool:
        _restart(pool, pending)
        return pool.submit(chunk)


def _restart(pool: _Pool, pending: deque[tuple[int, list[Any], Future[list[_Outcome]]]]) -> None:
    """Replace a broken pool and resubmit the pending chunks that did not complete."""
    pool.replace()
    for position, (start, chunk, future) in enumerate(pending):
        if future.done() and not future.cancelled() and future.exception() is None:
            continue
        pending[position] = (start, chunk, pool.submit(chunk))


def _recover(
    pool: _Pool,
    chunk: list[Any],
    pending: deque[tuple[int, list[Any], Future[list[_Outcome]]]],
) -> list[_Outcome]:
    """A worker died with ``chunk`` in flight. Retry the chunk on a fresh pool (the crash
    may have come from another chunk); if it breaks that pool too, retry it post by post,
    so only a post that itself kills a worker is reported. Then resubmit the others."""
    pool.replace()
    try:
        outcomes = pool.submit(chunk).result()
    except BrokenProcessPool:
        outcomes = []
        pool.replace()
        for post in chunk:
            try:
                outcomes.extend(pool.submit([post]).result())
            except BrokenProcessPool:
                outcomes.append("the worker process checking it died (crash or out of memory)")
                pool.replace()
    _restart(pool, pending)
    return outcomes
