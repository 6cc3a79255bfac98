"""The layout a newcomer reads: no module-level import cycle, and no module over 400 lines
unless its docstring says why (a line `Long module: <reason>`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "summarizer"
MAX_LINES = 400
REASON = "Long module:"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_body(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that run when the module is imported: module level, inside `if`/`try`/
    `with` blocks, but not `if TYPE_CHECKING:` and not function or class bodies' functions."""
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name != "TYPE_CHECKING":
                found += _runtime_body(node.body)
            found += _runtime_body(node.orelse)
        elif isinstance(node, ast.Try):
            for part in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                found += _runtime_body(part)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            found += _runtime_body(node.body)
        else:
            found.append(node)
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The summarizer modules `name` imports when it is itself imported."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_body(ast.parse(path.read_text(encoding="utf-8")).body):
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
    # imports inside functions and under TYPE_CHECKING do not run at import time
    assert "summarizer.inputs" not in graph["summarizer.cli.summarize"]


def test_summarizer_has_no_module_level_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "module-level import cycles (import inside the function, or move the shared part): " + "; ".join(
        " <-> ".join(c) for c in found
    )


def _reason(path: Path) -> str | None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    for line in doc.splitlines():
        if line.strip().startswith(REASON):
            return line.strip()[len(REASON) :].strip() or None
    return None


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_short_or_says_why(name: str) -> None:
    path = modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines > MAX_LINES:
        assert _reason(path), (
            f"{path.relative_to(PACKAGE.parent)} has {lines} lines (over {MAX_LINES}): split it by job, "
            f"or put a line '{REASON} <why it stays one module>' in its docstring"
        )
