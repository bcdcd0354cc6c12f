"""Hostile policies: a policy file is data, and no policy may hang, exhaust or crash policylint.

Many people write policy (hub and spoke), so a policy is treated like untrusted input:

* regular expressions are RE2 (linear time, bounded memory); features that need
  backtracking are refused at load with ``path:line:col`` and a hint (PL302);
* ``extends`` stays inside the policy's own folder tree or ``builtin:`` (PL209), cycles are
  named (PL208), chains are bounded (PL218);
* nothing in a policy reads files, environment variables or the network, or runs code;
* sizes, counts and nesting are bounded (``policylint._limits``), each with a clear error;
* the parser's tables ship with policylint: no pickle is read at run time.

Timings of the ReDoS cases are printed (run with ``-s`` to see them) and asserted against a
generous bound so that a slow CI machine does not flake; docs/security.md records them.
Gaps that are not fixed yet are strict ``xfail`` tests, each naming the fix it waits for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import policylint
from policylint import PolicyError
from policylint import _limits as limits
from policylint._pipeline.policy import Policy, checker_of

#: 100 KB of "a" and a final "!": the classic input that makes backtracking engines explode
#: on nested quantifiers, since no match can end at the "!".
REDOS_TEXT = "a" * 100_000 + "!"
#: Generous: RE2 does each of these in well under a second; a slow shared CI runner must not
#: turn a pass into a flake. The real figures are printed.
REDOS_BOUND_SECONDS = 5.0

_ALTERNATION = "(?:" + "|".join(["a", "aa", *(f"a{i}" for i in range(4998))]) + ")+$"

REDOS_CASES = {
    "nested-quantifier": "(a+)+$",
    "repeated-dot-star": "(.*a){25}",
    "alternation-5000": _ALTERNATION,
}

# A tiny environment for subprocesses: no user configuration, no cache, no colour.
_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "NO_COLOR": "1",
    "POLICYLINT_NO_CACHE": "1",
    "HOME": os.environ.get("HOME", "/tmp"),
}


def load(text: str) -> Policy:
    return policylint.load_policy(text=text)


def codes(error: PolicyError) -> list[str]:
    return [d.code for d in error.diagnostics]


def run_python(
    code: str,
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    argv: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a Python snippet in a fresh interpreter; a hang past ``timeout`` fails the test."""
    try:
        return subprocess.run(
            [sys.executable, "-c", code, *(argv or [])],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env or _ENV,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {timeout} s")


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_ENV,
        stdin=subprocess.DEVNULL,
    )


# ------------------------------------------------------------------------------- ReDoS


@pytest.mark.parametrize("regex", list(REDOS_CASES.values()), ids=list(REDOS_CASES))
def test_redos_patterns_run_in_linear_time(regex: str) -> None:
    """Patterns that take exponential time in a backtracking engine finish fast on RE2."""
    name = next(k for k, v in REDOS_CASES.items() if v == regex)
    started = time.perf_counter()
    policy = load(f"rule sec.redos {{ flag /{regex}/ }}\n")
    loaded = time.perf_counter()
    report = policy.check(REDOS_TEXT)
    checked = time.perf_counter()
    for finding in report.findings:
        assert finding.match == REDOS_TEXT[finding.start : finding.end]
    print(
        f"\nReDoS {name}: load {loaded - started:.3f} s, check of {len(REDOS_TEXT):,} chars "
        f"{checked - loaded:.3f} s, {len(report.findings)} finding(s)"
    )
    assert checked - started < REDOS_BOUND_SECONDS


def test_huge_alternation_has_5000_branches() -> None:
    assert _ALTERNATION.count("|") + 1 == 5000


# ------------------------------------------------------------------------------- PL302

UNSUPPORTED = [
    ("backreference", r"(a)\1", r"\1"),
    ("lookahead", r"price(?=\d)", "(?="),
    ("negative-lookahead", r"price(?!\d)", "(?!"),
    ("lookbehind", r"(?<=\$)\d+", "(?<="),
    ("negative-lookbehind", r"(?<!no )guarantee", "(?<!"),
    ("atomic-group", r"(?>a+)b", "(?>"),
    ("possessive-star", r"a*+b", "*+"),
    ("possessive-plus", r"a++b", "++"),
]


@pytest.mark.parametrize(
    ("regex", "feature"), [(r, f) for _, r, f in UNSUPPORTED], ids=[n for n, _, _ in UNSUPPORTED]
)
def test_backtracking_features_are_refused_with_position(
    tmp_path: Path, regex: str, feature: str
) -> None:
    source = f'# a policy\nrule sec.regex {{\n  flag /{regex}/\n  message "x"\n}}\n'
    path = tmp_path / "org.policy"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(path)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "PL302"
    assert diagnostic.path == str(path)
    assert diagnostic.line == 3
    # The caret is on the feature itself, not just on the regex.
    line = source.split("\n")[2]
    assert diagnostic.column == line.index(feature) + 1
    assert diagnostic.hint and "RE2" in diagnostic.hint
    assert f"{path}:3:{diagnostic.column}: error[PL302]" in caught.value.render()


def test_refused_regex_is_a_clean_cli_error(tmp_path: Path) -> None:
    (tmp_path / "org.policy").write_text("rule a.b {\n  flag /(?<!not )sure/\n}\n")
    (tmp_path / "post.txt").write_text("sure thing\n")
    result = run_cli("check", "--isolated", "--policy", "org.policy", "post.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "org.policy:2:9: error[PL302]" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("regex", [r"(?P<w>a)(?P=w)", r"(?P<w>a)\k<w>"])
def test_named_backreferences_are_pl302(regex: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load(f"rule a.b {{ flag /{regex}/ }}\n")
    assert codes(caught.value) == ["PL302"]


@pytest.mark.parametrize("text", ["é", "a€b", "😀x"])
def test_any_byte_escape_cannot_split_a_character(text: str) -> None:
    """Either the policy is refused at load, or spans stay whole characters."""
    try:
        policy = load("rule a.b { flag /\\C/ }\n")
    except PolicyError as error:
        assert codes(error)[0] in ("PL301", "PL302")
        return
    for finding in policy.check(text).findings:
        assert finding.match == text[finding.start : finding.end]


# ------------------------------------------------------------------------------- RE2 memory


def test_regex_over_the_memory_budget_is_a_clear_error() -> None:
    with pytest.raises(PolicyError) as caught:
        load("rule a.b {\n  flag /\\pL{1000}/\n}\n")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "PL301"
    assert "too large" in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == (2, 8)


def test_regex_over_the_memory_budget_via_cli(tmp_path: Path) -> None:
    (tmp_path / "org.policy").write_text("rule a.b {\n  flag /(?:[\\pL\\pN]{500}){2}x/\n}\n")
    (tmp_path / "post.txt").write_text("hello\n")
    result = run_cli("check", "--isolated", "--policy", "org.policy", "post.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "org.policy:2:8: error[PL301]" in result.stderr
    assert "Traceback" not in result.stderr


def test_dfa_out_of_memory_is_silent_and_linear(tmp_path: Path) -> None:
    """A regex whose DFA outgrows the budget falls back to the NFA without logging.

    With RE2's default options ``[ab]*a[ab]{19}c`` prints "DFA out of memory" to stderr on
    this input; policylint compiles with ``log_errors = False`` and the result is the same.
    """
    code = textwrap.dedent(
        """
        import random, time, policylint
        random.seed(7)
        text = "".join(random.choice("ab") for _ in range(300_000)) + "a" + "b" * 19 + "c"
        policy = policylint.load_policy(text="rule a.b { flag /[ab]*a[ab]{19}c/ }\\n")
        started = time.perf_counter()
        report = policy.check(text, max_post_chars=None)  # past MAX_POST_CHARS on purpose
        print(len(report.findings), round(time.perf_counter() - started, 3))
        """
    )
    result = run_python(code, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "DFA out of memory" not in result.stderr
    assert result.stderr == ""
    count, seconds = result.stdout.split()
    print(f"\nDFA fallback on 300,000 chars: {seconds} s")
    assert int(count) == 1


def test_fifty_thousand_terms_load_and_run() -> None:
    terms = ", ".join(f'"word{i}"' for i in range(50_000))
    started = time.perf_counter()
    policy = load(f"terms big = [{terms}]\nrule a.big {{ flag big }}\n")
    loaded = time.perf_counter()
    report = policy.check("hello word49999, word7 and word")
    checked = time.perf_counter()
    print(f"\n50,000 terms: load {loaded - started:.2f} s, first check {checked - loaded:.2f} s")
    assert [f.match for f in report.findings] == ["word49999", "word7"]
    assert checked - started < 60


# ------------------------------------------------------------------------------- extends


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/tree holds the policy; tmp/outside holds a file it must never reach."""
    (tmp_path / "tree").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.policy").write_text('rule evil.rule { flag ["x"] }\n', encoding="utf-8")
    return tmp_path / "tree"


def _load_extending(tree: Path, target: str) -> PolicyError:
    path = tree / "org.policy"
    path.write_text(
        f'policy "org" {{\n  extends "{target}"\n}}\nrule org.a {{ flag ["y"] }}\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(path)
    return caught.value


@pytest.mark.parametrize(
    "target",
    ["../outside/evil.policy", "../../etc/passwd", "sub/../../outside/evil.policy"],
)
def test_extends_cannot_climb_out_of_the_tree(tree: Path, target: str) -> None:
    error = _load_extending(tree, target)
    assert codes(error) == ["PL209"]
    diagnostic = error.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (2, 11)  # the quoted target
    assert diagnostic.path.endswith("org.policy")


@pytest.mark.parametrize("target", ["/etc/passwd", "ABSOLUTE"])
def test_extends_refuses_absolute_paths(tree: Path, target: str) -> None:
    if target == "ABSOLUTE":  # an absolute path to a real policy file, inside the tree
        target = str(tree / "inside.policy")
        (tree / "inside.policy").write_text('rule in.side { flag ["x"] }\n')
    error = _load_extending(tree, target)
    assert codes(error) == ["PL209"]
    assert "relative" in error.diagnostics[0].message


def test_extends_refuses_a_symlinked_file_leading_out(tree: Path) -> None:
    (tree / "link.policy").symlink_to(tree.parent / "outside" / "evil.policy")
    error = _load_extending(tree, "link.policy")
    assert codes(error) == ["PL209"]
    assert "outside" in error.diagnostics[0].message


def test_extends_refuses_a_symlinked_folder_leading_out(tree: Path) -> None:
    (tree / "shared").symlink_to(tree.parent / "outside", target_is_directory=True)
    error = _load_extending(tree, "shared/evil.policy")
    assert codes(error) == ["PL209"]


def test_extends_reads_only_policy_files(tree: Path) -> None:
    """``extends "etc/passwd"`` from ``/`` read the file and quoted its lines in the errors."""
    (tree / "etc").mkdir()
    (tree / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    error = _load_extending(tree, "etc/passwd")
    assert codes(error) == ["PL209"]
    assert ".policy" in error.diagnostics[0].message
    assert "root:" not in error.render()


@pytest.mark.parametrize("target", ["x\\u0000", "\\ud800", "p\\u0007.policy", "\\udfff.policy"])
def test_extends_of_an_impossible_file_name_is_pl209(tree: Path, target: str) -> None:
    """Found by the grammar-aware fuzzer: a NUL or a lone surrogate in the name crashed the
    loader (ValueError, UnicodeEncodeError) instead of reporting it."""
    error = _load_extending(tree, target)
    assert codes(error) == ["PL209"]
    assert error.diagnostics[0].message.isprintable()  # the name is shown escaped


def test_text_policy_is_confined_to_the_working_folder(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    with pytest.raises(PolicyError) as caught:
        load('policy "p" { extends "../outside/evil.policy" }\n')
    assert codes(caught.value) == ["PL209"]


def test_extends_inside_the_tree_works(tree: Path) -> None:
    (tree / "team").mkdir()
    (tree / "team" / "legal.policy").write_text('rule legal.a { flag ["sue"] }\n')
    path = tree / "org.policy"
    path.write_text('policy "org" { extends "./team/legal.policy" }\n')
    assert [r.id for r in policylint.load_policy(path).rules] == ["legal.a"]


@pytest.mark.parametrize("form", ["relative", "absolute", "folder"])
def test_builtin_names_cannot_escape_the_packs(tree: Path, form: str) -> None:
    from policylint._resources import rules_dir

    evil = tree.parent / "outside" / "evil"
    name = {
        "relative": os.path.relpath(evil, rules_dir()),
        "absolute": str(evil),
        "folder": os.path.relpath(evil.parent, rules_dir()),
    }[form]
    error = _load_extending(tree, f"builtin:{name}")
    assert codes(error) == ["PL209"]


def test_extends_cycle_is_named(tree: Path) -> None:
    (tree / "a.policy").write_text('policy "a" { extends "./b.policy" }\nrule a.x { flag ["a"] }\n')
    (tree / "b.policy").write_text('policy "b" {\n  extends "./a.policy"\n}\n')
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(tree / "a.policy")
    assert codes(caught.value) == ["PL208"]
    diagnostic = caught.value.diagnostics[0]
    assert "a.policy -> b.policy -> a.policy" in diagnostic.message
    assert diagnostic.path.endswith("b.policy")
    assert (diagnostic.line, diagnostic.column) == (2, 11)  # the quoted target


def test_extends_self_is_a_cycle(tree: Path) -> None:
    (tree / "a.policy").write_text('policy "a" { extends "./a.policy" }\n')
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(tree / "a.policy")
    assert codes(caught.value) == ["PL208"]
    assert "a.policy -> a.policy" in caught.value.diagnostics[0].message


def _chain(tree: Path, length: int) -> Path:
    """f0 extends f1 extends ... f{length-1}: ``length`` files in one chain."""
    for index in range(length):
        header = (
            f'policy "f{index}" {{ extends "./f{index + 1}.policy" }}\n'
            if index + 1 < length
            else ""
        )
        (tree / f"f{index}.policy").write_text(header + f'rule r.f{index} {{ flag ["w"] }}\n')
    return tree / "f0.policy"


def test_extends_chain_at_the_limit_loads(tree: Path) -> None:
    policy = policylint.load_policy(_chain(tree, limits.MAX_EXTENDS_DEPTH))
    assert len(policy.rules) == limits.MAX_EXTENDS_DEPTH


def test_extends_chain_past_the_limit_is_pl218(tree: Path) -> None:
    from policylint._limits import MAX_EXTENDS_DEPTH

    assert MAX_EXTENDS_DEPTH == limits.MAX_EXTENDS_DEPTH
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(_chain(tree, limits.MAX_EXTENDS_DEPTH + 1))
    assert codes(caught.value) == ["PL218"]
    assert str(limits.MAX_EXTENDS_DEPTH) in caught.value.diagnostics[0].message


# ------------------------------------------------------------------------------- no effects


class _Audit:
    """Records audit events (PEP 578) raised while ``active``: file opens, sockets, processes,
    code compiled or executed. A hook cannot be removed, so it is installed once and gated."""

    WATCHED = (
        "open",
        "socket.",
        "subprocess.",
        "os.system",
        "os.exec",
        "os.spawn",
        "os.posix_spawn",
        "exec",
        "compile",
        "urllib.",
        "http.",
        "ctypes.",
    )

    def __init__(self) -> None:
        self.active = False
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        sys.addaudithook(self.hook)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event.startswith(self.WATCHED):
            self.events.append((event, args))

    def __enter__(self) -> _Audit:
        self.events = []
        self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.active = False


_AUDIT: _Audit | None = None


@pytest.fixture
def audit() -> Iterator[_Audit]:
    global _AUDIT
    if _AUDIT is None:
        _AUDIT = _Audit()
    yield _AUDIT


def _own_file(event: tuple[str, tuple[Any, ...]]) -> bool:
    from policylint._cache.folder import cache_dir
    from policylint._resources import grammar_path, rules_dir

    name, args = event
    if name != "open" or not isinstance(args[0], str | Path):
        return False
    opened = Path(args[0]).resolve()
    allowed = [grammar_path().parent, rules_dir(), Path(policylint.__file__).parent]
    directory = cache_dir()
    if directory is not None:
        allowed.append(directory)
    return any(opened.is_relative_to(Path(root).resolve()) for root in allowed)


HOSTILE_STRINGS = textwrap.dedent(
    """
    policy "leaky" {
      description "reads /etc/passwd and $HOME, calls http://example.com/x, runs `id`"
    }
    setting org.secret = "/etc/shadow"
    terms files = ["/etc/passwd", "file:///etc/passwd", "~/.ssh/id_rsa", "$HOME", "${PATH}",
                   "__import__('os').system('touch pwned')", "{{7*7}}", "%(x)s"]
    rule leak.files {
      severity error
      owner "http://169.254.169.254/latest/meta-data/"
      reference "RFC" "file:///etc/passwd"
      message "found {match} in {meta.HOME} {meta.PATH} {org.secret} {{HOME}}"
      flag files or /\\/etc\\/passwd/ or detect(url)
      unless allow ["/etc/hosts"]
      suggest "`rm -rf /`"
      example fail "see /etc/passwd"
    }
    rule leak.when {
      when meta.PATH == "/usr/bin" or contains ["$(id)"]
      message "{meta.USER}"
    }
    """
)


def test_policy_constructs_read_nothing_and_run_nothing(
    audit: _Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYLINT_SECRET_PROBE", "s3cr3t-value")
    post = "cat /etc/passwd; echo $HOME ${PATH} $(id) http://example.com/x __import__"
    # Warm up: lazy imports and the cached grammar open files the first time only.
    load(HOSTILE_STRINGS).check(post)
    with audit:
        policy = load(HOSTILE_STRINGS)
        report = policy.check(post, meta={"PATH": "/usr/bin"})
        examples = policy.run_examples()
    # Only policylint's own files (the grammar, the packs, the per-user cache) are opened.
    assert [e for e in audit.events if not _own_file(e)] == []
    assert not (tmp_path / "pwned").exists()
    assert all(result.passed for result in examples)
    messages = " ".join(f.message for f in report.findings)
    assert "/etc/passwd" in messages  # the match, echoed as text
    assert os.environ.get("HOME", "/nonexistent-home") not in messages.replace("/etc", "")
    assert "s3cr3t-value" not in report.model_dump_json()
    assert "root:" not in report.model_dump_json()  # nothing of /etc/passwd's content


def test_environment_is_not_a_placeholder() -> None:
    with pytest.raises(PolicyError) as caught:
        load('rule a.b { message "{HOME} {PATH}" flag ["x"] }\n')
    assert set(codes(caught.value)) == {"PL215"}


def test_no_network_or_process_during_cli_check(tmp_path: Path) -> None:
    """The whole CLI run, in a fresh interpreter: no socket, no subprocess, no file outside
    the policy, the posts and Python's own modules."""
    (tmp_path / "org.policy").write_text(HOSTILE_STRINGS)
    (tmp_path / "post.txt").write_text("cat /etc/passwd http://example.com/\n")
    code = textwrap.dedent(
        """
        import sys, runpy
        bad = []
        def hook(event, args):
            if event.startswith(("socket.", "subprocess.", "os.system", "os.exec",
                                 "os.posix_spawn", "os.spawn", "urllib.", "http.")):
                bad.append(event)
            if event == "open" and isinstance(args[0], str) and (
                args[0].startswith(("/etc", "/proc/self/environ")) or "ssh" in args[0]
            ):
                bad.append(("open", args[0]))
        sys.addaudithook(hook)
        sys.argv = ["policylint", "check", "--isolated", "--policy", "org.policy",
                    "--format", "json", "post.txt"]
        try:
            runpy.run_module("policylint", run_name="__main__")
        except SystemExit as exit:
            code = exit.code
        print("AUDIT", bad, file=sys.stderr)
        sys.exit(code)
        """
    )
    result = run_python(code, timeout=120, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "AUDIT []" in result.stderr


# ------------------------------------------------------------------------------- limits


def _assert_limit_error(source: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load(source)
    assert "PL218" in codes(caught.value)


def test_policy_size_is_limited() -> None:
    padding = "# " + "x" * limits.MAX_POLICY_BYTES + "\n"
    _assert_limit_error(padding + 'rule a.b { flag ["x"] }\n')


def test_rule_count_is_limited() -> None:
    rules = "".join(f'rule r.n{i} {{ flag ["w{i}"] }}\n' for i in range(limits.MAX_RULES + 1))
    _assert_limit_error(rules)


def test_term_count_is_limited() -> None:
    terms = ",".join(f'"t{i}"' for i in range(limits.MAX_TERMS + 1))
    _assert_limit_error(f"terms big = [{terms}]\nrule a.b {{ flag big }}\n")


_BOUNDED_LOAD = textwrap.dedent(
    """
    import resource, sys, time
    limit = int(sys.argv[2]) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import policylint
    started = time.perf_counter()
    try:
        policylint.load_policy(sys.argv[1])
        codes = "loaded"
    except policylint.PolicyError as error:
        codes = ",".join(sorted({d.code for d in error.diagnostics}))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(codes, round(seconds, 2), peak)
    """
)


def bounded_load(
    source: str, tmp_path: Path, *, memory_mb: int = 2048, timeout: float = 120
) -> tuple[str, float, int]:
    """Load ``source`` in a fresh interpreter limited to ``memory_mb`` of address space:
    (the codes of its errors or "loaded", seconds, peak RSS in MB). A MemoryError, a crash or
    a hang past ``timeout`` fails the test."""
    path = tmp_path / "hostile.policy"
    path.write_text(source, encoding="utf-8")
    done = run_python(
        _BOUNDED_LOAD, timeout=timeout, cwd=tmp_path, argv=[str(path), str(memory_mb)]
    )
    assert done.returncode == 0, done.stderr[-2000:]
    codes, seconds, peak = done.stdout.split()
    return codes, float(seconds), int(peak)


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits")
def test_term_lists_that_double_each_other_stay_small(tmp_path: Path) -> None:
    """30 lines of ``terms t{i+1} = t{i} + t{i}`` (670 bytes) asked for 2^30 terms: 24 GB."""
    lines = ['terms t0 = ["a"]'] + [f"terms t{i + 1} = t{i} + t{i}" for i in range(30)]
    source = "\n".join(lines) + "\nrule a.b { flag t30 }\n"
    codes, seconds, peak = bounded_load(source, tmp_path, memory_mb=1024)
    print(f"\n30 doublings ({len(source)} bytes): {codes}, {seconds} s, peak {peak} MB")
    assert codes == "loaded"  # each list holds its distinct terms once


def test_a_chain_of_term_lists_is_bounded_while_it_is_built() -> None:
    """``t{i+1} = t{i} + ["a{i}"]`` copies ever longer lists: their sizes are summed as the
    lists are resolved, and the first list past the bound is the error."""
    lines = ['terms t0 = ["a"]'] + [f'terms t{i + 1} = t{i} + ["a{i}"]' for i in range(2_000)]
    with pytest.raises(PolicyError) as caught:
        load("\n".join(lines) + "\nrule a.b { flag t2000 }\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "PL218"
    # t1 .. tn hold 2 .. n+1 terms: n(n+3)/2 passes the bound at n = 1,413
    assert "'t1413'" in diagnostic.message and diagnostic.line == 1_414
    assert f"{limits.MAX_EXPANDED_TERMS:,}" in diagnostic.message


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits")
def test_a_100000_link_chain_of_term_lists_is_bounded(tmp_path: Path) -> None:
    lines = ['terms t0 = ["a"]'] + [f'terms t{i + 1} = t{i} + ["a{i}"]' for i in range(100_000)]
    source = "\n".join(lines) + "\nrule a.b { flag t100000 }\n"
    codes, seconds, peak = bounded_load(source, tmp_path)
    print(f"\n100,000-link chain ({len(source):,} bytes): {codes}, {seconds} s, peak {peak} MB")
    assert codes == "PL218"


def test_a_phrase_is_one_key_whatever_its_spellings() -> None:
    """A four-word phrase once made 27 keys of the automaton (every spelling of its
    separators): 100,000 phrases built 2.7 million (31 s, 884 MB, a 78 MB cache entry). A
    term is now one key, two with an apostrophe, and its spellings are checked on a hit."""
    count = 400_000 // 27 + 1
    words = [_letters(i) for i in range(count)]
    phrases = ", ".join(f'"w{w} x{w} y{w} z{w}"' for w in words)
    policy = load(f'terms p = [{phrases}, "can\'t lose"]\nrule a.b {{ flag p }}\n')
    terms = checker_of(policy).engine.executable.terms
    assert len(terms) == count + 1 and len(terms.keys()) == count + 2
    found = policy.check("wh-xh yhzh, wixiyizi and cant lose").findings
    assert [f.match for f in found] == ["wh-xh yhzh", "wixiyizi", "cant lose"]


def _letters(n: int) -> str:
    """A number in letters (digits fold like leetspeak): 0 -> a, 12 -> bc."""
    return "".join(chr(ord("a") + int(d)) for d in str(n))


def test_thousands_of_phrases_load_and_match_their_spellings() -> None:
    phrases = ", ".join(f'"risk{_letters(i)} free fund now"' for i in range(2_000))
    policy = load(f"terms p = [{phrases}]\nrule a.b {{ flag p }}\n")
    found = policy.check("so riskbh-free fundnow it is").findings
    assert [f.match for f in found] == ["riskbh-free fundnow"]


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits")
def test_tokens_per_file_are_limited(tmp_path: Path) -> None:
    """100,000 ``or`` alternatives (1.4 MB) took 52-80 s to load: parsing costs per token,
    and tokens are now counted while parsing."""
    alternatives = " or ".join(f'["a{i}"]' for i in range(100_000))
    source = f"rule a.b {{ flag {alternatives} }}\n"
    codes, seconds, peak = bounded_load(source, tmp_path)
    print(f"\n100,000 'or' alternatives: {codes}, {seconds} s, peak {peak} MB")
    assert codes == "PL218"


def test_the_token_limit_points_at_the_token_past_it() -> None:
    terms = ", ".join(f'"t{i}"' for i in range(limits.MAX_POLICY_TOKENS // 2))
    with pytest.raises(PolicyError) as caught:
        load(f"# {limits.MAX_POLICY_TOKENS:,} tokens and more\nterms big = [{terms}]\n")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("PL218", 2)
    line = f"terms big = [{terms}]"
    assert line[diagnostic.column - 1 :].startswith(",") or line[diagnostic.column - 1] == '"'


@pytest.mark.parametrize(
    "source",
    [
        "setting x = " + "1" * 5_000,  # int() refuses over 4,300 digits
        "setting x = 0." + "1" * 5_000,
        'rule a.b { flag ["x"] near ["y"] within ' + "9" * 5_000 + " words }",
        'rule a.b { flag ["x"] in first ' + "9" * 20 + " chars }",
        "rule a.b { when length > " + "7" * 16 + " }",
    ],
    ids=["int", "float", "within", "first", "compare"],
)
def test_numbers_with_too_many_digits_are_pl218(source: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load(source + "\n")
    assert codes(caught.value) == ["PL218"]
    assert "digits" in caught.value.diagnostics[0].message


def test_capture_groups_are_bounded_at_load(tmp_path: Path) -> None:
    """Matching with captures costs per group (1,000 groups: two minutes on 100,000
    characters); findings report the whole match, so (?:...) is free."""
    groups = "(a)" * (limits.MAX_REGEX_GROUPS + 1)
    source = f"# many groups\nrule a.b {{\n  flag /x{groups}/\n}}\n"
    path = tmp_path / "org.policy"
    path.write_text(source)
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "PL218"
    # the caret is on the first group past the limit
    column = source.split("\n")[2].index("/") + 2 + 1 + 3 * limits.MAX_REGEX_GROUPS
    assert (diagnostic.line, diagnostic.column) == (3, column)
    assert f"{path}:3:{column}: error[PL218]" in caught.value.render()
    load(f"rule a.b {{ flag /x{'(a)' * limits.MAX_REGEX_GROUPS}/ }}\n")
    load(f"rule a.b {{ flag /x{'(?:a)' * 1_000}/ }}\n")


def test_regex_programs_are_bounded_at_load() -> None:
    with pytest.raises(PolicyError) as caught:
        load("rule a.b {\n  flag /\\pL{200}/\n}\n")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("PL218", 2, 8)
    assert "instructions" in diagnostic.message
    load("rule a.b { flag /\\pL{100}/ }\n")


def test_a_policy_path_that_names_no_file_is_pl100(tmp_path: Path) -> None:
    """From a configuration file: ``policy = "p\\u0000.policy"`` crashed the check."""
    (tmp_path / ".policylint.toml").write_text('policy = "p\\u0000.policy"\n')
    (tmp_path / "post.txt").write_text("hello\n")
    result = run_cli("check", "post.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "error[PL100]" in result.stderr and "Traceback" not in result.stderr
    for path in ("p\x00.policy", "\ud800.policy"):
        with pytest.raises(PolicyError) as caught:
            policylint.load_policy(path)
        assert codes(caught.value) == ["PL100"]


def test_globs_find_their_rules_without_matching_every_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each ``severity``/``disable`` glob was matched against every rule id: 10,000 rules
    and 20,000 globs took minutes. A glob is a dotted prefix, found by bisection."""
    from types import SimpleNamespace

    from policylint._lang import resolved

    def no_fnmatch(name: str, pattern: str) -> bool:
        raise AssertionError(f"{pattern!r} matched against {name!r} one by one")

    monkeypatch.setattr(resolved, "fnmatch", SimpleNamespace(fnmatchcase=no_fnmatch))
    header = 'policy "p" {\n  severity a.* info\n  disable a.b.*, c.*\n}\n'
    rules = "".join(f'rule {r} {{ flag ["w"] }}\n' for r in ("a.x", "a.b.y", "ab.z", "c.d"))
    policy = load(header + rules)
    assert {(r.id, r.severity.value) for r in policy.rules} == {
        ("a.x", "info"),
        ("ab.z", "warning"),
    }


def test_did_you_mean_hints_have_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hint compares a name with every candidate; past the load's budget the errors stay
    and the hints go, so 2,000 unknown names among 2,000 rules stay linear."""
    import difflib

    compared: list[int] = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    monkeypatch.setattr(limits, "MAX_SUGGESTION_COMPARISONS", 100_000)
    header = 'policy "p" {\n' + "".join(f"  disable r{i}.xx\n" for i in range(2_000)) + "}\n"
    rules = "".join(f'rule r{i}.x {{ flag ["w"] }}\n' for i in range(2_000))
    with pytest.raises(PolicyError) as caught:
        load(header + rules)
    assert codes(caught.value) == ["PL207"] * 2_000
    assert sum(compared) <= 100_000
    assert caught.value.diagnostics[0].hint and "did you mean" in caught.value.diagnostics[0].hint


NESTED = {
    "pattern-parens": lambda n: "rule a.b { flag " + "(" * n + '["x"]' + ")" * n + " }\n",
    "condition-parens": lambda n: "rule a.b { when " + "(" * n + "meta.x" + ")" * n + " }\n",
    "not-chain": lambda n: "rule a.b { when " + "not " * n + "meta.x }\n",
    "scoped-chain": lambda n: (
        "rule a.b { flag " + "(" * n + '["x"]' + " in first 5 words)" * n + " }\n"
    ),
}


@pytest.mark.parametrize("shape", list(NESTED))
def test_moderate_nesting_works(shape: str) -> None:
    policy = load(NESTED[shape](20))
    policy.check("x y z", meta={"x": True})


@pytest.mark.parametrize("depth", [1_000, 10_000])
@pytest.mark.parametrize("shape", list(NESTED))
def test_deep_nesting_is_a_clear_error(shape: str, depth: int) -> None:
    try:
        load(NESTED[shape](depth))
    except PolicyError as error:
        assert "PL218" in codes(error)
        return
    pytest.fail("a policy nested past the limit was accepted")


def test_nesting_at_the_limit_is_accepted_or_refused_cleanly() -> None:
    """Whatever the limit, the depth a real policy might use never crashes."""
    try:
        load(NESTED["pattern-parens"](limits.MAX_NESTING_DEPTH)).check("x")
    except PolicyError as error:
        assert "PL218" in codes(error)


EVALUATION_BUDGET_POLICY = textwrap.dedent(
    """
    rule a.near { flag ["ab"] near ["cd"] within 3 words }
    rule a.notnear { flag ["ab"] not near ["cd"] within 3 words }
    rule a.after { flag ["ab"] followed by ["cd"] within 3 words }
    rule a.unless { flag ["cd"] unless preceded by ["ab"] within 0 words }
    """
)


def test_proximity_is_bounded_on_a_long_post(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import time, policylint
        policy = policylint.load_policy(text={EVALUATION_BUDGET_POLICY!r})
        text = "ab cd " * 20_000
        started = time.perf_counter()
        report = policy.check(text, max_post_chars=None)  # past MAX_POST_CHARS on purpose
        print(len(report.findings), round(time.perf_counter() - started, 2))
        """
    )
    result = run_python(code, timeout=15, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    count, seconds = result.stdout.split()
    print(f"\nproximity rules on a 120 KB post (20,000 pairs): {seconds} s")
    # near and followed-by flag every "ab"; not-near none; every "cd" is excused.
    assert int(count) == 40_000


# ------------------------------------------------------------------------------- the cache


#: The name an earlier policylint gave Lark's pickled parser in the cache folder.
_OLD_GRAMMAR_CACHE = "grammar-0123456789abcdef.lark"


def _poisoned_pickle(marker: Path) -> bytes:
    """A pickle that creates ``marker`` when loaded: what a cache-poisoning attacker writes."""
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (open, (str(marker), "w"))

    return b"0" * 64 + b"\n" + pickle.dumps(Payload())


def _check_with_cache(cache: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    (cwd / "org.policy").write_text('rule a.b { severity error flag ["x"] }\n')
    (cwd / "post.txt").write_text("x marks the spot\n")
    env = {k: v for k, v in _ENV.items() if k != "POLICYLINT_NO_CACHE"}
    env["POLICYLINT_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "policylint",
            "check",
            "--isolated",
            "--policy",
            "org.policy",
            "--format",
            "json",
            "post.txt",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _grammar_cache_names() -> list[str]:
    """Every name Lark could give its cache file for policylint's grammar, whatever the
    options' hash: a planted file under any of them must stay unread."""
    import hashlib

    import lark

    from policylint._resources import grammar_path

    grammar = grammar_path().read_text(encoding="utf-8")
    digest = hashlib.sha256((grammar + lark.__version__).encode()).hexdigest()[:16]
    return [_OLD_GRAMMAR_CACHE, f"grammar-{digest}.lark"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o777, 0o700])
def test_a_planted_grammar_pickle_is_never_loaded(tmp_path: Path, mode: int) -> None:
    """Not in a shared folder, and not even in the user's own private one: the parser's
    tables ship with policylint and no pickle is read at run time."""
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(mode)
    marker = tmp_path / "pwned"
    for name in _grammar_cache_names():
        (cache / name).write_bytes(_poisoned_pickle(marker))
    result = _check_with_cache(cache, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o707])
def test_cache_dir_writable_by_others_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    from policylint._cache import folder as cachedir

    shared = tmp_path / "cache"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(shared))
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    assert cachedir.cache_dir.__wrapped__() is None
    shared.chmod(0o700)
    assert cachedir.cache_dir.__wrapped__() == shared


# The compiled-policy cache (JSON entries in the same private folder).

_CACHED_POLICY = (
    'terms t = ["guarantee*"]\n'
    'rule a.b { flag t or /\\d+%/ unless preceded by ["not"] within 1 words }\n'
)
_CACHED_POST = "Guaranteed 12% and not guaranteed"


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from policylint._cache import folder as cachedir

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    cachedir.cache_dir.cache_clear()
    yield folder
    cachedir.cache_dir.cache_clear()


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def _matches() -> list[tuple[int, int, str]]:
    report = load(_CACHED_POLICY).check(_CACHED_POST)
    return [(f.start, f.end, f.match) for f in report.findings]


CORRUPTIONS: dict[str, Callable[[str], str]] = {
    "truncated": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "binary": lambda text: "\x00\x01\x02",
    "not-an-object": lambda text: "[1, 2, 3]",
    "foreign-class": lambda text: text.replace('"@":"CompiledRule"', '"@":"Popen"'),
    "dunder-class": lambda text: text.replace('"@":"CompiledRule"', '"@":"__class__"'),
    "extra-field": lambda text: text.replace(
        '"@":"CompiledRule"', '"@":"CompiledRule","__reduce__":"os.system"'
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupt_policy_cache_entry_is_ignored(private_cache: Path, corruption: str) -> None:
    expected = _matches()
    entries = _entries(private_cache)
    if not entries:
        pytest.skip("this build keeps no compiled-policy cache entries")
    for entry in entries:
        entry.write_text(CORRUPTIONS[corruption](entry.read_text(encoding="utf-8")))
    assert _matches() == expected
    # ... and rebuilt: the next run finds a well-formed entry again.
    rebuilt = [json.loads(e.read_text(encoding="utf-8")) for e in _entries(private_cache)]
    assert any(isinstance(data, dict) and data.get("rules") for data in rebuilt)
    assert _matches() == expected


# ------------------------------------------------------------------------------- fuzzing

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
FUZZ_POST = "Guaranteed returns! #ad @boss http://example.com 555-1234 😀"


def _policy_generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("policygen", FUZZ / "policygen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PolicyGenerator()


def _load_or_fail_cleanly(text: str) -> None:
    try:
        policy = load(text)
    except PolicyError as error:
        error.render()
        return
    policy.check(FUZZ_POST)


def test_grammar_generated_policies_load_or_fail_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seeded run of the grammar-aware generator behind fuzz/fuzz_grammar.py: 500 policies
    written from the grammar with hostile values. Its first 1,000 seeds found the three
    crashes of the old loader (numbers of over 4,300 digits, extends "x\\u0000" and
    extends "\\ud800")."""
    import random

    monkeypatch.chdir(tmp_path)
    generator = _policy_generator()
    for seed in range(500):
        _load_or_fail_cleanly(generator.generate(random.Random(seed).randrange))


@pytest.mark.parametrize(
    "seed", sorted((FUZZ / "corpus" / "parser").glob("*.policy")), ids=lambda p: p.name
)
def test_the_parser_fuzzer_seeds_load_or_fail_cleanly(
    seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed corpus holds the inputs that once crashed the loader (crash_*.policy)."""
    monkeypatch.chdir(tmp_path)
    _load_or_fail_cleanly(seed.read_bytes().decode("utf-8", "replace"))


# ------------------------------------------------------------------------------- regressions
# Inputs that the property tests and fuzzers found crashing the loader with something other
# than a PolicyError. Each stays here, reduced to its minimum.


def test_unknown_detector_with_an_allow_list_is_pl205() -> None:
    with pytest.raises(PolicyError) as caught:
        load('rule a.b { flag detect(hone) unless allow ["x"] }\n')
    assert codes(caught.value) == ["PL205"]


def test_unknown_level_in_a_severity_override_is_pl204() -> None:
    with pytest.raises(PolicyError) as caught:
        load('policy "p" {\n  severity a.b fatal\n}\nrule a.b { flag ["x"] }\n')
    assert codes(caught.value) == ["PL204"]
    assert caught.value.diagnostics[0].line == 2


@pytest.mark.parametrize(("regex", "text"), [(r"\w*\B", "1⁄2XII"), (r"a?\w*\B", "½Ⅻ")])
def test_regex_spans_after_an_empty_match_before_a_wide_character(regex: str, text: str) -> None:
    """Found by a random-regex fuzz: NFKC turns ½ into 1⁄2, whose ⁄ is 3 bytes in UTF-8."""
    for finding in load(f"rule a.b {{ flag /{regex}/ }}\n").check(text).findings:
        assert finding.match == text[finding.start : finding.end]


def test_regex_prefilter_never_hides_a_match() -> None:
    """After a warm-up, regexes are prefiltered with RE2 sets, whose DFA can run out of
    memory; findings must be the same on the 1st and the 21st check of the same posts."""
    import random

    rng = random.Random(11)
    regexes = [f"[ab]*a[ab]{{{k}}}c" for k in range(5, 25)]
    regexes += [f"w{i}[0-9]+x" for i in range(30)] + ["(a+)+$", "(.*a){25}"]
    rules = "".join(f"rule r.n{i} {{ flag /{rx}/ }}\n" for i, rx in enumerate(regexes))
    policy = load(rules)
    posts = [
        "".join(rng.choice("ab") for _ in range(10_000)) + "a" + "b" * 19 + "c",
        "w7123x and w29 9x w0 0x",
        "a" * 20_000 + "!",
    ]
    first = [policy.check(post).findings for post in posts]
    assert any(first)
    for _ in range(20):  # past the warm-up (16 posts), into the prefilter
        assert [policy.check(post).findings for post in posts] == first
