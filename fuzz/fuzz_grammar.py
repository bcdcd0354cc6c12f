"""Fuzz the policy loader with policies written from the grammar (fuzz/policygen.py).

    python fuzz/fuzz_grammar.py fuzz/corpus/grammar -max_total_time=60

The fuzzer's bytes choose the grammar's expansions and the terminals' hostile values, so
coverage guidance steers towards new paths through transform, resolve and compile rather
than new syntax errors. As in fuzz_parser.py, any exception other than ``PolicyError`` (or
a hang past libFuzzer's -timeout) is a crash, saved as crash-<hash>: the policy it stands
for is printed; turn it into a regression test in tests/test_hostile_policies.py.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import policylint
    from policylint import PolicyError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from policygen import PolicyGenerator

# As in fuzz_parser.py: relative extends resolve in an empty folder, and no cache entries.
os.environ["POLICYLINT_NO_CACHE"] = "1"
os.chdir(tempfile.mkdtemp(prefix="policylint-fuzz-"))

GENERATOR = PolicyGenerator()
POST = "Guaranteed returns! #ad @boss http://example.com 555-1234 😀"


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = GENERATOR.generate(lambda n: provider.ConsumeIntInRange(0, n - 1))
    try:
        policy = policylint.load_policy(text=text)
    except PolicyError as error:
        error.render()
        return
    except BaseException:
        print("policy:\n" + text, file=sys.stderr)
        raise
    policy.check(POST)


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
