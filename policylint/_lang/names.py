"""Whether a name from a policy or a configuration can name a file at all.

A NUL (``"p\\u0000.policy"``) or a lone surrogate (``"\\ud800"``) in a path made the first
file-system call raise ``ValueError`` or ``UnicodeEncodeError`` instead of a diagnostic.
Cheap to import: the API checks every policy path with it before the cache is consulted.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["check_policy_path", "is_file_name", "printable"]


def is_file_name(text: str) -> bool:
    """False for text with control characters or a lone surrogate, which name no file."""
    if any(ch < " " or ch == "\x7f" for ch in text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped, for a message."""
    if is_file_name(text):
        return text
    return text.encode("unicode_escape", "backslashreplace").decode("ascii")


def check_policy_path(path: str | PathLike[str]) -> None:
    """Raise ``PolicyError`` (PL100) if ``path`` cannot name a file."""
    if is_file_name(str(path)):
        return
    from policylint._model.diagnostics import Diagnostic
    from policylint._model.errors import PolicyError

    message = "cannot read policy: the name is not a valid file name"
    raise PolicyError([Diagnostic("PL100", message, printable(str(path)), 1, 1)])
