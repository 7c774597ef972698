"""The types a stream sent, as the state keeps them between runs: each property's types in a few
characters (`number`, `string:date-time`, `array<any>`, `any`), and back.
"""

from __future__ import annotations

from typing import Any

from tap_restspec.output.inference import ANY, PATTERNS, TYPE_ORDER, checked_format, is_any, types_of


def signature(schema: Any) -> str:
    """A property's types in a few characters: `number`, `string:date-time`, `array<any>`, `any`
    (`notype`: no type at all, which target-postgres makes a text column).
    """
    if is_any(schema):
        return "any"
    if not isinstance(schema, dict) or not set(types_of(schema)) - {"null"}:
        return "notype"
    parts = []
    for kind in sorted(set(types_of(schema)) - {"null"}, key=TYPE_ORDER.index):
        if kind == "string" and checked_format(schema):
            parts.append(f"string:{schema['format']}")
        elif kind == "array":
            parts.append(f"array<{signature(schema.get('items'))}>")
        elif kind in TYPE_ORDER:
            parts.append(kind)
    return "|".join(parts) or "notype"


def from_signature(text: str) -> dict[str, Any] | None:
    """The schema a `signature` stands for (every type nullable); None if it is not one."""
    if text == "any":
        return dict(ANY)
    if text == "notype":
        return {}
    kinds: list[str] = []
    schema: dict[str, Any] = {}
    for part in _split(text):
        if part.startswith("array<") and part.endswith(">"):
            items = from_signature(part[6:-1])
            if items is None:
                return None
            kinds.append("array")
            schema["items"] = items
        elif part.startswith("string:") and part[7:] in PATTERNS:
            kinds.append("string")
            schema["format"] = part[7:]
        elif part in TYPE_ORDER and part != "null":
            kinds.append(part)
        else:
            return None
    if "object" in kinds:
        schema["properties"] = {}
    return {"type": [*kinds, "null"], **schema}


def _split(text: str) -> list[str]:
    """`a|array<b|c>|d` -> ['a', 'array<b|c>', 'd']."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts
