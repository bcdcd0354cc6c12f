"""Train the learned detectors' models (rules/data/models/) from the corpus's dev half only.

    python tools/models/train.py                 # cross-validate, then write every model
    python tools/models/train.py --model hostile_tone --cv-only
    python tools/models/train.py --rules         # also score the current rules on the same posts

Reads ONLY tests/corpus/dev/*.jsonl (a path under a folder named ``sealed`` is refused: the
sealed half is the measure no rule or model may learn from). Deterministic: posts sorted by
batch and id, a fixed seed for the order of SGD steps, and no clock in the output but the
``--date`` given (default: the newest input file's modification day), so two runs on the
same input write the same bytes.

The model: logistic regression over hashed features (policylint.detectors.linear), fitted by
stochastic gradient descent with a positive-class weight and weight decay. Chosen over naive
Bayes log-count ratios because the features overlap heavily (a word, its bigrams and its
character grams all fire together): naive Bayes counts such evidence several times and its
scores rank worse on held-out writers; a discriminative fit shares the weight between them.
A fit takes a few seconds in pure Python; cross-validation with an anchor's detector
(person, condition) a few minutes.

A model is an entry of :data:`MODELS` (:class:`ModelSpec`): what makes a positive, which
posts it scores, the anchor its reported sentence must hold and its rule's ``when``.

Labels (per model, from each post's ``categories`` and ``concepts``, or the rule ids of
``expect`` in the rule-labelled file):

* positive: the model's category with one of its concepts (:data:`MODELS`);
* negative: a post that breaks nothing of the model's category (clean posts and posts
  breaking only other categories);
* left out: a post of the model's category with none of its concepts (profanity, a phone
  number): a true violation of the category, but not what the model learns; and, for
  other categories than regulatory and legal, regulatory_legal.jsonl (its labels are
  complete only for those two).

Honest figures: leave-one-batch-out cross-validation. Each dev batch was written by a
different person; train on all but one, score the one left out, pool the held-out scores.
The operating threshold is the lowest whose pooled held-out precision on the model's own
concept, with the rule's guard applied (its ``when``; the detector's anchor), is at least
``--precision`` (0.95) over at least ten flagged posts; the model file ships with it.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from policylint._text.post import PostViews  # noqa: E402
from policylint.detectors.learned import addressed, anchors, is_reply  # noqa: E402
from policylint.detectors.linear import (  # noqa: E402
    FeatureSettings,
    meta_slots,
    post_slots,
    token_features,
    write_model,
)

DEV = ROOT / "tests" / "corpus" / "dev"
OUT = ROOT / "rules" / "data" / "models"
SEED = 17
#: The fewest held-out posts an operating threshold must flag.
MIN_FLAGGED = 10
#: Files whose labels are complete only for some categories (see tests/corpus/README.md):
#: a model of another category does not learn from them.
PARTIAL_FILES = {"regulatory_legal.jsonl": frozenset({"regulatory", "legal"})}


class ModelSpec(NamedTuple):
    """One learned model, as configuration: what it learns, and how its rule guards it.

    ``gate`` and ``anchor`` must be those of the detector of the same name in
    policylint/detectors/learned.py (tests/test_learned.py checks they are)."""

    category: str  # the corpus category of its positives
    concepts: str  # a concept of the category that makes a positive (regular expression)
    expect: str  # a rule id of ``expect`` (rule-labelled files) that makes a positive
    gate: str = "every"  # the posts the model scores: "every" or "addressed" (reply or "you")
    anchor: str | None = None  # what the reported sentence holds (learned.anchors), or None
    when: Callable[[PostViews], bool] | None = None  # the rule's ``when``
    description: str = ""  # for the model card: the rule-level guard in words
    balance: float = 0.0  # how far a big batch is shrunk to a typical one (:func:`writer_weights`)


#: Pharma and healthcare make claims under their own regulator: health.disease_claim's
#: exceptions, and health.disease_claim.learned's ``unless``.
HEALTH_INDUSTRIES = frozenset(
    {"pharma", "pharmaceutical", "biotech", "medical_device", "medical device", "healthcare",
     "health care", "hospital", "clinic", "medical", "dental", "dentist", "veterinary", "vet",
     "pharmacy", "physiotherapy", "physio", "medspa", "med spa", "aesthetics", "telehealth"}
)  # fmt: skip


def _not_health_industry(post: PostViews) -> bool:
    return post.meta.get("industry") not in HEALTH_INDUSTRIES


#: Industries whose posts fin.promissory reads as financial promotions.
FINANCE_INDUSTRIES = frozenset(
    {"finance", "fintech", "crypto", "banking", "investment", "wealth_management", "real_estate"}
)
#: A company whose unreleased results or deals are material (sec.mnpi's ``when``).
PUBLIC_COMPANIES = frozenset({"public", "listed", "pre_ipo", "pre-ipo", "preipo", "issuer"})


#: A financial word, for posts without a finance industry (fin.promise.learned's ``when``).
FINANCIAL_WORD = re.compile(
    r"(?i)\b(?:invest\w*|return\w*|profit\w*|portfolio\w*|trad(?:e|es|ing|er)|crypto\w*|stocks?"
    r"|funds?|dividend\w*|yields?|income|roi|apy|passive|rendimiento\w*|rentab\w*|inver\w*"
    r"|rendite\w*|gewinn\w*|anlage\w*|rendement\w*|investis\w*|rendimento\w*|lucro\w*"
    r"|investiment\w*|guadagn\w*)\b"
)


def _finance(post: PostViews) -> bool:
    return post.meta.get("industry") in FINANCE_INDUSTRIES or bool(FINANCIAL_WORD.search(post.text))


def _public(post: PostViews) -> bool:
    return post.meta.get("company_type") in PUBLIC_COMPANIES


def _reply(post: PostViews) -> bool:
    return is_reply(post)


#: The models. A new one is an entry here, a detector line in learned.py (its gate and
#: anchor), a registry line, and a rule.
MODELS: dict[str, ModelSpec] = {
    "hostile_tone": ModelSpec(
        "tone",
        r"hostil|sarcas|dismissive|dismissal|condescen|herablassend|despectiv|mock|blam"
        r"|insult|threat|demean|put-down|passive|shaming|rude|belittl|patroni",
        r"^tone\.(hostile|putdown|sarcasm)",
        gate="addressed",
        when=_reply,
        description="replies only (meta.reply or meta.in_reply_to)",
    ),
    "sensitive_fact": ModelSpec(
        "privacy",
        r"health|patient|paciente|gesundheit|salud|sant[eé]|sa[uú]de|diagnos|treatment"
        r"|procedure|grade|student|pupil|academic|disciplin|dismissal|firing|fired"
        r"|termination|licenziamento|salary|debt|arrears|financial|hardship|credit|loan"
        r"|mental|criminal|theft|furto|drug-test|bereavement|fertility|fraud|room number"
        r"|chambre|quarto|room or bed|whereabouts|circumstances|sensitive|medical|drunk",
        r"^privacy\.(health|third_party)",
        anchor="person",
        description="a person detected in the reported sentence",
    ),
    "health_claim": ModelSpec(
        "regulatory",
        r"disease|health claim|health benefit|therapeutic|treat|prevent|\bcure|heal(?!th)"
        r"|heilversprechen|krankheit|enfermedad|maladie|doen[cç]a|malatti",
        r"^health\.(disease|claim|cure)",
        anchor="condition",
        when=_not_health_industry,
        description="a health condition detected in the reported sentence; not industry"
        " pharma or healthcare",
    ),
    "return_promise": ModelSpec(
        "regulatory",
        r"return|profit|earning|income|\bgains?\b|yield|projection|promis|rendimiento|rentab"
        r"|rendite|gewinn|rendement|rendimento|lucro|guadagn|financial promotion",
        r"^fin\.(promissory|projection|testimonial)",
        anchor="figure",
        when=_finance,
        description="a number, percentage or amount in the reported sentence; a finance"
        " industry or a financial word in the post",
    ),
    "defamation": ModelSpec(
        "legal",
        r"defam|libel|slander|accus|disparag|calumn|diffam|verleumd|difama|insinuat",
        r"^legal\.(defamation|insinuation)",
        anchor="party",
        description="a named party in the reported sentence: a person the person detector"
        " finds, an @account, a capitalised name with a company's legal form, a competitor",
    ),
    "mnpi_hint": ModelSpec(
        "legal",
        r"non-public|nonpublic|mnpi|insider|unreleased|unannounced|undisclosed|nicht [öo]ffentlich"
        r"|kursrelevant|material non|insiderinformation",
        r"^sec\.mnpi",
        anchor="results_or_deal",
        when=_public,
        description="a period, results or deal word in the reported sentence; meta.company_type"
        " public or pre-IPO",
    ),
}

SETTINGS = FeatureSettings()
EPOCHS = 15
LEARNING_RATE = 0.4
DECAY = 0.005  # weight decay per epoch (the L2 penalty, applied once an epoch)


class Example(NamedTuple):
    batch: str
    id: str
    label: int | None  # 1 positive, 0 negative, None left out
    clean: bool  # breaks no category at all
    gated: bool  # the model scores it at all ("addressed" models: a reply or "you")
    guarded: bool  # the rule's guard holds (its ``when``; the detector's anchor)
    slots: list[int]
    post: dict[str, Any]


def refuse_sealed(paths: Sequence[Path]) -> None:
    """Stop if any input lies under a ``sealed`` folder or outside the dev half."""
    for path in paths:
        parts = path.resolve().parts
        if "sealed" in parts or path.resolve().parent != DEV.resolve():
            raise SystemExit(f"refusing {path}: the models learn from tests/corpus/dev only")


def label(post: dict[str, Any], spec: ModelSpec) -> int | None:
    if "categories" in post:
        if spec.category not in post["categories"]:
            return 0
        concepts = post.get("concepts", [])
        return 1 if any(re.search(spec.concepts, c, re.I) for c in concepts) else None
    expected = post.get("expect", [])
    if any(re.search(spec.expect, rule) for rule in expected):
        return 1
    # Rule ids do not start with their category (ad.disclosure.missing is regulatory): a
    # post expecting another rule of the model's category is a violation it does not learn.
    category_of = rule_categories()
    return None if any(category_of.get(rule) == spec.category for rule in expected) else 0


def load(paths: Sequence[Path], spec: ModelSpec) -> list[Example]:
    refuse_sealed(paths)
    examples = []
    for path in sorted(paths):
        if spec.category not in PARTIAL_FILES.get(path.name, frozenset({spec.category})):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        posts = sorted((json.loads(line) for line in lines if line), key=lambda p: p["id"])
        for post in posts:
            views = CorpusPost(post["text"], post.get("platform"), post.get("meta") or {})
            tokens = token_features(views.folded.text, SETTINGS)
            clean = not post.get("categories", post.get("expect"))
            gated = addressed(views) if spec.gate == "addressed" else True
            slots = post_slots(tokens) + meta_slots(is_reply(views), SETTINGS)
            guarded = guard_holds(spec, views)
            examples.append(
                Example(path.stem, post["id"], label(post, spec), clean, gated, guarded, slots,
                        post)
            )  # fmt: skip
    return examples


class CorpusPost(PostViews):
    """A post as a check of the corpus sees it: with the corpus organisation's settings
    (the ``party`` anchor reads ``organisation.competitors``)."""

    __slots__ = ("settings",)

    def __init__(self, text: str, platform: str | None, meta: dict[str, Any]) -> None:
        super().__init__(text, platform, meta)
        self.settings = corpus_settings()


def guard_holds(spec: ModelSpec, views: PostViews) -> bool:
    """The rule's guard, as the rule applies it: its ``when`` on the post's meta, and the
    detector's anchor somewhere in the post (the detector reports the best-scoring sentence
    holding one, so an anchor anywhere is exactly when it reports)."""
    if spec.when is not None and not spec.when(views):
        return False
    return spec.anchor is None or bool(anchors(views, spec.anchor))


# ----------------------------------------------------------------------------- the fit


class Fit(NamedTuple):
    weights: dict[int, float]
    bias: float


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


def writer_weights(train: Sequence[Example], balance: float) -> dict[tuple[str, int], float]:
    """The weight of each (batch, label)'s examples: 1, or for a batch holding more of a
    label than the typical (median) batch, ``(typical / held) ** balance``. A training file
    holds ten times the positives of a mixed blind batch: unweighted, the model learns its
    writer's voice; at ``balance`` 1 it weighs as one typical writer, at 0.5 as about three."""
    held = Counter((e.batch, e.label) for e in train)
    weights: dict[tuple[str, int], float] = {}
    for label in (0, 1):
        sizes = [n for (_, of), n in held.items() if of == label]
        if not sizes:
            continue
        typical = statistics.median(sizes)
        for (batch, of), n in held.items():
            if of == label:
                weights[batch, label] = min(1.0, typical / n) ** balance
    return weights


def fit(examples: Sequence[Example], balance: float = 0.0) -> Fit:
    """Logistic regression by SGD on the labelled examples the model scores, each batch's
    examples weighted by :func:`writer_weights`."""
    train = [e for e in examples if e.label is not None and e.gated and e.slots]
    by_writer = writer_weights(train, balance)
    positives = sum(by_writer[e.batch, 1] for e in train if e.label == 1)
    negatives = sum(by_writer[e.batch, 0] for e in train if e.label == 0)
    class_weight = {1: math.sqrt(negatives / max(1e-9, positives)), 0: 1.0}
    weights: dict[int, float] = {}
    bias = 0.0
    order = list(range(len(train)))
    rng = random.Random(SEED)
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1 + epoch)
        for at in order:
            example = train[at]
            norm = 1 / math.sqrt(len(example.slots))
            total = sum(weights.get(s, 0.0) for s in example.slots) * norm
            assert example.label is not None
            error = (_sigmoid(bias + total) - example.label) * class_weight[example.label]
            error *= by_writer[example.batch, example.label]
            step = rate * error * norm
            for slot in example.slots:
                weights[slot] = weights.get(slot, 0.0) - step
            bias -= rate * error
        for slot in weights:
            weights[slot] *= 1 - DECAY
    return Fit(weights, bias)


def logit(model: Fit, slots: Sequence[int]) -> float:
    if not slots:
        return model.bias
    return model.bias + sum(model.weights.get(s, 0.0) for s in slots) / math.sqrt(len(slots))


def quantise(model: Fit) -> tuple[list[int], float]:
    """Signed-byte weights and the scale that turns them back into floats."""
    largest = max((abs(w) for w in model.weights.values()), default=1.0) or 1.0
    scale = largest / 127
    table = [0] * (1 << SETTINGS.bits)
    for slot, weight in model.weights.items():
        table[slot] = max(-127, min(127, round(weight / scale)))
    return table, scale


def quantised_logit(table: Sequence[int], scale: float, bias: float, slots: Sequence[int]) -> float:
    if not slots:
        return bias
    return bias + sum(table[s] for s in slots) * scale / math.sqrt(len(slots))


# ----------------------------------------------------------------------------- measuring


def cross_validate(examples: Sequence[Example], balance: float) -> list[tuple[float, Example]]:
    """Leave-one-batch-out: each batch scored by a model fitted on all the others (with
    the quantised weights the shipped model uses)."""
    held_out: list[tuple[float, Example]] = []
    for batch in sorted({e.batch for e in examples}):
        model = fit([e for e in examples if e.batch != batch], balance)
        table, scale = quantise(model)
        for e in examples:
            if e.batch == batch:
                score = quantised_logit(table, scale, model.bias, e.slots) if e.gated else -99.0
                held_out.append((score, e))
    return held_out


def saved_held_out(path: Path, examples: Sequence[Example]) -> list[tuple[float, Example]]:
    """The held-out scores an earlier run wrote (``--scores``), for a run that only writes
    the model (a cross-validation takes minutes a model). They must cover exactly these
    examples: scores of other inputs would describe another model."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    scores = {(row["batch"], row["id"]): float(row["score"]) for row in rows}
    keys = {(e.batch, e.id) for e in examples}
    if scores.keys() != keys or len(rows) != len(examples):
        raise SystemExit(
            f"{path}: its held-out scores are not of these posts; cross-validate again"
        )
    return [(scores[e.batch, e.id], e) for e in examples]


def curve(held_out: Sequence[tuple[float, Example]], threshold: float) -> dict[str, Any]:
    """Pooled precision and recall on the concept at ``threshold``, and clean posts flagged."""
    tp = sum(1 for s, e in held_out if s >= threshold and e.label == 1)
    fp = sum(1 for s, e in held_out if s >= threshold and e.label == 0)
    positives = sum(1 for _, e in held_out if e.label == 1)
    clean = [s for s, e in held_out if e.clean]
    return {
        "threshold": round(threshold, 3),
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / positives, 3) if positives else 0.0,
        "tp": tp,
        "fp": fp,
        "positives": positives,
        "clean_flagged": sum(s >= threshold for s in clean),
        "clean": len(clean),
    }


def operating_threshold(held_out: Sequence[tuple[float, Example]], precision: float) -> float:
    """The lowest held-out score at which pooled precision is at least ``precision`` with
    at least :data:`MIN_FLAGGED` posts flagged (fewer say nothing about precision); if no
    score reaches it, the one with the best precision (the lowest such, for recall)."""
    scores = sorted({round(s, 3) for s, e in held_out if e.label is not None and s > -99})
    best: tuple[float, float] | None = None  # (precision, -threshold)
    for threshold in scores:
        point = curve(held_out, threshold)
        if point["tp"] + point["fp"] < MIN_FLAGGED:
            break
        if point["precision"] >= precision:
            return threshold
        if best is None or (point["precision"], -threshold) > best:
            best = (point["precision"], -threshold)
    return -best[1] if best else (scores[-1] if scores else 0.0)


@functools.cache
def corpus_settings() -> dict[str, Any]:
    """tests/corpus/organisation.toml as settings (benchmarks/quality.py reads it so)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from quality import organisation_settings  # type: ignore[import-not-found]

    settings: dict[str, Any] = organisation_settings()
    return settings


@functools.cache
def builtin_policy() -> Any:
    """builtin:all with the corpus organisation, as benchmarks/quality.py checks posts."""
    import policylint

    return policylint.load_policy("builtin:all", settings=corpus_settings())


@functools.cache
def rule_categories() -> dict[str, str]:
    """Each built-in rule's category, by rule id."""
    return {rule.id: rule.category for rule in builtin_policy().rules}


#: The categories the rules (not the learned ones) report on each post, by (batch, post id):
#: one check per post however many models a run compares. Ids are unique within a batch
#: only (train-claims and train-claims2 both hold a "tc-001").
_RULES_FOUND: dict[tuple[str, str], frozenset[str]] = {}


def rules_flags(examples: Sequence[Example], category: str) -> dict[tuple[str, str], bool]:
    """Whether the current built-in rules, learned ones aside, report the category on each
    post (as benchmarks/quality.py checks it: builtin:all with the corpus organisation)."""
    policy, category_of = builtin_policy(), rule_categories()
    for e in examples:
        if (e.batch, e.id) not in _RULES_FOUND:
            report = policy.check(e.post["text"], platform=e.post.get("platform"),
                                  meta=e.post.get("meta"))  # fmt: skip
            _RULES_FOUND[e.batch, e.id] = frozenset(
                category_of.get(f.rule, "")
                for f in report.findings
                if not f.waived and not f.rule.endswith(".learned")
            )
    return {(e.batch, e.id): category in _RULES_FOUND[e.batch, e.id] for e in examples}


def compare(
    held_out: Sequence[tuple[float, Example]],
    threshold: float,
    flags: dict[tuple[str, str], bool],
) -> dict[str, Any]:
    """Rules alone, model alone and either, on the model's concept (held-out scores)."""

    def figures(hit: dict[tuple[str, str], bool]) -> dict[str, Any]:
        tp = sum(hit[e.batch, e.id] and e.label == 1 for _, e in held_out)
        fp = sum(hit[e.batch, e.id] and e.label == 0 for _, e in held_out)
        positives = sum(e.label == 1 for _, e in held_out)
        clean = sum(hit[e.batch, e.id] and e.clean for _, e in held_out)
        return {"precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
                "recall": round(tp / positives, 3), "fp": fp, "clean_flagged": clean}  # fmt: skip

    model = {(e.batch, e.id): s >= threshold for s, e in held_out}
    either = {key: model[key] or flags[key] for key in model}
    return {"rules": figures(flags), "model": figures(model), "union": figures(either)}


# ----------------------------------------------------------------------------- output


def provenance(
    name: str,
    spec: ModelSpec,
    examples: Sequence[Example],
    date: str,
    cv: dict[str, Any],
    balance: float,
) -> dict[str, Any]:
    return {
        "model": name,
        "trained": date,
        "training_data": "tests/corpus/dev: "
        + ", ".join(sorted({e.batch for e in examples}))
        + "; never tests/corpus/sealed",
        "positives": f"category {spec.category} with a concept matching /{spec.concepts}/"
        f" (or an expected rule matching /{spec.expect}/)",
        "negatives": f"posts that break nothing of category {spec.category}",
        "examples": {
            "positive": sum(e.label == 1 and e.gated for e in examples),
            "negative": sum(e.label == 0 and e.gated for e in examples),
        },
        "scored_posts": "replies and posts addressing the reader"
        if spec.gate == "addressed"
        else "every post",
        "rule_guard": spec.description,
        "method": f"logistic regression, SGD, {EPOCHS} epochs, rate {LEARNING_RATE}/(1+epoch),"
        f" decay {DECAY}/epoch, positive weight sqrt(neg/pos), seed {SEED}; weights quantised"
        " to signed bytes; a batch holding more of a label than the median batch weighted"
        f" (median/held)**{balance}",
        "cross_validation": cv,
    }


def train(name: str, args: argparse.Namespace) -> dict[str, Any]:
    spec = MODELS[name]
    paths = [Path(p) for p in args.inputs] if args.inputs else sorted(DEV.glob("*.jsonl"))
    started = time.perf_counter()
    examples = load(paths, spec)
    balance = spec.balance if args.balance is None else args.balance
    if args.held_out:
        held_out = saved_held_out(Path(args.held_out.replace("{model}", name)), examples)
    else:
        held_out = cross_validate(examples, balance) if not args.no_cv else []
    # The rule always pairs the model with its guard (its when; the detector's anchor):
    # the threshold is chosen, and the rule's figures given, on the guarded held-out scores.
    guarded = [(s if e.guarded else -99.0, e) for s, e in held_out]
    threshold = operating_threshold(guarded, args.precision) if held_out else args.threshold
    if args.scores:
        with open(args.scores.replace("{model}", name), "w", encoding="utf-8") as out:
            for score, e in held_out:
                row = {"id": e.id, "batch": e.batch, "score": round(score, 4), "label": e.label,
                       "clean": e.clean, "guarded": e.guarded}  # fmt: skip
                out.write(json.dumps(row) + "\n")
    cv: dict[str, Any] = {}
    if held_out:
        cv["batches"] = len({e.batch for e in examples})
        cv["operating_point_with_rule_guard"] = curve(guarded, threshold)
        cv["operating_point_model_alone"] = curve(held_out, threshold)
        grid = sorted({threshold, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0})
        cv["curve_with_rule_guard"] = [curve(guarded, t) for t in grid]
        cv["curve_model_alone"] = [curve(held_out, t) for t in grid]
        if args.rules:
            cv["versus_rules"] = compare(guarded, threshold, rules_flags(examples, spec.category))
    model = fit(examples, balance)
    table, scale = quantise(model)
    header = {
        "features": SETTINGS._asdict(),
        "scale": scale,
        "bias": model.bias,
        "threshold": threshold,
        "provenance": provenance(
            name, spec, examples, args.date or _newest_day(paths), cv, balance
        ),
    }
    if not args.cv_only:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        data = write_model(out / f"{name}.model", header, table)
        sidecar = dict(header["provenance"], model_bytes=len(data), threshold=threshold)
        (out / f"{name}.json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    cv["seconds"] = round(time.perf_counter() - started, 1)
    return cv


def _newest_day(paths: Sequence[Path]) -> str:
    newest = max(p.stat().st_mtime for p in paths)
    return time.strftime("%Y-%m-%d", time.gmtime(newest))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", choices=sorted(MODELS), action="append")
    parser.add_argument("--inputs", nargs="*", help="dev files (default: all of them)")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--date", help="the training date recorded (default: newest input's)")
    parser.add_argument("--precision", type=float, default=0.95)
    parser.add_argument("--balance", type=float, help="writer balance (default: the model's)")
    parser.add_argument("--threshold", type=float, default=0.0, help="with --no-cv")
    parser.add_argument("--cv-only", action="store_true", help="measure, write nothing")
    parser.add_argument("--no-cv", action="store_true", help="fit and write, no measuring")
    parser.add_argument(
        "--held-out",
        help="reuse the held-out scores --scores wrote ({model}: the model's name)",
    )
    parser.add_argument("--rules", action="store_true", help="compare with the current rules")
    parser.add_argument(
        "--scores",
        help="write the held-out scores (JSON lines) to this file ({model}: the model's name)",
    )
    args = parser.parse_args(argv)
    for name in args.model or sorted(MODELS):
        print(name, json.dumps(train(name, args), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
