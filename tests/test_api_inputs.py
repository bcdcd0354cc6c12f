"""The library API's inputs: a wrong type, an empty source, an unknown setting or an
oversized post is a documented error with a message, never an AttributeError from inside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import policylint
from policylint import PolicyError, Report
from policylint import _limits as limits
from policylint._pipeline.policy import Policy


@pytest.fixture(scope="module")
def policy() -> Policy:
    return policylint.load_policy('rule t.word { flag ["word"] }')


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda p: p.check(None), "expected a Post or a str, not NoneType"),
        (lambda p: p.check(b"word"), "not bytes"),
        (lambda p: p.check(5), "not int"),
        (lambda p: p.check("word", platform=5), "platform must be a str or None, not int"),
        (lambda p: p.check("word", meta="x"), "meta must be a mapping"),
        (lambda p: p.check("word", meta=[("a", 1)]), "meta must be a mapping"),
        (lambda p: p.check(policylint.Post(text="w"), platform=5), "platform must be a str"),
        (lambda p: list(p.check_many([None])), "check_many(): expected a Post or a str"),
        (lambda p: p.check_many("word"), "posts must be an iterable"),
        (lambda p: p.check_many(None), "posts must be an iterable"),
        (lambda p: policylint.check(None, policy=p), "check(): expected a Post or a str"),
        (lambda p: list(p.check_many([b"x"])), "not bytes"),
    ],
)
def test_a_wrong_type_is_a_type_error_that_says_what_was_expected(
    policy: Policy, call: Any, says: str
) -> None:
    with pytest.raises(TypeError, match=r"^Policy\.") as error:
        call(policy)
    assert says in str(error.value)


def test_a_post_object_with_a_str_text_is_checked(policy: Policy) -> None:
    post = policylint.Post(id="p1", text="a word", platform="Twitter", meta={"a": 1})
    assert [f.match for f in policy.check(post, meta={"b": 2}).findings] == ["word"]
    assert [f.match for f in policylint.check("one word", policy=policy).findings] == ["word"]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"source": 5}, "source must be a path"),
        ({"source": b"rule a.b {}"}, "not bytes"),
        ({"text": 5}, "text must be a str"),
        ({"settings": "x"}, "settings must be a mapping"),
        ({"settings": {1: 2}}, "settings must be a mapping"),
    ],
)
def test_load_policy_refuses_arguments_of_the_wrong_type(kwargs: dict[str, Any], says: str) -> None:
    with pytest.raises(TypeError, match=r"^load_policy") as error:
        policylint.load_policy(**kwargs)
    assert says in str(error.value)


@pytest.mark.parametrize("source", ["", "   ", "\t"])
def test_an_empty_source_is_an_error_whatever_the_cache_holds(source: str) -> None:
    policylint.load_policy()  # builtin:all in the cache: "" used to share its key
    with pytest.raises(PolicyError) as error:
        policylint.load_policy(source)
    assert error.value.first.code == "PL100"
    assert "empty" in error.value.first.message


def test_an_empty_policy_text_is_a_policy_without_rules() -> None:
    assert policylint.load_policy(text="").rules == []


def test_an_unknown_setting_is_an_error_with_a_did_you_mean() -> None:
    with pytest.raises(PolicyError) as error:
        policylint.load_policy(settings={"organisaton.competitors": ["Initech"]})
    (diagnostic,) = error.value.diagnostics
    assert diagnostic.code == "PL213"
    assert "organisaton.competitors" in diagnostic.message
    assert diagnostic.hint == "did you mean 'organisation.competitors'?"
    loaded = policylint.load_policy(settings={"organisation.competitors": ["Initech"]})
    assert loaded.settings["organisation.competitors"] == ["Initech"]


def test_a_setting_given_to_a_policy_declaring_none_is_an_error() -> None:
    with pytest.raises(PolicyError) as error:
        policylint.load_policy('rule t.a { flag ["a"] }', settings={"thresholds.nope": 3})
    assert error.value.first.code == "PL213"
    assert "declares: no settings" in (error.value.first.hint or "")


def _check_a_txt(folder: Path) -> subprocess.CompletedProcess[str]:
    """``policylint check a.txt`` run in ``folder``, as a user would, configuration and all."""
    return subprocess.run(
        [sys.executable, "-m", "policylint", "check", "a.txt"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_the_cli_names_the_configuration_file_of_an_unknown_setting(tmp_path: Path) -> None:
    (tmp_path / ".policylint.toml").write_text('[organisation]\ncompetitor = ["Initech"]\n')
    (tmp_path / "a.txt").write_text("hello\n")
    done = _check_a_txt(tmp_path)
    assert done.returncode == 2
    assert ".policylint.toml" in done.stderr
    assert "did you mean 'competitors'" in done.stderr


# ------------------------------------------------------------------------------- post size


def test_a_post_over_the_limit_is_an_input_error_not_a_hang(policy: Policy) -> None:
    """A 1 MB post took 105 s to check; past MAX_POST_CHARS it is not checked at all."""
    text = "word " * (limits.MAX_POST_CHARS // 5) + "x"
    report = policy.check(text)
    assert report.findings == [] and report.summary.posts_checked == 0
    (error,) = report.errors
    assert f"{len(text):,} characters" in error.message
    assert f"{limits.MAX_POST_CHARS:,}" in error.message
    assert "max_post_chars" in error.message
    (result,) = policy.check_many([text])
    assert result.findings == [] and result.error is not None
    assert "max_post_chars" in result.error.message


def test_the_post_limit_can_be_changed_or_lifted(policy: Policy) -> None:
    long = policylint.Post(id="long", text="word " * 10)
    report = Report.from_results(policy.check_many([long, "a word"], max_post_chars=20))
    assert report.summary.posts_checked == 1 and len(report.findings) == 1
    (error,) = report.errors
    assert error.message.startswith("post long is 50 characters; the limit is 20")
    assert len(Report.from_results(policy.check_many([long], max_post_chars=None)).findings) == 10
    assert len(policy.check(long.text, max_post_chars=0).findings) == 10
    (result,) = policy.check_many([long], max_post_chars=None)
    assert len(result.findings) == 10


def test_the_post_limit_holds_with_worker_processes(policy: Policy) -> None:
    posts = ["a word", "word " * 30, "word"]
    report = Report.from_results(policy.check_many(posts, jobs=2, max_post_chars=100))
    assert report.summary.posts_checked == 2
    assert len(report.findings) == 2 and len(report.errors) == 1


def test_an_unknown_setting_is_named_when_one_file_of_a_folder_pack_is_extended(
    tmp_path: Path,
) -> None:
    """``extends "builtin:privacy/people"`` labels the file ``privacy/people/people.policy``;
    the CLI still reads its declarations to say which configuration key is unknown."""
    (tmp_path / "org.policy").write_text('policy "org" {\n  extends "builtin:privacy/people"\n}\n')
    (tmp_path / ".policylint.toml").write_text(
        'policy = "org.policy"\n[organisation]\ncompetitor = ["Initech"]\n'
    )
    (tmp_path / "a.txt").write_text("hello\n")
    done = _check_a_txt(tmp_path)
    assert done.returncode == 2
    assert ".policylint.toml" in done.stderr, done.stderr
