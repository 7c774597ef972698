"""The functions ADF expressions may call, and how their values become text.

A fixed table (`FUNCTIONS`): the parser checks names and argument counts against it,
evaluation calls its entries. Nothing is ever handed to `eval` or `exec`. Every value an
expression makes is at most `MAX_VALUE` characters, and all of them together at most
`MAX_WORK` (`Budget`): `replace()` nested in itself grows a value exponentially.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_restspec.expr.dates import format_datetime, parse_datetime

DEFAULT_DATE_FORMAT = "o"  # ADF's default: round-trip, yyyy-MM-ddTHH:mm:ss.fffffffK
MAX_VALUE = 1 << 20  # characters of any one value an expression makes (1 MB of ASCII)
MAX_WORK = 16 * MAX_VALUE  # characters of all the values one evaluation makes


class EvalError(Exception):
    """An evaluation problem, before the expression is added to the message."""


class Budget:
    """The characters one evaluation has made so far; an error before a value or the total is too large."""

    def __init__(self) -> None:
        self.used = 0

    def spend(self, name: str, size: int) -> None:
        """Account for a value of `size` characters that `name()` is about to make."""
        if size > MAX_VALUE:
            raise EvalError(
                f"{name}() would make a value of {_megabytes(size)}, more than the {_megabytes(MAX_VALUE)} "
                "an expression's value may have"
            )
        self.used += size
        if self.used > MAX_WORK:
            raise EvalError(f"the expression makes more than {_megabytes(MAX_WORK)} of values in all")


def _megabytes(size: int) -> str:
    """A size in MB, rounded up to hundredths (a size over the limit never reads as the limit)."""
    return f"{math.ceil(size * 100 / MAX_VALUE) / 100:g} MB"


@dataclass(frozen=True)
class Context:
    """What an expression sees: `pipeline().parameters` and the run's `utcNow()`; its budget."""

    parameters: Mapping[str, Any]
    now: datetime
    budget: Budget = field(default_factory=Budget)


@dataclass(frozen=True)
class Function:
    """One entry of the function table; `impl(context, *args)`, or None for `if`."""

    name: str
    min_args: int
    max_args: int | None
    impl: Callable[..., Any] | None

    def accepts(self, count: int) -> bool:
        """Tell whether the function takes `count` arguments."""
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)

    @property
    def arity(self) -> str:
        """The number of arguments, in words."""
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        joiner = " or " if self.max_args == self.min_args + 1 else " to "
        return f"{self.min_args}{joiner}{self.max_args}"


def access(target: Any, key: Any) -> Any:
    """Get a member or element of `target`; null when either is missing (lenient)."""
    if isinstance(target, Mapping) and isinstance(key, str):
        if key in target:
            return target[key]
        folded = key.casefold()
        return next((v for k, v in target.items() if str(k).casefold() == folded), None)
    if isinstance(target, list | tuple) and isinstance(key, int) and not isinstance(key, bool):
        return target[key] if 0 <= key < len(target) else None
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object"


def as_boolean(name: str, value: Any) -> bool:
    """`value`, which `name()` needs to be a boolean."""
    if not isinstance(value, bool):
        raise EvalError(f"{name}() expects a boolean, got {_kind(value)}")
    return value


def _text(name: str, value: Any) -> str:
    """Check a string argument; null counts as ''."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EvalError(f"{name}() expects a string, got {_kind(value)}")
    return value


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvalError(f"{name}() expects a number, got {_kind(value)}")
    return value


def _timestamp(name: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str) or not value:
        got = "an empty string" if value == "" else _kind(value)
        raise EvalError(f"{name}() expects a timestamp, got {got}")
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise EvalError(f"{name}(): {exc}") from exc


def _format(name: str, value: datetime, fmt: Any) -> str:
    fmt = DEFAULT_DATE_FORMAT if fmt is None else fmt
    if not isinstance(fmt, str):
        raise EvalError(f"{name}() expects a format string, got {_kind(fmt)}")
    try:
        return format_datetime(value, fmt)
    except ValueError as exc:
        raise EvalError(f"{name}(): {exc}") from exc


def as_utc(value: datetime) -> datetime:
    """`value` in UTC (naive is taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def render_value(value: Any) -> str:
    """Write a value as ADF puts it into a string: null is '', booleans 'True'/'False'.

    An array or object is written as JSON of at most `MAX_VALUE` characters (else EvalError).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    pieces, size = [], 0
    for piece in _JSON.iterencode(value):
        size += len(piece)
        if size > MAX_VALUE:
            raise EvalError(f"an array or object written as text would be more than {_megabytes(MAX_VALUE)}")
        pieces.append(piece)
    return "".join(pieces)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _equals(_: Context, a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return bool(a == b)


def _empty(_: Context, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) == 0
    return False


def _compare(name: str, test: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def compare(_: Context, a: Any, b: Any) -> bool:
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
        if not numbers and not (isinstance(a, str) and isinstance(b, str)):
            kinds = f"{_kind(a)} and {_kind(b)}"
            raise EvalError(f"{name}() compares two numbers or two strings, got {kinds}")
        return test(a, b)

    return compare


def _logic(name: str, combine: Callable[[list[bool]], bool]) -> Callable[..., bool]:
    return lambda _, *values: combine([as_boolean(name, v) for v in values])


def _int(_: Context, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        return int(value)
    shown = repr(value) if isinstance(value, str | float) else _kind(value)
    raise EvalError(f"int() cannot convert {shown} to an integer")


def _replace(context: Context, text: Any, old: Any, new: Any) -> str:
    old = _text("replace", old)
    if not old:
        raise EvalError("replace() needs a non-empty string to replace")
    text, new = _text("replace", text), _text("replace", new)
    context.budget.spend("replace", len(text) + text.count(old) * (len(new) - len(old)))
    return text.replace(old, new)


def _concat(context: Context, *values: Any) -> str:
    texts = [render_value(v) for v in values]
    context.budget.spend("concat", sum(len(t) for t in texts))
    return "".join(texts)


def _format_date_time(_: Context, value: Any, fmt: Any = None) -> str:
    return _format("formatDateTime", _timestamp("formatDateTime", value), fmt)


def _utc_now(context: Context, fmt: Any = None) -> str:
    return _format("utcNow", context.now, fmt)


def _adder(name: str, unit: str) -> Callable[..., str]:
    def add(_: Context, value: Any, amount: Any, fmt: Any = None) -> str:
        start = _timestamp(name, value)
        try:
            result = start + timedelta(**{unit: _number(name, amount)})
        except OverflowError as exc:
            raise EvalError(f"{name}(): the result is out of range") from exc
        return _format(name, result, fmt)

    return add


def _functions(*entries: Function) -> dict[str, Function]:
    return {entry.name.lower(): entry for entry in entries}


FUNCTIONS: dict[str, Function] = _functions(
    Function("pipeline", 0, 0, lambda context: {"parameters": dict(context.parameters)}),
    Function("if", 3, 3, None),
    Function("empty", 1, 1, _empty),
    Function("coalesce", 1, None, lambda _, *vs: next((v for v in vs if v is not None), None)),
    Function("concat", 1, None, _concat),
    Function("equals", 2, 2, _equals),
    Function("not", 1, 1, lambda _, v: not as_boolean("not", v)),
    Function("and", 2, None, _logic("and", all)),
    Function("or", 2, None, _logic("or", any)),
    Function("greater", 2, 2, _compare("greater", lambda a, b: a > b)),
    Function("less", 2, 2, _compare("less", lambda a, b: a < b)),
    Function("greaterOrEquals", 2, 2, _compare("greaterOrEquals", lambda a, b: a >= b)),
    Function("lessOrEquals", 2, 2, _compare("lessOrEquals", lambda a, b: a <= b)),
    Function("string", 1, 1, lambda _, v: render_value(v)),
    Function("int", 1, 1, _int),
    Function("toLower", 1, 1, lambda _, v: _text("toLower", v).lower()),
    Function("toUpper", 1, 1, lambda _, v: _text("toUpper", v).upper()),
    Function("replace", 3, 3, _replace),
    Function("formatDateTime", 1, 2, _format_date_time),
    Function("utcNow", 0, 1, _utc_now),
    Function("addDays", 2, 3, _adder("addDays", "days")),
    Function("addHours", 2, 3, _adder("addHours", "hours")),
    Function("addMinutes", 2, 3, _adder("addMinutes", "minutes")),
    Function("addSeconds", 2, 3, _adder("addSeconds", "seconds")),
)
PRECOUNTED = frozenset({"replace", "concat"})  # they spend their budget before making the value
