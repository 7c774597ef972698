"""The `shard` setting, `"i/n"`: this process reads the partitions and streams whose stable hash
modulo `n` is `i` (contract, "Shards").

The hash is the first 8 bytes of the SHA-1 of a canonical text, as a big-endian number: for a
partition (a list value, a parent record's values), its context as JSON with sorted keys, each
value as text, no spaces, UTF-8; for a stream without partitions, its name. It is the same on
every run, machine and Python version (Python's own `hash()` is not), so a partition stays with
its shard. The same number tells child contexts apart (`sync/children.py`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tap_restspec.expr.template import as_text

FORM = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*")
EXAMPLE = 'this process\'s share "i/n" of n shards, 0 <= i < n, e.g. "0/3"'


def context_key(context: Mapping[str, Any]) -> str:
    """A context's canonical text: JSON, keys sorted, each value as text, no spaces."""
    return json.dumps(
        {str(k): as_text(v) for k, v in context.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def digest(text: str) -> int:
    """The stable 64-bit hash of a text (SHA-1's first 8 bytes)."""
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")


def context_digest(context: Mapping[str, Any]) -> int:
    """The stable hash of a partition's or child pass's context."""
    return digest(context_key(context))


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`."""

    index: int
    count: int

    def owns(self, stream: str, context: Mapping[str, Any] | None) -> bool:
        """Whether this shard reads the partition `context` (or, without one, the whole stream)."""
        number = context_digest(context) if context else digest(stream)
        return number % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(value: Any) -> tuple[Shard | None, str | None]:
    """The shard of a `shard` value (None: no sharding), or the problem's line."""
    if value is None or value == "":
        return None, None
    match = FORM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None, f"config: shard: {str(value)[:40]!r} is not {EXAMPLE}"
    index, count = int(match[1]), int(match[2])
    if count < 1:
        return None, f"config: shard: {value.strip()!r}: n must be at least 1 ({EXAMPLE})"
    if index >= count:
        return None, f"config: shard: {value.strip()!r}: i must be 0 to {count - 1} when n is {count}"
    return Shard(index, count), None
