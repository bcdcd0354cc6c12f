"""The console script (``policylint``, ``python -m policylint``).

A pre-commit hook starts policylint on every commit, and importing click costs about as
much as checking a post (~12 ms of a ~70 ms run). So a plain ``policylint check ...``, the
form hooks and scripts use, is read here, with the options click is built from
(:mod:`policylint._cli.options`), and run without click; anything else (``--help``, another
command, an option the reader does not know, a value click would reject, shell completion)
goes to the click application, which gives every message. ``tests/test_entrypoint.py``
checks that the reader accepts nothing click would refuse and reads everything as click
does.
"""

from __future__ import annotations

import errno
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from policylint._cli.options import CheckOptions


def console_script() -> NoReturn:
    """The ``policylint`` command: :func:`main`, then leave without tearing the interpreter
    down.

    Python's own exit frees every object one by one (the loaded policy alone is some 100,000
    of them) and then its modules: ~10 ms of a ~120 ms one-post check, spent returning memory
    the operating system takes back at once. So once ``main`` has exited, the exit handlers
    run and the output is flushed as Python's exit would, and the process ends there (mypy
    ends the same way). When another thread or a worker pool may still need the ordinary
    shutdown, or the output cannot be flushed, Python exits as usual: the same exit status
    and messages either way. ``python -m policylint`` runs :func:`main` and exits as usual:
    a program may run the module and go on (``runpy``).
    """
    try:
        main()
        exited = SystemExit(0)
    except SystemExit as exit_:
        exited = exit_
    code = 0 if exited.code is None else exited.code
    if isinstance(code, int) and _alone():
        _leave(code)
    raise exited  # a message (sys.exit("...")), or the ordinary shutdown


def _alone() -> bool:
    """Whether nothing but this thread needs the interpreter's shutdown: no other thread
    to join, no worker processes (``--jobs``) to see off, and no profiler or tracer
    (``python -m cProfile -m policylint``, a debugger, coverage) that reports after the
    program ends."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return False
    if "multiprocessing" in sys.modules or "concurrent.futures.process" in sys.modules:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _leave(code: int) -> NoReturn:
    """Run the exit handlers, flush the output, and end the process with ``code``."""
    import atexit

    atexit._run_exitfuncs()  # e.g. policylint._cache.sre saving the regex programs
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)  # Python's exit reports a failed flush as it always has
    os._exit(code)


def main() -> None:
    """Run the command line on ``sys.argv`` (and exit: ``SystemExit``)."""
    from policylint._cli import startup

    startup.begin()  # until the policy is loaded (policylint._cli.startup)
    argv = sys.argv[1:]
    # Windows: click expands wildcards in the arguments itself; completion is click's.
    plain = os.name != "nt" and not os.environ.get("_POLICYLINT_COMPLETE")
    if plain and argv == ["--version"]:
        from policylint._version import __version__

        print(f"policylint, version {__version__}")
        sys.exit(0)
    # Before anything compiles a regex: ~10 ms of a check (policylint._cache.sre).
    from policylint._cache import sre

    sre.install()
    if plain and argv[:1] == ["check"]:
        from policylint._cli.options import parse_check

        options = parse_check(argv[1:])
        if options is not None:
            _run_standalone(options)
    from policylint._cli.app import main as click_main

    click_main()


def _run_standalone(options: CheckOptions) -> None:
    """Run a check and exit, ending as the click application (``policylint._cli.app``) ends a
    command: Ctrl-C prints "Aborted!" and exits 130, end of input "Aborted!" and 1, and a
    closed output pipe (``policylint check ... | head``) exits 1 silently."""
    from policylint._cli.check import run_check
    from policylint._cli.exits import EXIT_INTERRUPTED

    try:
        run_check(options)
    except (KeyboardInterrupt, EOFError) as error:
        print(file=sys.stderr)
        print("Aborted!", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED if isinstance(error, KeyboardInterrupt) else 1)
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # Python's advice for SIGPIPE: point stdout at /dev/null so that the flush at exit
        # does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
