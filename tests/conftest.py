"""Test-wide set-up: a private cache directory, so tests never touch the user's cache."""

from __future__ import annotations

import os
import tempfile

# Set before policylint.cachedir is first used; subprocesses inherit it.
os.environ.setdefault("POLICYLINT_CACHE_DIR", tempfile.mkdtemp(prefix="policylint-test-cache-"))
