"""Layers point one way: the ledger is standard library only, the domain packages never
reach for a web framework, a database driver or an outer layer of giftflow, and every
import in giftflow goes down the one declared order of layers (``LAYERS``)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.imports import (
    PACKAGE,
    a_cycle,
    import_graph,
    imported_modules,
    load_time_imports,
    module_name,
    modules_of,
    resolve,
    within,
)

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
OUTER_LAYERS = ["store", "service", "http", "api", "cli", "web", "server"]
CLIENT_MAY_IMPORT = ["giftflow.client", "giftflow.errors", "httpx"]
"""The client is installed beside platforms' code: the standard library, httpx, itself
and the one error base, never the server (its types are generated from openapi.json)."""


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
    "giftflow.http",
    "giftflow.http.auth",
    "giftflow.http.deps",
    "giftflow.http.errors",
    "giftflow.http.problems",
    "giftflow.render.charts",
    "giftflow.render.report_page",
    "giftflow.web.pages",
    "giftflow.web.dashboard",
    "giftflow.web.overlays",
    "giftflow.server",
]
"""Where the API and the web pages meet: what both import, and the app above both."""


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


def test_no_module_of_giftflow_takes_part_in_an_import_cycle() -> None:
    """Every module imports alone, whatever loaded first: its load-time imports form no
    cycle (the fresh-interpreter test above runs the modules where the API and the pages
    meet; this covers every module in milliseconds)."""
    assert a_cycle(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    cycle = a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert sorted(cycle[:-1]) == ["a", "b", "c"]
    assert cycle[0] == cycle[-1]
    assert a_cycle({"a": {"b"}, "b": set()}) == []


def test_settings_load_no_database_layer() -> None:
    """``giftflow.settings`` is read by every layer: it must not pull the store (and
    SQLAlchemy) in with it."""
    code = (
        "import sys, giftflow.settings;"
        "print(sorted(m for m in sys.modules if m.startswith(('giftflow.store', 'sqlalchemy'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


SQL_STATEMENT = re.compile(
    r"^\s*\(?\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS)\b"
)
SQL_NOT_MOVED_YET: dict[str, int] = {}
"""Modules that still hold SQL outside ``store/`` and how many statements each, as the
move of domain persistence into the store (one module per aggregate) stands. The figures
only go down: a new statement outside the store, or a new module with one, fails."""


def sql_statements(path: Path) -> int:
    """String literals (and f-strings) of a module that begin an SQL statement."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            text = first.value if isinstance(first, ast.Constant) else None
        if isinstance(text, str) and SQL_STATEMENT.match(text):
            count += 1
    return count


def test_sql_lives_in_the_store() -> None:
    found = {
        str(path.relative_to(PACKAGE)): count
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.is_relative_to(PACKAGE / "store") and (count := sql_statements(path))
    }
    grown = {
        module: count for module, count in found.items() if count > SQL_NOT_MOVED_YET.get(module, 0)
    }
    assert grown == {}, "SQL belongs in a giftflow.store module"
    moved = {
        module: found.get(module, 0)
        for module, count in SQL_NOT_MOVED_YET.items()
        if found.get(module, 0) < count
    }
    assert moved == {}, "SQL moved into the store: lower these figures in SQL_NOT_MOVED_YET"


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


LAYERS: list[tuple[str, ...]] = [
    ("giftflow", "errors", "ids"),
    ("ledger",),
    ("text", "i18n", "client"),
    ("settings", "render", "spreadsheet"),
    ("economy", "live", "analytics"),
    ("creator", "promote", "payments", "partners"),
    ("store",),
    ("service",),
    ("replay",),
    ("demo",),
    ("http",),
    ("api", "web"),
    ("server",),
    ("bench",),
    ("cli",),
    ("__main__",),
]
"""Every top-level package and module of giftflow, lowest first (``giftflow``: the
package's own ``__init__``). A module imports only from a lower layer or from its own
package; packages side by side in one layer (``api`` and ``web``) never import each
other. ``server`` assembles the app above the two; ``http`` is what both stand on."""


def layer_of(module: str) -> tuple[int, str]:
    """``(layer index, top-level name)`` of a giftflow module."""
    top = "giftflow" if module == "giftflow" else module.split(".")[1]
    index = next((i for i, layer in enumerate(LAYERS) if top in layer), -1)
    return index, top


def test_every_top_level_package_has_its_place_in_the_layers() -> None:
    tops = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    tops |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    declared = [name for layer in LAYERS for name in layer]
    assert sorted(declared) == sorted(set(declared)), "a package is declared twice"
    assert tops | {"giftflow"} == set(declared)


def test_every_import_goes_down_the_declared_layers() -> None:
    """Function-level and ``TYPE_CHECKING`` imports included: the order is the design,
    not only what loads first."""
    offending = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, module in imported_modules(path)
        if within(module, "giftflow") and goes_up_or_across(module_name(path), module)
    ]
    assert offending == []


def goes_up_or_across(importer: str, imported: str) -> bool:
    """An import another package's layer does not allow: from a higher layer, or from a
    peer in the same one."""
    level, top = layer_of(importer)
    other, other_top = layer_of(imported)
    return other_top != top and other >= level


def test_the_layer_check_refuses_an_upward_import_and_one_between_peers() -> None:
    assert goes_up_or_across("giftflow.web.pages", "giftflow.api.routes")
    assert goes_up_or_across("giftflow.api.routes.analytics", "giftflow.web.dashboard")
    assert goes_up_or_across("giftflow.http.auth", "giftflow.server")
    assert not goes_up_or_across("giftflow.server", "giftflow.web.pages")
    assert not goes_up_or_across("giftflow.http.auth", "giftflow.http.keys")
    assert not goes_up_or_across("giftflow.partners.manual", "giftflow")


"""Imports each module first and alone in a child forked from an interpreter that has
loaded no module of giftflow, only the libraries they use (two children at a time: each
still loads its own closure of giftflow, about a second for a module over the service
layer, so the whole package takes minutes on a busy machine)."""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="the children are forked")
def test_every_module_of_giftflow_imports_first_and_alone() -> None:
    """``__main__`` is left out: importing it runs the command line; so is the
    migrations' ``env``, a script that only Alembic runs (it reads Alembic's context)."""
    files = sorted(PACKAGE.rglob("*.py"))
    scripts = {"giftflow.__main__", "giftflow.store.migrations.env"}
    names = [name for path in files if (name := module_name(path)) not in scripts]
    preload = sorted(
        {
            module
            for path in files
            for module in load_time_imports(path)
            if module and not within(module, "giftflow")
        }
    )
    run = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("fork_imports.py"))],
        input=json.dumps([names, preload]),
        capture_output=True,
        text=True,
        timeout=3600,
        check=True,
    )
    assert json.loads(run.stdout) == {}
