"""JSON into the client's dataclasses, by their type hints.

Lenient where a newer server may be ahead of the client: fields it does not know are
ignored, and a ``Literal`` takes any value of its base type. Strict where the client
would otherwise be wrong: a missing field, a string for an integer, a boolean for a
number. A union of dataclasses is told apart by its ``Literal`` fields first
(``GiftBatchOk`` and ``GiftBatchError`` by ``status``).
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class DecodeError(ValueError):
    """``where`` names the field: ``answer.results.2.gift.coins``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def decode(kind: type[T], value: object, where: str = "answer") -> T:
    """``value`` (parsed JSON) as a ``kind``; ``DecodeError`` when it cannot be one."""
    decoded: T = _decode(kind, value, where, strict=False)
    return decoded


def _decode(kind: Any, value: object, where: str, *, strict: bool) -> Any:
    if kind is Any:
        return value
    if kind is None or kind is type(None):
        return _expect(value is None, value, where, "null")
    origin = get_origin(kind)
    if origin is Literal:
        return _literal(kind, value, where, strict=strict)
    if origin in (Union, types.UnionType):
        return _union(get_args(kind), value, where, strict=strict)
    if origin is list:
        (item,) = get_args(kind)
        items = _expect(isinstance(value, list), value, where, "an array")
        return [_decode(item, x, f"{where}.{i}", strict=strict) for i, x in enumerate(items)]
    if origin is dict:
        _, item = get_args(kind)
        pairs = _expect(isinstance(value, dict), value, where, "an object")
        return {k: _decode(item, v, f"{where}.{k}", strict=strict) for k, v in pairs.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind, value, where, strict=strict)
    return _scalar(kind, value, where)


def _expect(ok: bool, value: Any, where: str, wanted: str) -> Any:
    if not ok:
        raise DecodeError(where, f"expected {wanted}, got {type(value).__name__}")
    return value


def _literal(kind: Any, value: object, where: str, *, strict: bool) -> Any:
    allowed = get_args(kind)
    if value in allowed:
        return value
    if strict or not allowed:
        raise DecodeError(where, f"expected one of {allowed!r}, got {value!r}")
    return _scalar(type(allowed[0]), value, where)


def _union(options: tuple[Any, ...], value: object, where: str, *, strict: bool) -> Any:
    if value is None and type(None) in options:
        return None
    problems: list[str] = []
    for strict_pass in dict.fromkeys((True, strict)):
        for option in options:
            try:
                return _decode(option, value, where, strict=strict_pass)
            except DecodeError as error:
                problems.append(str(error))
    raise DecodeError(where, "matches no option: " + "; ".join(dict.fromkeys(problems)))


_FIELDS: dict[type[Any], tuple[tuple[str, Any, bool], ...]] = {}


def _fields(kind: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    """``(name, type, required)`` per field (resolved once per class)."""
    if kind not in _FIELDS:
        _FIELDS[kind] = _resolve_fields(kind)
    return _FIELDS[kind]


def _resolve_fields(kind: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    hints = get_type_hints(kind)
    return tuple(
        (
            field.name,
            hints[field.name],
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING,
        )
        for field in dataclasses.fields(kind)
    )


def _dataclass(kind: type[Any], value: object, where: str, *, strict: bool) -> Any:
    data = _expect(isinstance(value, dict), value, where, "an object")
    values: dict[str, Any] = {}
    for name, hint, required in _fields(kind):
        if name in data:
            values[name] = _decode(hint, data[name], f"{where}.{name}", strict=strict)
        elif required:
            raise DecodeError(f"{where}.{name}", "missing")
    return kind(**values)


def _scalar(kind: Any, value: object, where: str) -> Any:
    if kind is bool:
        return _expect(isinstance(value, bool), value, where, "a boolean")
    if kind is int:
        return _expect(
            isinstance(value, int) and not isinstance(value, bool), value, where, "an integer"
        )
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(_expect(ok, value, where, "a number"))
    if kind is str:
        return _expect(isinstance(value, str), value, where, "a string")
    if kind is datetime or kind is date:
        text = _expect(isinstance(value, str), value, where, "a string")
        try:
            return kind.fromisoformat(text)
        except ValueError:
            raise DecodeError(where, f"not an ISO 8601 {kind.__name__}: {text!r}") from None
    raise DecodeError(where, f"the client cannot decode {kind!r}")
