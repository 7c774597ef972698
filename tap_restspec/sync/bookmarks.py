"""A replication key's bookmark: the largest value of a record field seen, compared safely.

Values are compared as the API wrote them, with three rules a plain `>` lacks: numbers
with numbers (a numeric string too), date-time strings as instants (whatever their
offset), other strings as text. Two values that cannot be compared (a string and a number,
an object) are an error naming the stream and the key, never a `TypeError` traceback.
The SDK's `increment_state`/`finalize_state` are not used: they compare with `>` and, for
unsorted streams, replace a bookmark with a smaller value when a run sees only older records.
"""

from __future__ import annotations

from typing import Any

from tap_restspec.errors import StreamError
from tap_restspec.expr import dates


def _order(value: Any) -> tuple[int, Any] | None:
    """A sort key: (kind, comparable value); None for a value no bookmark can hold."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return (0, float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:
            pass
        try:
            return (1, dates.parse_datetime(text))
        except ValueError:
            return (2, value)
    return None


class KeyMax:
    """The largest replication-key value of one unit: the bookmark it started from, then its records."""

    def __init__(self, stream: str, key: str, start: Any = None) -> None:
        self.stream = stream
        self.key = key
        self.value: Any = None
        self._order: tuple[int, Any] | None = None
        if start is not None:
            self.offer(start, "the state's bookmark")

    def offer(self, value: Any, where: str = "a record") -> bool:
        """Take `value` if it is later than the largest so far; True when it was taken."""
        if value is None:
            return False
        if self.value is not None and isinstance(value, str) and value == self.value:
            return False
        order = _order(value)
        if order is None:
            raise StreamError(
                f"stream {self.stream}: replicationKey {self.key!r} of {where} is "
                f"{str(value)[:60]!r}, which cannot be a bookmark (a string, number or date-time is)"
            )
        current = self._order
        if current is not None and order[0] != current[0]:
            raise StreamError(
                f"stream {self.stream}: replicationKey {self.key!r} values cannot be compared: "
                f"{str(self.value)[:60]!r} and {str(value)[:60]!r} (from {where}); make every value "
                "of the key one kind (all date-times, all numbers or all text)"
            )
        if current is None or order[1] > current[1]:
            self.value, self._order = value, order
            return True
        return False
