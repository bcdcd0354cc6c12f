"""Struct, the dataclass stand-in: its behaviour, and every subclass kept consistent."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil

import pytest

import policylint
from policylint._model.posts import Post
from policylint._model.reports import Report
from policylint._model.struct import Struct
from policylint._runtime.conditions import Getter
from policylint._runtime.patterns import RegexNode, TermsNode


def _all_structs() -> list[type[Struct]]:
    for module in pkgutil.walk_packages(policylint.__path__, "policylint."):
        if module.name in ("policylint.dask", "policylint.__main__"):
            continue  # needs the [dask] extra; runs the command line
        importlib.import_module(module.name)
    found: list[type[Struct]] = []
    pending = list(Struct.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


STRUCTS = _all_structs()


def test_structs_were_found() -> None:
    names = {cls.__name__ for cls in STRUCTS}
    assert {"RegexNode", "TermsNode", "Post", "Report", "Edit"} <= names  # CompiledRule: a record


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda cls: cls.__name__)
def test_fields_are_constructor_parameters_and_slots(cls: type[Struct]) -> None:
    """A field added to FIELDS but not to the constructor (or to __slots__) fails here."""
    # Every class up the chain declares __slots__, else instances grow a __dict__.
    assert all("__slots__" in vars(klass) for klass in cls.__mro__[:-1])
    slots = {name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())}
    parameters = list(inspect.signature(cls.__init__).parameters)[1:]
    if cls.FIELDS:  # abstract bases (PatternNode...) have none
        assert list(cls.FIELDS) == parameters[: len(cls.FIELDS)]
        assert set(parameters) <= slots


def test_equality_and_repr_use_the_fields_not_the_caches() -> None:
    a, b = RegexNode("ab+", "i", atoms=("ab",)), RegexNode("ab+", "i", atoms=("ab",))
    a.regex_id = 3  # a cache slot
    assert a == b
    assert a != RegexNode("ab+", "", atoms=("ab",))
    assert a != TermsNode((1,))
    assert repr(a) == (
        "RegexNode(source='ab+', flags='i', atoms=('ab',), also=(), non_ascii=False, "
        "exact=False, repeats=1)"
    )
    with pytest.raises(TypeError):
        hash(a)  # changing caches: not a key
    assert hash(Getter("meta", "x")) == hash(Getter("meta", "x"))


def test_replace_builds_a_new_one_through_the_constructor() -> None:
    post = Post("hi", id=7, platform="Twitter")
    assert (post.id, post.platform) == ("7", "x")  # normalised
    other = post.replace(text="bye", platform="LinkedIn")
    assert (other.text, other.id, other.platform) == ("bye", "7", "linkedin")
    assert post.text == "hi"
    with pytest.raises(TypeError, match="no field 'txt'"):
        post.replace(txt="x")


def test_mutable_defaults_are_not_shared() -> None:
    one, two = Report(), Report()
    one.findings.append(None)  # type: ignore[arg-type]
    assert two.findings == []
    assert Post("a").meta is not Post("b").meta


def test_structs_pickle_by_their_slots() -> None:
    node = RegexNode("a|b", atoms=("a", "b"))
    node.regex_id = 5
    copy = pickle.loads(pickle.dumps(node))
    assert copy == node and copy.regex_id == 5
    post = Post("text", id="1", platform="x", meta={"k": 1})
    assert pickle.loads(pickle.dumps(post)) == post
