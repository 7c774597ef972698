"""Does a record fit its schema? One compiled check per schema, run once per record.

Records parsed from JSON hold only JSON types, so "fits" is: every key is a
property of its object's schema (unless `additionalProperties`), and every value's
type is one the property allows. A record that fits is emitted as it is (no
conformance walk); one that does not either widens an inferred schema
(`schema.widen`) or, against a custom schema, goes through `conform`, which drops
what the schema does not list and turns numbers in boolean-only fields into booleans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
_MISSING = object()


def _types(schema: dict[str, Any]) -> frozenset[type] | None:
    """The Python types a property allows; None: any (no `type`, or one the tap does not know)."""
    kind = schema.get("type")
    if kind is None:
        return None
    names = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    if not names or any(n not in PYTHON_TYPES for n in names):
        return None
    return frozenset(t for n in names for t in PYTHON_TYPES[n])


def _value_check(schema: Any) -> Check | None:
    """A check for one value; None when every value fits."""
    if not isinstance(schema, dict) or not schema:
        return None
    allowed = _types(schema)
    nested = compile_fits(schema) if isinstance(schema.get("properties"), dict) else None
    items = schema.get("items")
    item_check = _value_check(items) if isinstance(items, dict) else None
    if allowed is None and nested is None and item_check is None:
        return None

    def check(value: Any) -> bool:
        kind = type(value)
        if allowed is not None and kind not in allowed:
            return False
        if kind is dict:
            return nested is None or nested(value)
        if kind is list and item_check is not None:
            return all(map(item_check, value))
        return True

    return check


def compile_fits(schema: dict[str, Any]) -> Check:
    """A function record -> True when the record fits `schema` as it is."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return lambda record: type(record) is dict and bool(schema.get("additionalProperties", True))
    allowed = frozenset(properties)
    open_ended = bool(schema.get("additionalProperties"))
    simple: list[tuple[str, frozenset[type]]] = []
    others: list[tuple[str, Check]] = []
    for name, sub in properties.items():
        if isinstance(sub, dict) and not isinstance(sub.get("properties"), dict) and "items" not in sub:
            kinds = _types(sub)
            if kinds is not None:
                simple.append((name, kinds))
            continue
        value_check = _value_check(sub)
        if value_check is not None:
            others.append((name, value_check))

    def fits(record: Any) -> bool:
        if type(record) is not dict or not (open_ended or record.keys() <= allowed):
            return False
        get = record.get
        for name, kinds in simple:
            value = get(name, _MISSING)
            if value is not _MISSING and type(value) not in kinds:
                return False
        for name, value_check in others:
            value = get(name, _MISSING)
            if value is not _MISSING and not value_check(value):
                return False
        return True

    return fits


def conform(
    record: dict[str, Any], schema: dict[str, Any], dropped: set[str], prefix: str = ""
) -> dict[str, Any]:
    """`record` as a custom schema has it: unlisted keys dropped (their paths added to `dropped`),
    numbers and "true"/"false" in boolean-only fields made booleans; everything else as it is.
    """
    properties = schema.get("properties")
    if not isinstance(properties, dict) or schema.get("additionalProperties"):
        return record
    out = {}
    for key, value in record.items():
        sub = properties.get(key)
        if sub is None:
            dropped.add(prefix + key)
            continue
        out[key] = _conform_value(value, sub, dropped, f"{prefix}{key}.")
    return out


def _conform_value(value: Any, schema: Any, dropped: set[str], prefix: str) -> Any:
    if not isinstance(schema, dict):
        return value
    if type(value) is dict and isinstance(schema.get("properties"), dict):
        return conform(value, schema, dropped, prefix)
    if type(value) is list and isinstance(schema.get("items"), dict):
        return [_conform_value(v, schema["items"], dropped, prefix) for v in value]
    if _types(schema) in (frozenset({bool}), frozenset({bool, type(None)})):
        if type(value) in (int, float):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    return value
