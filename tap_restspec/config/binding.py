"""A parsed spec bound to the user's settings: the checks that need values, done once at start-up.

`bind` chooses the authSpec entry, merges every placeholder value (secret settings,
then `params`, then `spec.properties` defaults, then the entry's defaults), finds
the host (urlParams, else a `host` value), expands list partitions, and reports
every placeholder or required input without a value, and every param of the wrong
type, as one line each. A secret (a secret setting, an `authKeyN`, anything declared
`format: password`) is never a partition and its value is never shown.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tap_restspec import auth
from tap_restspec.auth.base import AuthType, AuthValues
from tap_restspec.config.settings import Settings
from tap_restspec.errors import one_line
from tap_restspec.expr.template import TemplateError, as_text, compile_template, header_value_problem
from tap_restspec.extract.request import url_base
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.model.fields import show
from tap_restspec.model.spec import SECRET_SETTINGS, Input, Placeholder, StreamSpec, Template
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
MAX_HOST_CHECKS = 10_000  # distinct hosts of a partitioned stream checked at start-up


@dataclass(frozen=True)
class Binding:
    """A spec with the user's values: what a stream needs to run."""

    spec: StreamSpec
    entry: AuthType | None
    given: Mapping[str, Any]  # params and secret settings, as the user gave them
    values: Mapping[str, Any]  # every placeholder value, partitions aside
    host: Template
    partition_names: tuple[str, ...] = ()
    partitions: tuple[dict[str, Any], ...] = field(default=())

    @property
    def partitioned(self) -> bool:
        """The stream runs once per element of a list param."""
        return bool(self.partition_names)


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


def bind(spec: StreamSpec, settings: Settings) -> tuple[Binding | None, list[str]]:
    """The binding of `spec` to `settings`, and every problem found (one line each)."""
    given = settings.values
    lines: list[str] = []
    resolved = AuthValues(spec, given)
    entry, why = auth.choose(spec, resolved, settings.auth_spec)
    lines.extend(why)
    if entry is not None:
        lines.extend(auth.problems(spec, given, settings.auth_spec))
    values = {**auth.entry_defaults(entry, resolved), **spec.defaults, **given}
    secrets = secret_names(spec, given)
    lines.extend(_secret_problems(spec, given, secrets))
    if why and spec.request.host is None:
        return None, lines  # the host may be in the entry that cannot be chosen: say that only
    host = _host(spec, entry, values, lines)
    used = _used_names(spec, host)
    axes = [name for name in given if name in used and _is_partition(spec, name, given[name], secrets)]
    lines.extend(_check_values(spec, values, given, axes, used, secrets))
    lines.extend(_value_problems(spec, values, given, axes))
    partitions: tuple[dict[str, Any], ...] = ()
    if axes:
        partitions, problem = _partitions(spec, axes, given)
        if problem:
            lines.append(problem)
        if host is not None and not settings.base_url:
            lines.extend(_host_partition_problems(spec, host, axes))
    if host is not None and not lines:
        problem = _host_problem(spec, host, values, partitions, settings.base_url, secrets)
        if problem:
            lines.append(problem)
    if lines or host is None:
        return None, [one_line(line) for line in lines]
    return Binding(spec, entry, given, values, host, tuple(axes), partitions), []


def _host(
    spec: StreamSpec, entry: AuthType | None, values: Mapping[str, Any], lines: list[str]
) -> Template | None:
    """urlParams.host, else the `host` value (params, spec.properties or the authSpec entry)."""
    if spec.request.host is not None:
        return spec.request.host
    value = values.get("host")
    if isinstance(value, list):
        lines.append(f"{spec.file}: params.host: a list cannot partition the host: {HOST_LIST}")
        return None
    if value is None or value == "" or not isinstance(value, str):
        where = (
            f"authSpec[{entry.index}].spec.properties"
            if entry is not None
            else "the authSpec entry's spec.properties"
        )
        lines.append(
            f"{spec.file}: urlParams.host: required property is missing, and no host value is given "
            f"(set params.host, or a default for host in {where})"
        )
        return None
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        return compile_template(text)
    except ValueError as exc:
        lines.append(f"{spec.file}: params.host: {exc}")
        return None


def _used_names(spec: StreamSpec, host: Template | None) -> set[str]:
    names = set(spec.inputs) | set(spec.required)
    for _, template in templates(spec):
        names |= template.names
    if host is not None:
        names |= host.names
    for entry in spec.auth:
        names |= set(entry.inputs) | set(entry.required)
    return names


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


def _secret_problems(spec: StreamSpec, given: Mapping[str, Any], secrets: set[str]) -> list[str]:
    """A JSON array given for a secret: never a partition (it would reach records and state)."""
    return [
        f"{spec.file}: params.{name}: a secret cannot be a list (secrets never partition a stream; "
        "the value is not shown)"
        for name in sorted(secrets & set(given))
        if isinstance(given[name], list)
    ]


def _is_partition(spec: StreamSpec, name: str, value: Any, secrets: set[str]) -> bool:
    """A JSON array for a value not declared as an array, and not a secret, runs the stream once
    per element.
    """
    declared = spec.inputs.get(name)
    return isinstance(value, list) and name not in secrets and not (declared and declared.is_array)


HOST_LIST = "a stream reads from one host; give one value, or write one spec per host"


def _host_partition_problems(spec: StreamSpec, host: Template, axes: list[str]) -> list[str]:
    """A list param in the host's scheme, name or port: a stream's requests go to one origin
    (the `base_url` setting replaces it; a list in the host's path is a partition like any other).
    """
    where = "urlParams.host" if spec.request.host is not None else "params.host"
    return [
        f"{spec.file}: params.{name}: a list cannot partition {where} ({host.source!r}): {HOST_LIST}"
        for name in axes
        if name in _origin_names(host)
    ]


def _origin_names(host: Template) -> set[str]:
    """The placeholders of `host` that stand before the first `/` of its path."""
    names: set[str] = set()
    text = ""
    for part in host.parts:
        if isinstance(part, Placeholder):
            if "/" not in text.partition("://")[2]:
                names.add(part.name)
            text += "x"
        elif isinstance(part, str):
            text += part
    return names


def _partitions(
    spec: StreamSpec, axes: list[str], given: Mapping[str, Any]
) -> tuple[tuple[dict[str, Any], ...], str | None]:
    """One context per combination of the list params' elements, in the order given."""
    total = 1
    for name in axes:
        total *= max(1, len(given[name]))
        bad = [v for v in given[name] if isinstance(v, (dict, list)) or v is None or v == ""]
        if bad:
            return (), (
                f"{spec.file}: params.{name}: partition values must be strings or numbers, "
                f"not {show(bad[0])}"
            )
    if total > MAX_PARTITIONS:
        named = " x ".join(f"params.{name}" for name in axes)
        return (), f"{spec.file}: {named}: make more than {MAX_PARTITIONS} partitions of stream {spec.name}"
    contexts = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*(given[n] for n in axes))]
    unique = list({tuple(sorted((k, str(v)) for k, v in c.items())): c for c in contexts}.values())
    return tuple(unique), None


def _check_values(
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
            continue  # a list for a secret is reported once, by `_secret_problems`
        if name in given and name in used:
            items = given[name] if name in axes else [given[name]]
            for item in items:
                problem = _type_problem(name, item, declared, name in secrets)
                if problem:
                    lines.append(f"{spec.file}: {problem}")
                    break
    return lines


def _value_problems(
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


def _host_problem(
    spec: StreamSpec,
    host: Template,
    values: Mapping[str, Any],
    partitions: tuple[dict[str, Any], ...],
    base_url: str | None,
    secrets: set[str],
) -> str | None:
    """The host, filled in with each partition's values, must be one plain http(s) origin."""
    where = "urlParams.host" if spec.request.host is not None else "params.host"
    if not all(isinstance(part, (str, Placeholder)) for part in host.parts):
        return f"{spec.file}: {where}: @{{...}} expressions are not supported in the host"
    if host.names - set(values) or host.names & SCHEDULE_NAMES:
        return None  # a missing value is reported already; a window's value is known only later
    used = sorted(host.names & {k for p in partitions[:1] for k in p})
    contexts = {tuple((k, str(p[k])) for k in used) for p in partitions} if used else {()}
    for context in sorted(contexts)[:MAX_HOST_CHECKS]:
        filled = {**values, **dict(context)}
        try:
            origin_of(url_base(host, filled, base_url))
        except (TemplateError, UnsafeURL, ValueError) as exc:
            why = str(exc).removeprefix("URL refused: ")
            given = ", ".join(
                f"{name}=" + ("***" if name in secrets else repr(as_text(filled[name])))
                for name in sorted(host.names)
            )
            shown = f"{host.source!r}" + (f" with {given}" if given else "")
            return f"{spec.file}: {where}: {shown} does not make a usable URL: {why}"
    return None


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
