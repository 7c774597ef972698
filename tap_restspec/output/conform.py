"""Does a record fit its schema? One compiled check per schema, run once per record.

Records parsed from JSON hold only JSON types, so "fits" is: every key is a
property of its object's schema (unless `additionalProperties`), every value's
type is one the property allows, and a string under a `date-time` or `date` format
is one (`schema.is_format`: what target-postgres stores exactly). A record that fits is emitted as it is (no
conformance walk); one that does not either widens an inferred schema
(`schema.widen`) or, against a custom schema, goes through `conform`, which drops
what the schema does not list and turns numbers in boolean-only fields into booleans.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from operator import itemgetter, methodcaller
from typing import Annotated, Any, Union

import msgspec

from tap_restspec.output.inference import BODIES, MATCH, PATTERNS, is_format

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
# A column of a page's strings joined by newlines, each a `date-time` (`date`): ASCII digits only,
# so a match here is a match of MATCH for each (no format admits a newline); anything else, even
# Unicode digits MATCH takes, goes back to the check of one record at a time.
_COLUMN = {
    name: re.compile(rf"{body}(?:\n{body})*".replace(r"\d", "[0-9]")).fullmatch
    for name, body in BODIES.items()
}


def _types(schema: dict[str, Any]) -> frozenset[type] | None:
    """The Python types a property allows; None: any (no `type`, or one the tap does not know)."""
    kind = schema.get("type")
    if kind is None:
        return None
    names = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    if not names or any(n not in PYTHON_TYPES for n in names):
        return None
    return frozenset(t for n in names for t in PYTHON_TYPES[n])


def _format_check(schema: Any) -> Check | None:
    """The check of a string under a `date-time` or `date` format; None when there is none."""
    if not isinstance(schema, dict):
        return None
    name = schema.get("format")
    if not isinstance(name, str) or name not in PATTERNS:
        return None
    return lambda value: type(value) is not str or is_format(value, name)


def _value_check(schema: Any) -> Check | None:
    """A check for one value; None when every value fits."""
    if not isinstance(schema, dict) or not schema:
        return None
    allowed = _types(schema)
    nested = _python_fits(schema) if isinstance(schema.get("properties"), dict) else None
    items = schema.get("items")
    item_check = _value_check(items) if isinstance(items, dict) else None
    text_check = _format_check(schema)
    if allowed is None and nested is None and item_check is None and text_check is None:
        return None

    def check(value: Any) -> bool:
        kind = type(value)
        if allowed is not None and kind not in allowed:
            return False
        if kind is dict:
            return nested is None or nested(value)
        if kind is list and item_check is not None:
            return all(map(item_check, value))
        if kind is str and text_check is not None:
            return text_check(value)
        return True

    return check


def compile_fits(schema: dict[str, Any]) -> Check:
    """A function record -> True when the record fits `schema` as it is.

    msgspec checks the record against a type made from the schema, in C, and a top-level
    property's `date-time` or `date` string is matched here (msgspec's own `pattern` check
    costs three times as much); only when either says no (or the schema cannot be such a
    type) does the Python check below decide.
    """
    slow = _python_fits(schema)
    kind = msgspec_type(schema, top_formats=False)
    if kind is None:
        return slow
    convert = msgspec.convert
    error = msgspec.ValidationError
    texts = _top_formats(schema)

    def fits(record: Any) -> bool:
        try:
            convert(record, kind)
        except error:
            return slow(record)
        for name, match in texts:
            value = record.get(name)
            if type(value) is str and match(value) is None:
                return slow(record)
        return True

    return fits


def compile_page_fits(schema: dict[str, Any]) -> Check:
    """A function records -> True when every record of a page fits `schema` as it is: one msgspec
    conversion of the list and one match per formatted top-level column, instead of a call per
    record. False is no verdict: the page's records are then checked one at a time (`compile_fits`).
    """
    kind = msgspec_type(schema, top_formats=False)
    if kind is None:
        return lambda records: False
    page = list[kind]  # type: ignore[valid-type]
    convert = msgspec.convert
    error = msgspec.ValidationError
    columns = [(methodcaller("get", name), _COLUMN[fmt]) for name, fmt in _top_format_names(schema)]

    def fits_page(records: Any) -> bool:
        try:
            convert(records, page)
        except error:
            return False
        return all(_column_fits(list(map(get, records)), match) for get, match in columns)

    return fits_page


def _column_fits(values: list[Any], match: Callable[[str], Any]) -> bool:
    """Every string among `values` is of the format `match` checks (others were type-checked)."""
    try:
        text = "\n".join(values)
    except TypeError:  # a null or another type among them
        strings = [value for value in values if type(value) is str]
        text, values = "\n".join(strings), strings
    if not values:
        return True
    return text.count("\n") == len(values) - 1 and match(text) is not None


def _top_format_names(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, format) for each top-level property with a `date-time` or `date` format."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    return [
        (name, sub["format"])
        for name, sub in properties.items()
        if isinstance(sub, dict) and isinstance(sub.get("format"), str) and sub["format"] in PATTERNS
    ]


def _top_formats(schema: dict[str, Any]) -> list[tuple[str, Callable[[str], Any]]]:
    """(name, the format's match) for each top-level property with a `date-time` or `date` format."""
    return [(name, MATCH[fmt]) for name, fmt in _top_format_names(schema)]


def msgspec_type(schema: dict[str, Any], *, top_formats: bool = True) -> Any:
    """A msgspec type that accepts exactly the JSON values `schema`'s types allow; None if none.
    Without `top_formats`, top-level properties' formats are not checked (their strings are).
    """
    try:
        kind = _as_type(schema, itertools.count(), formats=top_formats)
        msgspec.convert({}, kind)  # msgspec checks a type (its unions) on first use
    except (TypeError, ValueError, msgspec.ValidationError):
        return None
    return kind


_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "null": None}


def _as_type(schema: Any, counter: Any, formats: bool = True) -> Any:
    """`formats`: a formatted string of this level's properties is checked too (deeper ones always)."""
    if not isinstance(schema, dict) or not schema or "type" not in schema:
        return Any
    kind = schema["type"]
    names = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    if not names or any(n not in PYTHON_TYPES for n in names):
        return Any
    parts: list[Any] = []
    for name in names:
        if name == "object":
            properties = schema.get("properties")
            if isinstance(properties, dict):
                fields = [
                    (f"f{i}", _as_type(sub, counter) if formats else _unformatted(sub, counter), None)
                    for i, sub in enumerate(properties.values())
                ]
                rename = {f"f{i}": key for i, key in enumerate(properties)}
                parts.append(
                    msgspec.defstruct(
                        f"Fits{next(counter)}",
                        fields,
                        rename=rename,
                        forbid_unknown_fields=not schema.get("additionalProperties"),
                        gc=False,  # made and dropped at once, holding no cycle: not tracked
                    )
                )
            else:
                parts.append(dict)
        elif name == "array":
            parts.append(list[_as_type(schema.get("items"), counter)])  # type: ignore[misc]
        elif name == "string" and isinstance(schema.get("format"), str) and schema["format"] in PATTERNS:
            parts.append(Annotated[str, msgspec.Meta(pattern=PATTERNS[schema["format"]])])
        else:
            parts.append(_SCALARS[name])
    return parts[0] if len(parts) == 1 else Union[tuple(parts)]  # noqa: UP007  (a runtime union)


def _unformatted(schema: Any, counter: Any) -> Any:
    """The msgspec type of a property, its own `format` left to `compile_fits`."""
    if isinstance(schema, dict) and "format" in schema:
        schema = {k: v for k, v in schema.items() if k != "format"}
    return _as_type(schema, counter)


def _python_fits(schema: dict[str, Any]) -> Check:
    """The check in Python, property by property after a fast path.

    Records of one API nearly always have the same keys and value types, so the fast
    path reads every property at once (`itemgetter`), knows from the count that no other
    key is there, and looks the tuple of value types up among those already found to fit.
    A record that lacks a property takes the plain path.
    """
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return lambda record: type(record) is dict and bool(schema.get("additionalProperties", True))
    names = tuple(properties)
    allowed = frozenset(names)
    open_ended = bool(schema.get("additionalProperties"))
    kinds = [_types(sub) if isinstance(sub, dict) and sub else None for sub in properties.values()]
    nested = [(i, check) for i, sub in enumerate(properties.values()) if (check := _nested_check(sub))]
    texts = [(i, check) for i, sub in enumerate(properties.values()) if (check := _format_check(sub))]
    plain = _plain_fits(names, kinds, nested + texts, allowed, open_ended)
    if not names:
        return plain
    getter = itemgetter(*names) if len(names) > 1 else (lambda record: (record[names[0]],))
    count = len(names)
    good: set[tuple[type, ...]] = set()

    def fits(record: Any) -> bool:
        if type(record) is not dict:
            return False
        try:
            values = getter(record)
        except KeyError:
            return plain(record)
        if len(record) != count and not open_ended:
            return False  # every property is there, so the others are keys the schema lacks
        types = tuple(map(type, values))
        if types not in good:
            if not all(k is None or t in k for t, k in zip(types, kinds, strict=True)):
                return False
            if len(good) < 256:
                good.add(types)
        for i, check in nested:
            value = values[i]
            if (type(value) is dict or type(value) is list) and not check(value):
                return False
        for i, check in texts:
            value = values[i]
            if type(value) is str and not check(value):
                return False
        return True

    return fits


def _nested_check(schema: Any) -> Check | None:
    """The check of an object's or array's contents (its own type is checked with the scalars)."""
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("properties"), dict):
        inner = _python_fits(schema)
        items = _nested_check(schema.get("items")) if isinstance(schema.get("items"), dict) else None
        return lambda value: inner(value) if type(value) is dict else items is None or items(value)
    items = schema.get("items")
    if isinstance(items, dict) and items:
        item_check = _value_check(items)
        if item_check is not None:
            return lambda value: type(value) is not list or all(map(item_check, value))
    return None


def _plain_fits(
    names: tuple[str, ...],
    kinds: list[frozenset[type] | None],
    nested: list[tuple[int, Check]],
    allowed: frozenset[str],
    open_ended: bool,
) -> Check:
    """Property by property: for records that lack some property (`nested`: checks of an object,
    an array or a formatted string).
    """
    checks = dict(nested)
    plan = [(name, kinds[i], checks.get(i)) for i, name in enumerate(names)]

    def fits(record: Any) -> bool:
        if type(record) is not dict or not (open_ended or record.keys() <= allowed):
            return False
        get = record.get
        for name, allowed_types, check in plan:
            value = get(name, _MISSING)
            if value is _MISSING:
                continue
            if allowed_types is not None and type(value) not in allowed_types:
                return False
            if check is not None and type(value) in _CHECKED and not check(value):
                return False
        return True

    return fits


_CHECKED = (dict, list, str)


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


def misfit(record: Any, schema: Any, prefix: str = "") -> str:
    """Where and how `record` does not fit `schema`, in a few words (for an error line)."""
    if not isinstance(schema, dict):
        return "(no schema)"
    kinds = _types(schema) if schema.get("type") is not None else None
    if kinds is not None and type(record) not in kinds:
        names = schema.get("type")
        return f"{prefix.rstrip('.') or 'the record'} is {_json_type(record)}, the schema says {names}"
    text_check = _format_check(schema)
    if type(record) is str and text_check is not None and not text_check(record):
        return f"{prefix.rstrip('.')} is a string that is not a {schema['format']}, the schema says one"
    properties = schema.get("properties")
    if type(record) is dict and isinstance(properties, dict):
        for key, value in record.items():
            sub = properties.get(key)
            if sub is None:
                if not schema.get("additionalProperties"):
                    return f"{prefix}{key} is not in the schema"
                continue
            found = misfit(value, sub, f"{prefix}{key}.")
            if found:
                return found
    items = schema.get("items")
    if type(record) is list and isinstance(items, dict):
        for index, value in enumerate(record):
            found = misfit(value, items, f"{prefix.rstrip('.')}[{index}].")
            if found:
                return found
    return ""


def _json_type(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        dict: "an object",
        list: "an array",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
