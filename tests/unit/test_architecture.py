"""The shape of the code, checked: layers import only downwards, no import cycles, no view
catches a domain refusal by hand, no module grows past what one person can read in a sitting."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from web.settings import PROJECT_ROOT

PACKAGES = ("domain", "changes", "web", "portal", "backoffice", "hearth")
# What each layer may import from the project (besides itself).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "web": {"domain"},
    "changes": {"domain", "web"},  # web.fields: the GOV.UK date input the kinds' forms use
    "portal": {"domain", "changes", "web"},
    "backoffice": {"domain", "changes", "web"},
    "hearth": {"domain", "changes", "web", "portal", "backoffice"},
}
LONGEST = 600  # lines
REFUSALS = {"RuleBroken", "FieldErrors", "DomainError", "Conflict", "TooManyAttempts"}


def modules() -> Iterator[tuple[str, Path]]:
    for package in (*PACKAGES, "tests"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(PROJECT_ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            yield ".".join(parts), path


def imports_of(path: Path, *, top_level_only: bool) -> set[str]:
    """Project modules `path` imports (at module level only, if asked)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from package import module` imports the module too
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def test_layers_import_only_downwards() -> None:
    wrong = []
    for name, path in modules():
        layer = name.split(".")[0]
        if layer == "tests":
            continue
        for imported in imports_of(path, top_level_only=False):
            other = imported.split(".")[0]
            if other != layer and other not in ALLOWED[layer]:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_there_are_no_import_cycles() -> None:
    known = {name for name, _ in modules()}
    graph = {
        name: {m for m in imports_of(path, top_level_only=True) if m in known and m != name}
        for name, path in modules()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being explored, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("package", ["portal", "backoffice"])
def test_no_view_catches_a_domain_refusal_by_hand(package: str) -> None:
    """Views run commands through ctx.attempt, which turns refusals into errors on the page."""
    caught = []
    for name, path in modules():
        if not name.startswith(package + "."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names = {t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in types}
            if names & REFUSALS:
                caught.append(f"{name}:{node.lineno} catches {sorted(names & REFUSALS)}")
    assert caught == []


def test_no_view_commits_or_opens_its_own_savepoint() -> None:
    found = []
    for name, path in modules():
        if name.split(".")[0] not in {"portal", "backoffice"}:
            continue
        text = path.read_text()
        for word in (".commit(", "begin_nested(", ".rollback("):
            if word in text:
                found.append(f"{name} uses {word}")
    assert found == []


def test_no_module_is_longer_than_a_sitting() -> None:
    bench = [(f"bench.{p.stem}", p) for p in sorted((PROJECT_ROOT / "bench").glob("*.py"))]
    long = [
        f"{name} ({count} lines)"
        for name, path in [*modules(), *bench]
        if (count := len(path.read_text().splitlines())) > LONGEST
    ]
    assert long == []


def test_the_composition_package_is_imported_by_nothing_below_it() -> None:
    users = [
        name
        for name, path in modules()
        if name.split(".")[0] in {"domain", "changes", "web", "portal", "backoffice"}
        and any(m.split(".")[0] == "hearth" for m in imports_of(path, top_level_only=False))
    ]
    assert users == []
