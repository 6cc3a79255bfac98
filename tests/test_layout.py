"""The layout a newcomer reads: no import cycle anywhere in the package, function-level
imports included."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "summarizer"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _import_nodes(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, wherever it sits (module level, functions, classes,
    try/with blocks), except under `if TYPE_CHECKING:`, which never runs. An import inside a
    function is still an import: a cycle through one is a cycle."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            continue
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                stack.extend(node.orelse)
                continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The summarizer modules `name` imports, at import time or later."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import mod` needs only the submodule (pkg is already being imported);
            # `from pkg import name` needs pkg's __init__ to have run far enough to define it.
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in known else source)
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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


def test_the_cycle_finder_finds_a_cycle_and_reads_the_real_tree() -> None:
    """The checker itself: a hand-made cycle is found, and it sees the package's real edges."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    graph = import_graph()
    assert "summarizer.inputs.article" in graph["summarizer.inputs.build"]
    assert "summarizer.errors" in graph["summarizer.inputs.decoding"]
    # `from . import store` needs the submodule, not the package's __init__
    assert "summarizer.local.store" in graph["summarizer.local.runtime"]
    assert "summarizer.local" not in graph["summarizer.local.runtime"]
    # an import inside a function counts; one under TYPE_CHECKING does not
    assert "summarizer.schema" in graph["summarizer.cli.summarize"]


def test_summarizer_has_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles (move the shared part down, or invert the dependency): " + "; ".join(
        " <-> ".join(c) for c in found
    )
