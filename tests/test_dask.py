# mypy: disable-error-code="no-untyped-call"
"""policylint.dask on a real distributed.LocalCluster with two worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

dask = pytest.importorskip("dask", reason="policylint[dask] is not installed")
db = pytest.importorskip("dask.bag", reason="policylint[dask] is not installed")
distributed = pytest.importorskip("distributed", reason="policylint[dask] is not installed")
try:
    import dask.dataframe as dd
    import pandas as pd
except ImportError:  # dask[dataframe] missing: the bag tests still run
    dd = pd = None  # type: ignore[assignment]

needs_dataframe = pytest.mark.skipif(dd is None, reason="dask[dataframe] is not installed")

import policylint  # noqa: E402
from policylint._model.posts import Post  # noqa: E402
from policylint._pipeline import recipe  # noqa: E402
from policylint._pipeline.policy import checker_of  # noqa: E402
from policylint.dask import (  # noqa: E402
    ERROR_COLUMN,
    FINDING_COLUMNS,
    check_bag,
    check_dataframe,
    finding_meta,
)

POLICY = """
terms guarantees = ["guarantee*", "risk-free"]

rule fin.promise {
  category regulatory
  severity error
  message  "Promissory claim '{match}'"
  when     meta.industry == "finance"
  flag     guarantees near ["return*", "profit*"] within 4 words
  unless   preceded by ["not", "never"] within 2 words
}

rule fin.hype { category tone flag ["moon", "lambo"] }
rule contact.phone { category privacy severity error flag detect(phone) }
rule x.length { category platform when platform == "x" and length > 40 }
"""

TEXTS = [
    "Guaranteed returns for everyone!",
    "Returns are never guaranteed.",
    "Nothing to see here.",
    "Risk-free profits, straight to the moon",
    "Call Ben on +44 7911 123456 about the lambo",
    "A perfectly ordinary sentence about gardening and the weather today.",
]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=40,
    )
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def policy() -> policylint.Policy:
    return policylint.load_policy(POLICY)


def _records(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"p{i}",
            "text": TEXTS[i % len(TEXTS)] + f" #{i}",
            "platform": "twitter" if i % 2 else "linkedin",
            "industry": "finance" if i % 4 else "retail",
        }
        for i in range(count)
    ]


def _post(record: dict[str, Any]) -> Post:
    return Post(
        text=record["text"],
        id=record["id"],
        platform=record["platform"],
        meta={"industry": record["industry"]},
    )


def _expected(policy: policylint.Policy, posts: list[Any]) -> list[dict[str, Any]]:
    return [
        {"type": "finding", **finding.model_dump(mode="json")}
        for post in posts
        for finding in policy.check(post).findings
    ]


def _workers_builds(client: Any, key: str) -> list[int]:
    counts = client.run(lambda: dict(recipe.BUILDS))
    return [counts[worker].get(key, 0) for worker in sorted(counts)]


def test_bag_of_records_equals_the_sequential_engine(
    client: Any, policy: policylint.Policy
) -> None:
    records = _records(120)
    bag = db.from_sequence(records, npartitions=12)
    result = check_bag(bag, policy).compute()
    assert result == _expected(policy, [_post(r) for r in records])
    assert {r["rule"] for r in result} == {"fin.promise", "fin.hype", "contact.phone", "x.length"}


def test_the_policy_is_compiled_once_per_worker(client: Any, policy: policylint.Policy) -> None:
    key = checker_of(policy).recipe.key
    bag = db.from_sequence(_records(200), npartitions=16)
    check_bag(bag, policy).compute()
    check_bag(bag, policy).count().compute()
    builds = _workers_builds(client, key)
    assert len(builds) == 2
    # Sixteen partitions, computed twice: each worker compiled the policy at most once.
    assert all(count <= 1 for count in builds), builds
    assert sum(builds) >= 1


def test_bag_of_posts_and_strings(client: Any, policy: policylint.Policy) -> None:
    items: list[Any] = [
        Post(id="a", text="Guaranteed returns", platform="x", meta={"industry": "finance"}),
        "Call +44 7911 123456 now, this is a long enough post for the x limit",
        Post(text="to the moon", id="c"),
    ]
    result = check_bag(db.from_sequence(items, npartitions=2), policy, platform="x").compute()
    expected_posts = [
        items[0],
        Post(text=items[1], platform="x"),
        Post(text="to the moon", id="c", platform="x"),
    ]
    assert result == _expected(policy, expected_posts)
    assert [r["rule"] for r in result] == ["fin.promise", "x.length", "contact.phone", "fin.hype"]


def test_bag_errors_are_records_and_the_run_goes_on(client: Any, policy: policylint.Policy) -> None:
    broken = Post(None, id="bad")  # type: ignore[arg-type]
    items: list[Any] = [{"id": "r1", "body": None}, broken, "the moon"]
    result = check_bag(db.from_sequence(items, npartitions=1), policy).compute()
    assert [r["type"] for r in result] == ["error", "error", "finding"]
    assert result[0]["post"] == "r1" and "no text" in result[0]["message"]
    assert result[1]["post"] == "bad" and "TypeError" in result[1]["message"]
    assert result[2]["match"] == "moon"


@needs_dataframe
def test_dataframe_equals_the_sequential_engine(client: Any, policy: policylint.Policy) -> None:
    records = _records(90)
    frame = pd.DataFrame(records)
    ddf = dd.from_pandas(frame, npartitions=5)
    found = check_dataframe(
        ddf,
        policy,
        text_column="text",
        platform_column="platform",
        id_column="id",
        meta_columns=["industry"],
    )
    assert list(found.columns) == [*FINDING_COLUMNS, ERROR_COLUMN]
    assert dict(found.dtypes) == dict(finding_meta().dtypes)
    result = found.compute()
    assert dict(result.dtypes) == dict(finding_meta().dtypes)
    assert result[ERROR_COLUMN].isna().all()
    expected = [
        {k: v for k, v in e.items() if k != "type"}
        for e in _expected(policy, [_post(r) for r in records])
    ]
    rows = [
        {k: (None if pd.isna(v) else v) for k, v in row.items() if k != ERROR_COLUMN}
        for row in result.to_dict("records")
    ]
    assert rows == expected


@needs_dataframe
def test_dataframe_ids_default_to_the_index_and_missing_text_is_an_error_row(
    client: Any, policy: policylint.Policy
) -> None:
    frame = pd.DataFrame(
        {
            "body": ["to the moon", None, "Guaranteed returns"],
            "sector": ["retail", "retail", "finance"],
        },
        index=[10, 11, 12],
    )
    result = check_dataframe(
        dd.from_pandas(frame, npartitions=2),
        policy,
        text_column="body",
        meta_columns={"sector": "industry"},
        platform="x",
    ).compute()
    assert result["post"].tolist() == ["10", "11", "12"]
    assert result["rule"].tolist()[0] == "fin.hype"
    assert pd.isna(result["rule"].tolist()[1])
    assert "no text in column 'body'" in result[ERROR_COLUMN].tolist()[1]
    assert result["rule"].tolist()[2] == "fin.promise"


@needs_dataframe
def test_unknown_columns_are_refused(policy: policylint.Policy) -> None:
    ddf = dd.from_pandas(pd.DataFrame({"text": ["a"]}), npartitions=1)
    with pytest.raises(KeyError, match="tweet"):
        check_dataframe(ddf, policy, text_column="tweet")


def test_policy_from_a_file_with_a_selection(client: Any, tmp_path: Path) -> None:
    path = tmp_path / "acme.policy"
    path.write_text(POLICY, encoding="utf-8")
    loaded = policylint.load_policy(str(path)).select(["fin.*"])
    records = _records(40)
    result = check_bag(db.from_sequence(records, npartitions=4), loaded).compute()
    assert result == _expected(loaded, [_post(r) for r in records])
    assert {r["rule"] for r in result} == {"fin.promise", "fin.hype"}


def test_importing_policylint_does_not_import_dask() -> None:
    code = (
        "import sys, policylint, policylint._pipeline.pool, policylint.dask\n"
        "policylint.load_policy('rule a.b { flag [\"x\"] }').check('x')\n"
        "assert 'dask' not in sys.modules, 'dask imported'\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


SCALE_DOC = Path(__file__).resolve().parents[1] / "docs" / "scale.md"


def _doc_block(marker: str) -> str:
    import re

    blocks = re.findall(
        r"^```python\n(.*?)^```", SCALE_DOC.read_text(encoding="utf-8"), re.M | re.S
    )
    (block,) = [b for b in blocks if marker in b]
    return str(block)


@needs_dataframe
def test_the_dask_examples_in_docs_scale_md_run(client: Any, tmp_path: Path) -> None:
    records = _records(60)
    archive = tmp_path / "archive"
    archive.mkdir()
    for part in range(3):
        lines = [json.dumps(r) for r in records[part * 20 : (part + 1) * 20]]
        (archive / f"part-{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = pd.DataFrame(
        {
            "post_id": [r["id"] for r in records],
            "text": [r["text"] for r in records],
            "network": [r["platform"] for r in records],
            "sponsored": [False] * len(records),
            "industry": [r["industry"] for r in records],
        }
    )
    frame.to_parquet(tmp_path / "posts.parquet")
    audit = tmp_path / "audit"
    replacements = {
        '"tcp://scheduler:8786"': repr(client.scheduler.address),
        'load_policy("builtin:all")': f"load_policy({POLICY!r})",
        '"s3://acme-archive/posts/*.jsonl"': repr(str(archive / "*.jsonl")),
        '"s3://acme-audit/2026-11/findings-*.jsonl"': repr(str(audit / "findings-*.jsonl")),
        '"s3://acme-archive/posts.parquet"': repr(str(tmp_path / "posts.parquet")),
        '"s3://acme-audit/2026-11/findings.parquet"': repr(str(audit / "findings.parquet")),
    }
    code = _doc_block("check_bag(") + "\n" + _doc_block("check_dataframe(")
    for old, new in replacements.items():
        assert old in code, old
        code = code.replace(old, new)
    namespace: dict[str, Any] = {}
    try:
        exec(compile(code, str(SCALE_DOC), "exec"), namespace)
    finally:
        if "client" in namespace:
            namespace["client"].close()
    policy = policylint.load_policy(POLICY)
    expected = _expected(policy, [_post(r) for r in records])
    written = [
        json.loads(line)
        for path in sorted(audit.glob("findings-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert written == expected
    table = pd.read_parquet(audit / "findings.parquet")
    assert len(table) == len(expected)
    assert sorted(table["rule"].tolist()) == sorted(e["rule"] for e in expected)


def test_spark_schema_lists_every_column() -> None:
    from policylint.dask import spark_schema

    names = [part.split("`")[1] for part in spark_schema().split(", ")]
    assert names == [*FINDING_COLUMNS, ERROR_COLUMN]
    assert "`line` int" in spark_schema()
    assert "`rule` string" in spark_schema()


@needs_dataframe
def test_check_pandas_without_a_cluster(policy: policylint.Policy) -> None:
    from policylint.dask import check_pandas

    records = _records(12)
    frame = pd.DataFrame(records)
    result = check_pandas(
        frame,
        policy,
        id_column="id",
        platform_column="platform",
        meta_columns=["industry"],
    )
    assert dict(result.dtypes) == dict(finding_meta().dtypes)
    assert result["rule"].tolist() == [
        e["rule"] for e in _expected(policy, [_post(r) for r in records])
    ]
