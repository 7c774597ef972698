"""Tell, cheaply, when the SDK's record conformance would change nothing.

singer-sdk conforms every record to its schema (drops unknown properties, turns
numbers in boolean fields into booleans, datetimes into strings), walking record and
schema together: most of a tap's CPU time. Records parsed from JSON hold only JSON
types, so conformance can change them only where a key is not in the schema or a
boolean-only field holds something else. `compile_check(schema)` mirrors the SDK's
walk (same predicates) and answers that question with set operations and a few type
checks; when it says "unchanged", the SDK's conformance is skipped and the record is
emitted as it is, identical to what the SDK would have produced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from singer_sdk.helpers._typing import _is_exclusive_boolean_type, is_object_type, is_uniform_list

Check = Callable[[Any], bool]


def _primitive(schema: dict[str, Any]) -> Check | None:
    """A value `_conform_primitive_property` returns unchanged; None: every JSON value.

    Only a boolean-only field changes JSON values (1 -> True): orjson never yields the
    NaN or infinite floats that the SDK turns into null.
    """
    if "type" in schema and _is_exclusive_boolean_type(schema):
        return lambda value: value is None or type(value) is bool
    return None


def _value(schema: Any) -> Check | None:
    """The check for one property's value, following the SDK's branches in order."""
    if not isinstance(schema, dict) or not schema:
        return lambda value: False
    primitive = _primitive(schema)
    if is_uniform_list(schema):
        items = schema["items"]
        item_object = bool(is_object_type(items))
        item_check = compile_check(items) if item_object and "properties" in items else None
        item_primitive = _primitive(items)
        object_too = bool(is_object_type(schema)) and "properties" in schema

        def check_list(value: Any) -> bool:
            if not isinstance(value, list):
                if object_too and isinstance(value, dict):
                    return False  # the SDK's object branch: let it decide
                return primitive is None or primitive(value)
            for item in value:
                if isinstance(item, dict) and item_object:
                    if item_check is None or not item_check(item):
                        return False
                elif item_primitive is not None and not item_primitive(item):
                    return False
            return True

        return check_list
    if is_object_type(schema) and "properties" in schema:
        nested = compile_check(schema)
        if primitive is None:
            return lambda value: nested(value) if isinstance(value, dict) else True
        return lambda value: nested(value) if isinstance(value, dict) else primitive(value)
    return primitive


def compile_check(schema: dict[str, Any]) -> Check:
    """A function record -> True when the SDK's recursive conformance would return it unchanged."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return lambda record: False
    allowed = frozenset(properties)
    open_ended = bool(schema.get("additionalProperties"))
    checks: list[tuple[str, Check]] = []
    for name, sub in properties.items():
        value_check = _value(sub)
        if value_check is not None:
            checks.append((name, value_check))

    def check(record: Any) -> bool:
        if not isinstance(record, dict):
            return False
        if not open_ended and not record.keys() <= allowed:
            return False
        return all(name not in record or value_check(record[name]) for name, value_check in checks)

    return check
