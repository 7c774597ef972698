"""Reading raw spec JSON property by property, noting every problem as `file: property: message`.

`parse/` and the pagination and auth types read spec documents only
through `Fields`, so every value is checked, every problem is collected (a user
sees all of them at once, before any request), and no raw JSON leaks further.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tap_restspec.errors import one_line
from tap_restspec.model.jsonpath import PathError, compile_path

MAX_DEPTH = 64  # deeper documents are refused (real specs nest about 10 levels)
_INTEGER = re.compile(r"\s*[-+]?\d+(?:\.0*)?\s*", re.ASCII)  # ASCII digits only


MISSING = "required property is missing"


class Problems:
    """Collects `file: property: message` lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []
        self.unknown: list[str] = []  # property paths of unknown keys (one WARNING names them all)
        self.meant: set[str] = set()  # known keys a misspelt one stood for: not missing as well

    def add(self, prop: str, message: str) -> None:
        """Note one problem (an empty `prop` for the document itself), always on one line."""
        if message == MISSING and prop in self.meant:
            return  # the did-you-mean line said it already
        line = f"{self.file}: {prop}: {message}" if prop else f"{self.file}: {message}"
        self.lines.append(one_line(line))


class NotJSONError(ValueError):
    """`NaN`, `Infinity` or a number beyond a float: Python's parser takes them, JSON has none."""


def _constant(name: str) -> Any:
    raise NotJSONError(f"{name} is not a JSON value")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJSONError(f"the number {text[:24]} is too large")
    return value


def loads(text: str | bytes) -> Any:
    """Strict JSON: as `json.loads`, but `NaN`, `Infinity` and numbers beyond a float raise `NotJSONError`
    (they would fail later, when a body holding them is sent).
    """
    return json.loads(text, parse_constant=_constant, parse_float=_float)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when `value` nests objects or arrays deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def show(value: Any, limit: int = 60) -> str:
    """A value as it appears in a message: repr (`null`, `true`, `false` as JSON writes them), one
    line, trimmed.
    """
    text = json.dumps(value) if value is None or isinstance(value, bool) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Fields:
    """One JSON object of a spec document, read property by property."""

    def __init__(self, raw: Any, prop: str, problems: Problems) -> None:
        self.prop = prop
        self.problems = problems
        if raw is not None and not isinstance(raw, dict):
            problems.add(prop, "must be an object")
            raw = None
        self.raw: Mapping[str, Any] = raw or {}

    def at(self, key: str) -> str:
        """The property path of `key`, for messages."""
        return f"{self.prop}.{key}" if self.prop else key

    def add(self, key: str, message: str) -> None:
        """Note a problem with `key`."""
        self.problems.add(self.at(key), message)

    def has(self, key: str) -> bool:
        """`key` is present and not null."""
        return self.raw.get(key) is not None

    def value(self, key: str) -> Any:
        """The raw value of `key` (for JSON that the tap passes on as it is: bodies, schemas)."""
        return self.raw.get(key)

    def first(self, *keys: str) -> str:
        """The first of `keys` that is present (documented aliases), else the first one."""
        return next((k for k in keys if self.has(k)), keys[0])

    def one_of(self, *keys: str) -> str:
        """The one of `keys` (spellings of one property: `host`, Adobe's beta `hostname`) that is
        given, else the first; a second one given is a problem.
        """
        given = [k for k in keys if self.has(k)]
        for extra in given[1:]:
            self.add(extra, f"{given[0]} is given too; give one of {', '.join(keys)}")
        return given[0] if given else keys[0]

    def object(self, key: str) -> Fields:
        """A nested object (empty when absent)."""
        return Fields(self.raw.get(key), self.at(key), self.problems)

    def items(self) -> Iterator[tuple[str, Any]]:
        """The raw members."""
        return iter(self.raw.items())

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        """A non-empty string. A number is not one: `"path": 7` is a mistake, not `/7`."""
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.add(key, "required property is missing")
            return default
        if not isinstance(value, str):
            self.add(key, f"{show(value)} is not a string")
            return default
        return value

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        default: int | None = None,
        minimum: int = 0,
        maximum: int | None = None,
    ) -> int | None:
        """An integer, written as a number or a string (`"100"`, as Adobe's documents do)."""
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.add(key, "required property is missing")
            return default
        number = _as_integer(value)
        if number is None:
            self.add(key, f"{show(value)} is not an integer")
            return default
        if number < minimum:
            self.add(key, f"{number} is less than {minimum}")
            return default
        if maximum is not None and number > maximum:
            self.add(key, f"{number} is more than {maximum}")
            return default
        return number

    def boolean(self, key: str, default: bool = False) -> bool:
        """`true`/`false` (also as strings)."""
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.add(key, f"{show(value)} is not a boolean")
        return default

    def choice(
        self, key: str, choices: Iterable[str], *, default: str | None = None, required: bool = False
    ) -> str | None:
        """One of `choices`, written in any case (nothing else: no spaces around it); returned as
        spelled in `choices`. An absent key is `default`; a key given as `null` or `""` is an error.
        """
        options = tuple(choices)
        if key not in self.raw:
            if required:
                self.add(key, "required property is missing")
            return default
        value = self.raw[key]
        if isinstance(value, str):
            for option in options:
                if value.upper() == option.upper():
                    return option
        self.add(key, f"{show(value)} is not one of {', '.join(options)}")
        return None

    def strings(self, key: str) -> tuple[str, ...] | None:
        """An array of strings (None when absent)."""
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(key, "must be an array of strings")
            return None
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            self.add(key, f"{show(bad[0])} is not a string")
        return tuple(v for v in value if isinstance(v, str))

    def array(self, key: str) -> list[Any]:
        """An array (empty when absent)."""
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(key, "must be an array")
            return []
        return value

    def json_path(self, key: str, *, required: bool = False, headers: bool = False) -> str | None:
        """A JSONPath (leading `$.` optional); with `headers`, `headers.<name>` is accepted too."""
        path = self.text(key, required=required)
        if path is None:
            return None
        if headers and path.lower().startswith("headers."):
            if not path[len("headers.") :].strip():
                self.add(key, "'headers.' needs a header name")
                return None
            return path
        try:
            compile_path(path)
        except PathError as exc:
            self.add(key, str(exc))
            return None
        return path

    def const(self, key: str) -> Any:
        """`endConditionValue`: `Const:<json>` is that JSON value; anything else compares as text."""
        value = self.raw.get(key)
        if isinstance(value, str) and value.startswith("Const:"):
            raw = value[len("Const:") :]
            try:
                return loads(raw)
            except ValueError:
                return raw
        if isinstance(value, str):
            return value
        return json.dumps(value)


def _as_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and _INTEGER.fullmatch(value) and len(value) < 40:
        return int(float(value)) if "." in value else int(value)
    return None
