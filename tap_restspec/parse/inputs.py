"""Declared user inputs: the JSON schema `properties` of `sourceSpec.spec` or of an authSpec
entry's `spec`, read into `model.spec.Input` (type, default, enum, secret).
"""

from __future__ import annotations

from tap_restspec.model.fields import Fields, show
from tap_restspec.model.spec import Input

JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


def parse_inputs(schema: Fields) -> dict[str, Input]:
    """`properties` of a JSON schema of user inputs (`sourceSpec.spec`, or an authSpec entry's `spec`)."""
    properties = schema.object("properties")
    out = {}
    for key, raw in properties.items():
        prop = properties.object(key)
        if not isinstance(raw, dict):
            continue
        kind = raw.get("type")
        types = (kind,) if isinstance(kind, str) else tuple(kind) if isinstance(kind, list) else ()
        bad = [t for t in types if not isinstance(t, str) or t not in JSON_TYPES]
        if bad or (kind is not None and not types):
            prop.add("type", f"{show(kind)} is not a JSON schema type")
            types = ()
        enum = raw.get("enum")
        if enum is not None and not isinstance(enum, list):
            prop.add("enum", "must be an array")
            enum = None
        description = raw.get("description")
        out[str(key)] = Input(
            name=str(key),
            types=tuple(str(t) for t in types),
            default=raw.get("default"),
            has_default="default" in raw and raw["default"] is not None,
            enum=tuple(enum) if enum is not None else None,
            description=description if isinstance(description, str) else None,
            secret=isinstance(raw.get("format"), str) and raw["format"].casefold() == "password",
        )
    return out
