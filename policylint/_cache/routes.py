"""Each rule's dispatch route (:data:`~policylint._runtime.dispatch.Route`) as JSON and
back, checked: every term and regex id one of the policy's, every precheck a known one
(``ValueError`` otherwise: the entry is a miss)."""

from __future__ import annotations

from policylint._cache.checks import ints_below
from policylint._cache.packed import pack_ints, unpack_ints
from policylint._runtime.dispatch import Route, Trigger
from policylint._runtime.prechecks import PRECHECKS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["decode_route", "encode_route"]


def encode_route(known: Route) -> list[Any]:
    needed, platforms, gate = known
    return [
        _encode_trigger(needed),
        None if platforms is None else sorted(platforms),
        _encode_trigger(gate),
    ]


def _encode_trigger(needed: Trigger | None) -> list[Any] | None:
    if needed is None:
        return None
    terms, regexes, meta, prechecks = needed
    return [pack_ints(sorted(terms)), sorted(regexes), sorted(meta), sorted(prechecks)]


def decode_route(item: Any, term_count: int, regex_count: int) -> Route:
    parts, platforms, gate = item
    if platforms is not None:
        if not all(type(v) is str for v in platforms):
            raise ValueError("a route's platforms are not strings")
        platforms = frozenset(platforms)
    return (
        _decode_trigger(parts, term_count, regex_count),
        platforms,
        _decode_trigger(gate, term_count, regex_count),
    )


def _decode_trigger(parts: Any, term_count: int, regex_count: int) -> Trigger | None:
    if parts is None:
        return None
    packed_terms, regexes, meta, prechecks = parts
    terms = unpack_ints(packed_terms, term_count)
    if not ints_below(regexes, regex_count):
        raise ValueError("a route's term and regex ids are not the policy's")
    if not (all(type(v) is str for v in meta) and set(prechecks) <= PRECHECKS.keys()):
        raise ValueError("a route's metadata keys or prechecks are not the policy's")
    return Trigger(frozenset(terms), frozenset(regexes), frozenset(meta), frozenset(prechecks))
