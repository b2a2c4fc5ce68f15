"""The layers below the UI import without cycles, counting packages' __init__ modules and
imports inside functions (lint-imports' sibling check does not see a module importing
its own package), and only esgui.store imports SQLAlchemy or a driver."""

from __future__ import annotations

import grimp
import pytest

# esgui.ui and esgui.cli are being reorganised into feature packages: add them here
# once their cycles are gone.
OUTSIDE = ("esgui.ui", "esgui.cli")
DRIVERS = ("sqlalchemy", "alembic", "psycopg", "sqlite3")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("esgui", include_external_packages=True)


def _ours(module: str) -> bool:
    return module == "esgui" or (module.startswith("esgui.") and not module.startswith(OUTSIDE))


def _cycles(graph: grimp.ImportGraph, nodes: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.find_modules_directly_imported_by(node) & nodes:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_below_the_ui(graph) -> None:
    nodes = {module for module in graph.modules if _ours(module)}
    assert "esgui.store.event_store" in nodes and "esgui.store" in nodes
    assert _cycles(graph, nodes) == []


def test_only_the_store_imports_sqlalchemy_or_a_driver(graph) -> None:
    offenders = sorted(
        (module, imported)
        for module in graph.modules
        if _ours(module) and not module.startswith("esgui.store")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in DRIVERS
    )
    assert offenders == []
