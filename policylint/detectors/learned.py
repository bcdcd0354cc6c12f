"""Detectors backed by small learned models: ``hostile_tone`` and ``sensitive_fact``.

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

The model file is read the first time a post reaches the model (a few milliseconds), never
at start-up; a damaged file raises :class:`~policylint.detectors.linear.ModelFileError`
naming it.
"""

from __future__ import annotations

import math
from functools import cache

from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews
    from policylint._text.views import NormalisedText
    from policylint.detectors.linear import LinearModel, Scored, Token

__all__ = [
    "HOSTILE_TONE",
    "SENSITIVE_FACT",
    "LearnedDetector",
    "addressed",
    "is_reply",
    "load_model",
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
    meta = post.meta
    return meta.get("reply") is True or bool(meta.get("in_reply_to"))


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
        self, name: str, model: str, description: str, *, addressed_only: bool, about_someone: bool
    ) -> None:
        self.name = name
        self.model = model
        self.description = description
        self.addressed_only = addressed_only
        self.about_someone = about_someone

    def detect(self, post: PostViews) -> list[Detection]:
        if self.addressed_only and not addressed(post):
            return []
        people: list[tuple[int, int]] | None = None
        if self.about_someone:
            # The person first: it is cheaper than the model, and most posts name no one.
            people = _people(post)
            if not people:
                return []
        # Imported here, past the gates: a check whose posts never reach a model never
        # imports the model code.
        from policylint.detectors.linear import meta_slots, token_features

        model = load_model(self.model)
        folded = post.folded
        tokens = token_features(folded.text, model.settings)
        scored = model.score(tokens, meta_slots(is_reply(post), model.settings))
        if scored.score < model.threshold:
            return []
        found = _carrier(folded, tokens, scored, people)
        if found is None:
            return []
        start, end, evidence = found
        words = ", ".join(post.text[slice(*folded.to_original(s, e))] for s, e in evidence)
        return [
            Detection(*folded.to_original(start, end), f"{probability(scored.score):.2f}", words)
        ]

    def canonical(self, text: str) -> str:
        return " ".join(text.split()).lower()


def _people(post: PostViews) -> list[tuple[int, int]]:
    """Where the person detector finds someone (spans of the original text). The runtime's
    per-post context keeps each detector's detections: asked through it, the person
    detector runs once per post whoever asks."""
    detections = getattr(post, "detections", None)
    if detections is not None:
        found = detections("person")
    else:
        from policylint.detectors.person import DETECTOR as PERSON

        found = PERSON.detect(post)
    return [(d.start, d.end) for d in found]


def _carrier(
    folded: NormalisedText,
    tokens: list[Token],
    scored: Scored,
    people: list[tuple[int, int]] | None,
) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The sentence with the largest share of the score (its span without surrounding
    spaces; among those naming one of ``people`` if given) and its heaviest tokens' spans,
    heaviest first; None if no sentence qualifies."""
    from policylint.detectors.linear import sentence_spans

    text = folded.text
    best: tuple[float, int, int, list[int]] | None = None
    for start, end in sentence_spans(text):
        inside = [at for at, t in enumerate(tokens) if start <= t.start < end]
        if not inside:
            continue
        if people is not None:
            first, last = folded.to_original(start, end)
            if not any(first <= person < last for person, _ in people):
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
    about_someone=False,
)
SENSITIVE_FACT: Detector = LearnedDetector(
    "sensitive_fact",
    "sensitive_fact",
    "Sentences telling a sensitive fact about someone: health, treatment, grades, "
    "discipline, dismissal, debts (a learned model, rules/data/models/sensitive_fact.model).",
    addressed_only=False,
    about_someone=True,
)
