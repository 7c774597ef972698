"""What sampled answers say of their records: where they are, their primary key, a replication-key
candidate and the order it shows, and their schema (the tap's own inference). Pure.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tap_restspec.expr import dates
from tap_restspec.model.jsonpath import simple_segments
from tap_restspec.output.inference import infer_schema

MAX_DEPTH = 4  # objects this deep in a body are searched for the records
# Arrays under these names are never the records (HAL and JSON:API links, errors, facets).
NOT_RECORDS = frozenset({"links", "_links", "errors", "warnings", "facets", "meta", "_meta", "included"})
ID_NAMES = ("id", "uuid", "guid", "key", "gid")
_ID_SUFFIX = re.compile(r"(?:^|[_-])(?:id|uuid|guid|ID)$|(?<=[a-z])(?:Id|Uuid|Guid|ID)$")
# Names of a record's last-change time, compared without case, `_` or `-`; any date-time field
# whose name says "updated", "modified" or "changed" comes after these.
CHANGE_NAMES = (
    "updatedat",
    "updated",
    "modifiedat",
    "modified",
    "lastmodified",
    "lastmodifiedat",
    "lastmodifieddate",
    "datemodified",
    "lastchanged",
    "lastupdated",
    "updatedtime",
    "modifiedtime",
    "systemmodstamp",
)
_CHANGE_WORDS = ("updat", "modif", "chang")


def norm(name: str) -> str:
    """A name compared without case or punctuation: `updated_at`, `updatedAt` -> `updatedat`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def path_of(segments: tuple[str, ...]) -> str:
    """A JSONPath for member names: `$.data.sources`, `$['odd key']`, `$` for none."""
    text = "$"
    for name in segments:
        plain = simple_segments(f"$.{name}") == (name,)
        text += f".{name}" if plain else f"['{name}']"
    return text


def find_records(body: Any) -> tuple[tuple[str, ...], list[Any]] | None:
    """The largest array of objects in `body` (a bare array too), and where it is; None: there is none.

    Ties go to the shallower array. Arrays inside arrays (inside records) are not searched.
    """
    if isinstance(body, list):
        return ((), body) if _objects(body) else None
    best: tuple[tuple[str, ...], list[Any]] | None = None
    for segments, value in members(body):
        usable = isinstance(value, list) and segments[-1].lower() not in NOT_RECORDS and _objects(value)
        if usable and (best is None or len(value) > len(best[1])):
            best = (segments, value)
    return best


def empty_arrays(body: Any) -> list[str]:
    """Paths of the empty arrays of a body (where records may be when there are some)."""
    if isinstance(body, list):
        return ["$"] if not body else []
    return [path_of(s) for s, v in members(body) if v == [] and s[-1].lower() not in NOT_RECORDS]


def members(body: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every member of the objects of `body`, objects within objects, `MAX_DEPTH` deep (not into arrays)."""
    if not isinstance(body, dict) or len(prefix) >= MAX_DEPTH:
        return
    for key, value in body.items():
        yield (*prefix, str(key)), value
        yield from members(value, (*prefix, str(key)))


def _objects(value: list[Any]) -> bool:
    """An array of objects (nulls among them are skipped, as the tap skips them)."""
    return any(isinstance(item, dict) for item in value) and all(
        isinstance(item, dict) for item in value if item is not None
    )


def identity(record: Any, key: str | None) -> str:
    """What tells two records apart: the primary key's value, else the whole record."""
    if key is not None and isinstance(record, dict) and record.get(key) is not None:
        return json.dumps(record[key])
    return json.dumps(record, sort_keys=True, default=str)


def primary_key(records: list[dict[str, Any]]) -> str | None:
    """`id` (any case), else a field named like an id: in every record, not null, unique, id-like."""
    names = list(dict.fromkeys(name for record in records for name in record))
    ranked = [n for n in names if n.lower() == "id"]
    ranked += [n for n in names if n.lower() in ID_NAMES and n not in ranked]
    ranked += [n for n in names if _ID_SUFFIX.search(n) and n not in ranked]
    return next((name for name in ranked if _unique_ids(records, name)), None)


def _unique_ids(records: list[dict[str, Any]], name: str) -> bool:
    values = [record.get(name) for record in records]
    if not all(_id_like(value) for value in values):
        return False
    return len({json.dumps(value) for value in values}) == len(values)


def _id_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and 0 < len(value) <= 200 and not any(ch.isspace() for ch in value)


@dataclass(frozen=True)
class ChangeKey:
    """A replication-key candidate and the order the sample shows (None: no order seen)."""

    name: str
    order: str | None  # "oldest_first", "newest_first"


def change_key(records: list[dict[str, Any]]) -> ChangeKey | None:
    """A top-level field named like a last-change time that holds a date-time in every record."""
    names = list(dict.fromkeys(name for record in records for name in record))
    ranked = sorted((n for n in names if norm(n) in CHANGE_NAMES), key=lambda n: CHANGE_NAMES.index(norm(n)))
    ranked += [n for n in names if n not in ranked and any(w in n.lower() for w in _CHANGE_WORDS)]
    for name in ranked:
        moments = [_moment(record.get(name)) for record in records]
        if records and all(m is not None for m in moments):
            return ChangeKey(name, _order([m for m in moments if m is not None]))
    return None


def _moment(value: Any) -> datetime | None:
    """A date-time with a time of day (a date alone is not a change time)."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", value.strip()):
        return None
    try:
        return dates.parse_datetime(value)
    except ValueError:
        return None


MIN_ORDERED = 3  # records that must show an order before the draft names it


def _order(moments: list[datetime]) -> str | None:
    """`oldest_first` or `newest_first` when the sample is sorted one way with at least two values."""
    if len(moments) < MIN_ORDERED or len(set(moments)) < 2:
        return None
    pairs = list(itertools.pairwise(moments))
    if all(a <= b for a, b in pairs):
        return "oldest_first"
    if all(a >= b for a, b in pairs):
        return "newest_first"
    return None


def record_schema(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The records' schema as the tap infers one: numbers `number`, date-times with their format,
    null-only fields and empty arrays any JSON value.
    """
    return infer_schema(records)


def formatted(schema: dict[str, Any], kind: str) -> list[str]:
    """The top-level properties of `schema` with `format` `kind`."""
    props = schema.get("properties") or {}
    return [name for name, sub in props.items() if isinstance(sub, dict) and sub.get("format") == kind]
