"""A stream's record schema: custom (either form) or inferred from a sample, shaped as its
records are, and loadable.

A schema is loadable when it lists every primary key and the replication key (`with_keys`).
A custom one never changes: its types admit null unless `required` says otherwise
(`nullable`). An inferred one comes from `inference.py` and grows as records bring new
properties or types. contentPath's keep/skip and explodeEntityPath shape it as
`extract/records.py` shapes the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tap_restspec.extract.records import explode_segments
from tap_restspec.model.jsonpath import simple_segments
from tap_restspec.model.spec import Selection
from tap_restspec.output.inference import MAX_DEPTH, infer_schema, settle, types_of

LOOSE = {"type": ["string", "null"]}  # a key property the sample says nothing about


def record_schema(
    custom: Mapping[str, Any] | None,
    content: Selection,
    explode: Selection | None,
    sample: list[Any] | None = None,
    remembered: Mapping[str, dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], frozenset[str]]:
    """The record schema (custom, either form, else inferred from a sample) and, for explode,
    the parent's field names (a child field with one of these names gets the wrapper prefix).
    """
    if custom is not None:
        base = nullable(_items_at(custom, simple_segments(content.path) or ()) or dict(custom))
    else:
        base = infer_schema(sample or [], settled=False)
    if explode is None:
        schema, parents = _select(base, content.keep, content.skip), frozenset[str]()
    else:
        segments = explode_segments(content, explode)
        child = _items_at(base, segments) or {"type": "object", "properties": {}}
        parent = _select(_drop(base, segments), content.keep, content.skip)
        child = _select(child, explode.keep, explode.skip)
        schema = merge_schemas(parent, child, explode.wrapper or "child")
        parents = frozenset(parent.get("properties") or {})
    return (schema if custom is not None else settle(schema, remembered or {}, start=True)), parents


def _items_at(schema: Mapping[str, Any], segments: tuple[str, ...]) -> dict[str, Any] | None:
    """The `items` schema of the array at `segments` inside `schema`, if it is there."""
    node: Any = schema
    for name in segments:
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or name not in props:
            return None
        node = props[name]
    if isinstance(node, dict) and "array" in types_of(node) and isinstance(node.get("items"), dict):
        return dict(node["items"])
    return None


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


def nullable(schema: Any, depth: int = 0) -> Any:
    """A custom schema whose properties admit null, except those its `required` lists.

    In AEP every property of a custom schema is optional and may be null (Zendesk answers
    `"email": null` where Adobe's schema says `string`); the SCHEMA sent says so.
    """
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return schema
    out = dict(schema)
    props = schema.get("properties")
    if isinstance(props, dict):
        required = set(r for r in schema.get("required") or () if isinstance(r, str))
        out["properties"] = {
            name: nullable(sub, depth + 1) if name in required else _or_null(nullable(sub, depth + 1))
            for name, sub in props.items()
        }
    if isinstance(schema.get("items"), dict):
        out["items"] = nullable(schema["items"], depth + 1)
    return out


def _or_null(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        schema = {**schema, "type": [kind, "null"]}
    elif isinstance(kind, list) and kind and "null" not in kind:
        schema = {**schema, "type": [*kind, "null"]}
    elif isinstance(schema.get("anyOf"), list) and not any(
        isinstance(s, dict) and "null" in types_of(s) for s in schema["anyOf"]
    ):
        schema = {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


def with_keys(
    schema: dict[str, Any], names: Iterable[str], remembered: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`schema` with a property for each name (its remembered type, else `["string", "null"]`)."""
    props = dict(schema.get("properties") or {})
    missing = [n for n in names if n and n not in props]
    if not missing:
        return schema
    for name in missing:
        props[name] = dict((remembered or {}).get(name) or LOOSE)
    return {**schema, "type": schema.get("type", "object"), "properties": props}
