"""Typed reading of a parsed catalog file, with every problem named by where it is.

A reader raises ``EntryError`` for the first thing wrong in one section; ``Problems``
collects one per section, so that a file with several mistakes reports them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from giftflow.economy.money import BPS_SCALE

T = TypeVar("T")


class EntryError(Exception):
    """One thing wrong with one entry of a catalog file; the message starts with where
    it is. Internal: ``load_catalog`` turns them all into one ``CatalogInvalidError``."""


class Problems:
    """The problems found so far in one file."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, message: str) -> None:
        self.found.append(message)

    def collect(self, read: Callable[[], T]) -> T | None:
        """``read()``, or ``None`` with its problem recorded."""
        try:
            return read()
        except EntryError as problem:
            self.add(str(problem))
            return None


@dataclass(frozen=True, slots=True)
class Table:
    """A TOML table and the dotted path to it (``regions.US.web``)."""

    where: str
    values: Mapping[str, object]

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str) -> object:
        if key not in self.values:
            raise EntryError(f"{self.at(key)}: missing")
        return self.values[key]

    def only(self, allowed: Collection[str]) -> None:
        """Unknown keys are mistakes (``fee_bsp``), not extensions: they would be ignored."""
        unknown = sorted(set(self.values) - set(allowed))
        if unknown:
            raise EntryError(f"{self.where or 'top level'}: unknown keys {', '.join(unknown)}")

    def table(self, key: str) -> Table:
        value = self.get(key)
        if not isinstance(value, dict):
            raise EntryError(f"{self.at(key)}: expected a table, got {value!r}")
        return Table(self.at(key), value)

    def array(self, key: str) -> list[object]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            raise EntryError(f"{self.at(key)}: expected a non-empty array, got {value!r}")
        return value

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise EntryError(f"{self.at(key)}: expected a non-empty string, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise EntryError(f"{self.at(key)}: expected true or false, got {value!r}")
        return value

    def integer(self, key: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.get(key)
        # bool is an int to Python; `true` is never a number in a catalog.
        if not isinstance(value, int) or isinstance(value, bool):
            raise EntryError(f"{self.at(key)}: expected an integer, got {value!r}")
        if maximum is None and value < minimum:
            raise EntryError(f"{self.at(key)}: {value} is below the minimum of {minimum}")
        if maximum is not None and not minimum <= value <= maximum:
            raise EntryError(f"{self.at(key)}: {value} is outside {minimum}..{maximum}")
        return value

    def basis_points(self, key: str) -> int:
        """0..10,000 basis points (0 to 100 %)."""
        return self.integer(key, minimum=0, maximum=BPS_SCALE)
