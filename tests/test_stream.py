"""JSON Lines read piece by piece (policylint.sources.stream) and `check --format jsonl`,
which writes findings as it goes: same posts as reading the file whole, flat memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint._model.posts import InputError, Post
from policylint.sources import read_path
from policylint.sources.stream import iter_jsonl


def _key(item: Post | InputError) -> tuple[object, ...]:
    """Where the item is, then what it is."""
    if isinstance(item, InputError):
        return (item.line, item.column, "error", item.message)
    assert item.source is not None
    return (item.source.line, item.source.column, "post", item.id, item.text, item.platform)


def _whole(path: Path) -> list[tuple[object, ...]]:
    result = read_path(path)
    return sorted(_key(item) for item in [*result.posts, *result.errors])


_LINES = st.sampled_from(
    [
        '{"text": "Guaranteed returns"}',
        '{"id": "a", "text": "caf\\u00e9 \\"quoted\\""}',
        '{"text": "two\\nlines", "platform": "x"}',
        "",
        "   ",
        "{broken",
        "[1, 2]",
        '{"no_text": 1}',
        '"just a string"',
        '{"text": "emoji 🎉 and ünïcödé"}',
    ]
)
_BREAKS = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.tuples(_LINES, _BREAKS), max_size=12),
    chunk=st.integers(min_value=1, max_value=200),
)
def test_pieces_give_what_the_whole_file_gives(tmp_path_factory, lines, chunk) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("s") / "posts.jsonl"
    path.write_bytes("".join(line + brk for line, brk in lines).encode("utf-8"))
    streamed = [_key(item) for item in iter_jsonl(path, chunk_bytes=chunk)]
    assert streamed == _whole(path)  # the same items, in file order


def test_a_line_that_is_not_utf8_is_an_error_for_that_line_only(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "one"}\n{"text": "bad \xff byte"}\n{"text": "three"}\n')
    items = list(iter_jsonl(path, chunk_bytes=1))
    assert [i.text for i in items if isinstance(i, Post)] == ["one", "three"]
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert (error.line, error.column) == (2, 15)
    # the same message as for the file read whole (which refuses the file)
    (whole,) = read_path(path).errors
    assert (error.message, error.line, error.column) == (whole.message, whole.line, whole.column)
    three = items[-1]
    assert isinstance(three, Post) and three.source is not None
    assert (three.id, three.source.line) == ("3", 3)


def test_an_over_long_line_is_skipped_and_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(
        '{"text": "short"}\n{"text": "' + "x" * 500 + '"}\n{"text": "after"}\n',
        encoding="utf-8",
    )
    items = list(iter_jsonl(path, max_line_bytes=100, chunk_bytes=64))
    assert [type(i).__name__ for i in items] == ["Post", "InputError", "Post"]
    error = items[1]
    assert isinstance(error, InputError)
    assert error.line == 2 and "longer than 100 bytes" in error.message
    after = items[2]
    assert isinstance(after, Post) and after.source is not None
    assert (after.text, after.source.line, after.id) == ("after", 3, "3")


def test_utf16_files_are_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes('\ufeff{"text": "wide"}\n{"text": "two"}\n'.encode("utf-16-le"))
    assert [i.text for i in iter_jsonl(path) if isinstance(i, Post)] == ["wide", "two"]


def test_a_missing_file_is_one_error(tmp_path: Path) -> None:
    (error,) = list(iter_jsonl(tmp_path / "nope.jsonl"))
    assert isinstance(error, InputError) and "no such file" in error.message


# ----------------------------------------------------------------------------- command line
POLICY = """
rule fin.promise {
  severity error
  message "Promissory claim '{match}'"
  flag ["guarantee*"]
}
"""


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "policylint",
            "check",
            "--isolated",
            "--policy",
            "org.policy",
            *args,
        ],
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "POLICYLINT_NO_CACHE": "1"},
    )


def test_jsonl_output_is_in_input_order_with_errors_in_place(tmp_path: Path) -> None:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    lines = []
    for i in range(1, 2401):
        if i % 500 == 0:
            lines.append("{not json")
        elif i % 3 == 0:
            lines.append(json.dumps({"text": f"Guaranteed {i}"}))
        else:
            lines.append(json.dumps({"text": f"fine {i}"}))
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for jobs in ("1", "2"):
        result = _check("--format", "jsonl", "--jobs", jobs, "posts.jsonl", cwd=tmp_path)
        assert result.returncode == 2, result.stderr  # the broken lines are input errors
        records = [json.loads(line) for line in result.stdout.splitlines()]
        outputs[jobs] = records
        lines_seen = [r["line"] for r in records]
        assert lines_seen == sorted(lines_seen)
        assert [r["line"] for r in records if r["type"] == "error"] == [500, 1000, 1500, 2000]
        assert sum(r["type"] == "finding" for r in records) == sum(
            1 for i in range(1, 2401) if i % 3 == 0 and i % 500 != 0
        )
    assert outputs["1"] == outputs["2"]


def test_jsonl_output_to_a_file_and_the_same_findings_as_json(tmp_path: Path) -> None:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Guaranteed!\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "guarantees"}\n{"text": "no"}\n', encoding="utf-8")
    streamed = _check("--format", "jsonl", "-o", "out.jsonl", "a.txt", "b.jsonl", cwd=tmp_path)
    assert streamed.returncode == 1, streamed.stderr
    assert streamed.stdout == ""
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    whole = json.loads(_check("--format", "json", "a.txt", "b.jsonl", cwd=tmp_path).stdout)
    assert [{k: v for k, v in x.items() if k != "type"} for x in lines] == whole["findings"]
