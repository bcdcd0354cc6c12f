"""How well the built-in packs judge posts: precision and recall per category, on posts they
were tuned on (dev) and on posts nobody tuned for (sealed, and new batches at first sight).

    python benchmarks/quality.py                    dev and sealed figures, and the history
    python benchmarks/quality.py --part dev -v      ... and every post judged wrongly (dev only)
    python benchmarks/quality.py --first-sight FILE --name NAME
                                                    score a new batch BEFORE any rule changes for
                                                    it and append the score to the history
    python benchmarks/quality.py --real N           findings per 1,000 real tweets, per rule
    python benchmarks/quality.py --real N --sample RULE   ... and the first tweets RULE flags

The labelled posts are tests/corpus/{dev,sealed}/*.jsonl (see tests/corpus/README.md): one post a
line, labelled either with the rule ids it must trigger (``expect``, complete for the
categories CORPUS_CATEGORIES names for that file) or with the categories it breaks
(``categories``, complete for all seven: the blind batches). Scores are at post level: a post is
a positive for a category when it should trigger some rule of that category, and it is found
when some unwaived finding of that category is reported. Every post is checked with builtin:all
and the organisation of tests/corpus/organisation.toml.

The sealed part is never used to change a rule: list its misses only to report them, never to
tune (``-v`` shows the dev part's misses only). First-sight scores of new batches are the
figures that predict what users see; they are kept in benchmarks/quality_history.jsonl.

With ``--real N`` it also runs builtin:all over N real tweets from ../shared/corpora (VADER and
Davidson et al.; set POLICYLINT_CORPORA to point elsewhere). Those tweets are test data under
their own licences and are never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import policylint

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
ORGANISATION = CORPUS / "organisation.toml"
HISTORY = Path(__file__).resolve().parent / "quality_history.jsonl"
SHARED = Path(os.environ.get("POLICYLINT_CORPORA", ROOT.parent / "shared" / "corpora"))
SAMPLE_SIZE = 12

CATEGORIES = ("regulatory", "legal", "privacy", "tone", "security", "accessibility", "platform")
# The categories each rule-labelled file is complete for (its posts say nothing of the others).
CORPUS_CATEGORIES = {
    "regulatory_legal.jsonl": {"regulatory", "legal"},
    "privacy_tone_other.jsonl": {"privacy", "tone", "accessibility", "platform", "security"},
}


# ----------------------------------------------------------------------------- loading


def organisation_settings() -> dict[str, Any]:
    """tests/corpus/organisation.toml as ``load_policy(settings=...)`` takes it."""
    table = tomllib.loads(ORGANISATION.read_text(encoding="utf-8"))
    return {
        f"{group}.{key}": value
        for group in ("organisation", "thresholds")
        for key, value in table.get(group, {}).items()
    }


def load_posts(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def part_files(part: str) -> list[Path]:
    return sorted((CORPUS / part).glob("*.jsonl"))


# ----------------------------------------------------------------------------- scoring


class Tally:
    """Counts for one set of posts: per category, per language, per rule, and the misses."""

    def __init__(self) -> None:
        self.categories: dict[str, Counter[str]] = defaultdict(Counter)
        self.languages: dict[str, Counter[str]] = defaultdict(Counter)
        self.rules: dict[str, Counter[str]] = defaultdict(Counter)
        self.posts = self.violating = self.caught = self.clean = self.clean_flagged = 0
        self.misses: list[tuple[str, dict[str, Any], set[str], set[str], list[str]]] = []

    def add(
        self,
        source: str,
        post: dict[str, Any],
        scored: Iterable[str],
        wanted: set[str],
        found: set[str],
        fired_rules: list[str],
    ) -> None:
        self.posts += 1
        for category in scored:
            want, got = category in wanted, category in found
            key = "tp" if want and got else "fp" if got else "fn" if want else "tn"
            self.categories[category][key] += 1
            self.categories["micro"][key] += 1
        language = post.get("lang") or post.get("slice") or "en"
        self.languages[language]["ok" if found == wanted else "wrong"] += 1
        if wanted:
            self.violating += 1
            self.caught += bool(found & wanted)
        else:
            self.clean += 1
            self.clean_flagged += bool(found)
        if found != wanted:
            self.misses.append((source, post, wanted, found, fired_rules))

    def row(self, category: str) -> tuple[int, float, float]:
        counts = self.categories[category]
        return counts["tp"] + counts["fn"], *_precision_recall(counts)

    def summary(self) -> dict[str, Any]:
        """The figures kept in the history file."""
        return {
            "posts": self.posts,
            "violating": self.violating,
            "clean": self.clean,
            "categories": {
                category: dict(zip(("n", "precision", "recall"), self.row(category), strict=True))
                for category in (*CATEGORIES, "micro")
                if category in self.categories
            },
            "caught": _ratio(self.caught, self.violating),
            "clean_flagged": _ratio(self.clean_flagged, self.clean),
        }


def _precision_recall(counts: Counter[str]) -> tuple[float, float]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def score(policy: Any, files: Sequence[Path]) -> Tally:
    category_of = {rule.id: rule.category for rule in policy.rules}
    tally = Tally()
    for path in files:
        for post in load_posts(path):
            report = policy.check(
                post["text"], platform=post.get("platform"), meta=post.get("meta")
            )
            fired = [f.rule for f in report.findings if not f.waived and f.rule in category_of]
            if "categories" in post:
                scored: set[str] = set(CATEGORIES)
                wanted = set(post["categories"])
            else:
                scored = CORPUS_CATEGORIES.get(path.name, set(CATEGORIES))
                wanted = {category_of[r] for r in post["expect"] if category_of.get(r) in scored}
                expected = {r for r in post["expect"] if category_of.get(r) in scored}
                for rule in expected | {r for r in fired if category_of[r] in scored}:
                    hit, wanted_rule = rule in fired, rule in expected
                    if rule.endswith(".learned"):
                        # The files' expect lists predate the learned rules, which are second
                        # opinions: one is right where its category is expected.
                        wanted_rule = category_of[rule] in wanted
                    tally.rules[rule]["tp" if hit and wanted_rule else "fp" if hit else "fn"] += 1
            found = {category_of[r] for r in fired if category_of[r] in scored}
            tally.add(path.name, post, scored, wanted, found, sorted(set(fired)))
    return tally


# ----------------------------------------------------------------------------- printing


def print_tally(title: str, tally: Tally, *, rules: bool = True) -> None:
    print(f"\n== {title}: {tally.posts} posts ({tally.violating} violating, {tally.clean} clean)")
    print(f"{'category':<15}{'posts+':>7}{'precision':>11}{'recall':>8}")
    for category in (*CATEGORIES, "micro"):
        if category in tally.categories:
            n, precision, recall = tally.row(category)
            print(f"{category:<15}{n:>7}{precision:>11.3f}{recall:>8.3f}")
    print(
        f"violating posts caught {tally.caught}/{tally.violating} "
        f"= {_ratio(tally.caught, tally.violating):.3f}; clean posts flagged "
        f"{tally.clean_flagged}/{tally.clean} = {_ratio(tally.clean_flagged, tally.clean):.3f}"
    )
    print(
        "posts judged exactly right, by language: "
        + ", ".join(
            f"{name} {c['ok']}/{c['ok'] + c['wrong']}"
            for name, c in sorted(tally.languages.items())
        )
    )
    if not rules:
        return
    weak = sorted(
        (rule, *_precision_recall(counts))
        for rule, counts in tally.rules.items()
        if min(_precision_recall(counts)) < 0.95
    )
    if weak:
        print("rules below 0.95 precision or recall (rule-labelled files):")
        for rule, precision, recall in weak:
            print(f"  {rule:<32} precision {precision:.3f} recall {recall:.3f}")


def print_misses(tally: Tally) -> None:
    print(f"\nposts judged wrongly ({len(tally.misses)}):")
    for source, post, wanted, found, fired in tally.misses:
        missed = ",".join(sorted(wanted - found)) or "-"
        extra = ",".join(sorted(found - wanted)) or "-"
        meta = json.dumps(post.get("meta") or {}, ensure_ascii=False)
        print(f"- {source} {post['id']}: missed {missed}; flagged {extra}; rules {fired}")
        print(f"    {post.get('platform')} {meta[:160]}")
        print(f"    {post['text'][:300]!r}")


def print_history() -> None:
    if not HISTORY.exists():
        return
    print("\n== first-sight history (each batch scored before any rule changed for it)")
    header = ("date", 11), ("commit", 9), ("batch", 22)
    print("".join(f"{name:<{width}}" for name, width in header), end="")
    print(f"{'posts':>6}{'P':>7}{'R':>7}{'caught':>8}{'clean fl.':>10}")
    for line in HISTORY.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        micro = entry["categories"]["micro"]
        print(
            f"{entry['date']:<11}{entry['commit']:<9}{entry['batch']:<22}{entry['posts']:>6}"
            f"{micro['precision']:>7.2f}{micro['recall']:>7.2f}{entry['caught']:>8.2f}"
            f"{entry['clean_flagged']:>10.2f}"
        )
    entries = [json.loads(line) for line in HISTORY.read_text(encoding="utf-8").splitlines()]
    print_pooled(entries[-POOLED:])


#: How many of the latest first-sight batches the pooled figures cover.
POOLED = 4


def print_pooled(entries: Sequence[dict[str, Any]]) -> None:
    """Per category, the first-sight figures of ``entries`` pooled post by post: what a
    user meets on posts nobody tuned for, the issue's targets' measure."""
    names = ", ".join(entry["batch"] for entry in entries)
    print(f"\n== pooled first sight of the last {len(entries)} batches ({names})")
    print(f"{'category':<16}{'posts+':>7}{'precision':>11}{'recall':>8}")
    for category in (*CATEGORIES, "micro"):
        found = flagged = labelled = 0.0
        for entry in entries:
            row = entry["categories"].get(category)
            if not row or not row["n"]:
                continue
            hits = row["recall"] * row["n"]  # true positives, back from the ratios
            found += hits
            flagged += hits / row["precision"] if row["precision"] else 0.0
            labelled += row["n"]
        if labelled:
            precision = found / flagged if flagged else 0.0
            print(f"{category:<16}{labelled:>7.0f}{precision:>11.3f}{found / labelled:>8.3f}")
    clean = sum(e["clean"] for e in entries)
    flagged_clean = sum(e["clean_flagged"] * e["clean"] for e in entries)
    print(f"clean posts flagged {flagged_clean:.0f}/{clean} = {flagged_clean / clean:.3f}")


def record_first_sight(policy: Any, path: Path, name: str) -> None:
    """Score a batch nobody has tuned for and append the score to the history."""
    if HISTORY.exists() and any(
        json.loads(line)["batch"] == name
        for line in HISTORY.read_text(encoding="utf-8").splitlines()
    ):
        sys.exit(f"error: {name} already has a first-sight score: a batch is seen first once")
    tally = score(policy, [path])
    print_tally(f"first sight of {name}", tally, rules=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    entry = {
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "batch": name,
        "first_sight": True,
        **tally.summary(),
    }
    with HISTORY.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    print(f"\nappended to {HISTORY.relative_to(ROOT)}")


# ----------------------------------------------------------------------------- real tweets


def real_tweets(limit: int) -> dict[str, list[str]]:
    """Tweets from each corpus: VADER's rated tweets (general) and Davidson et al.'s
    (collected for hate and offensive language, so profanity is expected to be common)."""
    vader_path = SHARED / "vader_icwsm2014" / "tweets_GroundTruth.txt"
    davidson_path = SHARED / "davidson_hate_offensive_2017" / "labeled_data.csv"
    missing = [str(p) for p in (vader_path, davidson_path) if not p.is_file()]
    if missing:
        sys.exit(
            "error: --real needs the reference corpora, which are not in the repository: "
            + ", ".join(missing)
            + " (set POLICYLINT_CORPORA to the folder that holds them)"
        )
    vader = [
        parts[2]
        for parts in (
            line.split("\t")
            for line in vader_path.read_text(encoding="utf-8", errors="replace").splitlines()
        )
        if len(parts) >= 3
    ]
    with davidson_path.open(encoding="utf-8", errors="replace", newline="") as handle:
        davidson = [record["tweet"] for record in csv.DictReader(handle)]
    return {"vader": vader[:limit], "davidson": davidson[:limit]}


def rates_on_real_tweets(policy: Any, limit: int, sample: Sequence[str] = ()) -> None:
    """Print findings per 1,000 tweets per rule; for each rule named in ``sample``, also the
    first VADER tweets it flags with the matched span marked, for hand-reading. Only VADER's:
    false alarms matter on ordinary language, and Davidson's tweets are too offensive to print."""
    unknown = set(sample) - {rule.id for rule in policy.rules}
    if unknown:
        sys.exit(f"error: --sample names no rule of builtin:all: {', '.join(sorted(unknown))}")
    for name, texts in real_tweets(limit).items():
        fired: Counter[str] = Counter()
        flagged = 0
        shown: dict[str, list[str]] = {rule: [] for rule in sample} if name == "vader" else {}
        for text in texts:
            findings = [f for f in policy.check(text, platform="x").findings if not f.waived]
            rules = {f.rule for f in findings}
            fired.update(rules)
            flagged += bool(rules)
            for finding in findings:
                lines = shown.get(finding.rule)
                if lines is not None and len(lines) < SAMPLE_SIZE:
                    start, end = finding.start, finding.end
                    lines.append(f"{text[:start]}[[{text[start:end]}]]{text[end:]}")
        print(
            f"\nfindings per 1,000 real tweets, {name} ({len(texts)} tweets, platform x; "
            f"{1000 * flagged / len(texts):.1f} per 1,000 flagged at all):"
        )
        for rule, count in fired.most_common():
            print(f"  {rule:<32} {1000 * count / len(texts):7.1f}")
        for rule, lines in shown.items():
            print(f"\n  sample of {rule} on {name} ({len(lines)} shown):")
            for line in lines:
                print("    " + " ".join(line.split()))


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("dev", "sealed", "both"), default="both")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the dev part's misses")
    parser.add_argument("--first-sight", type=Path, metavar="FILE", help="score a new batch")
    parser.add_argument("--name", help="the batch's name in the history (with --first-sight)")
    parser.add_argument("--real", type=int, default=0, metavar="N", help="also N real tweets")
    parser.add_argument(
        "--sample",
        action="append",
        default=[],
        metavar="RULE",
        help=f"with --real: print the first {SAMPLE_SIZE} VADER tweets RULE flags (repeatable)",
    )
    args = parser.parse_args()
    policy = policylint.load_policy("builtin:all", settings=organisation_settings())
    if args.first_sight:
        record_first_sight(policy, args.first_sight, args.name or args.first_sight.stem)
        return
    parts = ("dev", "sealed") if args.part == "both" else (args.part,)
    for part in parts:
        tally = score(policy, part_files(part))
        print_tally(f"{part} part (tests/corpus/{part})", tally)
        for path in part_files(part):
            print_tally(f"  {part}/{path.name}", score(policy, [path]), rules=False)
        if args.verbose and part == "dev":
            print_misses(tally)
    print_history()
    if args.real:
        rates_on_real_tweets(policy, args.real, args.sample)


if __name__ == "__main__":
    main()
