"""Every bound policylint puts on what a policy or an input can make it do, in one place.

A policy file is data written by many people, and a post may come from anyone: neither may
hang, exhaust or crash the tool. Each limit below is a named constant so that the code that
enforces it, the error that reports it and ``docs/security.md`` agree on one number, and so
that the hostile-input tests (``tests/test_hostile_policies.py``,
``tests/test_hostile_inputs.py``) can probe just past it.

The numbers are far above anything a real policy or post needs: they exist to turn an
accident or an attack into a clear error (``PL218 limit-exceeded`` for a policy, an input
error for a post) instead of a hang, a ``RecursionError`` or the machine's memory.

Where a limit is enforced is noted with each constant. A limit marked *proposed* is not
enforced yet: its test is an expected failure (``xfail``) until it is.
"""

from __future__ import annotations

__all__ = [
    "MAX_EXPANDED_TERMS",
    "MAX_EXTENDS_DEPTH",
    "MAX_INPUT_BYTES",
    "MAX_META_DEPTH",
    "MAX_META_NODES",
    "MAX_NESTING_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_POLICY_BYTES",
    "MAX_POLICY_TOKENS",
    "MAX_POST_CHARS",
    "MAX_REGEX_GROUPS",
    "MAX_REGEX_PROGRAM",
    "MAX_RULES",
    "MAX_SUGGESTION_COMPARISONS",
    "MAX_TERMS",
    "REGEX_MAX_MEM",
]

# ---------------------------------------------------------------------------- policies

#: Largest policy file, in bytes (UTF-8), that is loaded (enforced:
#: ``policylint._lang.parser``; ``PL218``). A large
#: organisation's whole policy is tens of kilobytes; a 50,000-term list is about 0.6 MB.
MAX_POLICY_BYTES = 4 * 1024 * 1024

#: Most tokens (names, strings, numbers, operators; not spaces or comments) in one policy
#: file (enforced while parsing: ``policylint._lang.parser``; ``PL218``). Parsing costs
#: 8-25 us a token, so 4 MB of dense tokens (``or ["a1"] or ...``) took about a minute;
#: 300,000 take a few seconds. A 100,000-term list is about 200,000 tokens.
MAX_POLICY_TOKENS = 300_000

#: Most rules in one policy, counting every extended file (enforced:
#: ``policylint._lang.resolve``; ``PL218``). The
#: built-in packs together hold a few hundred.
MAX_RULES = 10_000

#: Most distinct terms in one policy's term automaton (enforced: ``policylint._compiler.compiler``;
#: ``PL218``). A policy with
#: 50,000 terms loads and runs (``tests/test_hostile_policies.py``); the automaton's memory
#: grows with the terms' total length. A term is one key of the automaton, two with an
#: apostrophe, whatever its separators (``policylint._runtime.spellings``): there is no
#: separate limit on spellings (a four-word phrase was once 27 keys, and 100,000 of them
#: 2.7 million).
MAX_TERMS = 100_000

#: Most terms materialised while resolving term lists built from other lists
#: (``terms b = a + a``), summed over every list of a policy (enforced, before each list is
#: built: ``policylint._lang.resolve``; ``PL218``). Without it, 30 doublings (670 bytes)
#: asked for 2^30 terms (24 GB), and a 100,000-link chain for five billion.
MAX_EXPANDED_TERMS = 1_000_000

#: Most digits in a number literal (enforced: ``policylint._lang.transformer``; ``PL218``).
#: Python refuses to convert an integer of over 4,300 digits; no count or threshold needs
#: more than 15 (the digits a float keeps exactly).
MAX_NUMBER_DIGITS = 15

#: Most capture groups in one regular expression (enforced at load by the compiler;
#: ``PL218``). Findings report the whole match, so groups only cost time: RE2 matching with
#: 1,000 groups took two minutes on 100,000 characters. ``(?:...)`` groups are free.
MAX_REGEX_GROUPS = 32

#: Largest RE2 program of one regular expression, in instructions (enforced at load:
#: ``policylint._compiler.compiler``; ``PL218``). Matching time grows with it; the built-in packs'
#: largest is about 50,000, and ``REGEX_MAX_MEM`` alone would allow about 350,000.
MAX_REGEX_PROGRAM = 200_000

#: Candidate names compared, in all, for the "did you mean" hints of one policy load
#: (enforced: ``policylint._model.errors.Suggester``): about a second. Each hint compares
#: a name with every candidate, so 20,000 unknown names among 10,000 rules took minutes;
#: past the budget the errors are still reported, without a hint.
MAX_SUGGESTION_COMPARISONS = 1_000_000

#: Deepest nesting of a pattern or condition: parentheses, ``not``, ``near``, ``in``
#: (enforced, approximately, on the parse tree: ``policylint._lang.parser``; ``PL218``).
#: The parser, compiler and engine walk these trees recursively, so without a bound ~300
#: levels of ``(`` ended in a ``RecursionError``.
MAX_NESTING_DEPTH = 64

#: Longest chain of ``extends`` (enforced: ``policylint._lang.resolve``, ``PL218``).
#: Cycles are refused whatever their length (``PL208``).
MAX_EXTENDS_DEPTH = 16

#: RE2's memory budget for each compiled regular expression and regex set, in bytes
#: (enforced: ``policylint._runtime.regexes``, which keeps its own copy of this number). A regex
#: whose program does not fit is refused when the policy loads (``PL301``, "pattern too
#: large"); a DFA that outgrows it at match time falls back to RE2's NFA, still linear in
#: the text.
REGEX_MAX_MEM = 8 << 20

# ---------------------------------------------------------------------------- inputs

#: Largest input file read, in bytes (enforced: ``policylint.sources.decode``). Checked
#: before reading, so a stray video or database dump costs nothing.
MAX_INPUT_BYTES = 50 * 1024 * 1024

#: Default of ``--max-post-chars`` and of the API's ``max_post_chars``: longer posts are
#: reported as input errors instead of checked (enforced: ``policylint._cli.check``,
#: ``Policy.check``/``check_many``; ``Policy.findings`` raises ``ValueError``). The longest
#: post any platform accepts is about 63,000 characters; a post at the limit checks in
#: about 2 s with every built-in pack.
MAX_POST_CHARS = 100_000

#: Deepest metadata nesting accepted from a record (enforced:
#: ``policylint.sources.jsonable``).
MAX_META_DEPTH = 100

#: Most values in one record's metadata, after YAML aliases are expanded (enforced:
#: ``policylint.sources.jsonable``; a "billion laughs" file stops here).
MAX_META_NODES = 100_000
