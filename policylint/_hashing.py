"""SHA-256 and BLAKE2b for the caches, without loading OpenSSL.

``hashlib`` loads OpenSSL whatever the algorithm (~2.5 ms of a ~100 ms start-up), so the
warm path takes CPython's built-in implementations, which give the same digests. The
compiled-policy cache keys and seals entries with them, the policy loader stamps the files it
reads, and the grammar tables record the grammar they were built from.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import blake2b as blake2b
    from hashlib import sha256 as sha256
else:
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:  # the module's name and presence depend on the version and build
        try:
            from _sha2 import sha256  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256
    try:
        from _blake2 import blake2b
    except ImportError:
        from hashlib import blake2b

__all__ = ["blake2b", "sha256"]
