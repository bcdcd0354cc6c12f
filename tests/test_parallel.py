"""Checking posts on a pool of worker processes (policylint._pipeline.pool, driven by the
pipeline's stream): in order, streaming, with per-post errors, the policy loaded in each worker
from its recipe."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import policylint
from policylint import PolicyMismatchError
from policylint._model.posts import InputError, Post, SourceLocation
from policylint._model.reports import Finding
from policylint._model.severity import Severity
from policylint._pipeline import pool, recipe
from policylint._pipeline.policy import checker_of
from policylint._pipeline.run import PostChecker, check_stream
from policylint._pipeline.waivers import WaiverOptions

POLICY = """
terms guarantees = ["guarantee*", "risk-free"]

rule fin.promise {
  category regulatory
  severity error
  message  "Promissory claim '{match}'"
  flag     guarantees near ["return*", "profit*"] within 4 words
  unless   preceded by ["not", "never"] within 2 words
}

rule fin.hype {
  category tone
  severity warning
  flag ["moon", "lambo", "to the moon"]
}

rule contact.phone {
  category privacy
  severity error
  flag detect(phone)
}

rule x.length {
  category platform
  when platform == "x" and length > 40
}
"""

TEXTS = [
    "Guaranteed returns for everyone!",
    "Returns are never guaranteed.",
    "Nothing to see here.",
    "Risk-free profits, straight to the moon",
    "Call Ben on +44 7911 123456 about the lambo",
    "",
    "A perfectly ordinary sentence about gardening and the weather today.",
]


def _posts(count: int) -> list[Post]:
    return [
        Post(id=f"p{i}", text=TEXTS[i % len(TEXTS)] + f" #{i}", platform="x" if i % 2 else None)
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def policy() -> policylint.Policy:
    return policylint.load_policy(POLICY)


class Checked(NamedTuple):
    """A result of the stream, numbered."""

    index: int
    post: Post
    findings: list[Finding]
    error: InputError | None


def check_many(policy: policylint.Policy, posts: Iterable[Post | str], **options: Any) -> Any:
    """The pipeline's stream over ``policy``'s checker, strings made posts, each result
    numbered; options go to ``check_stream`` (``jobs``, ``chunk_size``, ``in_flight``...)."""
    items = (Post(p) if isinstance(p, str) else p for p in posts)
    options.setdefault("max_post_chars", None)  # the pool's machinery, not the post limit
    results = check_stream(checker_of(policy), items, **options)

    def numbered() -> Iterator[Checked]:
        try:
            for index, result in enumerate(results):
                assert result.post is not None
                yield Checked(index, result.post, result.findings, result.error)
        finally:
            results.close()  # type: ignore[attr-defined]

    return numbered()


def _sequential(policy: policylint.Policy, posts: Sequence[Post]) -> list[list[Finding]]:
    return [policy.check(post).findings for post in posts]


def _results(checked: list[Checked]) -> list[list[Finding]]:
    out = []
    for item in checked:
        assert item.error is None, item.error
        out.append(item.findings)
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_order_and_findings_match_the_sequential_engine(
    policy: policylint.Policy, jobs: int
) -> None:
    posts = _posts(200)
    checked = list(check_many(policy, posts, jobs=jobs, chunk_size=7))
    assert [c.index for c in checked] == list(range(200))
    assert [c.post.id for c in checked] == [p.id for p in posts]
    assert all(c.post is p for c, p in zip(checked, posts, strict=True))
    assert _results(checked) == _sequential(policy, posts)
    assert sum(len(c.findings) for c in checked) > 50  # the corpus does trip the rules


def test_strings_are_checked_as_posts(policy: policylint.Policy) -> None:
    checked = list(policy.check_many(["Guaranteed returns!", "Fine."], jobs=2, chunk_size=1))
    assert [c.post.text for c in checked if c.post] == ["Guaranteed returns!", "Fine."]
    assert [f.match for f in checked[0].findings] == ["Guaranteed"]
    assert checked[1].findings == []
    assert checked[0].error is None


def test_results_are_post_findings_error(policy: policylint.Policy) -> None:
    for post, findings, error in policy.check_many(["risk-free returns"], jobs=1):
        assert post is not None and post.text == "risk-free returns"
        assert error is None
        assert findings[0].rule == "fin.promise"


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_keep_their_posts_and_sources(policy: policylint.Policy, jobs: int) -> None:
    posts = [
        Post(text=t, id=f"d{i}", source=SourceLocation("drafts.jsonl", i + 1, 10, True))
        for i, t in enumerate(TEXTS)
    ]
    checked = list(check_many(policy, [*posts, "Guaranteed returns"], jobs=jobs, chunk_size=3))
    assert [c.index for c in checked] == list(range(len(TEXTS) + 1))
    assert checked[-1].post == Post(text="Guaranteed returns")
    for item, post in zip(checked, posts, strict=False):
        assert item.post is post
        assert item.error is None
        assert item.findings == checker_of(policy).check(post)
        assert all(isinstance(f, Finding) for f in item.findings)
    assert checked[0].findings[0].path == "drafts.jsonl"


def test_a_post_that_cannot_be_checked_is_an_input_error(policy: policylint.Policy) -> None:
    (item,) = check_many(policy, [_bad_post()], jobs=1)
    assert isinstance(item.error, InputError)
    assert item.findings == []
    assert "post bad" in item.error.message


def _bad_post() -> Post:
    # A post that slipped past validation: checking it raises inside the engine.
    return Post(None, id="bad")  # type: ignore[arg-type]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_in_one_post_is_that_posts_error(policy: policylint.Policy, jobs: int) -> None:
    posts: list[Post] = [*_posts(10), _bad_post(), *_posts(10)]
    checked = list(check_many(policy, posts, jobs=jobs, chunk_size=4))
    assert len(checked) == 21
    error = checked[10].error
    assert isinstance(error, InputError)
    assert "post bad" in error.message
    assert "TypeError" in error.message
    assert checked[10].findings == []
    good = [c for c in checked if c.index != 10]
    assert all(c.error is None for c in good)
    assert _results(good) == _sequential(policy, [c.post for c in good])


def test_an_error_points_at_the_posts_source(policy: policylint.Policy) -> None:
    where = SourceLocation(path="posts.jsonl", line=7, column=12)
    bad = Post(None, source=where)  # type: ignore[arg-type]
    (checked,) = check_many(policy, [bad], jobs=1)
    assert checked.error is not None
    assert (checked.error.path, checked.error.line, checked.error.column) == ("posts.jsonl", 7, 12)
    assert "post #1" in checked.error.message


def test_policy_loaded_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fin.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "acme.policy").write_text(
        'policy "acme" {\n  extends "./fin.policy"\n  severity fin.hype error\n}\n'
        'rule acme.launch { category legal flag ["launch*"] }\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    loaded = policylint.load_policy("acme.policy")  # relative: workers must still find it
    assert {r.id for r in loaded.rules} == {
        "fin.promise",
        "fin.hype",
        "contact.phone",
        "x.length",
        "acme.launch",
    }
    monkeypatch.chdir(Path(__file__).parent)
    posts = [*_posts(30), Post(text="We launch a risk-free rocket to the moon")]
    checked = list(check_many(loaded, posts, jobs=2, chunk_size=5))
    assert _results(checked) == _sequential(loaded, posts)
    last = checked[-1].findings
    assert {f.rule for f in last} == {"fin.hype", "acme.launch"}
    assert {f.severity for f in last if f.rule == "fin.hype"} == {Severity.ERROR}


def test_a_selection_reaches_the_workers(policy: policylint.Policy) -> None:
    chosen = policy.select(["fin.*", "platform"], ignore=["fin.hype"])
    assert [r.id for r in chosen.rules] == ["fin.promise", "x.length"]
    posts = _posts(60)
    checked = list(check_many(chosen, posts, jobs=2, chunk_size=8))
    assert _results(checked) == _sequential(chosen, posts)
    rules = {f.rule for c in checked for f in c.findings}
    assert rules == {"fin.promise", "x.length"}


def test_waiver_options_reach_the_workers(policy: policylint.Policy) -> None:
    waived = Post("policylint: disable=fin.hype -- quoting a fan\nGuaranteed returns", id="w")
    posts = [*_posts(12), waived] * 3
    checker = checker_of(policy).with_options(WaiverOptions(report_unused=True))
    in_process = [r.findings for r in check_stream(checker, posts, jobs=1)]
    in_workers = [r.findings for r in check_stream(checker, posts, jobs=2, chunk_size=5)]
    assert in_workers == in_process
    assert any("unused waiver" in f.message for f in in_workers[12])


def test_workers_rebuild_the_policy_from_its_recipe(policy: policylint.Policy) -> None:
    # spawn: nothing is inherited, so the workers really reload the policy from the recipe.
    context = multiprocessing.get_context("spawn")
    posts = _posts(40)
    checked = list(check_many(policy, posts, jobs=2, chunk_size=10, mp_context=context))
    assert _results(checked) == _sequential(policy, posts)


def test_a_recipe_replays_how_the_policy_was_loaded_and_selected(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    # a setting given to load_policy must be one the policy declares
    path.write_text('setting organisation.name = ""\n' + POLICY, encoding="utf-8")
    loaded = policylint.load_policy(str(path), settings={"organisation.name": "Acme"})
    chosen = loaded.select(["fin.*"])
    made = checker_of(chosen).recipe
    assert made.spec.source == str(path)
    assert made.spec.settings == {"organisation.name": "Acme"}
    assert made.selection == ("fin.promise", "fin.hype")
    recipe._CACHE.clear()
    rebuilt = recipe.load_engine(made)
    assert [r.info.id for r in rebuilt.rules] == ["fin.promise", "fin.hype"]
    assert recipe.load_engine(made) is rebuilt  # once per process


def test_a_policy_pickles_as_its_recipe(policy: policylint.Policy) -> None:
    import pickle

    chosen = policy.select(["fin.*"])
    data = pickle.dumps(chosen)
    assert len(data) < 5_000  # how to load it, never the compiled automata
    copy = pickle.loads(data)
    assert [r.id for r in copy.rules] == [r.id for r in chosen.rules]
    assert copy.check("Guaranteed returns!") == chosen.check("Guaranteed returns!")


def test_a_policy_changed_on_disk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    made = checker_of(policylint.load_policy(str(path))).recipe
    path.write_text(POLICY.replace("rule fin.hype", "rule fin.hyped"), encoding="utf-8")
    recipe._CACHE.clear()
    with pytest.raises(PolicyMismatchError, match="different policy"):
        recipe.load_engine(made)


def test_a_policy_that_fails_in_the_workers_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    loaded = policylint.load_policy(str(path))
    path.write_text("rule broken {", encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    with pytest.raises(policylint.PolicyError):
        list(check_many(loaded, _posts(4), jobs=2, mp_context=context))


def test_input_is_consumed_lazily_with_bounded_chunks_in_flight(
    policy: policylint.Policy,
) -> None:
    pulled = 0

    def endless() -> Iterator[str]:
        nonlocal pulled
        while True:
            pulled += 1
            yield f"Guaranteed returns, post {pulled}"

    results = check_many(policy, endless(), jobs=2, chunk_size=10, in_flight=3)
    for checked in results:
        if checked.index == 25:
            break
    # Chunks consumed (3) plus at most 3 submitted ahead of the one being read.
    assert pulled <= 10 * (3 + 3)
    results.close()


def test_jobs_1_runs_in_process_without_a_pool(
    policy: policylint.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("jobs=1 must not start a process pool")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", no_pool)
    posts = _posts(20)
    assert _results(list(check_many(policy, posts, jobs=1))) == _sequential(policy, posts)


def test_small_inputs_skip_the_pool_with_min_pool_posts(
    policy: policylint.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    def counting(*args: Any, **kwargs: Any) -> Any:
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", counting)
    few = _posts(9)
    result = list(check_many(policy, iter(few), jobs=2, min_pool_posts=10))
    assert started == []
    assert [r.findings for r in result] == _sequential(policy, few)
    many = _posts(25)
    result = list(check_many(policy, iter(many), jobs=2, chunk_size=4, min_pool_posts=10))
    assert started == [1]
    assert [r.index for r in result] == list(range(25))
    assert [r.findings for r in result] == _sequential(policy, many)


def test_default_jobs_is_every_cpu() -> None:
    assert pool.default_jobs() >= 1
    assert pool.default_jobs() <= (os.cpu_count() or 1)


def test_bad_arguments(policy: policylint.Policy) -> None:
    with pytest.raises(ValueError):
        check_stream(checker_of(policy), [], chunk_size=0)
    with pytest.raises(ValueError):
        policy.check_many([], jobs=-2)
    assert list(check_many(policy, [], jobs=2)) == []


@pytest.mark.skipif(
    multiprocessing.get_start_method(allow_none=False) != "fork",
    reason="the crash is injected by patching the pipeline before the workers fork",
)
def test_a_post_that_kills_its_worker_is_reported_and_the_run_goes_on(
    policy: policylint.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PostChecker.check

    def check(self: PostChecker, post: Post) -> list[Finding]:
        if post.text == "CRASH":
            os._exit(3)  # what a segfault in a C extension or the OOM killer looks like
        return original(self, post)

    monkeypatch.setattr(PostChecker, "check", check)
    posts = [*_posts(25), Post(id="crash", text="CRASH"), *_posts(25)]
    checked = list(check_many(policy, posts, jobs=2, chunk_size=4))
    assert [c.index for c in checked] == list(range(51))
    error = checked[25].error
    assert error is not None and "died" in error.message
    good = [c for c in checked if c.index != 25]
    assert _results(good) == _sequential(policy, [c.post for c in good])


def test_the_python_example_in_docs_scale_md_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import re

    doc = Path(__file__).resolve().parents[1] / "docs" / "scale.md"
    blocks = re.findall(r"^```python\n(.*?)^```", doc.read_text(encoding="utf-8"), re.M | re.S)
    (code,) = [b for b in blocks if "check_many(" in b]
    assert "policylint.load_policy()  # builtin:all" in code
    code = code.replace(
        "policylint.load_policy()  # builtin:all", f"policylint.load_policy({POLICY!r})"
    )
    posts = _posts(30)
    lines = [json.dumps({"id": p.id, "text": p.text, "platform": p.platform}) for p in posts]
    (tmp_path / "archive.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(doc), "exec"), {})
    written = (tmp_path / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    loaded = policylint.load_policy(POLICY)
    expected = [f for post in posts for f in loaded.check(post).findings]
    assert [json.loads(line) for line in written] == [f.model_dump(mode="json") for f in expected]


def test_check_many_with_jobs_matches_sequential() -> None:
    import policylint as pl

    policy = pl.load_policy('rule t.r { flag ["guarantee*"] }')
    posts = [f"post {i}: guaranteed" if i % 3 == 0 else f"post {i}" for i in range(300)]
    sequential = pl.Report.from_results(policy.check_many(posts))
    parallel = pl.Report.from_results(policy.check_many(posts, jobs=2))
    assert parallel.summary.posts_checked == 300
    assert [f.match for f in parallel.findings] == [f.match for f in sequential.findings]
    assert len(parallel.findings) == 100


def test_policy_error_survives_pickling() -> None:
    import pickle

    import policylint as pl

    try:
        pl.load_policy("rule a.b { flag missing }")
    except pl.PolicyError as error:
        copy = pickle.loads(pickle.dumps(error))
        assert copy.render() == error.render()
        assert copy.diagnostics[0].code == "PL201"
    else:
        raise AssertionError("expected a PolicyError")


def test_a_post_record_pickles_to_an_equal_one() -> None:
    # Worker pools send every post pickled: Post pickles by its fields (__reduce__).
    import pickle

    from policylint._model.posts import Post, SourceLocation

    post = Post(
        text="Call me",
        id="p1",
        platform="X",
        meta={"region": "GB", "tags": ["a"]},
        source=SourceLocation("posts.jsonl", 3, 9, True),
    )
    copy = pickle.loads(pickle.dumps(post, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == post and copy.platform == "x" and copy.source == post.source
    assert type(copy) is Post and copy.meta == {"region": "GB", "tags": ["a"]}


# --------------------------------------------------------------------------- workers' lifetime
# Workers blocked waiting for work held no reference to their parent: when the parent was
# killed (SIGKILL, SIGTERM, SIGHUP) they stayed alive, idle, for minutes (issue 15).

_linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads children and states from /proc"
)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def _workers_of(process: subprocess.Popen[bytes], count: int) -> list[int]:
    """The first ``count`` children of ``process`` once they are all there."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        workers = _children(process.pid)
        if len(workers) >= count:
            return workers[:count]
        time.sleep(0.05)
    pytest.fail("the worker processes never started")


def _assert_they_end(workers: list[int]) -> None:
    deadline = time.monotonic() + 20  # they stayed for minutes; they now end at once
    while any(_running(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [worker for worker in workers if _running(worker)]
    for worker in left:
        os.kill(worker, signal.SIGKILL)
    assert left == [], "workers outlived their parent"


@_linux_only
@pytest.mark.parametrize("name", ["SIGKILL", "SIGTERM", "SIGHUP"])
def test_workers_end_with_the_command_line_however_it_is_stopped(tmp_path: Path, name: str) -> None:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    with (tmp_path / "posts.jsonl").open("w", encoding="utf-8") as handle:
        for number in range(300_000):  # far more than the run lives to check
            handle.write(f'{{"text": "Post {number}: guaranteed returns"}}\n')
    arguments = ["check", "--isolated", "--policy", "org.policy", "--jobs", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "policylint", *arguments, "--format", "jsonl", "posts.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "POLICYLINT_NO_CACHE": "1"},
    )
    try:
        workers = _workers_of(process, 2)
        process.send_signal(getattr(signal, name))
        returncode = process.wait(timeout=60)
        _assert_they_end(workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert returncode in (-signal.SIGKILL, 128 + getattr(signal, name))
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr


# A library caller running a pool from a thread other than the main one: no signal handler
# is installed and the kernel's parent-death signal is not asked for (it follows the thread
# that started the workers), so only the workers' watch of their parent's sentinel is left.
_THREADED_CALLER = """
import itertools, sys, threading, time
import policylint
policy = policylint.load_policy('rule a.b { flag ["guaranteed"] }')

def posts():
    for number in itertools.count():
        if number == 5_000:
            time.sleep(3600)  # the workers now wait for work
        yield f"post {number} guaranteed"

def run():
    for _ in policy.check_many(posts(), jobs=2):
        pass

threading.Thread(target=run, daemon=True).start()
time.sleep(3600)
"""


@_linux_only
def test_workers_of_a_pool_started_in_a_thread_end_with_their_parent() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", _THREADED_CALLER],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "POLICYLINT_NO_CACHE": "1"},
    )
    try:
        workers = _workers_of(process, 2)
        time.sleep(1)  # at work, then waiting for more
        process.kill()
        process.wait(timeout=60)
        _assert_they_end(workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
