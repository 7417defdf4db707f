"""The API's published contract: the committed OpenAPI document is the app's own, and
every error code giftflow raises has its HTTP status in the one table."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from giftflow.cli.serve import openapi_document
from giftflow.http.problem_codes import STATUS_BY_CODE
from tests.api.conftest import World

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "giftflow"
COMMAND_LINE_ONLY = ("cli", "demo", "bench", "client")
"""Packages the API never calls: their codes end as exit codes (or, for the client, are
raised in a platform's process), not HTTP statuses."""


def test_the_committed_openapi_document_is_the_apps() -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == openapi_document(), "run: giftflow openapi > docs/openapi.json"


def test_the_served_openapi_document_is_the_committed_one(world: World) -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert world.ok(world.get("/openapi.json")) == committed


def error_codes() -> dict[str, str]:
    """Every literal error code in giftflow's source: ``code = "..."`` on a class and
    ``code="..."`` passed to an error, with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if path.relative_to(SOURCE).parts[0] in COMMAND_LINE_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for value in _code_values(node):
                found.setdefault(value, f"{path.relative_to(SOURCE)}:{node.lineno}")  # type: ignore[attr-defined]
    return found


def _code_values(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == "code" for target in node.targets
    ):
        return [node.value.value] if _is_text(node.value) else []  # type: ignore[attr-defined]
    if isinstance(node, ast.Call):
        return [
            keyword.value.value  # type: ignore[attr-defined]
            for keyword in node.keywords
            if keyword.arg == "code" and _is_text(keyword.value)
        ]
    return []


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_every_error_code_has_its_http_status() -> None:
    codes = error_codes()
    assert len(codes) > 40
    missing = {code: where for code, where in codes.items() if code not in STATUS_BY_CODE}
    assert missing == {}


def test_the_table_holds_only_error_statuses() -> None:
    assert all(400 <= status <= 599 for status in STATUS_BY_CODE.values())
