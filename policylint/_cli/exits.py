"""How the command line ends: its exit codes, and a clean error exit.

Exit codes (like every linter): 0 clean; 1 findings at or above ``--fail-on``; 2 a usage,
configuration, policy or input error (an input that could not be checked wins over 1, so a
broken file is never mistaken for a clean one); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_INTERRUPTED", "fail"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Ctrl-C: 128 + SIGINT, as shells report a process the signal stopped (not 1, "findings").
EXIT_INTERRUPTED = 130


def fail(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with the error code."""
    print(message, file=sys.stderr)
    sys.exit(EXIT_ERROR)
