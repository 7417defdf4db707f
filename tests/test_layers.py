"""Layers point one way: the ledger is standard library only, and the domain packages
never reach for a web framework, a database driver or an outer layer of giftflow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "giftflow"
DOMAIN_PACKAGES = ["economy", "live", "analytics", "promote", "creator"]
FORBIDDEN_IN_DOMAIN = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "redis",
    "uvicorn",
    "httpx",
}
OUTER_LAYERS = ["store", "service", "api", "cli", "web"]
CLIENT_MAY_IMPORT = ["giftflow.client", "giftflow.errors", "httpx"]
"""The client is installed beside platforms' code: the standard library, httpx, itself
and the one error base, never the server (its types are generated from openapi.json)."""


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


def test_the_ledger_imports_only_the_standard_library_and_itself() -> None:
    files = modules_of("ledger")
    assert files, "src/giftflow/ledger has no modules"
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if not within(module, "giftflow.ledger")
        and module.partition(".")[0] not in sys.stdlib_module_names
    ]
    assert offending == []


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_a_domain_package_uses_no_web_framework_database_driver_or_outer_layer(
    package: str,
) -> None:
    if not (PACKAGE / package).is_dir():
        pytest.skip(f"src/giftflow/{package} does not exist yet")
    outer = [f"giftflow.{layer}" for layer in OUTER_LAYERS]
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in modules_of(package)
        for line, module in imported_modules(path)
        if module.partition(".")[0] in FORBIDDEN_IN_DOMAIN
        or any(within(module, layer) for layer in outer)
    ]
    assert offending == []


def test_the_client_imports_only_the_standard_library_httpx_and_itself() -> None:
    files = modules_of("client")
    assert files, "src/giftflow/client has no modules"
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if module.partition(".")[0] not in sys.stdlib_module_names
        and not any(within(module, allowed) for allowed in CLIENT_MAY_IMPORT)
    ]
    assert offending == []


def test_nothing_else_in_giftflow_imports_the_client() -> None:
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.is_relative_to(PACKAGE / "client")
        for line, module in imported_modules(path)
        if within(module, "giftflow.client")
    ]
    assert offending == []


def test_relative_imports_resolve_against_their_own_package() -> None:
    node = ast.parse("from ..units import COIN\nfrom . import book").body
    assert isinstance(node[0], ast.ImportFrom)
    assert isinstance(node[1], ast.ImportFrom)
    assert resolve(node[0], "giftflow.ledger.sub") == "giftflow.ledger.units"
    assert resolve(node[1], "giftflow.ledger") == "giftflow.ledger"


CROSSING_MODULES = [
    "giftflow.api",
    "giftflow.api.auth",
    "giftflow.api.deps",
    "giftflow.api.errors",
    "giftflow.api.problems",
    "giftflow.web.charts",
    "giftflow.web.report_page",
    "giftflow.web.pages",
    "giftflow.web.dashboard",
    "giftflow.web.overlays",
]
"""Where the API and the web pages meet: the modules one imports from the other."""


def test_where_the_api_and_the_pages_meet_each_module_imports_on_its_own() -> None:
    """No import cycle hides behind the order things usually load in: each of these is
    imported first, alone, in a fresh interpreter (the review found ``import
    giftflow.web.dashboard`` failing that way)."""
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import {name}"], stderr=subprocess.PIPE, text=True
        )
        for name in CROSSING_MODULES
    }
    failed = {name: run.communicate(timeout=300)[1][-300:] for name, run in runs.items()}
    assert {name: error for name, error in failed.items() if runs[name].returncode} == {}


def test_the_replay_pipeline_imports_no_story_told_on_top_of_it() -> None:
    """One pipeline, the demo a story on top: ``giftflow.replay`` imports neither the
    demo nor the commands and pages that drive it."""
    files = modules_of("replay")
    assert files, "src/giftflow/replay has no modules"
    stories = ("giftflow.demo", "giftflow.cli", "giftflow.api", "giftflow.web", "giftflow.bench")
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if any(within(module, story) for story in stories)
    ]
    assert offending == []
