"""What the shipped loader, target-postgres 0.8.1, makes of a property, and what it does when it widens.

target-postgres makes a column from the first SCHEMA that lists a property (singer-sdk's
`JSONSchemaToSQL`: a date-time string is `timestamp`, a number `numeric`, an object or a
union with one `jsonb`, an array `<items' type>[]`, a union of scalars its first of text,
numeric, bigint, boolean) and never alters it. A later SCHEMA that types the property
otherwise binds the values as the new type into the old column: PostgreSQL stores
anything in a `text` column as its text, and rounds a number into a `bigint` one, both
without a word; every other change it refuses (`Altering columns is not supported`, or a
type mismatch). Measured on 0.8.1 with PostgreSQL 15; see docs/schemas.md, "Types in PostgreSQL".
"""

from __future__ import annotations

from typing import Any, Literal

Verdict = Literal["ok", "silent", "refused"]

_SCALAR = {"string": "text", "number": "numeric", "integer": "bigint", "boolean": "boolean"}
_FORMATS = {"date-time": "timestamp", "date": "date", "time": "time", "uuid": "uuid"}
_UNION = ("text", "timestamp", "date", "time", "numeric", "bigint", "boolean")  # the first present wins
# The JSON types each column takes as they are.
_NATIVE = {
    "jsonb": {"object", "array", "string", "number", "integer", "boolean"},
    "text": {"string"},
    "numeric": {"number", "integer"},
    "bigint": {"integer"},
    "boolean": {"boolean"},
}


def _types(schema: Any) -> list[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    names = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return [n for n in names if isinstance(n, str) and n != "null"]


def column(schema: Any) -> str:
    """The column target-postgres makes for a property: `text`, `numeric`, `jsonb`, `text[]`..."""
    kinds = _types(schema)
    if len(kinds) > 1:
        if {"object", "array"} & set(kinds):
            return "jsonb"  # an array inside a union has no items: jsonb
        found = {column({"type": k}) for k in kinds}
        return next((c for c in _UNION if c in found), "text")
    if not kinds:
        return "text"  # no type: a text column that takes values as they come
    kind = kinds[0]
    if kind == "string":
        return _FORMATS.get(schema.get("format"), "text") if isinstance(schema.get("format"), str) else "text"
    if kind == "object":
        return "jsonb"
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            return "jsonb"
        if "type" not in items:
            return "jsonb[]"
        return column({"type": items["type"]}) + "[]"  # the items' format is not looked at
    return _SCALAR.get(kind, "text")


def admitted(schema: Any) -> set[str]:
    """The JSON types a property's values may have (`integer` counts as `number`'s)."""
    return set(_types(schema)) or set(_NATIVE["jsonb"])


def verdict(existing: str, schema: Any) -> Verdict:
    """What target-postgres does with the values of `schema` in a column made as `existing`.

    `ok`: each lands as it is. `silent`: some land changed without a word (a number or an
    object as text in a text column, a fraction rounded in a bigint one). `refused`: the
    load stops with an error.
    """
    new = column(schema)
    if existing == "jsonb":
        return "ok" if new == "jsonb" else "refused"
    if existing.endswith("[]"):
        if not new.endswith("[]"):
            return "refused"
        items = schema.get("items") if isinstance(schema, dict) else None
        return verdict(existing[:-2], {"type": items.get("type")} if isinstance(items, dict) else {})
    if new == existing and admitted(schema) <= _NATIVE.get(existing, {"string"}):
        return "ok"
    if existing == "text" or (existing == "bigint" and new == "numeric"):
        return "silent"
    return "refused"
