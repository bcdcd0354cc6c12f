"""Precision and recall of the built-in packs on the labelled evaluation set, and how often
each rule fires on real tweets.

    python benchmarks/quality.py [--real N]

The evaluation set is tests/corpus/*.jsonl: one post per line with the rule ids it must
trigger (``expect``; empty for a clean post) and a ``slice`` (en, es, de, fr, obfuscation).
Each file labels the categories named in CORPUS_CATEGORIES below; findings of other
categories are not scored on it (the other file covers them). Scores are at post level: a
post is a positive for a category when it should trigger any rule of that category.

With ``--real N`` it also runs builtin:all over N real tweets from the reference corpora
(VADER and Davidson et al.) and prints findings per 1,000 posts per rule. Those are an
optional extra: test data under their own licences, never copied into the repository, read
from ../shared/corpora beside it (or ``POLICYLINT_CORPORA``); ``--real`` says so and stops
when they are missing. The evaluation set needs nothing outside the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import policylint

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CORPORA, require_corpora

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
VADER_TWEETS = "vader_icwsm2014/tweets_GroundTruth.txt"
DAVIDSON_TWEETS = "davidson_hate_offensive_2017/labeled_data.csv"

# The categories each labelled file is complete for.
CORPUS_CATEGORIES = {
    "regulatory_legal.jsonl": {"regulatory", "legal"},
    "privacy_tone_other.jsonl": {"privacy", "tone", "accessibility", "platform", "security"},
}
# Organisation facts some labelled posts assume (competitor names for legal.comparative).
SETTINGS = {"organisation.competitors": ["Initech", "Globex", "Umbrella Corp"]}


def load_corpus() -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((path.name, json.loads(line)))
    return rows


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate() -> None:
    policy = policylint.load_policy("builtin:all", settings=SETTINGS)
    category_of = {rule.id: rule.category for rule in policy.rules}
    rows = load_corpus()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rule_counts: dict[str, Counter[str]] = defaultdict(Counter)
    clean = clean_flagged = 0
    by_slice: dict[str, Counter[str]] = defaultdict(Counter)
    for file_name, row in rows:
        scored = CORPUS_CATEGORIES.get(file_name, set(category_of.values()))
        report = policy.check(row["text"], platform=row.get("platform"), meta=row.get("meta"))
        fired = {f.rule for f in report.findings if category_of[f.rule] in scored}
        expected = set(row["expect"])
        for category in scored:
            want = any(category_of.get(r) == category for r in expected)
            got = any(category_of[r] == category for r in fired)
            key = "tp" if want and got else "fp" if got else "fn" if want else "tn"
            counts[category][key] += 1
            counts["overall"][key] += 1
        for rule in fired | {r for r in expected if category_of.get(r) in scored}:
            key = "tp" if rule in fired and rule in expected else "fp" if rule in fired else "fn"
            rule_counts[rule][key] += 1
        if not expected:
            clean += 1
            clean_flagged += bool(fired)
        by_slice[row.get("slice", "en")]["ok" if fired == expected else "wrong"] += 1

    print(f"labelled posts: {len(rows)} ({clean} clean), builtin:all, {len(category_of)} rules")
    print(f"\n{'category':<15}{'posts+':>7}{'precision':>11}{'recall':>8}{'F1':>7}")
    for category in sorted(counts, key=lambda c: (c == "overall", c)):
        c = counts[category]
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        print(f"{category:<15}{c['tp'] + c['fn']:>7}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    print(
        f"\nfalse-positive rate on clean posts: {clean_flagged}/{clean} = "
        f"{clean_flagged / max(clean, 1):.3f}"
    )
    print("\nposts whose fired rules equal the expected ones, by slice:")
    for name, c in sorted(by_slice.items()):
        print(f"  {name:<12} {c['ok']}/{c['ok'] + c['wrong']}")
    weak = [
        (rule, *prf(c["tp"], c["fp"], c["fn"]))
        for rule, c in rule_counts.items()
        if prf(c["tp"], c["fp"], c["fn"])[0] < 0.95 or prf(c["tp"], c["fp"], c["fn"])[1] < 0.95
    ]
    print(f"\nrules below 0.95 precision or recall: {len(weak)}")
    for rule, p, r, _ in sorted(weak):
        print(f"  {rule:<32} precision {p:.3f} recall {r:.3f}")


def real_tweets(limit: int) -> dict[str, list[str]]:
    """Tweets from each corpus: VADER's rated tweets (general) and Davidson et al.'s
    (collected for hate and offensive language, so profanity is expected to be common)."""
    vader: list[str] = []
    path = CORPORA / VADER_TWEETS
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            vader.append(parts[2])
    davidson: list[str] = []
    with (CORPORA / DAVIDSON_TWEETS).open(encoding="utf-8", errors="replace", newline="") as handle:
        for record in csv.DictReader(handle):
            davidson.append(record["tweet"])
    return {"vader": vader[:limit], "davidson": davidson[:limit]}


def rates_on_real_tweets(limit: int) -> None:
    policy = policylint.load_policy("builtin:all")
    for name, texts in real_tweets(limit).items():
        fired: Counter[str] = Counter()
        for text in texts:
            for rule in {f.rule for f in policy.check(_post(text)).findings}:
                fired[rule] += 1
        print(f"\nfindings per 1,000 real tweets, {name} ({len(texts)} tweets, platform x):")
        for rule, count in fired.most_common():
            print(f"  {rule:<32} {1000 * count / len(texts):7.1f}")


def _post(text: str) -> Any:
    return policylint.Post(text=text, platform="x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=int, default=0, help="also run over N real tweets")
    args = parser.parse_args()
    if args.real:
        require_corpora(VADER_TWEETS, DAVIDSON_TWEETS)  # before the long evaluation
    evaluate()
    if args.real:
        rates_on_real_tweets(args.real)


if __name__ == "__main__":
    main()
