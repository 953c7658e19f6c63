"""Which app may import which (README.md, "Layout"), read from the source with ast: every import
statement of every module outside migrations, at the top of a file or inside a function.

Running this file as a script prints the app import graph, the upward imports and the cycles:
    .venv/bin/python tests/core/test_import_layers.py
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. An app may import the apps below it; the middle row (fx, marketplace, trade,
# payments) is ordered too, so that its cross imports run one way only.
LAYERS = ["core", "accounts", "notifications", "fx", "marketplace", "trade", "payments", "orders", "statements",
          "trust", "reviews", "frontend", "demo"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}

# The one import that goes up: the account services tell people about their company through the
# notification outbox (notifications.services.notify), and the outbox reads accounts' people.
ALLOWED_UPWARD = {("accounts", "notifications")}


def _module_package(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def import_edges(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> the places ("path:line module"), for every pair of apps."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            package = _module_package(path, root)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    if node.level:
                        base = package[:len(package) - (node.level - 1)]
                        modules = [".".join(base + ([node.module] if node.module else []))]
                    else:
                        modules = [node.module or ""]
                else:
                    continue
                for module in modules:
                    target = module.split(".")[0]
                    if target in RANK and target != app:
                        edges[(app, target)].append(f"{path.relative_to(root)}:{node.lineno} {module}")
    return dict(edges)


def upward(edges) -> list[tuple[str, str]]:
    return sorted(pair for pair in edges if RANK[pair[1]] > RANK[pair[0]])


def cycles(edges) -> list[list[str]]:
    """The groups of two or more apps that import each other, directly or round a loop (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in sorted(graph[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                found.append(sorted(group, key=RANK.__getitem__))

    for app in LAYERS:
        if app not in index:
            visit(app)
    return sorted(found)


def test_every_app_is_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps - set(LAYERS) == set()


def test_no_app_imports_one_above_it_but_accounts_the_outbox():
    edges = import_edges()
    forbidden = {pair: places for pair, places in edges.items()
                 if pair in set(upward(edges)) - ALLOWED_UPWARD}
    assert forbidden == {}
    assert upward(edges) == sorted(ALLOWED_UPWARD)


def test_the_only_cycle_between_apps_is_accounts_and_the_outbox():
    assert cycles(import_edges()) == [["accounts", "notifications"]]


def test_the_reader_finds_an_upward_import_and_the_loop_it_makes(tmp_path):
    (tmp_path / "fx").mkdir()
    (tmp_path / "fx" / "services.py").write_text("from marketplace import tasks\n")
    (tmp_path / "marketplace").mkdir()
    (tmp_path / "marketplace" / "selectors.py").write_text("def f():\n    from ..fx import services\n")
    (tmp_path / "marketplace" / "migrations").mkdir()
    (tmp_path / "marketplace" / "migrations" / "0001_initial.py").write_text("import orders\n")

    edges = import_edges(tmp_path)

    assert edges == {("fx", "marketplace"): ["fx/services.py:1 marketplace"],
                     ("marketplace", "fx"): ["marketplace/selectors.py:2 fx"]}
    assert upward(edges) == [("fx", "marketplace")]
    assert cycles(edges) == [["fx", "marketplace"]]


if __name__ == "__main__":
    found = import_edges()
    for app in LAYERS:
        print(f"{app} -> {', '.join(sorted(t for s, t in found if s == app)) or '-'}")
    print(f"upward imports: {len(upward(found))}")
    for pair in upward(found):
        print(f"  {pair[0]} -> {pair[1]}: {'; '.join(found[pair])}")
    print(f"cycles: {len(cycles(found))}")
    for group in cycles(found):
        print("  " + " <-> ".join(group))
