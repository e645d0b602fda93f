"""No import circles inside `sim`: the top-level imports of its modules form a DAG.

Imports under `if TYPE_CHECKING:` are annotations only and do not count; imports inside
functions count too (a lazy import that dodges a circle is still a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SIM = Path(__file__).resolve().parent.parent / "sim"


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def test_sim_modules_import_without_circles() -> None:
    paths = sorted(SIM.rglob("*.py"))
    known = {module_name(p) for p in paths}
    graph = nx.DiGraph()
    for path in paths:
        me = module_name(path)
        for other in imports(path, known):
            if other != me and not me.startswith(other + "."):  # a package's own children
                graph.add_edge(me, other)
    cycles = [c for c in nx.simple_cycles(graph) if all(n.startswith("sim.") for n in c)]
    # a package __init__ that re-exports its children is not a circle with them
    cycles = [c for c in cycles if not any(m.startswith(n + ".") for n in c for m in c)]
    assert not cycles, f"import circles: {cycles[:5]}"
