"""The texts giftflow's code marks for translation: every ``_("…")`` and ``N_("…")``
with a literal text in the modules that show texts to people (f-strings included,
which Babel's Python extractor does not look into). ``python -m giftflow.i18n.extract``
prints them as a ``.pot`` template for a new language; a test checks that every
shipped catalog translates them all."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

PACKAGE: Final = Path(__file__).parents[1]
SOURCES: Final = (
    "web/dashboard",
    "web/overlay_texts.py",
    "render/report_page.py",
    "web/bio_page.py",
    "web/bio_sections.py",
    "render/charts.py",
)
"""Where the texts people read are written (relative to the ``giftflow`` package)."""
MARKERS: Final = frozenset({"_", "N_"})


def _files() -> Iterator[Path]:
    for source in SOURCES:
        path = PACKAGE / source
        yield from sorted(path.glob("*.py")) if path.is_dir() else [path]


def _marked(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def messages() -> list[str]:
    """Every marked text, once, in the order of the files and their lines."""
    found: dict[str, None] = {}
    for path in _files():
        for message in _marked(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(message, None)
    return list(found)


def template() -> Catalog:
    catalog = Catalog(domain="giftflow", project="giftflow")
    for message in messages():
        catalog.add(message)
    return catalog


def main() -> None:
    write_po(sys.stdout.buffer, template(), omit_header=False, width=0)


if __name__ == "__main__":
    main()
