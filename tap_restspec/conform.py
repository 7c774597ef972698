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


def _flat_keys(schema: Any) -> frozenset[str] | None:
    """The allowed keys of an object schema whose values can never change, else None."""
    if not isinstance(schema, dict) or not schema or schema.get("additionalProperties"):
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict) or is_uniform_list(schema) or _primitive(schema) is not None:
        return None
    if not is_object_type(schema) or any(_value(sub) is not None for sub in properties.values()):
        return None
    return frozenset(properties)


def compile_check(schema: dict[str, Any]) -> Check:
    """A function record -> True when the SDK's recursive conformance would return it unchanged.

    The common cases are inlined (no call per field): boolean-only fields, and nested
    objects whose own fields never change, which need only a key check.
    """
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return lambda record: False
    allowed = frozenset(properties)
    open_ended = bool(schema.get("additionalProperties"))
    booleans: list[str] = []
    objects: list[tuple[str, frozenset[str]]] = []
    others: list[tuple[str, Check]] = []
    for name, sub in properties.items():
        keys = _flat_keys(sub)
        if keys is not None:
            objects.append((name, keys))
            continue
        value_check = _value(sub)
        if value_check is None:
            continue
        if isinstance(sub, dict) and not is_uniform_list(sub) and not is_object_type(sub):
            booleans.append(name)  # a boolean-only primitive: the only primitive check there is
        else:
            others.append((name, value_check))

    def check(record: Any) -> bool:
        if not isinstance(record, dict) or not (open_ended or record.keys() <= allowed):
            return False
        get = record.get
        for name in booleans:
            value = get(name)
            if value is not None and type(value) is not bool:
                return False
        for name, keys in objects:
            value = get(name)
            if type(value) is dict and not value.keys() <= keys:
                return False
        for name, value_check in others:  # noqa: SIM110  (a loop is faster than all() here)
            if name in record and not value_check(record[name]):
                return False
        return True

    return check
