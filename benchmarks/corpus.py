"""Build the benchmark inputs under benchmarks/data/ (generated, never committed).

- ``tweets-10k.jsonl``: 10,000 real tweets, ``{"id", "platform": "x", "text"}`` per line,
  from the VADER ground-truth tweets (4,200, tab-separated ``id score text``, CRLF) and
  Davidson et al.'s labelled tweets (CSV, ``tweet`` column), interleaved in a fixed order.
- ``tweets-100k.jsonl``, ``tweets-1m.jsonl``: the whole pool (about 29,000 tweets) repeated,
  each copy with its own ids (``v-17-r3``), to 100,000 and 1,000,000 lines.
- ``tweets-10k.txt``: the same 10,000 posts as one plain-text file, a blank line between
  posts, for tools that lint prose files (proselint).
- ``one-post.txt``: one short post, for start-up times (``plain-post.txt``: the same without
  the phone number).
- ``standin.policy``: a stand-in for ``builtin:all`` while the built-in packs are being
  written: term lists from the LDNOOBW and retext-equality corpora plus hand-written rules
  using every kind of pattern (proximity, regexes, detectors, metrics, guards).

The corpora are test data under their own licences (see shared/corpora/SOURCES.md); nothing
generated here is committed or shipped. The Davidson set is very offensive: do not print it.

    python benchmarks/corpus.py [--sizes 10k,100k,1m]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CORPORA, DATA, require_corpora

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
VADER_TWEETS = "vader_icwsm2014/tweets_GroundTruth.txt"
DAVIDSON_TWEETS = "davidson_hate_offensive_2017/labeled_data.csv"

ONE_POST = (
    "Big news! Our new savings account is guaranteed to double your returns. "
    "Call Ben on +44 7911 123456 or email ben@example.com before Friday #ad\n"
)
#: The same kind of post without digits: no phone-number search (phonenumbers is not loaded).
PLAIN_POST = (
    "Big news! Our new savings account is guaranteed to double your returns. "
    "Email ben@example.com before Friday #ad\n"
)


def vader_tweets() -> list[tuple[str, str]]:
    path = CORPORA / VADER_TWEETS
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            parts = line.rstrip("\r\n").split("\t", 2)
            if len(parts) == 3 and parts[2].strip():
                out.append((f"v-{parts[0]}", parts[2]))
    return out


def davidson_tweets() -> list[tuple[str, str]]:
    path = CORPORA / DAVIDSON_TWEETS
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row.get("tweet") or ""
            if text.strip():
                out.append((f"d-{row.get('') or len(out)}", text))
    return out


def pool() -> list[tuple[str, str]]:
    """Every tweet of both corpora, interleaved (about one VADER tweet to six Davidson)."""
    tweets = vader_tweets() + davidson_tweets()
    random.Random(2014).shuffle(tweets)
    return tweets


def records(tweets: list[tuple[str, str]], count: int) -> Iterator[dict[str, str]]:
    """``count`` records; copies after the first get an ``-rN`` suffix on their ids."""
    produced = 0
    for repeat in itertools.count():
        for tweet_id, text in tweets:
            if produced >= count:
                return
            suffix = f"-r{repeat}" if repeat else ""
            yield {"id": tweet_id + suffix, "platform": "x", "text": text}
            produced += 1


def write_jsonl(path: Path, rows: Iterator[dict[str, str]]) -> int:
    tmp = path.with_suffix(".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
            count += 1
    tmp.replace(path)
    return count


def write_txt(path: Path, rows: Iterator[dict[str, str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(" ".join(row["text"].split()))
            out.write("\n\n")
            count += 1
    return count


# ---------------------------------------------------------------------------- stand-in policy


def _quote(term: str) -> str:
    return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _term_list(name: str, terms: list[str]) -> str:
    unique = sorted({t.strip() for t in terms if t.strip() and "*" not in t})
    body = ",\n  ".join(_quote(t) for t in unique)
    return f"terms {name} = [\n  {body}\n]\n"


def _ldnoobw(lang: str) -> list[str]:
    path = CORPORA / "ldnoobw_wordlists" / f"{lang}.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def _retext(name: str) -> list[str]:
    import yaml

    path = CORPORA / "retext_equality_patterns" / f"{name}.yml"
    terms: list[str] = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if entry.get("type") != "basic":
            continue
        found = entry.get("inconsiderate")
        if isinstance(found, str):
            terms.append(found)
        elif isinstance(found, list | dict):
            terms.extend(str(t) for t in found)
    return terms


HAND_WRITTEN = Path(__file__).resolve().parent / "standin_rules.policy"


def standin_policy() -> str:
    parts = [
        "# Generated by benchmarks/corpus.py: a stand-in for builtin:all (benchmarks only).\n"
        "# Term lists come from shared/corpora (LDNOOBW CC-BY-4.0, retext-equality MIT).\n"
    ]
    rules = []
    for lang in ("en", "de", "fr", "es", "it", "nl", "pt"):
        name = f"sb_profanity_{lang}"
        parts.append(_term_list(name, _ldnoobw(lang)))
        rules.append(f"rule bench.tone.profanity_{lang} {{ category tone flag {name} }}\n")
    for group in ("ablist", "condescending", "gender", "lgbtq", "race", "suicide", "misc"):
        name = f"sb_equality_{group}"
        parts.append(_term_list(name, _retext(group)))
        rules.append(
            f"rule bench.inclusive.{group} {{ category inclusive severity info flag {name} }}\n"
        )
    return "".join(parts) + HAND_WRITTEN.read_text(encoding="utf-8") + "".join(rules)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    args = p.parse_args(argv)
    require_corpora(VADER_TWEETS, DAVIDSON_TWEETS, "ldnoobw_wordlists/en.txt")
    DATA.mkdir(parents=True, exist_ok=True)
    tweets = pool()
    print(f"pool: {len(tweets):,} tweets (VADER + Davidson)")
    for size in args.sizes.split(","):
        count = SIZES[size.strip().lower()]
        path = DATA / f"tweets-{size.strip().lower()}.jsonl"
        if path.exists() and sum(1 for _ in path.open("rb")) == count:
            print(f"{path.name}: up to date")
            continue
        written = write_jsonl(path, records(tweets, count))
        print(f"{path.name}: {written:,} posts, {path.stat().st_size / 1e6:.1f} MB")
    txt = DATA / "tweets-10k.txt"
    print(f"{txt.name}: {write_txt(txt, records(tweets, 10_000)):,} posts")
    (DATA / "one-post.txt").write_text(ONE_POST, encoding="utf-8")
    (DATA / "plain-post.txt").write_text(PLAIN_POST, encoding="utf-8")
    standin = DATA / "standin.policy"
    standin.write_text(standin_policy(), encoding="utf-8")
    print(f"{standin.name}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
