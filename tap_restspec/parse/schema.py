"""A spec's custom record schema (`attributes.schema` or `sourceSpec.schema`), checked to be a
valid JSON schema that the SDK can load (every subschema an object).
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import SchemaError
from jsonschema.validators import Draft7Validator

from tap_restspec.model.fields import Fields


def custom_schema(owner: Fields) -> dict[str, Any] | None:
    """The `schema` of `owner`, or None when it has none or it cannot be loaded (a problem noted)."""
    schema = owner.value("schema")
    if schema is None:
        return None
    if not isinstance(schema, dict):
        owner.add("schema", "must be a JSON schema object")
        return None
    try:
        Draft7Validator.check_schema(schema)
    except SchemaError as exc:
        where = ".".join(str(p) for p in exc.path)
        owner.add(f"schema.{where}" if where else "schema", f"not a valid JSON schema: {exc.message[:120]}")
        return None
    properties = schema.get("properties")
    if properties is not None and not isinstance(properties, dict):
        owner.add("schema.properties", "must be an object")
        return None
    unloadable = _unloadable(schema)
    if unloadable is not None:
        owner.add(
            f"schema.{unloadable}",
            "must be a JSON schema object (true, false and lists of schemas are not loadable)",
        )
        return None
    return schema


def _unloadable(schema: dict[str, Any]) -> str | None:
    """The path of the first subschema the SDK cannot load (it reads every `properties` value,
    `items` and `anyOf`/`oneOf`/`allOf` entry as an object), or None. Walked without recursion.
    """
    stack: list[tuple[dict[str, Any], str]] = [(schema, "")]
    while stack:
        node, path = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(node.get("properties"), dict):
            children += [(f"properties.{key}", sub) for key, sub in node["properties"].items()]
        if "items" in node:
            children.append(("items", node["items"]))
        for keyword in ("anyOf", "oneOf", "allOf"):
            if isinstance(node.get(keyword), list):
                children += [(f"{keyword}[{i}]", sub) for i, sub in enumerate(node[keyword])]
        for name, sub in children:
            where = f"{path}.{name}" if path else name
            if not isinstance(sub, dict):
                return where
            stack.append((sub, where))
    return None
