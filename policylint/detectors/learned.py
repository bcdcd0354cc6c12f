"""Detectors backed by small learned models: ``hostile_tone``, ``sensitive_fact``,
``health_claim``, ``return_promise``, ``mnpi_hint`` and ``defamation``.

Each runs a linear model of ``rules/data/models/`` (:mod:`policylint.detectors.linear`;
how it was trained, on what, and how well it does on writers it never saw are in the
model's header and its ``.json`` sidecar) over the post's folded view. A post the model
scores at or above the model's operating threshold gets one detection: the sentence whose
words carried most of the score. Its value is the model's probability (``"0.93"``) and its
label the words that weighed most in that sentence (``"clearly, again, 🙄"``), so a reviewer
sees the evidence, not "the model said so".

* ``hostile_tone``: a reply or post addressed to its reader that reads as hostile,
  sarcastic, dismissive or condescending. Only posts that are replies (``meta.reply``,
  ``meta.in_reply_to``) or address the reader (a second-person word in one of the six
  languages) are scored: a hostile reply is aimed at someone.
* ``sensitive_fact``: a sentence telling a sensitive fact about someone (a diagnosis, a
  treatment, grades, discipline, a dismissal, debts) whom the ``person`` detector finds in
  that sentence: the model judges what is said, the person detector that it is said about
  someone. The person is looked for first (most posts name no one, and the model never
  runs on them), so this detector's precheck is the person detector's (a capital letter).
* ``health_claim``: a sentence claiming a product prevents, treats, relieves or cures a
  condition the ``condition`` detector finds in that sentence (its precheck is that
  detector's).
* ``return_promise``: a sentence promising returns, projections or earnings that holds a
  figure (:data:`FIGURE`: a number, percentage or amount; precheck a digit).
* ``mnpi_hint``: a sentence hinting at unreleased results or an unannounced deal that holds
  a period, results or deal word (:data:`RESULTS_OR_DEAL`).
* ``defamation``: a sentence asserting that a named party commits crimes, fraud, lies or
  theft, naming the party (:func:`parties`: a person, an @account, a company with its legal
  form, a competitor).

A model's anchor (the person, the condition, the figure) is what makes a weak model usable:
the model judges what is said, the anchor that it is said about something the rule is about
(cross-validated precision 0.5 alone, 0.95 anchored, for ``sensitive_fact``). Which posts a
model scores and what anchors it are configuration, kept equal to the training table
(tools/models/train.py ``MODELS``; tests/test_learned.py checks it).

The model file is read the first time a post reaches the model (a few milliseconds), never
at start-up; a damaged file raises :class:`~policylint.detectors.linear.ModelFileError`
naming it.
"""

from __future__ import annotations

import math
import re
from functools import cache

from policylint._model.posts import truthy
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews
    from policylint._text.views import NormalisedText
    from policylint.detectors.linear import LinearModel, Scored, Token

__all__ = [
    "DEFAMATION",
    "FIGURE",
    "HEALTH_CLAIM",
    "HOSTILE_TONE",
    "MNPI_HINT",
    "RESULTS_OR_DEAL",
    "RETURN_PROMISE",
    "SENSITIVE_FACT",
    "LearnedDetector",
    "addressed",
    "anchors",
    "is_reply",
    "load_model",
    "parties",
]

#: Words that address the reader, folded (lower case, no accents), in en, es, de, fr, it, pt.
SECOND_PERSON = frozenset(
    {"you", "your", "yours", "youre", "yourself", "u", "ur", "ya", "y'all", "yall",
     "tu", "tus", "te", "ti", "usted", "ustedes", "vos", "vosotros", "os", "su",
     "du", "dich", "dir", "dein", "deine", "deinen", "ihnen", "euch", "euer", "eure",
     "vous", "votre", "ton", "ta", "tes", "toi",
     "tuo", "tua", "tuoi", "voi", "vostro", "vostra", "lei",
     "voce", "voces", "vc", "teu", "seu", "sua", "contigo", "convosco"}
)  # fmt: skip
#: Evidence words a detection names at most.
EVIDENCE_WORDS = 3


@cache
def load_model(name: str) -> LinearModel:
    """The model ``rules/data/models/NAME.model``, read once per process."""
    from policylint._resources import rules_dir
    from policylint.detectors.linear import read_model

    return read_model(rules_dir() / "data" / "models" / f"{name}.model")


def is_reply(post: PostViews) -> bool:
    """``meta.reply or meta.in_reply_to``, read as the rule language reads them."""
    meta = post.meta
    return truthy(meta.get("reply")) or truthy(meta.get("in_reply_to"))


def addressed(post: PostViews) -> bool:
    """Whether a post is a reply or speaks to its reader (``hostile_tone`` scores only these)."""
    if is_reply(post):
        return True
    folded = post.folded.text
    return any(word in SECOND_PERSON for word in _words(folded))


def _words(folded: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in folded).split()


def probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit))))


class LearnedDetector:
    """Scores a post with a model and reports the sentence that carried the judgement."""

    def __init__(
        self,
        name: str,
        model: str,
        description: str,
        *,
        addressed_only: bool = False,
        anchor: str | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.description = description
        self.addressed_only = addressed_only
        #: What the reported sentence must hold (:func:`anchors`), or None: any sentence.
        self.anchor = anchor

    def detect(self, post: PostViews) -> list[Detection]:
        if self.addressed_only and not addressed(post):
            return []
        spans: list[tuple[int, int]] | None = None
        if self.anchor is not None:
            # The anchor first: it is cheaper than the model, and most posts hold none.
            spans = anchors(post, self.anchor)
            if not spans:
                return []
        # Imported here, past the gates: a check whose posts never reach a model never
        # imports the model code.
        from policylint.detectors.linear import meta_slots, token_features

        model = load_model(self.model)
        folded = post.folded
        extra = meta_slots(is_reply(post), model.settings)
        # Most posts score far below the threshold: the quick sum says so without building
        # the tokens; only a score near or above it (rounding aside) is scored in full.
        if model.quick_logit(folded.text, extra) < model.threshold - _ROUNDING:
            return []
        tokens = token_features(folded.text, model.settings)
        scored = model.score(tokens, extra)
        if scored.score < model.threshold:
            return []
        found = _carrier(folded, tokens, scored, spans)
        if found is None:
            return []
        start, end, evidence = found
        words = ", ".join(post.text[slice(*folded.to_original(s, e))] for s, e in evidence)
        return [
            Detection(*folded.to_original(start, end), f"{probability(scored.score):.2f}", words)
        ]

    def canonical(self, text: str) -> str:
        return " ".join(text.split()).lower()


#: How far the quick logit may stray from the full score's by summing in another order
#: (floating-point rounding: far below this).
_ROUNDING = 1e-6

#: A figure a promise of returns is made of: a number (``12``, ``3.5``, ``1,000``, ``10x``),
#: a percentage or an amount of money, in the original text.
FIGURE = re.compile(r"[$€£¥]\s?\d+(?:[.,]\d+)*|\b\d+(?:[.,]\d+)*(?:\s?(?:%|€|\$)|(?:x|k)\b)?")
#: What a hint at unreleased results or an unannounced deal is about: a period (``Q3``,
#: ``FY25``, "quarter"), results or numbers, a deal, merger or acquisition, in six languages.
RESULTS_OR_DEAL = re.compile(
    r"(?i)\b(?:[QT][1-4]|[1-4][QT]|H[12]|FY\s?\d{2,4}|quarter\w*|earnings|results?|numbers"
    r"|revenue\w*|guidance|deal\w*|merger\w*|acquisition\w*|acquir\w*|buyout|takeover"
    r"|partnership\w*|contract\w*|trimestr\w*|quartal\w*|resultad\w*|ergebnis\w*|zahlen"
    r"|r[ée]sultats?|risultat\w*|acuerdo\w*|fusi[oó]n\w*|adquisici[oó]n\w*|übernahme\w*"
    r"|fusion\w*|rachat|accord\w*|acordo\w*|aquisi[cç][aã]o|fus[aã]o|acquisizion\w*)\b"
)
#: An @account: a party a post names for certain.
HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
#: The anchors that are patterns, not detectors.
ANCHOR_PATTERNS = {"figure": FIGURE, "results_or_deal": RESULTS_OR_DEAL}


def anchors(post: PostViews, anchor: str) -> list[tuple[int, int]]:
    """Where ``anchor`` is found in the post (spans of the original text): a pattern of
    :data:`ANCHOR_PATTERNS`, ``party`` (:func:`parties`), or else a detector's finds
    (``person``, ``condition``). The runtime's per-post context keeps each detector's
    detections: asked through it, the anchor's detector runs once per post whoever asks."""
    pattern = ANCHOR_PATTERNS.get(anchor)
    if pattern is not None:
        return [match.span() for match in pattern.finditer(post.text)]
    if anchor == "party":
        return parties(post)
    detections = getattr(post, "detections", None)
    found = detections(anchor) if detections is not None else _anchor_detector(anchor).detect(post)
    return [(d.start, d.end) for d in found]


def parties(post: PostViews) -> list[tuple[int, int]]:
    """Named parties a statement can wrong (``party``): a person the ``person`` detector
    finds, an @account, a capitalised name with a company's legal form (``Hartwell GmbH``,
    ``Globex S.A.``; the forms of rules/data/legal_company_suffixes.txt) and, in a check, a
    competitor of ``organisation.competitors``, as whole words in any case."""
    found = [match.span() for match in HANDLE.finditer(post.text)]
    found += [match.span() for match in _company_names().finditer(post.text)]
    settings = getattr(post, "settings", None) or {}
    for name in settings.get("organisation.competitors") or ():
        if name.strip():
            pattern = r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)"
            found += [match.span() for match in re.finditer(pattern, post.text, re.IGNORECASE)]
    return found + anchors(post, "person")


@cache
def _company_names() -> re.Pattern[str]:
    """One to four capitalised words and a legal form after them (case as written:
    "co" or "sa" in running text are words, "Co" and "SA" forms)."""
    from policylint._resources import rules_dir

    path = rules_dir() / "data" / "legal_company_suffixes.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    forms = sorted({line.split("\t")[0] for line in lines if line and not line.startswith("#")},
                   key=lambda form: (-len(form), form))  # fmt: skip
    word = r"[A-ZÀ-ÖØ-Þ][\w&'.-]*"  # capitalised (the Latin capitals of the six languages)
    return re.compile(
        rf"(?<!\w){word}(?:\s+{word}){{0,3}},?\s+(?:{'|'.join(map(re.escape, forms))})(?!\w)"
    )


def _anchor_detector(name: str) -> Detector:
    """An anchor's detector outside the runtime (training, a bare PostViews). Imported by
    module, not through the registry, which names this module: no import cycle."""
    if name == "person":
        from policylint.detectors.person import DETECTOR as PERSON

        return PERSON
    if name == "condition":
        from policylint.detectors.condition import DETECTOR as CONDITION

        return CONDITION
    raise ValueError(
        f"unknown anchor {name!r}: one of condition, person, {', '.join(ANCHOR_PATTERNS)}"
    )


def _carrier(
    folded: NormalisedText,
    tokens: list[Token],
    scored: Scored,
    spans: list[tuple[int, int]] | None,
) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The sentence with the largest share of the score (its span without surrounding
    spaces; among those holding the start of one of ``spans`` if given) and its heaviest
    tokens' spans,
    heaviest first; None if no sentence qualifies."""
    from policylint.detectors.linear import sentence_spans

    text = folded.text
    best: tuple[float, int, int, list[int]] | None = None
    for start, end in sentence_spans(text):
        inside = [at for at, t in enumerate(tokens) if start <= t.start < end]
        if not inside:
            continue
        if spans is not None:
            first, last = folded.to_original(start, end)
            if not any(first <= at < last for at, _ in spans):
                continue
        share = sum(scored.contributions[at] for at in inside)
        if best is None or share > best[0]:
            best = (share, start, end, inside)
    if best is None:
        return None
    _, start, end, inside = best
    while end > start and text[end - 1].isspace():
        end -= 1
    # Evidence a reader can see: words and emoji, not commas.
    telling = [at for at in inside if _telling(text[tokens[at].start : tokens[at].end])]
    heaviest = sorted(telling, key=lambda at: -scored.contributions[at])[:EVIDENCE_WORDS]
    evidence = [(tokens[at].start, tokens[at].end) for at in heaviest
                if scored.contributions[at] > 0]  # fmt: skip
    return start, end, evidence


def _telling(token: str) -> bool:
    return token[0].isalnum() or not token.isascii()


HOSTILE_TONE: Detector = LearnedDetector(
    "hostile_tone",
    "hostile_tone",
    "Replies and posts addressed to the reader that read as hostile, sarcastic, dismissive "
    "or condescending (a learned model, rules/data/models/hostile_tone.model).",
    addressed_only=True,
)
SENSITIVE_FACT: Detector = LearnedDetector(
    "sensitive_fact",
    "sensitive_fact",
    "Sentences telling a sensitive fact about someone: health, treatment, grades, "
    "discipline, dismissal, debts (a learned model, rules/data/models/sensitive_fact.model).",
    anchor="person",
)
HEALTH_CLAIM: Detector = LearnedDetector(
    "health_claim",
    "health_claim",
    "Sentences claiming or implying that a product prevents, treats, relieves or cures a "
    "health condition the condition detector finds in that sentence (a learned model, "
    "rules/data/models/health_claim.model).",
    anchor="condition",
)
RETURN_PROMISE: Detector = LearnedDetector(
    "return_promise",
    "return_promise",
    "Sentences promising or implying investment returns, projections or earnings, holding a "
    "number, percentage or amount (a learned model, rules/data/models/return_promise.model).",
    anchor="figure",
)
DEFAMATION: Detector = LearnedDetector(
    "defamation",
    "defamation",
    "Sentences asserting that a named person or company commits crimes, fraud, lies or "
    "theft, naming the party (a person, an @account, a company with its legal form, a "
    "competitor) in that sentence (a learned model, rules/data/models/defamation.model).",
    anchor="party",
)
MNPI_HINT: Detector = LearnedDetector(
    "mnpi_hint",
    "mnpi_hint",
    "Sentences hinting at unreleased results or an unannounced deal, holding a period, "
    "results or deal word (a learned model, rules/data/models/mnpi_hint.model).",
    anchor="results_or_deal",
)
