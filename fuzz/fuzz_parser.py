"""Fuzz the policy loader: any text must load or raise ``PolicyError``, nothing else.

    python fuzz/fuzz_parser.py fuzz/corpus/parser -max_total_time=60

Any other exception (or a hang past libFuzzer's -timeout) is a crash; the input that
caused it is written as crash-<hash> in the working folder. Turn it into a regression test
in tests/test_hostile_policies.py.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import policylint
    from policylint import PolicyError

# Relative extends in a text policy resolve from the working folder: keep it empty, and keep
# the per-user cache out of it (thousands of generated policies would each leave an entry).
os.environ["POLICYLINT_NO_CACHE"] = "1"
os.chdir(tempfile.mkdtemp(prefix="policylint-fuzz-"))


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        policy = policylint.load_policy(text=text)
    except PolicyError as error:
        error.render()
        return
    policy.check("Guaranteed returns! #ad @boss http://example.com 555-1234 😀")


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
