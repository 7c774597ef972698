"""Record schemas: custom (either form) or inferred from a sample, made loadable, and widened.

A schema is loadable when it lists every primary key and the replication key; an
inferred one grows as records bring new properties or types (`widen`), a custom
one never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tap_restspec.jsonpath import simple_segments
from tap_restspec.model import Selection
from tap_restspec.records import explode_segments

LOOSE = {"type": ["string", "null"]}  # a key property the sample says nothing about
INT64 = 2**63


def record_schema(
    custom: Mapping[str, Any] | None,
    content: Selection,
    explode: Selection | None,
    sample: list[Any] | None = None,
) -> tuple[dict[str, Any], frozenset[str]]:
    """The record schema (custom, either form, else inferred from a sample) and, for explode,
    the parent's field names (a child field with one of these names gets the wrapper prefix).
    """
    if custom is not None:
        base = _items_at(custom, simple_segments(content.path) or ()) or dict(custom)
    else:
        base = infer_schema(sample or [])
    if explode is None:
        return _select(base, content.keep, content.skip), frozenset()
    segments = explode_segments(content, explode)
    child = _items_at(base, segments) or {"type": "object", "properties": {}}
    parent = _select(_drop(base, segments), content.keep, content.skip)
    child = _select(child, explode.keep, explode.skip)
    merged = merge_schemas(parent, child, explode.wrapper or "child")
    return merged, frozenset(parent.get("properties") or {})


def _items_at(schema: Mapping[str, Any], segments: tuple[str, ...]) -> dict[str, Any] | None:
    """The `items` schema of the array at `segments` inside `schema`, if it is there."""
    node: Any = schema
    for name in segments:
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or name not in props:
            return None
        node = props[name]
    if isinstance(node, dict) and "array" in _types(node) and isinstance(node.get("items"), dict):
        return dict(node["items"])
    return None


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _select(schema: dict[str, Any], keep: tuple[str, ...] | None, skip: tuple[str, ...]) -> dict[str, Any]:
    props = dict(schema.get("properties") or {})
    if keep is not None:
        props = {k: props[k] for k in keep if k in props}
    props = {k: v for k, v in props.items() if k not in skip}
    return {**schema, "type": schema.get("type", "object"), "properties": props}


def _drop(schema: dict[str, Any], segments: tuple[str, ...]) -> dict[str, Any]:
    props = dict(schema.get("properties") or {})
    if len(segments) == 1:
        props.pop(segments[0], None)
    elif segments and isinstance(props.get(segments[0]), dict):
        props[segments[0]] = _drop(props[segments[0]], segments[1:])
    return {**schema, "properties": props}


def merge_schemas(parent: dict[str, Any], child: dict[str, Any], wrapper: str) -> dict[str, Any]:
    """Parent and child record schemas merged as Extractor merges records."""
    parent_props = parent.get("properties") or {}
    props = dict(parent_props)
    for key, value in (child.get("properties") or {}).items():
        name = key
        while name in parent_props:
            name = f"{wrapper}_{name}"
        props[name] = value
    return {"type": "object", "properties": props}


def infer_schema(records: Iterable[Any]) -> dict[str, Any]:
    """A JSON schema that every sampled record fits (every property nullable)."""
    schema: dict[str, Any] | None = None
    for record in records:
        schema = _merge_types(schema, _schema_of(record))
    if schema is None or "object" not in _types(schema):
        return {"type": "object", "properties": {}}
    return {**schema, "type": "object"}


def _schema_of(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": ["boolean", "null"]}
    if isinstance(value, int):
        # Beyond 64 bits a target's integer column overflows; `number` keeps it exact (NUMERIC).
        return {"type": ["integer", "null"]} if -INT64 <= value < INT64 else {"type": ["number", "null"]}
    if isinstance(value, float):
        return {"type": ["number", "null"]}
    if isinstance(value, str):
        return {"type": ["string", "null"]}
    if isinstance(value, dict):
        return {
            "type": ["object", "null"],
            "properties": {k: _schema_of(v) for k, v in value.items()},
        }
    if isinstance(value, list):
        items: dict[str, Any] | None = None
        for item in value:
            items = _merge_types(items, _schema_of(item))
        return {"type": ["array", "null"], "items": items or {}}
    return {"type": ["null"]}


def _merge_types(a: dict[str, Any] | None, b: dict[str, Any]) -> dict[str, Any]:
    """A schema both `a` and `b` accept; `a` itself (the same object) when it already accepts `b`.

    Keywords of `a` other than `type`, `properties` and `items` (`format`, `description`...)
    are kept, so widening a catalog's schema changes only what must change.
    """
    if a is None:
        return b
    if not a:  # `{}` accepts anything
        return a
    old = set(_types(a))
    kinds = old | set(_types(b))
    if "number" in kinds:
        kinds.discard("integer")
    if len(kinds - {"null"}) > 1 and {"object", "array"} & kinds:
        return a if old >= set(_TYPE_ORDER) else {"type": list(_TYPE_ORDER)}  # mixed structures: anything
    merged: dict[str, Any] = dict(a)
    changed = kinds != old
    if changed:
        merged["type"] = sorted(kinds, key=_TYPE_ORDER.index)
    if "object" in kinds and (b.get("properties") or not a.get("properties")):
        props = dict(a.get("properties") or {})
        for key, value in (b.get("properties") or {}).items():
            widened = _merge_types(props.get(key), value)
            if widened is not props.get(key):
                props[key] = widened
                changed = True
        if changed or "properties" not in a:
            merged["properties"] = props
            changed = True
    if "array" in kinds and b.get("items"):
        items = a.get("items") or None
        widened = _merge_types(items, b["items"]) if items is not None else b["items"]
        if widened is not items:
            merged["items"] = widened
            changed = True
    return merged if changed else a


_TYPE_ORDER = ["object", "array", "string", "number", "integer", "boolean", "null"]


def with_keys(schema: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """`schema` with a property for each name (typed `["string", "null"]` where it had none)."""
    props = dict(schema.get("properties") or {})
    missing = [n for n in names if n and n not in props]
    if not missing:
        return schema
    for name in missing:
        props[name] = dict(LOOSE)
    return {**schema, "type": schema.get("type", "object"), "properties": props}


def widen(schema: dict[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest widening of `schema` that `record` fits: new properties, unions of types."""
    shape = {"type": "object", "properties": {k: _schema_of(v) for k, v in record.items()}}
    merged = _merge_types(schema, shape)
    if merged is schema:
        return schema
    return {**merged, "type": "object"} if "object" in _types(merged) else schema
