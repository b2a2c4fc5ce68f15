"""The architecture stays as docs/design.md draws it: the import-linter contracts in
pyproject.toml hold, no two esgui modules import each other even indirectly (a cycle
through a package's `__init__` or an import inside a function counts too), and no module
grows past a few hundred lines without saying why at its top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "esgui"
MAX_LINES = 400
REASON = "Longer than"  # "Longer than 400 lines because …" in the module docstring


def _cycles(package: str) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_no_import_cycles_between_esgui_modules() -> None:
    assert _cycles("esgui") == []


def test_only_the_store_imports_sqlalchemy_or_a_driver() -> None:
    graph = grimp.build_graph("esgui", include_external_packages=True, cache_dir=None)
    offenders = sorted(
        (module, imported)
        for module in graph.modules
        if module.startswith("esgui") and not module.startswith("esgui.store")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in ("sqlalchemy", "alembic", "psycopg", "sqlite3")
    )
    assert offenders == []


def test_import_linter_contracts_hold() -> None:
    """The contracts in pyproject.toml (layers, the pure domain, SQL only in the store,
    the UI and CLI through esgui.app, no sibling cycles), as `lint-imports` runs them."""
    import subprocess
    import sys

    script = Path(sys.executable).with_name("lint-imports")
    if not script.exists():
        pytest.skip("import-linter is not installed next to this Python")
    done = subprocess.run([str(script), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_long_modules_say_why() -> None:
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if REASON not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert unexplained == []


def test_the_cycle_finder_finds_hidden_cycles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle hidden in a function-level import is found (so the check above can fail)."""
    pkg = tmp_path / "cyclic_demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from cyclic_demo import b\n")
    (pkg / "b.py").write_text("import cyclic_demo.a\n")
    (pkg / "c.py").write_text("import cyclic_demo.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles("cyclic_demo") == [["cyclic_demo.a", "cyclic_demo.b"]]
