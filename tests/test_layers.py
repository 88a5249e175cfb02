"""The shape of the package, read from the source: no module too long to read, no import
cycle between modules, and the top-level units (domains and root modules) in an order.

The layers themselves are the import-linter contract in ``pyproject.toml`` (``make lint``
runs ``lint-imports``); these tests keep the properties that contract cannot state, and
run with the tests. The graph is the one ``test_import_graph`` reads (every import: module
level, in functions, under ``TYPE_CHECKING``).
"""

from __future__ import annotations

from tests.test_import_graph import SRC, cycles, graph, inside, modules

MAX_LINES = 600
# Alembic scripts are written once and never edited; their length says nothing of the design
NOT_MEASURED = ("salingjaga.migrations",)

# Edges between top-level units that may close a cycle: none. Do not add to this list:
# break the cycle instead (docs/architecture.md, "Layers").
ALLOWED_UNIT_EDGES: frozenset[tuple[str, str]] = frozenset()


def unit(module: str) -> str:
    """The top-level unit a module belongs to: its domain, or the root module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else module


def unit_graph() -> dict[str, frozenset[str]]:
    """Top-level unit -> the units it imports."""
    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        for target in targets:
            if unit(module) != unit(target):
                edges.setdefault(unit(module), set()).add(unit(target))
    return {name: frozenset(targets) for name, targets in edges.items()}


def test_the_unit_graph_sees_function_level_imports_between_domains() -> None:
    # detection's retroactive matching reads the fact-checks; web's sign-in page records to
    # the audit log: if these are missing the checks below look at the wrong graph
    units = unit_graph()
    assert "factcheck" in units["detection"]
    assert "audit" in units["web"]
    assert "wiring" in units["cli"]  # imported inside open_db's hook, not at module level


def test_no_module_is_over_600_lines() -> None:
    """A module a person can read in one sitting; a longer one is split by responsibility
    (``moderation``, ``rules``: ``service.py`` re-exports the parts)."""
    long = sorted(
        f"{path.relative_to(SRC)}: {n} lines"
        for name, path in modules().items() if not inside(name, NOT_MEASURED)
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    )
    assert long == []


def test_no_import_cycle_between_modules() -> None:
    """Anywhere in the package: a cycle makes the import order matter and hides which of
    the two modules is the lower one."""
    found = list(cycles(graph()))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_top_level_units_import_each_other_without_a_cycle() -> None:
    """Domains and root modules form layers: each imports only units below it. The one
    exception is the allow-list above, which shrinks to nothing."""
    edges = {a: frozenset(b for b in targets if (a, b) not in ALLOWED_UNIT_EDGES)
             for a, targets in unit_graph().items()}
    found = list(cycles(edges))
    assert found == [], "cycles between domains: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_allow_list_names_only_edges_that_still_exist() -> None:
    """Once the notices work lands, its entries fail here until they are deleted."""
    units = unit_graph()
    stale = sorted(f"{a} -> {b}" for a, b in ALLOWED_UNIT_EDGES if b not in units.get(a, frozenset()))
    assert stale == []


def test_no_module_is_loaded_by_name() -> None:
    """A module loaded by its name is an import the layers contract cannot see (moderation
    and guide once reached detection that way); the app lists the domains' parts plainly
    (``salingjaga/parts.py``, ``salingjaga/cli.py``)."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "salingjaga"
    by_name = re.compile(r"\bimport_module\(|\bfind_spec\(|__import__\(")
    offenders = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                       if "migrations" not in p.parts and by_name.search(p.read_text()))
    assert offenders == []
