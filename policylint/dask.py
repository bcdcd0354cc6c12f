"""Check posts on a Dask cluster: a bag of posts or a dataframe column of texts -> findings.

    >>> import dask.bag as db, json                                    # doctest: +SKIP
    >>> posts = db.read_text("archive/*.jsonl").map(json.loads)        # doctest: +SKIP
    >>> findings = policylint.dask.check_bag(posts, policy)            # doctest: +SKIP
    >>> findings.filter(lambda r: r["type"] == "finding").count().compute()  # doctest: +SKIP

Install with ``pip install policylint[dask]``. Importing ``policylint`` never imports Dask;
this module imports it when one of its functions is called. It is written with policylint's
public API alone: ``Policy.check_many`` checks each partition, exactly as the command line
checks a file (waivers included).

The policy is shipped once, not per partition: the graph holds one small task with the
policy, which every partition task depends on, so the scheduler sends it to each worker
once. A ``Policy`` pickles as its recipe (where it was loaded from, its settings and rule
selection; never compiled automata), and each worker process loads it once and keeps it for
every partition and every later computation. A policy loaded from a file must be readable at
the same path on the workers (a shared file system, or the same container image); a policy
given as text or ``builtin:`` always is. A worker that loads a different policy (the file
changed on disk) refuses to run rather than give findings the caller's policy would not.

Results equal ``Policy.check_many`` post for post. A post that cannot be checked (a record
without text, an exception in the engine) becomes an error record (``type == "error"`` in a
bag, a row with the ``error`` column set in a dataframe); the computation goes on.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint import Finding, InputError, Policy, Post
from policylint.sources import RecordError, read_record

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import pandas

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
    annotation = str(Finding.__annotations__[name])  # as written: "int", "str | None"...
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


def _shipped(policy: Policy) -> Any:
    """The policy as one Delayed task, so every partition task shares it."""
    from dask.delayed import delayed

    # A policy pickles as its recipe: the same recipe, the same task.
    name = "policylint-policy-" + hashlib.sha256(pickle.dumps(policy)).hexdigest()[:16]
    return delayed(policy, name=name, pure=True)


def _outcomes(
    policy: Policy, posts: list[Post | None]
) -> Iterator[list[Finding] | InputError | None]:
    """Each post's findings, or the input error of a post that could not be checked, in
    order; None where ``posts`` has None (an element that is not a post)."""
    results = policy.check_many([post for post in posts if post is not None])
    for post in posts:
        if post is None:
            yield None
            continue
        result = next(results)
        yield result.findings if result.error is None else result.error


def _not_checked(post_id: str | None, index: int, message: str) -> InputError:
    """The input error of an element that is not a post, worded as the engine's are."""
    name = post_id if post_id is not None else f"#{index + 1}"
    return InputError("<posts>", f"post {name}: could not be checked: {message}")


# ---------------------------------------------------------------------------- bags


def check_bag(
    bag: dask.bag.Bag,
    policy: Policy,
    *,
    platform: str | None = None,
) -> dask.bag.Bag:
    """Check every post in ``bag``; the result is a bag of dicts, one per finding.

    Elements may be ``Post`` objects, strings (the text alone), or mappings shaped like a
    JSONL record (``{"id", "text", "platform", "meta", ...}``: the same rules as
    ``policylint check posts.jsonl``, so ``db.read_text(...).map(json.loads)`` works).
    ``platform`` applies to posts that do not name one.

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
    items: Iterable[Any], policy: Policy, platform: str | None
) -> list[dict[str, Any]]:
    elements = [_element(index, item, platform) for index, item in enumerate(items)]
    outcomes = _outcomes(policy, [element.post for element in elements])
    out: list[dict[str, Any]] = []
    for element, outcome in zip(elements, outcomes, strict=True):
        if isinstance(outcome, list):
            out.extend({"type": "finding", **f.model_dump(mode="json")} for f in outcome)
            continue
        error = outcome or element.error
        assert error is not None  # an element is a post or has an error
        out.append({"type": "error", **error.model_dump(mode="json"), "post": element.id})
    return out


class _Element(NamedTuple):
    """A bag element: the post it stands for, or why it is not one; and its id."""

    post: Post | None
    error: InputError | None
    id: str | None


def _element(index: int, item: Any, platform: str | None) -> _Element:
    if isinstance(item, str):
        return _Element(Post(item, platform=platform), None, None)
    if isinstance(item, Mapping):
        try:
            post = read_record(item, default_platform=platform)
        except RecordError as error:
            post_id = None if item.get("id") is None else str(item["id"])
            return _Element(None, _not_checked(post_id, index, error.message), post_id)
        return _Element(post, None, post.id)
    post_id = getattr(item, "id", None)
    text = getattr(item, "text", None)
    if not isinstance(text, str):  # a post that slipped past validation
        problem = f"TypeError: a post's text is a str, not {type(text).__name__}"
        return _Element(None, _not_checked(post_id, index, problem), post_id)
    if platform is not None and getattr(item, "platform", None) is None:
        item = Post(text, post_id, platform, dict(item.meta), getattr(item, "source", None))
    return _Element(item, None, post_id)


# ---------------------------------------------------------------------------- dataframes


def check_dataframe(
    ddf: dask.dataframe.DataFrame,
    policy: Policy,
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
    policy: Policy,
    text_column: str,
    platform_column: str | None,
    id_column: str | None,
    meta_columns: Mapping[str, str],
    platform: str | None,
) -> pandas.DataFrame:
    return check_pandas(
        frame,
        policy,
        text_column=text_column,
        platform_column=platform_column,
        id_column=id_column,
        meta_columns=meta_columns,
        platform=platform,
    )


def check_pandas(
    frame: pandas.DataFrame,
    policy: Policy,
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
    on each batch (see docs/scale.md).
    """
    import pandas as pd

    columns = _meta_map(meta_columns)
    size = len(frame)
    texts = frame[text_column].tolist()
    ids = frame[id_column].tolist() if id_column else frame.index.tolist()
    platforms = frame[platform_column].tolist() if platform_column else [platform] * size
    metas = {key: frame[column].tolist() for column, key in columns.items()}
    posts: list[Post | None] = []
    post_ids: list[str | None] = []
    for row in range(size):
        raw_id = _plain(ids[row])
        post_ids.append(None if raw_id is None else str(raw_id))
        text = _plain(texts[row])
        if not isinstance(text, str):
            posts.append(None)
            continue
        meta = {}
        for key, values in metas.items():
            value = _plain(values[row])
            if value is not None:
                meta[key] = value
        posts.append(Post(text, post_ids[row], _plain(platforms[row]) or platform, meta))
    rows: list[dict[str, Any]] = []
    for post_id, outcome in zip(post_ids, _outcomes(policy, posts), strict=True):
        if outcome is None:
            rows.append(_error_row(post_id, f"no text in column '{text_column}'"))
        elif isinstance(outcome, InputError):
            rows.append(_error_row(post_id, outcome.message.partition(": ")[2]))
        else:
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
