"""The shape of the package, checked from its source: rooms, one-way doors, no cycles.

docs/architecture.md describes the house; these tests hold the code to it. Every module of
``policylint`` is parsed with ``ast`` (nothing is imported) and every import is collected:
at the top of a module, inside functions (the lazy imports that keep start-up fast), under
``if TYPE_CHECKING:`` and in the registries that import by name (a string such as
``"policylint.detectors.card:DETECTOR"`` or ``"policylint.reporters.text"``).

Type-only imports count like the others. They never run, but they are a design dependency
all the same: a lower room that names a higher room's type in an annotation is written
against it, so it uses a protocol of its own instead (``policylint._text.views.PostView``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import policylint

PACKAGE = Path(policylint.__file__).parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

#: Most lines in one module, and most modules directly under policylint/.
MAX_MODULE_LINES = 600
MAX_TOP_LEVEL_MODULES = 12

#: The floor: modules any room may import, which import nothing of policylint.
FLOOR = frozenset({"_limits", "_resources", "_hashing", "_version"})

#: Which rooms each room may import (besides itself and the floor). The data flows one way:
#: policy text -> _lang -> _compiler -> _runtime; files -> sources -> _pipeline -> reporters.
#: docs/architecture.md shows the same table (checked below).
LAYERS: dict[str, frozenset[str]] = {
    "_model": frozenset(),
    "_text": frozenset({"_model"}),
    "sources": frozenset({"_model"}),
    "_lang": frozenset({"_model"}),
    "detectors": frozenset({"_text", "_model"}),
    "_runtime": frozenset({"detectors", "_text", "_model"}),
    "_compiler": frozenset({"_lang", "_runtime", "detectors", "_text", "_model"}),
    "_cache": frozenset({"_compiler", "_lang", "_runtime", "_model"}),
    "reporters": frozenset({"sources", "_model"}),
    "_pipeline": frozenset({"_cache", "_runtime", "sources", "_text", "_model"}),
    "_config": frozenset({"_cache", "_model"}),
    "_api": frozenset({"_pipeline", "_cache", "_lang", "sources", "_model"}),
    # the public surface and the public integration
    "policylint": frozenset({"_api", "_pipeline", "_model"}),
    "dask": frozenset({"policylint", "sources"}),
    "_cli": frozenset(
        {
            "policylint",
            "_api",
            "_config",
            "_pipeline",
            "reporters",
            "_cache",
            "_lang",
            "sources",
            "_text",
            "_model",
        }
    ),
    "__main__": frozenset({"_cli"}),
    **{floor: frozenset() for floor in FLOOR},
}

_MODULE_STRING = re.compile(r"^policylint(?:\.\w+)+(?::\w+)?$")


class Import:
    """One import: where it is written and what it names."""

    def __init__(self, source: str, target: str, name: str | None, line: int) -> None:
        self.source = source
        self.target = target
        #: The name taken from the target (``from target import name``), if any.
        self.name = name
        self.line = line

    def __repr__(self) -> str:
        taken = f" ({self.name})" if self.name else ""
        return f"{self.source}:{self.line} -> {self.target}{taken}"


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def room(module: str) -> str:
    """The room a module lives in: its top-level package or module (``policylint`` for
    the package's own ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = modules()[module].name == "__init__.py"
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of ``tree`` (their text names modules for people)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _imports_of(module: str) -> Iterator[Import]:
    known = modules()
    tree = ast.parse(known[module].read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "policylint":
                    yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            if target.split(".")[0] != "policylint":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:
                    yield Import(module, submodule, None, node.lineno)
                else:
                    yield Import(module, target, alias.name, node.lineno)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and _MODULE_STRING.match(node.value)
        ):
            target = node.value.partition(":")[0]
            if target in known:
                yield Import(module, target, None, node.lineno)


@cache
def imports() -> list[Import]:
    return [found for module in modules() for found in _imports_of(module)]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in modules()}
    for found in imports():
        if found.target in graph and found.target != found.source:
            graph[found.source].add(found.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_room_is_known_to_the_layering() -> None:
    assert {room(module) for module in modules()} == set(LAYERS)


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_rooms_import_only_the_rooms_below_them() -> None:
    wrong = [
        found
        for found in imports()
        if room(found.target) != room(found.source)
        and room(found.target) not in FLOOR
        and room(found.target) not in LAYERS[room(found.source)]
    ]
    assert wrong == []


def test_the_floor_imports_nothing_of_policylint() -> None:
    assert [found for found in imports() if room(found.source) in FLOOR] == []


def _private(found: Import) -> bool:
    """Whether ``found`` takes a private name: an underscored module below a room, or an
    underscored name from a module."""
    below_room = found.target.split(".")[2:]
    if any(part.startswith("_") for part in below_room):
        return True
    name = found.name
    return name is not None and name.startswith("_") and not name.startswith("__")


def test_no_private_name_is_imported_across_rooms() -> None:
    wrong = [
        found for found in imports() if room(found.source) != room(found.target) and _private(found)
    ]
    assert wrong == []


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in modules().items()
    }
    assert {module: size for module, size in sizes.items() if size > MAX_MODULE_LINES} == {}


def test_few_modules_sit_directly_in_the_package() -> None:
    top = [path.name for path in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)


def test_the_architecture_document_names_every_package_and_no_other() -> None:
    packages = {
        path.parent.relative_to(PACKAGE.parent).as_posix() + "/"
        for path in PACKAGE.rglob("__init__.py")
        if path.parent != PACKAGE
    }
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"policylint/[\w/]+/", text))
    assert named == packages


def test_the_architecture_document_shows_the_layering_of_the_code() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    shown = {}
    for line in re.findall(r"^(\w+) +-> +(.+)$", text, re.MULTILINE):
        room_name, rooms = line
        shown[room_name] = frozenset(re.findall(r"\w+", rooms)) - {"nothing"}
    assert shown == {name: rooms for name, rooms in LAYERS.items() if name not in FLOOR}
