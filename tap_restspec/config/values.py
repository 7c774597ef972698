"""The user's values checked against one spec: placeholders and required inputs without a value,
params of the wrong type or not in their enum, values that would break their place (a header,
a path), secrets, and the list partitions a JSON array makes. One line per problem; a
secret's value is never shown and a secret is never a partition.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from tap_restspec.expr.template import as_text, header_value_problem
from tap_restspec.model.fields import show
from tap_restspec.model.spec import SECRET_SETTINGS, Input, StreamSpec, Template
from tap_restspec.parse.request import body_templates
from tap_restspec.redact import REDACTOR

SCHEDULE_NAMES = frozenset({"START_TIME", "END_TIME", "SCHEDULE_QUERY"})


PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


MAX_PARTITIONS = 100_000
AUTH_KEY = re.compile(r"authKey\d+")  # KeyBased keys: secrets wherever they are given


def templates(spec: StreamSpec) -> Iterator[tuple[str, Template]]:
    """Every template of a spec's request, with its property path."""
    request = spec.request
    if request.host is not None:
        yield "urlParams.host", request.host
    yield "urlParams.path", request.path
    for key, template in request.query:
        yield f"urlParams.queryParams.{key}", template
    for key, template in request.headers:
        yield f"headerParams.{key}", template
    for template in body_templates(request.body):
        yield "bodyParams", template


def secret_names(spec: StreamSpec, given: Mapping[str, Any]) -> set[str]:
    """The values of `spec` that are secrets: the secret settings, every `authKeyN`, and anything
    `spec.properties` or an authSpec entry declares `format: password`. Their given values are
    registered with the redactor.
    """
    names = set(SECRET_SETTINGS) | {name for name in given if AUTH_KEY.fullmatch(name)}
    names |= {name for name, declared in spec.inputs.items() if declared.secret}
    for entry in spec.auth:
        names |= {name for name, declared in entry.inputs.items() if declared.secret}
        names |= {name for name in (*entry.inputs, *entry.required) if AUTH_KEY.fullmatch(name)}
    for name in names & set(given):
        value = given[name]
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                REDACTOR.add(str(item), str(item).strip())
    return names


def secret_problems(spec: StreamSpec, given: Mapping[str, Any], secrets: set[str]) -> list[str]:
    """A JSON array given for a secret: never a partition (it would reach records and state)."""
    return [
        f"{spec.file}: params.{name}: a secret cannot be a list (secrets never partition a stream; "
        "the value is not shown)"
        for name in sorted(secrets & set(given))
        if isinstance(given[name], list)
    ]


def is_partition(spec: StreamSpec, name: str, value: Any, secrets: set[str]) -> bool:
    """A JSON array for a value not declared as an array, and not a secret, runs the stream once
    per element.
    """
    declared = spec.inputs.get(name)
    return isinstance(value, list) and name not in secrets and not (declared and declared.is_array)


@dataclass(frozen=True)
class Partitions(Sequence[dict[str, Any]]):
    """Every combination of the list params' elements, in the order given, made when asked for:
    100,000 partitions are 100,000 values in the settings, not 100,000 contexts held for the run.
    """

    names: tuple[str, ...] = ()
    values: tuple[tuple[Any, ...], ...] = ()  # per name, each value once

    def __len__(self) -> int:
        return math.prod(len(v) for v in self.values) if self.names else 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.names:
            for combination in itertools.product(*self.values):
                yield dict(zip(self.names, combination, strict=True))

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if not -size <= index < size:
            raise IndexError("partition index out of range")
        index %= size
        picked: list[Any] = []
        for values in reversed(self.values):  # the last name varies fastest, as in product()
            index, at = divmod(index, len(values))
            picked.append(values[at])
        return dict(zip(self.names, reversed(picked), strict=True))


def expand_partitions(
    spec: StreamSpec, axes: list[str], given: Mapping[str, Any]
) -> tuple[Partitions, str | None]:
    """The partitions of the list params `axes`: one per combination of their elements."""
    total = 1
    for name in axes:
        total *= max(1, len(given[name]))
        bad = [v for v in given[name] if isinstance(v, (dict, list)) or v is None or v == ""]
        if bad:
            return Partitions(), (
                f"{spec.file}: params.{name}: partition values must be strings or numbers, not {show(bad[0])}"
            )
    if total > MAX_PARTITIONS:
        named = " x ".join(f"params.{name}" for name in axes)
        return Partitions(), (
            f"{spec.file}: {named}: make more than {MAX_PARTITIONS} partitions of stream {spec.name}"
        )
    # Each value once per name (as text: 1 and "1" are one partition), so each combination is once.
    values = tuple(tuple({str(v): v for v in given[n]}.values()) for n in axes)
    return Partitions(tuple(axes), values), None


def check_values(
    spec: StreamSpec,
    values: Mapping[str, Any],
    given: Mapping[str, Any],
    axes: list[str],
    used: set[str],
    secrets: set[str],
) -> list[str]:
    """Placeholders without values, required inputs without values, params of the wrong type."""
    lines: list[str] = []
    known = {k for k, v in values.items() if v is not None and v != ""}
    if spec.parent is not None:
        known |= {name for name, _ in spec.parent.values}
    allowed = set(known)
    if spec.schedule is not None:
        allowed |= {"START_TIME", "END_TIME"}
        if spec.schedule.advance:
            allowed.add("SCHEDULE_QUERY")
    for prop, template in templates(spec):
        for name in sorted(template.names - allowed):
            hint = (
                "only a spec with an ADVANCE scheduleParams has it"
                if name == "SCHEDULE_QUERY"
                else "only a spec with scheduleParams has it"
                if name in SCHEDULE_NAMES
                else f"set the {name} setting"
                if name in SECRET_SETTINGS
                else f"set it in params.{name}"
            )
            lines.append(f"{spec.file}: {prop}: placeholder {{{name}}} has no value ({hint})")
    for name in spec.required:
        if name not in known:
            lines.append(
                f"{spec.file}: spec.properties.{name}: required input has no value (set params.{name})"
            )
    for name, declared in spec.inputs.items():
        if name in secrets and isinstance(given.get(name), list):
            continue  # a list for a secret is reported once, by `secret_problems`
        if name in given and name in used:
            items = given[name] if name in axes else [given[name]]
            for item in items:
                problem = _type_problem(name, item, declared, name in secrets)
                if problem:
                    lines.append(f"{spec.file}: {problem}")
                    break
    return lines


def value_problems(
    spec: StreamSpec, values: Mapping[str, Any], given: Mapping[str, Any], axes: list[str]
) -> list[str]:
    """Values that would break their place: a header value that cannot be sent, a path value
    `.` or `..` (it would move the request to another path). Values are not shown in headers.
    """
    lines: list[str] = []
    for prop, template in templates(spec):
        header, path = prop.startswith("headerParams."), prop == "urlParams.path"
        if not (header or path):
            continue
        for name in sorted(template.names):
            items = given[name] if name in axes else [values.get(name)]
            for item in items:
                if item is None or isinstance(item, (dict, list)):
                    continue
                text = as_text(item)
                if header:
                    problem = header_value_problem(text)
                elif text.strip() in (".", ".."):
                    problem = f"path value {text!r} would move the request to another path"
                else:
                    problem = None
                if problem:
                    lines.append(f"{spec.file}: {prop}: {{{name}}}: {problem}")
                    break
    return lines


def _type_problem(name: str, value: Any, declared: Input, secret: bool) -> str | None:
    kinds = declared.types
    ok = not kinds or any(
        isinstance(value, PYTHON_TYPES[k]) and not (k != "boolean" and isinstance(value, bool)) for k in kinds
    )
    shown = "the value (not shown: it is a secret)" if secret else show(value)
    if not ok:
        return f"params.{name}: {shown} is not of type {' or '.join(kinds)} (spec.properties.{name})"
    if declared.enum is not None and value not in declared.enum:
        choices = "the values spec.properties declares" if secret else ", ".join(map(str, declared.enum))
        return f"params.{name}: {shown} is not one of {choices}"
    return None
