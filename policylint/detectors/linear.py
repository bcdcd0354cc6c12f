"""Small linear text models shipped in ``rules/data/models/``: features, file format, scoring.

A model is a logistic regression over hashed features of the post's folded view (the view
term lists match on: case, accents and leetspeak folded), trained by
``tools/models/train.py`` on the labelled corpus's dev half only. Pure Python at run time:
no numpy, no download.

Features (:func:`token_features`), each hashed with :func:`zlib.crc32` (stable across runs
and machines, unlike ``hash()``) into a table of ``2**bits`` weights:

* every word (letters and digits) and every other visible character (an emoji, ``?``, ``!``)
  as a unigram, ``w:WORD``;
* each pair of neighbouring tokens, ``b:FIRST SECOND``;
* the character 3- to 5-grams of each word with boundary marks (``<you>``: ``<yo``,
  ``you``, ``ou>``, ``<you``...), ``c:GRAM``: a typo, a conjugation or a word the training
  posts never held still shares most of its grams with one they did (``puedes``/``pueden``).

The score of a text is ``bias + sum(weights) / sqrt(number of features)`` (longer posts do
not score higher for being long); a token's contribution is the weight of its own features
and half of each pair it belongs to, so a detector can say which words carried the judgement.

The file (``NAME.model``) is one ASCII line ``policylint-linear-model 1``, one line of JSON
(the header: feature settings, the weight scale, bias, threshold, the payload's length and
CRC-32, and the model's provenance) and the payload: the weight table as signed bytes,
zlib-compressed. A truncated, tampered or otherwise unreadable file raises
:class:`ModelFileError` naming the file, never a silent zero score.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MAGIC",
    "FeatureSettings",
    "LinearModel",
    "ModelFileError",
    "Token",
    "meta_slots",
    "read_model",
    "token_features",
    "write_model",
]

MAGIC = b"policylint-linear-model 1\n"
# A token: a run of letters and digits, or one visible character that is neither (an emoji,
# "?", "!": the marks of irony and of shouting count).
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
# Words whose grams are cached (a post's words recur across posts); the cache is emptied
# when it grows past this many, so a long run never holds more.
_CACHE_LIMIT = 50_000


class ModelFileError(Exception):
    """A model file that cannot be used: the message names the file and what is wrong."""


class FeatureSettings(NamedTuple):
    """How text becomes features; stored in the model's header, so training and scoring
    agree by construction."""

    bits: int = 18  # the table holds 2**bits weights
    gram_min: int = 3  # character n-grams of words, with boundary marks
    gram_max: int = 5
    bigrams: bool = True


class Token(NamedTuple):
    """A token of the folded text and the table slots of its features."""

    start: int
    end: int
    word: str  # as folded
    slots: tuple[int, ...]  # its unigram and character n-grams
    pair: int  # the slot of the pair it closes with the token before, or -1 for the first


def _slot(feature: str, mask: int) -> int:
    # surrogatepass: a lone surrogate (text that was never valid UTF-8) hashes instead of
    # failing the check; valid text encodes as before, so the shipped weights still fit.
    return zlib.crc32(feature.encode("utf-8", "surrogatepass")) & mask


class _Hasher:
    """Feature slots of words, cached per settings."""

    __slots__ = ("_cache", "_pairs", "mask", "settings")

    def __init__(self, settings: FeatureSettings) -> None:
        self.settings = settings
        self.mask = (1 << settings.bits) - 1
        self._cache: dict[str, tuple[int, ...]] = {}
        self._pairs: dict[tuple[str, str], int] = {}

    def pair(self, previous: str, word: str) -> int:
        """The slot of the word pair ``previous word`` (pairs recur across posts as words do)."""
        key = (previous, word)
        found = self._pairs.get(key)
        if found is None:
            if len(self._pairs) >= _CACHE_LIMIT:
                self._pairs.clear()
            found = self._pairs[key] = _slot(f"b:{previous} {word}", self.mask)
        return found

    def word(self, word: str) -> tuple[int, ...]:
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[word] = self._word_slots(word)
        return found

    def _word_slots(self, word: str) -> tuple[int, ...]:
        mask, settings = self.mask, self.settings
        slots = [_slot("w:" + word, mask)]
        if word[0].isalpha() or len(word) > 1:
            marked = f"<{word}>"
            for size in range(settings.gram_min, settings.gram_max + 1):
                slots.extend(
                    _slot("c:" + marked[at : at + size], mask)
                    for at in range(len(marked) - size + 1)
                )
        return tuple(slots)


_HASHERS: dict[FeatureSettings, _Hasher] = {}


def _hasher(settings: FeatureSettings) -> _Hasher:
    hasher = _HASHERS.get(settings)
    if hasher is None:
        hasher = _HASHERS[settings] = _Hasher(settings)
    return hasher


def token_features(folded: str, settings: FeatureSettings) -> list[Token]:
    """The tokens of ``folded`` (a folded view's text) with their feature slots."""
    hasher = _hasher(settings)
    tokens: list[Token] = []
    previous = ""
    for found in _TOKEN.finditer(folded):
        word = found.group()
        pair = hasher.pair(previous, word) if previous and settings.bigrams else -1
        tokens.append(Token(found.start(), found.end(), word, hasher.word(word), pair))
        previous = word
    return tokens


def post_slots(tokens: Sequence[Token]) -> list[int]:
    """Every feature slot of a text, repeated as often as the feature occurs."""
    slots: list[int] = []
    for token in tokens:
        slots.extend(token.slots)
        if token.pair >= 0:
            slots.append(token.pair)
    return slots


def meta_slots(reply: bool, settings: FeatureSettings) -> list[int]:
    """Slots of the features a post's metadata adds: ``m:reply`` for a reply (a hostile
    sentence reads differently aimed at a customer who wrote in than in an advert)."""
    return [_slot("m:reply", (1 << settings.bits) - 1)] if reply else []


class Scored(NamedTuple):
    """A text's score and each token's share of it (in the score's units)."""

    score: float  # the logit: bias + sum / sqrt(features)
    contributions: list[float]  # per token, aligned with the tokens


class LinearModel:
    """A loaded model: its weight table and what its header says."""

    __slots__ = (
        "_word_sums",
        "bias",
        "header",
        "name",
        "scale",
        "settings",
        "threshold",
        "weights",
    )

    def __init__(self, name: str, header: Mapping[str, Any], weights: array[int]) -> None:
        #: Each word's own weights (unigram and grams) summed: a word recurs across posts,
        #: so a post costs one lookup per word rather than one per feature. Emptied when it
        #: grows past the feature cache's limit.
        self._word_sums: dict[str, int] = {}
        self.name = name
        self.header = header
        self.settings = FeatureSettings(**header["features"])
        self.scale = float(header["scale"])
        self.bias = float(header["bias"])
        self.threshold = float(header["threshold"])
        self.weights = weights

    def quick_logit(self, folded: str, extra: Sequence[int] = ()) -> float:
        """The logit :meth:`score` gives ``folded``'s tokens, summed in another order (equal
        to it but for rounding) and without building the tokens: most posts score far below
        the threshold, and this is all it takes to know it."""
        hasher, weights = _hasher(self.settings), self.weights
        bigrams = self.settings.bigrams
        total = count = 0
        previous = ""
        for found in _TOKEN.finditer(folded):
            word = found.group()
            slots = hasher.word(word)
            total += self._word_sum_of(word, slots)
            count += len(slots)
            if previous and bigrams:
                total += weights[hasher.pair(previous, word)]
                count += 1
            previous = word
        total += sum(weights[s] for s in extra)
        count += len(extra)
        if not count:
            return self.bias
        return self.bias + total * self.scale / math.sqrt(count)

    def score(self, tokens: Sequence[Token], extra: Sequence[int] = ()) -> Scored:
        """The logit of a text and each token's contribution to it; ``extra`` are slots of
        features that are not words (:func:`meta_slots`), counted in no token's share."""
        weights, scale = self.weights, self.scale
        count = sum(len(t.slots) + (t.pair >= 0) for t in tokens) + len(extra)
        if not count:
            return Scored(self.bias, [])
        norm = scale / math.sqrt(count)
        contributions = [self._word_sum(t) * norm for t in tokens]
        bias = self.bias + sum(weights[s] for s in extra) * norm
        for at, token in enumerate(tokens):
            if token.pair >= 0:
                half = weights[token.pair] * norm / 2
                contributions[at] += half
                contributions[at - 1] += half
        return Scored(bias + sum(contributions), contributions)

    def _word_sum(self, token: Token) -> int:
        return self._word_sum_of(token.word, token.slots)

    def _word_sum_of(self, word: str, slots: tuple[int, ...]) -> int:
        sums = self._word_sums
        found = sums.get(word)
        if found is None:
            if len(sums) >= _CACHE_LIMIT:
                sums.clear()
            weights = self.weights
            found = sums[word] = sum(weights[s] for s in slots)
        return found


def _fail(path: Path, problem: str) -> ModelFileError:
    return ModelFileError(f"{path}: {problem} (rebuild it with tools/models/train.py)")


def read_model(path: Path) -> LinearModel:
    """Load and check a model file; :class:`ModelFileError` names the file if it is unusable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _fail(path, f"cannot be read: {error.strerror or error}") from None
    if not data.startswith(MAGIC):
        raise _fail(path, "is not a policylint linear model (wrong first line)")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise _fail(path, "is truncated in its header")
    try:
        header = json.loads(data[len(MAGIC) : end])
        expected_length, expected_crc = int(header["payload_bytes"]), int(header["payload_crc32"])
        settings = FeatureSettings(**header["features"])
        float(header["scale"]), float(header["bias"]), float(header["threshold"])
    except (ValueError, KeyError, TypeError) as error:
        raise _fail(path, f"has an unreadable header ({error})") from None
    payload = data[end + 1 :]
    if len(payload) != expected_length:
        raise _fail(path, f"is truncated: {len(payload)} of {expected_length} payload bytes")
    if zlib.crc32(payload) != expected_crc:
        raise _fail(path, "is damaged: its weights do not match the header's checksum")
    try:
        table = zlib.decompress(payload)
    except zlib.error as error:
        raise _fail(path, f"is damaged: {error}") from None
    if len(table) != 1 << settings.bits:
        raise _fail(path, f"holds {len(table)} weights, its header says {1 << settings.bits}")
    weights = array("b")
    weights.frombytes(table)
    return LinearModel(path.stem, header, weights)


def write_model(path: Path, header: Mapping[str, Any], weights: Sequence[int]) -> bytes:
    """The bytes of a model file (also written to ``path``): ``weights`` are signed bytes."""
    payload = zlib.compress(array("b", weights).tobytes(), 9)
    full = dict(header, payload_bytes=len(payload), payload_crc32=zlib.crc32(payload))
    data = MAGIC + json.dumps(full, sort_keys=True, ensure_ascii=True).encode() + b"\n" + payload
    path.write_bytes(data)
    return data


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) spans (the ``sentences`` unit's starts)."""
    from policylint._text.sentences import sentence_starts

    starts = sentence_starts(text)
    for at, start in enumerate(starts):
        yield start, starts[at + 1] if at + 1 < len(starts) else len(text)
