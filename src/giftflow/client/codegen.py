"""Writes ``models.py``: a frozen dataclass for every schema an answer of the API uses,
from the committed OpenAPI document, so the client's types cannot drift from the API.

``python -m giftflow.client.codegen docs/openapi.json src/giftflow/client/models.py``
refreshes it (and formats it with ruff, a test tool); ``tests/client/test_generated.py``
fails when the committed file differs from what this writes. Standard library only: the
document is plain JSON Schema.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

Schema = Mapping[str, Any]
REF_PREFIX: Final = "#/components/schemas/"
SCALARS: Final = {"integer": "int", "boolean": "bool", "number": "float"}
STRING_FORMATS: Final = {"date-time": "datetime", "date": "date"}
RUFF: Final = ("--isolated", "--quiet", "--line-length", "100", "--target-version", "py311")
RUFF_COMMANDS: Final = (("check", "--fix", "--select", "I,F401", *RUFF), ("format", *RUFF))
"""Unused imports out, then formatted: the same wherever the file is written."""
HEADER: Final = '''"""The API's answers as frozen dataclasses: generated from docs/openapi.json by
``python -m giftflow.client.codegen docs/openapi.json src/giftflow/client/models.py``;
do not edit by hand.

One module of well over 400 lines, on purpose: it is the document's schemas written
out, not code anyone edits, regenerated whole whenever the API changes and compared
whole with what the generator writes (tests/client/test_generated.py). One file keeps a
change of the API one diff here, and every call imports its types from one place.

``Literal`` types list the values the document names; ``giftflow.client.decode`` accepts
others too (a newer server may add a state) and ignores fields it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeAlias
'''


def ref_name(schema: Schema) -> str:
    ref: str = schema["$ref"]
    assert ref.startswith(REF_PREFIX), ref
    return ref.removeprefix(REF_PREFIX)


def refs_in(schema: object) -> Iterator[str]:
    """Every schema named anywhere inside ``schema``."""
    if isinstance(schema, Mapping):
        if "$ref" in schema:
            yield ref_name(schema)
        for value in schema.values():
            yield from refs_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from refs_in(value)


def answer_schemas(document: Schema) -> list[str]:
    """The schemas answers use (directly or inside another), in the document's order."""
    schemas: Schema = document["components"]["schemas"]
    todo = [
        name
        for path in document["paths"].values()
        for operation in path.values()
        for response in operation.get("responses", {}).values()
        for name in refs_in(response.get("content", {}))
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(refs_in(schemas[name]))
    return [name for name in schemas if name in seen]


def annotation(schema: Schema) -> str:
    """The Python type of one JSON Schema (as the source text of an annotation)."""
    if "$ref" in schema:
        return ref_name(schema)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return " | ".join(dict.fromkeys(annotation(option) for option in schema[union]))
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    if "enum" in schema:
        return f"Literal[{', '.join(repr(value) for value in schema['enum'])}]"
    kind = schema.get("type")
    if kind == "null":
        return "None"
    if kind == "string":
        return STRING_FORMATS.get(schema.get("format", ""), "str")
    if kind == "array":
        return f"list[{annotation(schema.get('items', {}))}]"
    if kind == "object":
        values = schema.get("additionalProperties", True)
        return f"dict[str, {annotation(values) if isinstance(values, Mapping) else 'Any'}]"
    return SCALARS.get(kind, "Any") if isinstance(kind, str) else "Any"


def docstring(text: str, indent: str) -> list[str]:
    lines = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"').splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [
        f'{indent}"""{lines[0]}',
        *(f"{indent}{line}".rstrip() for line in lines[1:]),
        f'{indent}"""',
    ]


def field_lines(name: str, schema: Schema, *, required: bool) -> list[str]:
    text = annotation(schema)
    if required:
        line = f"    {name}: {text}"
    elif isinstance(schema.get("default"), str | int | float | bool):
        line = f"    {name}: {text} = {schema['default']!r}"
    else:
        line = (
            f"    {name}: {text} | None = None"
            if "None" not in text
            else f"    {name}: {text} = None"
        )
    description = schema.get("description")
    return [line, *(docstring(description, "    ") if description else [])]


def class_source(name: str, schema: Schema) -> list[str]:
    if schema.get("type") != "object":
        return [f"{name}: TypeAlias = {annotation(schema)}"]
    lines = ["@dataclass(frozen=True, slots=True, kw_only=True)", f"class {name}:"]
    if schema.get("description"):
        lines += docstring(schema["description"], "    ")
    required = set(schema.get("required", ()))
    for field, field_schema in schema.get("properties", {}).items():
        lines += field_lines(field, field_schema, required=field in required)
    return lines


def generate(document: Schema) -> str:
    """The source of ``models.py`` for ``document``."""
    schemas: Schema = document["components"]["schemas"]
    blocks = ["\n".join(class_source(name, schemas[name])) for name in answer_schemas(document)]
    return HEADER + "\n\n" + "\n\n\n".join(blocks) + "\n"


def write(document_path: Path, models_path: Path) -> None:
    """Generate ``models_path`` from ``document_path``, formatted as the project formats."""
    document = json.loads(document_path.read_text(encoding="utf-8"))
    models_path.write_text(generate(document), encoding="utf-8")
    for command in RUFF_COMMANDS:
        subprocess.run([sys.executable, "-m", "ruff", *command, str(models_path)], check=True)


def main(arguments: list[str]) -> int:
    if len(arguments) != 2:
        print("usage: python -m giftflow.client.codegen OPENAPI_JSON MODELS_PY", file=sys.stderr)
        return 2
    write(Path(arguments[0]), Path(arguments[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
