"""The house stays easy to change: packages depend on each other one way, modules stay small.

Reads the imports of every module under app/ (including imports inside functions) with `ast`."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
# Modules at the top of app/ that are not a package: the factory wires every feature together.
WIRING = {"__init__", "models"}
# The base everything builds on: it imports no feature.
BASE = {"core", "extensions"}
MAX_LINES = 400


def _package_of(path: Path) -> str:
    parts = path.relative_to(APP).parts
    return parts[0] if len(parts) > 1 else path.stem


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (annotations only: no dependency at run time)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _imported_packages(path: Path) -> set[str]:
    package = _package_of(path)
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names = [node.module]
            elif node.level == 1 and path.parent != APP:
                names = [f"app.{package}.{node.module or ''}"]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1 and parts[1] != package:
                found.add(parts[1])
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in APP.rglob("*.py"):
        package = _package_of(path)
        if package in WIRING:
            continue
        graph[package] |= _imported_packages(path) - WIRING
    return graph


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start → … → start, if there is one."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for successor in sorted(graph.get(node, ())):
            if successor == start:
                return [*path, start]
            if successor not in seen:
                seen.add(successor)
                stack.append((successor, [*path, successor]))
    return None


def test_no_import_cycle_between_packages():
    graph = package_graph()
    cycles = {tuple(cycle) for package in graph if (cycle := _cycle_from(graph, package))}
    assert not cycles, "import cycles between packages: " + "; ".join(" -> ".join(c) for c in sorted(cycles))


def test_the_base_imports_no_feature():
    graph = package_graph()
    for package in BASE:
        assert graph.get(package, set()) <= BASE, f"{package} imports {sorted(graph[package] - BASE)}"


def test_notify_is_a_generic_outbox():
    """Features register their message kinds with notify; notify knows no feature but the account."""
    assert package_graph()["notify"] <= BASE | {"auth"}


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(APP)} has {lines} lines; split it along its sections"
