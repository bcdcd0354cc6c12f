"""A pool of worker processes that checks posts in order, streaming, one error per bad post.

The pool runs any *checker* (an object whose ``outcome(post)`` gives a post's findings, or
the text of the exception its check raised) that a picklable *factory* builds once in each
worker: the pipeline passes the policy's recipe, so the compiled automata never cross a
process boundary (:mod:`policylint._pipeline.recipe`). Posts go to the workers in chunks, at
most a few chunks per worker in flight at a time, so memory stays flat however many posts
the input iterable yields (millions, read lazily from an archive). Results come back in
input order.

An exception while checking one post is that post's outcome, and the run goes on. A worker
process that dies (a crash in a C extension, the OOM killer) is replaced and its chunk
retried (post by post if it fails again), so only a post that itself kills a worker is
reported as an error.

Workers never outlive the process that started them, however it ends: each watches its
parent (the kernel's parent-death signal on Linux; everywhere, a thread waiting on the
parent's sentinel, which the parent's end closes), and while a pool runs in the main thread,
SIGTERM and SIGHUP (when nothing else handles them) end the run as Ctrl-C does: the pool is
shut down and the process exits with code 128 + the signal's number. Workers ignore SIGINT:
Ctrl-C interrupts the parent, which shuts the pool down.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from policylint._model.errors import WorkerStartError
from policylint._model.struct import NamedTuple

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "IN_FLIGHT_PER_WORKER",
    "Outcome",
    "PoolPlan",
    "default_jobs",
    "run_in_pool",
]

#: Posts sent to a worker at a time. Large enough that inter-process traffic is a small share
#: of the work for short posts (a few hundred microseconds per chunk), small enough that a
#: slow chunk does not starve the other workers at the end of a run.
DEFAULT_CHUNK_SIZE = 256

#: Chunks submitted but not yet consumed, per worker. Two keep every worker busy while the
#: caller consumes results; the total bounds memory at ``jobs * 2 * chunk_size`` posts.
IN_FLIGHT_PER_WORKER = 2

#: A post's outcome: what the checker gave, or the text of the exception it raised.
Outcome = list[Any] | str

#: Builds the checker of a worker: a module-level function (it is pickled) and its arguments.
Factory = tuple[Callable[..., Any], tuple[Any, ...]]


class PoolPlan(NamedTuple):
    """How a pool run is carried out."""

    workers: int
    chunk_size: int = DEFAULT_CHUNK_SIZE
    #: Chunks submitted ahead of the one being consumed: memory is bounded by
    #: ``ahead * chunk_size`` posts and their findings.
    ahead: int = 2 * IN_FLIGHT_PER_WORKER
    #: A ``multiprocessing`` context (default: the platform's).
    context: BaseContext | None = None


# ---------------------------------------------------------------------------- workers

_WORKER_CHECKER: Any = None
_WORKER_ERROR: BaseException | None = None


def _init_worker(factory: Factory, death_signal: bool = False) -> None:
    global _WORKER_CHECKER, _WORKER_ERROR
    _stay_a_worker(death_signal)
    build, arguments = factory
    try:
        _WORKER_CHECKER = build(*arguments)
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


def _check_chunk(posts: list[Any]) -> list[Outcome]:
    checker = _WORKER_CHECKER
    if checker is None:
        # Not the error itself: exceptions such as PolicyError may not survive pickling.
        problem = _WORKER_ERROR or RuntimeError("worker used before its initializer ran")
        raise WorkerStartError(f"{type(problem).__name__}: {problem}")
    return [checker.outcome(post) for post in posts]


def _chunks(posts: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for post in posts:
        chunk.append(post)
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


class _Pool:
    """A process pool that can be replaced when one of its workers dies."""

    def __init__(self, factory: Factory, plan: PoolPlan) -> None:
        self.factory = factory
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
            initargs=(self.factory, self.in_main_thread),
        )

    def submit(self, chunk: list[Any]) -> Future[list[Outcome]]:
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


def run_in_pool(
    factory: Factory, posts: Iterable[Any], plan: PoolPlan
) -> Generator[tuple[Any, Outcome], None, None]:
    """Each post of ``posts`` with its outcome, in input order, checked by ``plan.workers``
    processes, each with the checker ``factory`` builds. Raises
    :class:`~policylint._model.errors.WorkerStartError` when the workers could not build
    it. Stop iterating (or close the generator) to cancel the remaining work; the pool is
    shut down either way."""
    pool = _Pool(factory, plan)
    pending: deque[tuple[list[Any], Future[list[Outcome]]]] = deque()
    chunks = _chunks(posts, plan.chunk_size)
    try:
        while True:
            _stop_if_signalled()
            while len(pending) < plan.ahead:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pending.append((chunk, _submit(pool, chunk, pending)))
            if not pending:
                return
            chunk, future = pending.popleft()
            try:
                outcomes = future.result()
                _stop_if_signalled()
            except BrokenProcessPool:
                outcomes = _recover(pool, chunk, pending)
            yield from zip(chunk, outcomes, strict=True)
    finally:
        pool.close()


def _submit(
    pool: _Pool,
    chunk: list[Any],
    pending: deque[tuple[list[Any], Future[list[Outcome]]]],
) -> Future[list[Outcome]]:
    try:
        return pool.submit(chunk)
    except BrokenProcessPool:
        _restart(pool, pending)
        return pool.submit(chunk)


def _restart(pool: _Pool, pending: deque[tuple[list[Any], Future[list[Outcome]]]]) -> None:
    """Replace a broken pool and resubmit the pending chunks that did not complete."""
    pool.replace()
    for position, (chunk, future) in enumerate(pending):
        if future.done() and not future.cancelled() and future.exception() is None:
            continue
        pending[position] = (chunk, pool.submit(chunk))


def _recover(
    pool: _Pool,
    chunk: list[Any],
    pending: deque[tuple[list[Any], Future[list[Outcome]]]],
) -> list[Outcome]:
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
