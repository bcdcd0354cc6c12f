"""Built-in detectors the rule language calls with ``detect(NAME)``.

This module is the one place detectors are registered. It imports none of them: a detector's
module (and whatever heavy library it needs, such as ``phonenumbers``) is imported the first
time a policy uses it, so ``DETECTORS.names()`` costs nothing at start-up.

A detector finds things in a post and reports each as a :class:`Detection`: the span of the
original text the author typed (detectors search ``post.plain``, the normalised view, and
map back), the canonical value (what ``allow [...]`` lists are compared with) and a label for
the sub-kind. ``canonical()`` turns an allow-list entry into the same canonical form, so
``"+1 800 555 0100"`` in a policy allows ``1-800-555-0100`` in a post.

To add a detector, write a module with a ``DETECTOR`` object following :class:`Detector`
(:class:`policylint.detectors.base.TextDetector` does the mapping back for a detector that
only needs the text) and add one line to :data:`DETECTORS` below.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from policylint.detectors.base import Detection, Detector

__all__ = [
    "DETECTORS",
    "DETECTOR_LOAD_COSTS",
    "DETECTOR_PRECHECKS",
    "Detection",
    "Detector",
    "DetectorRegistry",
]


class DetectorRegistry(Mapping[str, Detector]):
    """Detectors by name, each imported from its ``"module:attribute"`` on first access."""

    __slots__ = ("_loaded", "_specs", "_used")

    def __init__(self, specs: Mapping[str, str | Detector]) -> None:
        self._specs: dict[str, str | Detector] = dict(specs)
        self._loaded: dict[str, Detector] = {}
        #: Detectors that have run on a post in this process: their loading is paid.
        self._used: set[str] = set()

    def names(self) -> list[str]:
        """The registered names, sorted, without importing any detector."""
        return sorted(self._specs)

    def register(self, name: str, spec: str | Detector) -> None:
        """Add (or replace) a detector: a ``"module:attribute"`` string or the object."""
        self._specs[name] = spec
        self._loaded.pop(name, None)
        self._used.discard(name)

    def mark_used(self, name: str) -> None:
        """Note that ``name`` has run on a post: its first-use cost is paid (load_cost 0)."""
        self._used.add(name)

    def __getitem__(self, name: str) -> Detector:
        found = self._loaded.get(name)
        if found is None:
            spec = self._specs[name]
            if isinstance(spec, str):
                module_name, _, attribute = spec.partition(":")
                found = getattr(importlib.import_module(module_name), attribute or "DETECTOR")
            else:
                found = spec
            self._loaded[name] = found
        return found

    def precheck(self, name: str) -> str | None:
        """The :data:`policylint._runtime.prechecks.PRECHECKS` name that must hold on a post for
        this detector to find anything there, or None. A built-in detector's comes from
        :data:`DETECTOR_PRECHECKS`; any other detector object may declare a ``precheck``
        attribute. Replacing a built-in drops its precheck."""
        spec = self._specs.get(name)
        if isinstance(spec, str):
            return DETECTOR_PRECHECKS.get(name) if spec == _BUILTIN.get(name) else None
        return getattr(spec, "precheck", None)

    def load_cost(self, name: str) -> float:
        """Roughly what a detector's first use costs, in milliseconds (its data or library
        loading): rules that need two things look for the cheaper one first, so a post
        that lacks it never pays for the other. A built-in detector's comes from
        :data:`DETECTOR_LOAD_COSTS`; any other detector object may declare a ``load_cost``
        attribute (1 if it does not). Once the detector has run in this process it costs
        nothing more to load (0): a long run then looks first at the side cheaper per post."""
        if name in self._used:
            return 0.0
        spec = self._specs.get(name)
        if isinstance(spec, str) and spec == _BUILTIN.get(name):
            return DETECTOR_LOAD_COSTS.get(name, 1.0)
        return float(getattr(spec, "load_cost", 1.0))

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"DetectorRegistry({self.names()})"


_BUILTIN = {
    "card": "policylint.detectors.card:DETECTOR",
    "compound_hashtag": "policylint.detectors.compound_hashtag:DETECTOR",
    "condition": "policylint.detectors.condition:DETECTOR",
    "defamation": "policylint.detectors.learned:DEFAMATION",
    "email": "policylint.detectors.email:DETECTOR",
    "fancy_text": "policylint.detectors.fancy_text:DETECTOR",
    "health_claim": "policylint.detectors.learned:HEALTH_CLAIM",
    "hostile_tone": "policylint.detectors.learned:HOSTILE_TONE",
    "iban": "policylint.detectors.iban:DETECTOR",
    "ip": "policylint.detectors.ip:DETECTOR",
    "mnpi_hint": "policylint.detectors.learned:MNPI_HINT",
    "person": "policylint.detectors.person:DETECTOR",
    "phone": "policylint.detectors.phone:DETECTOR",
    "return_promise": "policylint.detectors.learned:RETURN_PROMISE",
    "sensitive_fact": "policylint.detectors.learned:SENSITIVE_FACT",
    "ssn": "policylint.detectors.ssn:DETECTOR",
    "url": "policylint.detectors.url:DETECTOR",
}

#: Every built-in detector. Keep each one precise: the built-in privacy rules flag what they find.
DETECTORS = DetectorRegistry(_BUILTIN)

#: What each built-in detector needs to find anything (a name of
#: :data:`policylint._runtime.prechecks.PRECHECKS`): card, phone and social security numbers
#: hold a run of seven digits, an IBAN digits (its letters may break every run); an e-mail
#: address an at and a dot (the e-mail detector's own test); fancy letters are not ASCII; a
#: compound hashtag a hash sign, a person's name a capital letter and a health condition a
#: letter, or once its vocabulary is loaded one of its names (the last two data-backed
#: detectors load their data only past these tests); the learned hostile tone a letter, and
#: a sensitive fact a person, so a capital letter; a health claim a condition and a return
#: promise a figure (a digit): each learned model's anchor; a defamation a letter (a
#: competitor's name may be written in lower case).
#: A detector not listed here runs on every post. ``tests/test_prechecks.py`` checks every
#: promise.
#: What the first use of a built-in detector costs, in milliseconds, where it loads data or a
#: library (measured on a warm machine, 2026-12: the condition names' 5,000-entry vocabulary,
#: phonenumbers' import, the given names; the learned models' modules and weights, 2-6 ms,
#: so ``detect(sensitive_fact) near detect(person)`` looks for a person first): see
#: :meth:`DetectorRegistry.load_cost`. The
#: others cost about a millisecond (1, the default).
DETECTOR_LOAD_COSTS: Mapping[str, float] = MappingProxyType(
    {
        "condition": 20.0,
        "phone": 12.0,
        "person": 3.0,
        "hostile_tone": 5.0,
        "sensitive_fact": 8.0,
        "health_claim": 25.0,
        "return_promise": 5.0,
        "mnpi_hint": 5.0,
        "defamation": 8.0,
    }
)

DETECTOR_PRECHECKS: Mapping[str, str] = MappingProxyType(
    {
        "card": "digit_run",
        "compound_hashtag": "hash",
        "condition": "condition",
        "defamation": "letter",
        "email": "address",
        "fancy_text": "non_ascii",
        "health_claim": "condition",
        "hostile_tone": "letter",
        "iban": "digit",
        "mnpi_hint": "letter",
        "person": "capital",
        "phone": "digit_run",
        "return_promise": "digit",
        "sensitive_fact": "capital",
        "ssn": "digit_run",
    }
)
