"""The layers as DESIGN.md draws them, checked by reading every import (including those inside
functions, which hide a circle rather than remove it):

    bot.py -> handlers/ -> flows/ -> db/        scheduler/ -> flows/ -> db/

No circle anywhere; nothing in db/ or flows/ reaches up into handlers/, scheduler/, sandbox/ or
bot; db/ never imports flows/; handlers/ and scheduler/ do not import each other (bot.py wires
them); and neither flows/ nor db/ knows Telegram."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("handlers", "flows", "scheduler", "db", "sandbox")
UPPER = {"handlers", "scheduler", "sandbox", "bot"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _our_modules() -> dict[str, Path]:
    files = [ROOT / "bot.py", *(p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")))]
    return {_module_name(p): p for p in files}


def _imported_names(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(our module -> our modules it imports, our module -> top-level outside packages)."""
    modules = _our_modules()
    ours: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for name, path in modules.items():
        ours[name], outside[name] = set(), set()
        for imported in _imported_names(path):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target:
                if target != name:
                    ours[name].add(target)
            else:
                outside[name].add(imported.split(".")[0])
    return ours, outside


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_the_walk_sees_our_modules_and_their_imports() -> None:
    graph, outside = _graph()
    assert {"bot", "flows.guardian.checkin", "db.store", "handlers.flowrun"} <= set(graph)
    assert "db.store" in graph["flows.guardian.checkin"]
    assert "telegram" in outside["handlers.common"]


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_anywhere() -> None:
    graph, _ = _graph()
    assert _cycles(graph) == []


def test_db_and_flows_never_import_upwards() -> None:
    graph, _ = _graph()
    upward = sorted(f"{m} -> {d}" for m, deps in graph.items() for d in deps
                    if _layer(m) in ("db", "flows") and _layer(d) in UPPER)
    assert upward == []
    db_to_flows = sorted(f"{m} -> {d}" for m, deps in graph.items() for d in deps
                         if _layer(m) == "db" and _layer(d) == "flows")
    assert db_to_flows == []


def test_handlers_and_scheduler_do_not_import_each_other() -> None:
    graph, _ = _graph()
    across = sorted(f"{m} -> {d}" for m, deps in graph.items() for d in deps
                    if {_layer(m), _layer(d)} == {"handlers", "scheduler"})
    assert across == []


def test_no_telegram_in_flows_or_db() -> None:
    _, outside = _graph()
    assert sorted(m for m, names in outside.items()
                  if _layer(m) in ("flows", "db") and "telegram" in names) == []


def test_the_risk_engine_entry_point_is_where_scripts_look_for_it() -> None:
    from flows.risk import match_terms  # the fixed interface (DESIGN.md)

    (finding,) = match_terms("孩子被打得流血了")
    assert finding.severity == "urgent" and finding.rule and finding.evidence
