"""The shape of esgui/cli (docs/design.md, "esgui/cli"): command modules share only
esgui.cli.common, the parser module asks each of them to register, and no module takes
a private name from another."""

from __future__ import annotations

import ast
from pathlib import Path

import esgui.cli

CLI = Path(esgui.cli.__file__).parent
COMMON = "esgui.cli.common"
COMMAND_MODULES = {"accounts", "audit", "events", "gui", "notes", "projections", "seed",
                   "statement"}


def _imports(module: str) -> list[tuple[str, str | None]]:
    """(module, name) for every import in esgui/cli/MODULE.py; name None for `import m`."""
    tree = ast.parse((CLI / f"{module}.py").read_text(encoding="utf-8"))
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def _cli_modules_imported(module: str) -> set[str]:
    cli = set()
    for source, name in _imports(module):
        if source == "esgui.cli" and name is not None:
            cli.add(f"esgui.cli.{name}")
        elif source.startswith("esgui.cli."):
            cli.add(source)
    return cli


def test_the_command_modules_are_the_ones_documented() -> None:
    modules = {path.stem for path in CLI.glob("*.py")}
    assert modules == COMMAND_MODULES | {"__init__", "common", "parser"}


def test_command_modules_import_only_the_common_module_of_the_cli() -> None:
    for module in COMMAND_MODULES:
        assert _cli_modules_imported(module) <= {COMMON}, module
    assert _cli_modules_imported("common") == set()


def test_the_parser_module_registers_every_command_module() -> None:
    expected = {f"esgui.cli.{m}" for m in COMMAND_MODULES} | {COMMON}
    assert _cli_modules_imported("parser") == expected


def test_no_module_imports_a_private_name() -> None:
    for path in CLI.glob("*.py"):
        for source, name in _imports(path.stem):
            if source.startswith("esgui") and name is not None:
                private = name.startswith("_") and not name.startswith("__")
                assert not private, f"{path.name} imports {name} from {source}"
