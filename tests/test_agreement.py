"""The command line and the library agree on every post: one pipeline, one answer (issue 16).

Generated posts mix triggers (the failing examples of the built-in packs' rules) with waiver
directives of the three kinds (a plain ``policylint:`` line, an HTML comment, a metadata
``policylint: {waive: [...]}``), with and without reasons, for rules that fire, rules that
do not, globs, categories and rules that do not exist. Each batch is checked once by
``policylint check --format json`` in a subprocess, as a user runs it, and by the public
functions; the findings must be the same record for record:

* a plain-text file per post against ``policylint.check(text)``: rule, span, waiver and
  line/column, all of it but the file name;
* a JSONL file of posts with metadata against ``policylint.check(Post(...))``, and against
  ``policylint.check_many`` of the posts ``policylint.read_path`` reads from it (then the
  whole finding, its path and record place included);
* ``--fix --unsafe-fixes`` against the pipeline's fix stage driven by the library's checks.

Like tests/test_properties.py the runs are derandomised; ``POLICYLINT_PROPERTY_EXAMPLES=N``
raises the count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policylint
from policylint import Finding, Policy, Post
from policylint._pipeline.fixes import fix_file
from policylint._pipeline.policy import checker_of

EXAMPLES = max(1, int(os.environ.get("POLICYLINT_PROPERTY_EXAMPLES", "150")) // 5)
AGREEMENT = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("POLICYLINT_PROPERTY_RANDOM", "") in ("", "0"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: What a finding says about the post, whoever read it: all but where the post came from.
_ABOUT_THE_POST = (
    "rule",
    "category",
    "severity",
    "message",
    "owner",
    "reference",
    "reference_url",
    "start",
    "end",
    "match",
    "field",
    "suggestion",
    "waived",
    "waiver_reason",
)
_PLACE = ("line", "column", "end_line", "end_column")


@cache
def _policy() -> Policy:
    return policylint.load_policy()


@cache
def _triggers() -> dict[str, list[str]]:
    """Texts that make each rule fire, by rule id: its ``example fail`` texts that need no
    platform or metadata."""
    found: dict[str, list[str]] = {}
    for rule in _policy().rules:
        for example in rule.examples:
            if example.expect == "fail" and example.platform is None and not example.meta:
                found.setdefault(rule.id, []).append(example.text)
    return found


@cache
def _fixable() -> list[str]:
    """The rules that suggest a replacement."""
    return sorted(rule.id for rule in _policy().rules if rule.suggestion and rule.id in _triggers())


def _waived_names(rules: Sequence[str]) -> st.SearchStrategy[str]:
    """What a waiver names: a rule the post triggers, its category or a glob of it, any
    rule, a misspelt rule or one that does not exist."""
    any_rule = st.sampled_from(sorted(_triggers()))
    named: list[st.SearchStrategy[str]] = [any_rule, st.sampled_from(["nope.rule", "tone.shoutin"])]
    if rules:
        chosen = st.sampled_from(list(rules))
        named += [chosen, chosen, chosen.map(lambda r: r.split(".")[0])]
        named.append(chosen.map(lambda r: r.rsplit(".", 1)[0] + ".*"))
    return st.one_of(*named)


_REASONS = st.sampled_from([None, "agreed with comms", "quoting the ruling"])


@st.composite
def _directive(draw: st.DrawFn, rules: Sequence[str]) -> str:
    """A waiver directive line, plain or HTML, maybe with a reason."""
    verb = draw(st.sampled_from(["disable", "disable-next-line", "enable"]))
    names = ",".join(draw(st.lists(_waived_names(rules), min_size=1, max_size=2)))
    reason = draw(_REASONS) if verb != "enable" else None
    said = f"{names} -- {reason}" if reason else names
    if draw(st.booleans()):
        return f"policylint: {verb}={said}"
    return f"<!-- policylint-{verb} {said} -->"


@st.composite
def _post(draw: st.DrawFn, with_meta: bool = True) -> tuple[str, dict[str, Any]]:
    """A post's text and metadata: triggers, filler and directives, line by line."""
    rules = draw(st.lists(st.sampled_from(sorted(_triggers())), min_size=1, max_size=3))
    lines = []
    for rule in rules:
        lines += draw(st.lists(_directive(rules), max_size=2))
        lines.append(draw(st.sampled_from(_triggers()[rule])))
        lines += draw(st.lists(st.sampled_from(["", "Plain words about our day."]), max_size=1))
    meta: dict[str, Any] = {}
    if with_meta and draw(st.booleans()):
        waive = []
        for name in draw(st.lists(_waived_names(rules), min_size=1, max_size=2)):
            reason = draw(_REASONS)
            waive.append({"rule": name, "reason": reason} if reason else {"rule": name})
        meta["policylint"] = {"waive": waive}
    return "\n".join(lines), meta


def _cli(folder: Path, *args: str) -> list[dict[str, Any]]:
    """The findings ``policylint check --format json`` reports on ``args``."""
    done = subprocess.run(
        [sys.executable, "-m", "policylint", "check", "--isolated", "--format", "json", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode in (0, 1), done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return found


def _fields(findings: Sequence[dict[str, Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    return sorted(tuple(finding[name] for name in names) for finding in findings)


def _records(findings: Sequence[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(finding, sort_keys=True) for finding in findings)


def _dumped(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [finding.model_dump(mode="json") for finding in findings]


def _by_file(found: list[dict[str, Any]]) -> Callable[[str], list[dict[str, Any]]]:
    return lambda name: [finding for finding in found if finding["path"] == name]


@AGREEMENT
@given(st.lists(_post(with_meta=False), min_size=1, max_size=4))
def test_check_agrees_with_the_cli_on_text(posts: list[tuple[str, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = [f"post{index}.txt" for index in range(len(posts))]
        for name, (text, _) in zip(names, posts, strict=True):
            (folder / name).write_text(text, encoding="utf-8")
        of_file = _by_file(_cli(folder, *names))
        for name, (text, _) in zip(names, posts, strict=True):
            api = _dumped(policylint.check(text).findings)
            cli = of_file(name)
            assert _fields(api, _ABOUT_THE_POST + _PLACE) == _fields(cli, _ABOUT_THE_POST + _PLACE)


@AGREEMENT
@given(st.lists(_post(), min_size=1, max_size=4))
def test_check_and_check_many_agree_with_the_cli_on_records(
    posts: list[tuple[str, dict[str, Any]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records: list[dict[str, Any]] = [
            {"id": f"p{index}", "text": text, "meta": meta}
            for index, (text, meta) in enumerate(posts)
        ]
        path = folder / "posts.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        cli = _cli(folder, "posts.jsonl")

        # The whole finding, path and place in the file included, for the posts as read.
        read = policylint.read_path(path)
        assert not read.errors
        many = _dumped([f for result in policylint.check_many(read.posts) for f in result.findings])
        for finding in many:
            finding["path"] = Path(finding["path"]).name  # the CLI names it as it was given
        assert _records(many) == _records(cli)

        # One post at a time, made by hand: where it sits in a file is for the reader to say.
        for record in records:
            post = Post(text=record["text"], id=record["id"], meta=record["meta"])
            api = _dumped(policylint.check(post).findings)
            mine = [f for f in cli if f["post"] == record["id"]]
            assert _fields(api, _ABOUT_THE_POST) == _fields(mine, _ABOUT_THE_POST)


@AGREEMENT
@given(st.data())
def test_fixes_agree_with_the_cli(data: st.DataObject) -> None:
    policy = _policy()
    checker = checker_of(policy)
    fixable = _fixable()
    rules = data.draw(st.lists(st.sampled_from(fixable), min_size=1, max_size=3))
    text, _ = data.draw(_post(with_meta=False))
    text += "\n" + "\n".join(data.draw(st.sampled_from(_triggers()[rule])) for rule in rules)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "post.txt"
        path.write_text(text, encoding="utf-8")

        def check(text: str) -> list[tuple[Post, list[Finding]]]:
            posts = policylint.read_text(text, path=str(path), format="txt").posts
            return [(r.post, list(r.findings)) for r in policy.check_many(posts) if r.post]

        def allowed(finding: Finding) -> bool:  # --unsafe-fixes: every rule's suggestion
            return policy.rule(finding.rule) is not None

        api = fix_file(str(path), check, allowed=allowed, rescan=checker.rescan, write=False)
        left = _cli(folder, "--fix", "--unsafe-fixes", "post.txt")
        assert path.read_text(encoding="utf-8") == api.text
        after = _dumped(policylint.check(api.text).findings)
        assert _fields(after, _ABOUT_THE_POST + _PLACE) == _fields(left, _ABOUT_THE_POST + _PLACE)
