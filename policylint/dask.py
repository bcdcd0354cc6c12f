"""Check posts on a Dask cluster: a bag of posts or a dataframe column of texts -> findings.

    >>> import dask.bag as db, json                                    # doctest: +SKIP
    >>> posts = db.read_text("archive/*.jsonl").map(json.loads)        # doctest: +SKIP
    >>> findings = policylint.dask.check_bag(posts, policy)            # doctest: +SKIP
    >>> findings.filter(lambda r: r["type"] == "finding").count().compute()  # doctest: +SKIP

Install with ``pip install policylint[dask]``. Importing ``policylint`` never imports Dask;
this module imports it when one of its functions is called.

The policy is shipped once, not per partition: the graph holds one small task with the
policy's recipe (:class:`policylint._pipeline.parallel.PolicyRef`: where it was loaded from, its
settings and rule selection; never pickled automata), which every partition task depends on,
so the scheduler sends it to each worker once, and each worker process compiles it once and
keeps it in a per-process cache for every partition and every later computation. A policy
loaded from a file must be readable at the same path on the workers (a shared file system, or
the same container image); a policy given as text or ``builtin:`` always is.

Results equal the sequential engine's (``Policy.findings``) post for post. A post that makes
the engine raise becomes an error record (``type == "error"`` in a bag, a row with the
``error`` column set in a dataframe); the computation goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from policylint._model.posts import Post
from policylint._model.reports import Finding
from policylint._pipeline.parallel import PolicyRef, _error_for, _scan, load_ref, policy_ref

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import pandas

    from policylint._pipeline.policy import Policy

__all__ = [
    "ERROR_COLUMN",
    "FINDING_COLUMNS",
    "check_bag",
    "check_dataframe",
    "check_pandas",
    "finding_meta",
    "spark_schema",
]

_INSTALL_HINT = "policylint.dask needs Dask: pip install 'policylint[dask]'"

#: Columns of :func:`check_dataframe`'s result: the fields of a finding, in order, then
#: ``error`` (set only on rows for posts that could not be checked).
FINDING_COLUMNS: tuple[str, ...] = Finding._fields
ERROR_COLUMN = "error"


def _column_dtype(name: str) -> str:
    # NamedTuple keeps a string annotation as a ForwardRef: "int", "str | None"...
    hint = Finding.__annotations__[name]
    annotation = str(getattr(hint, "__forward_arg__", hint))
    if annotation.startswith("int"):
        return "Int64"  # nullable: error rows have no position
    if annotation.startswith("bool"):
        return "boolean"
    return "string"


_SCHEMA: dict[str, str] = {name: _column_dtype(name) for name in FINDING_COLUMNS}
_SCHEMA[ERROR_COLUMN] = "string"


def finding_meta() -> pandas.DataFrame:
    """An empty frame with the columns and dtypes of :func:`check_dataframe`'s result."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _SCHEMA.items()})


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError(_INSTALL_HINT) from error


def _shipped(policy: Policy | PolicyRef) -> Any:
    """The policy's recipe as one Delayed task, so every partition task shares it."""
    from dask.delayed import delayed

    ref = policy if isinstance(policy, PolicyRef) else policy_ref(policy)
    name = "policylint-policy-" + hashlib.sha256(ref.key.encode()).hexdigest()[:16]
    return delayed(ref, name=name, pure=True)


# ---------------------------------------------------------------------------- bags


def check_bag(
    bag: dask.bag.Bag,
    policy: Policy | PolicyRef,
    *,
    platform: str | None = None,
) -> dask.bag.Bag:
    """Check every post in ``bag``; the result is a bag of dicts, one per finding.

    Elements may be ``Post`` objects, ``Post`` records, strings (the text alone), or
    mappings shaped like a JSONL record (``{"id", "text", "platform", "meta", ...}``: the
    same rules as ``policylint check posts.jsonl``, so ``db.read_text(...).map(json.loads)``
    works). ``platform`` applies to posts that do not name one.

    Each finding is ``{"type": "finding", <the fields of Finding, JSON-ready>}``, the same
    object as a line of ``--format jsonl``. A post that cannot be checked (a record without
    text, an exception in the engine) gives ``{"type": "error", "path", "line", "column",
    "message", "post"}`` instead. Findings keep the order of the posts.
    """
    _require_dask()
    source: Any = bag  # Dask's methods are untyped
    result: dask.bag.Bag = source.map_partitions(_check_bag_partition, _shipped(policy), platform)
    return result


def _check_bag_partition(
    items: Iterable[Any], ref: PolicyRef, platform: str | None
) -> list[dict[str, Any]]:
    policy = load_ref(ref)
    out: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        post, problem = _bag_post(item, platform)
        outcome = problem if problem is not None else _scan(policy, post)
        if isinstance(outcome, str):
            error = _error_for(post, index, outcome)
            record = {"type": "error", **error.model_dump(mode="json")}
            record["post"] = getattr(post, "id", None)
            out.append(record)
            continue
        for finding in outcome:
            out.append({"type": "finding", **finding.model_dump(mode="json")})
    return out


def _bag_post(item: Any, platform: str | None) -> tuple[Any, str | None]:
    """The post an element stands for, or a placeholder and why it is not one."""
    if isinstance(item, str):
        return Post(text=item, platform=platform), None
    if isinstance(item, Mapping):
        from policylint.sources.records import Defaults, RecordError, post_from_record

        try:
            post = post_from_record(
                item, source=None, default_id=None, defaults=Defaults(platform=platform)
            )
        except RecordError as error:
            post_id = item.get("id")
            return Post(text="", id=None if post_id is None else str(post_id)), error.message
        return post, None
    if platform is not None and getattr(item, "platform", None) is None:
        post = Post(
            text=item.text,
            id=item.id,
            platform=platform,
            meta=dict(item.meta),
            source=getattr(item, "source", None),
        )
        return post, None
    return item, None


# ---------------------------------------------------------------------------- dataframes


def check_dataframe(
    ddf: dask.dataframe.DataFrame,
    policy: Policy | PolicyRef,
    *,
    text_column: str = "text",
    platform_column: str | None = None,
    id_column: str | None = None,
    meta_columns: Sequence[str] | Mapping[str, str] = (),
    platform: str | None = None,
) -> dask.dataframe.DataFrame:
    """Check the posts in a dataframe, one post per row; the result has one row per finding.

    - ``text_column``: the post's text.
    - ``platform_column``: the post's platform (``x``, ``linkedin``...); else ``platform``
      for every row.
    - ``id_column``: the post's id, copied to each finding's ``post`` column; without it the
      row's index label is the id, so findings can be joined back to their rows.
    - ``meta_columns``: columns the rules see as metadata: names (``["sponsored"]`` is
      ``meta.sponsored``) or a mapping ``{column: meta_key}``. Missing values are left out.

    The result's columns are :data:`FINDING_COLUMNS` then ``error``, with fixed dtypes
    (:func:`finding_meta`): strings, nullable integers and booleans. A row whose post could
    not be checked (no text, an exception in the engine) has ``error`` set, ``post`` and
    ``severity = "error"``, and no rule. Partitions keep their order; the index is reset
    within each partition.
    """
    _require_dask()
    columns = _meta_map(meta_columns)
    wanted = [text_column, platform_column, id_column, *columns]
    missing = [c for c in wanted if c is not None and c not in ddf.columns]
    if missing:
        raise KeyError(f"no such column(s) in the dataframe: {', '.join(missing)}")
    source: Any = ddf  # Dask's methods are untyped
    result: dask.dataframe.DataFrame = source.map_partitions(
        _check_frame,
        _shipped(policy),
        text_column,
        platform_column,
        id_column,
        columns,
        platform,
        meta=finding_meta(),
        clear_divisions=True,  # one row per finding: the input's divisions no longer hold
    )
    return result


def _plain(value: Any) -> Any:
    """A dataframe cell as a plain value, or None when missing (NaN, NA, NaT)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # lists, dicts: never "missing"
        pass
    return value


def _check_frame(
    frame: pandas.DataFrame,
    ref: PolicyRef,
    text_column: str,
    platform_column: str | None,
    id_column: str | None,
    meta_columns: Mapping[str, str],
    platform: str | None,
) -> pandas.DataFrame:
    return check_pandas(
        frame,
        ref,
        text_column=text_column,
        platform_column=platform_column,
        id_column=id_column,
        meta_columns=meta_columns,
        platform=platform,
    )


def check_pandas(
    frame: pandas.DataFrame,
    policy: Policy | PolicyRef,
    *,
    text_column: str = "text",
    platform_column: str | None = None,
    id_column: str | None = None,
    meta_columns: Sequence[str] | Mapping[str, str] = (),
    platform: str | None = None,
) -> pandas.DataFrame:
    """:func:`check_dataframe` for one pandas frame: the findings of its rows, one per row
    of the result, with the columns and dtypes of :func:`finding_meta`.

    This is what each Dask partition runs, and what a Spark ``mapInPandas`` function calls
    on each batch (see docs/scale.md). ``policy`` may be a :class:`PolicyRef`, which is
    loaded once per process and cached.
    """
    import pandas as pd

    loaded = load_ref(policy) if isinstance(policy, PolicyRef) else policy
    columns = _meta_map(meta_columns)
    size = len(frame)
    texts = frame[text_column].tolist()
    ids = frame[id_column].tolist() if id_column else frame.index.tolist()
    platforms = frame[platform_column].tolist() if platform_column else [platform] * size
    metas = {key: frame[column].tolist() for column, key in columns.items()}
    rows: list[dict[str, Any]] = []
    for row in range(size):
        raw_id = _plain(ids[row])
        post_id = None if raw_id is None else str(raw_id)
        text = _plain(texts[row])
        if not isinstance(text, str):
            rows.append(_error_row(post_id, f"no text in column '{text_column}'"))
            continue
        meta = {}
        for key, values in metas.items():
            value = _plain(values[row])
            if value is not None:
                meta[key] = value
        post = Post(
            text=text,
            id=post_id,
            platform=_plain(platforms[row]) or platform,
            meta=meta,
        )
        outcome = _scan(loaded, post)
        if isinstance(outcome, str):
            rows.append(_error_row(post_id, f"could not be checked: {outcome}"))
            continue
        for finding in outcome:
            record = finding.model_dump(mode="json")
            record[ERROR_COLUMN] = None
            rows.append(record)
    result = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, ERROR_COLUMN])
    return result.astype(_SCHEMA)


def _meta_map(meta_columns: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(meta_columns, Mapping):
        return dict(meta_columns)
    return {column: column for column in meta_columns}


_SPARK_TYPES = {"string": "string", "Int64": "int", "boolean": "boolean"}


def spark_schema() -> str:
    """The result's schema as a Spark DDL string, for ``mapInPandas(fn, schema=...)``."""
    return ", ".join(f"`{name}` {_SPARK_TYPES[dtype]}" for name, dtype in _SCHEMA.items())


def _error_row(post_id: str | None, message: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(FINDING_COLUMNS)
    row.update(post=post_id, severity="error", error=f"post {post_id}: {message}")
    return row
