"""Time windows and query parameter checks, shared by every endpoint.

``Bound`` is one side of a time window on a record field (``>=``, ``>``, ``<``, ``<=``,
or ``:`` for the same UTC day); ``in_window`` keeps the records inside every bound.
``int_param``, ``time_param`` (ISO 8601) and ``epoch_param`` (Unix seconds) check a query
parameter and raise the API's own error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from demo.core.messages import Request
from demo.data.times import epoch, parse_time

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ":": lambda a, b: int(a // 86400) == int(b // 86400),
}


@dataclass(frozen=True)
class Bound:
    """``record[field] <op> value`` on epoch seconds; op is >=, >, <, <= or : (same UTC day)."""

    field: str
    op: str
    value: float

    def holds(self, record: Mapping[str, Any]) -> bool:
        return _COMPARE[self.op](epoch(record[self.field]), self.value)


def in_window(records: Iterable[Mapping[str, Any]], bounds: Iterable[Bound]) -> list[Any]:
    """The records inside every bound, in their order."""
    tests = list(bounds)
    return [r for r in records if all(b.holds(r) for b in tests)]


Invalid = Callable[[str, str], Exception]  # (parameter, message) -> the API's error


def int_param(
    request: Request,
    name: str,
    invalid: Invalid,
    *,
    default: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
) -> int:
    """An integer query parameter within [lo, hi]; absent: ``default``, else required."""
    raw = request.q(name)
    if raw is None:
        if default is None:
            raise invalid(name, f"{name} is required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"{name} must be an integer") from None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            raise invalid(name, f"{name} must be greater than or equal to {lo}")
        raise invalid(name, f"{name} must be between {lo} and {hi}")
    return value


def epoch_param(request: Request, name: str, invalid: Invalid, message: str) -> float | None:
    """A Unix-seconds query parameter (Stripe's ``created[gte]``), None if absent; ``message`` if bad."""
    raw = request.q(name)
    if raw is None:
        return None
    try:
        return float(int(raw))
    except ValueError:
        raise invalid(name, message.format(name=name, raw=raw)) from None


def time_param(request: Request, name: str, invalid: Invalid, message: str) -> float | None:
    """An ISO 8601 query parameter as epoch seconds (None if absent); ``message`` if bad."""
    raw = request.q(name)
    if raw is None:
        return None
    try:
        return parse_time(raw).timestamp()
    except ValueError:
        raise invalid(name, message.format(name=name, raw=raw)) from None
