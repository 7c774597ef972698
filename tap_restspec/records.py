"""Records from a response body: contentPath, keep/skip, explode, and their schema (pure, no HTTP)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as jsonpath_parse

from tap_restspec.spec import Selection

_SIMPLE = re.compile(r"^\$?((?:\.?[A-Za-z_][\w\-]*|\[['\"][^'\"\]]+['\"]\])*)$")
_SEGMENT = re.compile(r"\.?([A-Za-z_][\w\-]*)|\[['\"]([^'\"\]]+)['\"]\]")

Finder = Callable[[Any], list[Any] | None]


class PathError(ValueError):
    """A JSONPath that cannot be parsed."""


class BodyError(ValueError):
    """A body that does not hold records where the spec says they are."""


def _simple_segments(path: str) -> tuple[str, ...] | None:
    """`$.data.sources` or `$['a'].b` as member names; None for anything fancier."""
    text = path.strip()
    if not text.startswith("$"):
        text = "$." + text
    match = _SIMPLE.match(text)
    if not match:
        return None
    return tuple(a or b for a, b in _SEGMENT.findall(match.group(1)))


@lru_cache(maxsize=256)
def compile_path(path: str) -> Finder:
    """Compile a JSONPath (leading `$.` optional) into a finder: body -> matched values, or None.

    Plain member paths are plain dict lookups (fast); the rest goes through jsonpath-ng.
    """
    segments = _simple_segments(path)
    if segments is not None:

        def find_simple(body: Any) -> list[Any] | None:
            node = body
            for name in segments:
                if not isinstance(node, dict) or name not in node:
                    return None
                node = node[name]
            return [node]

        return find_simple
    text = path if path.startswith("$") else "$." + path
    try:
        expression = jsonpath_parse(text)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise PathError(f"{path!r} is not a valid JSONPath: {exc}") from None

    def find(body: Any) -> list[Any] | None:
        matches = expression.find(body)
        return [m.value for m in matches] if matches else None

    return find


def first_value(path: str, body: Any) -> Any:
    """The first value at `path`, or None."""
    found = compile_path(path)(body)
    return found[0] if found else None


def matched_records(found: list[Any]) -> list[Any]:
    """One array matched: its elements; several values (a wildcard): each value."""
    if len(found) == 1:
        only = found[0]
        if isinstance(only, list):
            return only
        return [] if only is None else [only]
    return found


@dataclass(frozen=True)
class Extractor:
    """Turns a parsed body into flat records, as a spec's contentPath and explode say."""

    content: Selection
    explode: Selection | None = None
    parent_fields: frozenset[str] = frozenset()

    def raw_records(self, body: Any) -> list[Any]:
        """The records the content path matched (before keep, skip and explode)."""
        found = compile_path(self.content.path)(body)
        if found is None:
            keys = ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
            raise BodyError(f"contentPath {self.content.path!r} matched nothing; the body has: {keys}")
        return matched_records(found)

    def records(self, raw: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """Flat records from raw matches: keep, skip, then explode."""
        content, explode = self.content, self.explode
        keep = content.keep
        skip = content.skip
        if explode is None:
            for item in raw:
                record = item if isinstance(item, dict) else {content.wrapper or "value": item}
                if keep is not None:
                    record = {k: record[k] for k in keep if k in record}
                if skip:
                    record = {k: v for k, v in record.items() if k not in skip}
                yield record
            return
        child_path = explode_segments(content, explode)
        for item in raw:
            if not isinstance(item, dict):
                continue
            children = _dig(item, child_path)
            parent = _without(item, child_path)
            if keep is not None:
                parent = {k: parent[k] for k in keep if k in parent}
            parent = {k: v for k, v in parent.items() if k not in skip}
            if not isinstance(children, list):
                continue
            for child in children:
                yield self._merge(parent, child)

    def _merge(self, parent: Mapping[str, Any], child: Any) -> dict[str, Any]:
        explode = self.explode
        assert explode is not None
        wrapper = explode.wrapper or "child"
        if not isinstance(child, dict):
            child = {wrapper: child}
        if explode.keep is not None:
            child = {k: child[k] for k in explode.keep if k in child}
        record = dict(parent)
        taken = self.parent_fields
        for key, value in child.items():
            if key in explode.skip:
                continue
            name = key
            while name in parent or name in taken:
                name = f"{wrapper}_{name}"
            record[name] = value
        return record


def explode_segments(content: Selection, explode: Selection) -> tuple[str, ...]:
    """The member names of the sub-array inside one record: `$.email.activity` -> ('activity',)."""
    segments = _simple_segments(explode.path) or ()
    return segments[1:] if segments and segments[0] == content.wrapper else segments


def _dig(item: Any, segments: tuple[str, ...]) -> Any:
    node = item
    for name in segments:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def _without(item: dict[str, Any], segments: tuple[str, ...]) -> dict[str, Any]:
    """A copy of `item` without the value at `segments` (copies only along the path)."""
    if not segments:
        return dict(item)
    head, rest = segments[0], segments[1:]
    copy = dict(item)
    if not rest:
        copy.pop(head, None)
    elif isinstance(copy.get(head), dict):
        copy[head] = _without(copy[head], rest)
    return copy


# --- Schema -----------------------------------------------------------------


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
        base = _items_at(custom, _simple_segments(content.path) or ()) or dict(custom)
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
        return {"type": ["integer", "null"]}
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
    if a is None:
        return b
    kinds = set(_types(a)) | set(_types(b))
    if "number" in kinds:
        kinds.discard("integer")
    merged: dict[str, Any] = {"type": sorted(kinds, key=_TYPE_ORDER.index)}
    if "object" in kinds:
        props = dict(a.get("properties") or {})
        for key, value in (b.get("properties") or {}).items():
            props[key] = _merge_types(props.get(key), value)
        merged["properties"] = props
    if "array" in kinds:
        items_a, items_b = a.get("items") or None, b.get("items") or None
        merged["items"] = _merge_types(items_a, items_b) if items_b else (items_a or {})
    if len(kinds - {"null"}) > 1 and {"object", "array"} & kinds:
        return {"type": list(_TYPE_ORDER)}  # mixed structures: accept anything
    return merged


_TYPE_ORDER = ["object", "array", "string", "number", "integer", "boolean", "null"]
