"""Types inferred from records, and widened as records bring more, chosen for the shipped loader.

Inferred types suit target-postgres (see `columns.py`): every JSON number is `number`
(NUMERIC: `10` then `10.5` stays exact), strings that are all RFC 3339 date-times or dates
get `format`, and a property seen only as null (or an array seen only empty) is typed `ANY`
(JSONB, which takes any later value as it is). Inside a sample or a page a null is no type
at all (`NULL`): the page's other values, or the types this stream had in earlier runs
(`remembered`), decide first (`settle`). Widening only ever adds (`widen_page`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from tap_restspec.output.columns import column, verdict

ANY_TYPES = ("object", "array", "string", "number", "boolean", "null")
ANY = {"type": list(ANY_TYPES)}  # every JSON value (target-postgres: jsonb)
NULL = {"type": ["null"]}  # seen only as null so far: settled to a remembered type, else ANY
INT64 = 2**63
MAX_DEPTH = 32  # deeper values are typed ANY, so no walk of a record or schema goes deeper

_LEAP = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DAY = (
    r"(?!0000)(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    rf"|02-(?:0[1-9]|1\d|2[0-8]))|{_LEAP}-02-29)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
# RFC 3339 as target-postgres stores it exactly: `T`, `Z`, at most microseconds (more digits
# would be cut off in a timestamp column).
BODIES = {"date-time": f"{_DAY}T{_TIME}", "date": _DAY}  # the formats without anchors
PATTERNS = {name: rf"^{body}\Z" for name, body in BODIES.items()}
MATCH = {name: re.compile(pattern).match for name, pattern in PATTERNS.items()}


def is_format(value: str, name: str) -> bool:
    """`value` is a `date-time` or a `date` as this tap infers them (a real day, not Feb 30)."""
    return MATCH[name](value) is not None


def types_of(schema: Mapping[str, Any]) -> list[str]:
    """The JSON types a schema names (`type` as a string or a list)."""
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []


def is_any(schema: Any) -> bool:
    """The schema admits every JSON value by its types alone (ANY, or a wider list)."""
    return isinstance(schema, dict) and set(types_of(schema)) >= set(ANY_TYPES)


def checked_format(schema: Mapping[str, Any]) -> bool:
    """The schema's `format` is one the tap infers and checks."""
    kind = schema.get("format")
    return isinstance(kind, str) and kind in PATTERNS


TYPE_ORDER = ["object", "array", "string", "number", "integer", "boolean", "null"]


def infer_schema(records: Iterable[Any], *, settled: bool = True) -> dict[str, Any]:
    """A JSON schema that every sampled record fits (every property nullable).

    `settled=False` keeps `NULL` where a value was only ever null (see `settle`).
    """
    schema: dict[str, Any] | None = None
    for record in records:
        schema = _merge_types(schema, _schema_of(record), numbers=False)
    if schema is None or "object" not in types_of(schema):
        schema = {"type": "object", "properties": {}}
    schema = {**_numbers(schema, 0), "type": "object"}
    return settle(schema, {}, start=True) if settled else schema


def _schema_of(value: Any, depth: int = 0) -> dict[str, Any]:
    if isinstance(value, str):
        for name in ("date-time", "date"):
            if is_format(value, name):
                return {"type": ["string", "null"], "format": name}
        return {"type": ["string", "null"]}
    if isinstance(value, bool):
        return {"type": ["boolean", "null"]}
    if isinstance(value, int) and -INT64 <= value < INT64:
        return {"type": ["integer", "null"]}  # a `number` where a property is new (`_numbers`)
    if isinstance(value, (int, float, Decimal)):
        return {"type": ["number", "null"]}
    if value is None:
        return dict(NULL)
    if depth >= MAX_DEPTH:
        return dict(ANY)
    if isinstance(value, dict):
        return {
            "type": ["object", "null"],
            "properties": {k: _schema_of(v, depth + 1) for k, v in value.items()},
        }
    if isinstance(value, list):
        items: dict[str, Any] | None = None
        for item in value:
            items = _merge_types(items, _schema_of(item, depth + 1), numbers=False)
        return {"type": ["array", "null"], "items": items or dict(NULL)}
    return dict(ANY)


def _merge_types(a: dict[str, Any] | None, b: dict[str, Any], *, numbers: bool = True) -> dict[str, Any]:
    """A schema both `a` and `b` accept; `a` itself (the same object) when it already accepts `b`.

    Keywords of `a` other than `type`, `format`, `properties` and `items` (`description`...)
    are kept, so widening a catalog's schema changes only what must change. A `date-time`
    or `date` format goes when `b` holds strings without it. With `numbers`, what `a` did
    not have types every number `number` (an `integer` that `a` has stays).
    """
    if a is None:
        return _numbers(b, 0) if numbers else b
    if not a or is_any(a):  # `{}` and ANY accept anything
        return a
    old = set(types_of(a))
    added = set(types_of(b))
    if numbers and "integer" in added and "integer" not in old:
        added = added - {"integer"} | {"number"}
    kinds = old | added
    if "number" in kinds:
        kinds.discard("integer")
    if len(kinds - {"null"}) > 1 and {"object", "array"} & kinds:
        return dict(ANY)  # mixed structures: anything
    merged: dict[str, Any] = dict(a)
    changed = kinds != old
    if changed:
        merged["type"] = sorted(kinds, key=TYPE_ORDER.index)
    if "string" in types_of(b):
        if "string" not in old and "format" in b:
            merged["format"] = b["format"]
        elif checked_format(a) and b.get("format") != a.get("format"):
            del merged["format"]
            changed = True
    if "object" in kinds and (b.get("properties") or not a.get("properties")):
        props = dict(a.get("properties") or {})
        for key, value in (b.get("properties") or {}).items():
            widened = _merge_types(props.get(key), value, numbers=numbers)
            if widened is not props.get(key):
                props[key] = widened
                changed = True
        if changed or "properties" not in a:
            merged["properties"] = props
            changed = True
    if "array" in kinds and b.get("items"):
        items = a.get("items") or None
        widened = _merge_types(items, b["items"], numbers=numbers)
        if widened is not items:
            merged["items"] = widened
            changed = True
    return merged if changed else a


def _numbers(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    """`schema` with every `integer` a `number`: target-postgres would round a later 10.5 in a bigint."""
    if depth > MAX_DEPTH:
        return schema
    out = schema
    kinds = types_of(schema)
    if "integer" in kinds:
        out = {**out, "type": sorted(set(kinds) - {"integer"} | {"number"}, key=TYPE_ORDER.index)}
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        out = {**out, "properties": {k: _numbers(v, depth + 1) for k, v in props.items()}}
    if isinstance(schema.get("items"), dict):
        out = {**out, "items": _numbers(schema["items"], depth + 1)}
    return out


def settle(
    schema: dict[str, Any], remembered: Mapping[str, dict[str, Any]], *, start: bool = False
) -> dict[str, Any]:
    """`schema` with no `NULL` left: a top-level property takes the type this stream had in
    earlier runs (`remembered`) where it has no type of its own, else ANY; so does an array's
    `items`. At the `start` of a run a property typed ANY takes its remembered type too (a
    catalog made by `--discover` has ANY where the sample had only nulls): the records that
    made it ANY, if any, widen it again.
    """
    props = schema.get("properties")
    if not isinstance(props, dict):
        return schema
    out = {}
    for name, sub in props.items():
        known = remembered.get(name)
        if known is not None:
            out[name] = _no_nulls(_prefer(known, sub, start), 0)
        else:
            out[name] = fresh(_no_nulls(sub, 0)) if start else _no_nulls(sub, 0)
    return {**schema, "properties": out}


def fresh(schema: Any) -> Any:
    """A new property typed so that target-postgres keeps every value as it is: a union of types
    its column would change (strings and numbers: numbers as text) is ANY (jsonb).
    """
    return schema if verdict(column(schema), schema) == "ok" else dict(ANY)


def _prefer(known: dict[str, Any], sub: Any, start: bool) -> Any:
    """What was known of a property, widened by what this run says of it."""
    if not isinstance(sub, dict) or sub == NULL or (start and (is_any(sub) or _plain_string(sub, known))):
        return known
    if "array" in types_of(sub) and "array" in types_of(known) and _unknown(sub.get("items"), start):
        sub = {**sub, "items": known.get("items") or dict(NULL)}
    return _merge_types(known, sub)


def _plain_string(sub: dict[str, Any], known: dict[str, Any]) -> bool:
    """`sub` is a plain string (no format) and `known` something else: at a run's start, a catalog
    whose sample did not show the property (a key is then typed as a plain string) or showed it
    only as text; the table has the known type, and records that do not fit it widen it again,
    checked against that column.
    """
    return set(types_of(sub)) - {"null"} == {"string"} and "format" not in sub and sub != known


def _unknown(schema: Any, start: bool) -> bool:
    return not isinstance(schema, dict) or schema == NULL or (start and is_any(schema))


def _no_nulls(schema: Any, depth: int) -> Any:
    """`schema` with each `NULL` (a value, or the items of arrays, seen only as null or empty) ANY."""
    if not isinstance(schema, dict):
        return schema
    if schema == NULL:
        return dict(ANY)
    if depth > MAX_DEPTH:
        return schema
    out = schema
    props = schema.get("properties")
    if isinstance(props, dict):
        settled = {k: _no_nulls(v, depth + 1) for k, v in props.items()}
        if any(settled[k] is not v for k, v in props.items()):
            out = {**out, "properties": settled}
    items = schema.get("items")
    if isinstance(items, dict):
        fixed = _no_nulls(items, depth + 1)
        if fixed is not items:
            out = {**out, "items": fixed}
    return out


def widen_page(
    schema: dict[str, Any],
    records: Iterable[Mapping[str, Any]],
    remembered: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The smallest widening of `schema` that every record fits: new properties, unions of types.

    The records are typed together first, so a property null in one record and a string in
    another is a string; `schema` itself when every record already fits.
    """
    shape: dict[str, Any] | None = None
    for record in records:
        props = {key: _schema_of(value, 1) for key, value in record.items()}
        shape = _merge_types(shape, {"type": "object", "properties": props}, numbers=False)
    if shape is None:
        return schema
    merged = _merge_types(schema, shape)
    if merged is schema or "object" not in types_of(merged):
        return schema
    props = schema.get("properties") or {}
    changed = {k: v for k, v in merged["properties"].items() if v is not props.get(k)}
    settled = settle({"properties": changed}, remembered or {})["properties"]
    settled = {k: v if k in props or k in (remembered or {}) else fresh(v) for k, v in settled.items()}
    return {**merged, "type": "object", "properties": {**merged["properties"], **settled}}


def widen(
    schema: dict[str, Any], record: Mapping[str, Any], remembered: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The smallest widening of `schema` that `record` fits."""
    return widen_page(schema, [record], remembered)
