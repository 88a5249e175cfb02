"""The module graph of detection and the stream, read from the source with ``ast``.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING``: an
import hidden in a function still ties the two modules together, it only fails later.
Imports by name (``importlib.import_module("...")``) are invisible here, which is one more
reason not to use them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "salingjaga"
CHECKED = ("salingjaga.detection", "salingjaga.stream")
# What the stream may import besides itself: core modules (salingjaga.core.db, settings, ...) and
# the auth layer every API module stands on, which sits below the domains. Not a domain,
# not the app or the wiring that imports the domains.
# The layers below the stream: core (and the development servers), and auth.
STREAM_MAY_USE_PACKAGES = frozenset({"salingjaga.auth", "salingjaga.core", "salingjaga.dev"})
STREAM_MAY_NOT_USE_MODULES = frozenset({"salingjaga.app", "salingjaga.wiring"})


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def packages() -> set[str]:
    """The sub-packages (domains and their inner packages)."""
    return {name for name, path in modules().items() if path.name == "__init__.py"}


def imported(name: str) -> set[str]:
    """The package's own modules that ``name`` imports, anywhere in its source."""
    path = modules()[name]
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from pkg import mod`` imports the module; ``from mod import name`` the module
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in out if m in known and m != name}


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the package's modules it imports."""
    return {name: frozenset(imported(name)) for name in modules()}


def cycles(edges: dict[str, frozenset[str]]) -> Iterator[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    found: list[list[str]] = []

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    yield from found


def inside(name: str, prefixes: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether ``name`` is one of ``prefixes`` or a module inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_graph_sees_imports_of_every_kind() -> None:
    # the checks below mean nothing if the parser misses the imports they look for
    g = graph()
    assert "salingjaga.detection.base" in g["salingjaga.detection.routing"]  # module level
    assert "salingjaga.stream.models" in g["salingjaga.stream.deadletters"]
    assert len([m for m in modules() if inside(m, CHECKED)]) > 20


@pytest.mark.parametrize("package", CHECKED)
def test_no_import_cycle_in(package: str) -> None:
    """No cycle among the package's modules, nor one passing through other domains."""
    involved = [c for c in cycles(graph()) if any(inside(m, (package,)) for m in c)]
    assert involved == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in involved)


def test_stream_imports_no_domain() -> None:
    """The stream carries messages for every domain and knows none: domains register their
    handlers and metrics with it (``salingjaga.wiring``)."""
    domains = {p for p in packages() if p.count(".") == 1} - {"salingjaga.stream"} - STREAM_MAY_USE_PACKAGES
    bad = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items() if inside(module, ("salingjaga.stream",))
        for target in targets
        if inside(target, frozenset(domains)) or target in STREAM_MAY_NOT_USE_MODULES
    )
    assert bad == []


@pytest.mark.parametrize("package", CHECKED)
def test_no_module_is_loaded_by_name_in(package: str) -> None:
    """Plain imports only: a module loaded by its name hides the dependency from this graph
    (and from mypy), and a misspelt name fails silently."""
    by_name = []
    for name, path in modules().items():
        if not inside(name, (package,)):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("import_module", "__import__", "find_spec"):
                    by_name.append(f"{name}:{node.lineno}")
    assert by_name == []
