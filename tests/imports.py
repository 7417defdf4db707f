"""The imports of giftflow's modules, read from their source (no module is imported):
every import of a file, what loading a module imports first, and the graph of those.
``tests/test_layers.py`` checks the layers and the cycles with them."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "giftflow"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` for every import in one file, relative ones
    resolved against the file's own package."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, resolve(node, package)))
    return found


def resolve(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def modules_of(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def load_time_imports(path: Path) -> list[str]:
    """What a module imports when it is loaded: its top level, the branches of top-level
    ``if`` and ``try`` included, ``if TYPE_CHECKING:`` and function bodies left out.
    ``from package import name`` names the submodule when ``name`` is one."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and not is_type_checking(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit([*node.body, *node.orelse, *node.finalbody])
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = resolve(node, package + ".x") if node.level else node.module or ""
                found.append(base)
                found.extend(f"{base}.{alias.name}" for alias in node.names)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the giftflow modules its loading imports first. A package a module lives
    in is not an edge of its own: Python initialises it before the module anyway."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = {
            module
            for module in load_time_imports(path)
            if module in files and not name.startswith(module + ".") and module != name
        }
        for module in list(targets):  # importing a.b.c loads a.b first
            parts = module.split(".")
            targets.update(
                parent
                for parent in (".".join(parts[:i]) for i in range(2, len(parts)))
                if parent in files and parent != name and not name.startswith(parent + ".")
            )
        graph[name] = targets
    return graph


def a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph (its modules, the first repeated at the end), or
    ``[]`` when there is none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []
