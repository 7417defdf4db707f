"""What is generated from docs/openapi.json stays what the document says: the client's
answer types (``giftflow.client.models``) and the TypeScript types
(``clients/typescript/schema.d.ts``, by openapi-typescript from npm); and every
operation of the document has its call in ``giftflow.client.calls``."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from giftflow.client import calls, codegen
from giftflow.client.surface import Operation, Operations

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.json"
MODELS = ROOT / "src" / "giftflow" / "client" / "models.py"
TYPESCRIPT = ROOT / "clients" / "typescript"
CALLS = ROOT / "src" / "giftflow" / "client" / "calls"
NPM_TIMEOUT_S = 300


def test_the_client_models_are_generated_from_the_committed_document(tmp_path: Path) -> None:
    generated = tmp_path / "models.py"
    codegen.write(DOCUMENT, generated)
    assert generated.read_text() == MODELS.read_text(), (
        "refresh: python -m giftflow.client.codegen docs/openapi.json src/giftflow/client/models.py"
    )


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is required in CI (scripts/packages installs it)", pytrace=False)
        pytest.skip("npm is not installed")
    return npm


def _run(*command: str) -> None:
    done = subprocess.run(
        command, cwd=TYPESCRIPT, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_typescript_types_are_generated_from_the_committed_document(tmp_path: Path) -> None:
    npm = _npm()
    lock = TYPESCRIPT / "node_modules" / ".package-lock.json"
    if (
        not lock.exists()
        or lock.stat().st_mtime < (TYPESCRIPT / "package-lock.json").stat().st_mtime
    ):
        _run(npm, "ci", "--no-audit", "--no-fund")  # the pinned generator, exactly
    generated = tmp_path / "schema.d.ts"
    _run(npm, "exec", "--no", "--", "openapi-typescript", str(DOCUMENT), "--output", str(generated))
    assert generated.read_text() == (TYPESCRIPT / "schema.d.ts").read_text(), (
        "refresh: cd clients/typescript && npm ci && npm run generate"
    )
    _run(npm, "exec", "--no", "--", "tsc", "--noEmit", "--strict", str(generated))


def _document_operations() -> set[tuple[str, str]]:
    document = json.loads(DOCUMENT.read_text())
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", route))
        for route, operations in document["paths"].items()
        for method in operations
    }


def _call_operations() -> set[tuple[str, str]]:
    """``(method, route)`` of every builder: its ``Call``'s method and its route literal."""
    found: set[tuple[str, str]] = set()
    for module in sorted(CALLS.glob("*.py")):
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                found.add(_operation_of(node))
    return found


def _operation_of(function: ast.FunctionDef) -> tuple[str, str]:
    constants = [n.value for n in ast.walk(function) if isinstance(n, ast.Constant)]
    routes = [c for c in constants if isinstance(c, str) and c.startswith("/")]
    methods = [
        node.args[0].value
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "Call" and isinstance(node.args[0], ast.Constant)
    ]  # fmt: skip
    assert len(routes) == len(methods) == 1, function.name
    return str(methods[0]), routes[0]


def test_every_operation_of_the_document_has_its_call() -> None:
    assert _call_operations() == _document_operations()


def test_every_call_is_a_method_of_both_clients() -> None:
    builders = {
        name
        for module in (getattr(calls, name) for name in calls.__all__)
        for name, value in vars(module).items()
        if callable(value) and getattr(value, "__module__", "") == module.__name__
        and not name.startswith("_")
    }  # fmt: skip
    operations = {name for name, value in vars(Operations).items() if isinstance(value, Operation)}
    assert operations == builders
