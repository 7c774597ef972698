"""JSONPaths of a spec, compiled once: plain member paths as dict lookups, the rest by jsonpath-ng."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jsonpath_ng.ext import parse as jsonpath_parse

_SIMPLE = re.compile(r"^\$?((?:\.?[A-Za-z_][\w\-]*|\[['\"][^'\"\]]+['\"]\])*)$")
_SEGMENT = re.compile(r"\.?([A-Za-z_][\w\-]*)|\[['\"]([^'\"\]]+)['\"]\]")
_NAMES = re.compile(r"(?:\.|\[['\"])([A-Za-z_][\w\-]*)")

Finder = Callable[[Any], list[Any] | None]


class PathError(ValueError):
    """A JSONPath that cannot be parsed."""


def simple_segments(path: str) -> tuple[str, ...] | None:
    """`$.data.sources` or `$['a'].b` as member names; None for anything fancier."""
    text = path.strip()
    if not text.startswith("$"):
        text = "$." + text
    match = _SIMPLE.match(text)
    if not match:
        return None
    return tuple(a or b for a, b in _SEGMENT.findall(match.group(1)))


def last_name(path: str) -> str | None:
    """The last member name in a JSONPath: `$.data.sources[*]` -> `sources`."""
    names = _NAMES.findall(path if path.startswith("$") else "$." + path)
    return names[-1] if names else None


@lru_cache(maxsize=512)
def compile_path(path: str) -> Finder:
    """A finder: body -> the values at `path`, or None when nothing matches (leading `$.` optional)."""
    segments = simple_segments(path)
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
    except Exception as exc:  # jsonpath-ng raises several types, some not its own
        raise PathError(f"{path!r} is not a valid JSONPath: {' '.join(str(exc).split())[:120]}") from None

    def find(body: Any) -> list[Any] | None:
        matches = expression.find(body)
        return [m.value for m in matches] if matches else None

    return find


def first_value(path: str, body: Any) -> Any:
    """The first value at `path`, or None."""
    found = compile_path(path)(body)
    return found[0] if found else None
