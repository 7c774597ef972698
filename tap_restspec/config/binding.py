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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tap_restspec.auth import entries
from tap_restspec.auth.base import AuthType, AuthValues
from tap_restspec.config.settings import Settings
from tap_restspec.config.values import (
    SCHEDULE_NAMES,
    Partitions,
    check_values,
    expand_partitions,
    is_partition,
    secret_names,
    secret_problems,
    templates,
    value_problems,
)
from tap_restspec.errors import one_line
from tap_restspec.expr.template import TemplateError, as_text, compile_template
from tap_restspec.extract.request import url_base
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.model.spec import Placeholder, StreamSpec, Template

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
    partitions: Partitions = field(default_factory=Partitions)  # made when iterated, not held

    @property
    def partitioned(self) -> bool:
        """The stream runs once per element of a list param."""
        return bool(self.partition_names)


def bind(spec: StreamSpec, settings: Settings) -> tuple[Binding | None, list[str]]:
    """The binding of `spec` to `settings`, and every problem found (one line each)."""
    given = settings.values
    lines: list[str] = []
    resolved = AuthValues(spec, given)
    entry, why = entries.choose(spec, resolved, settings.auth_spec)
    lines.extend(why)
    if entry is not None:
        lines.extend(entries.problems(spec, given, settings.auth_spec))
    values = {**entries.entry_defaults(entry, resolved), **spec.defaults, **given}
    secrets = secret_names(spec, given)
    lines.extend(secret_problems(spec, given, secrets))
    if why and spec.request.host is None:
        return None, lines  # the host may be in the entry that cannot be chosen: say that only
    host = _host(spec, entry, values, lines)
    used = _used_names(spec, host)
    axes = [name for name in given if name in used and is_partition(spec, name, given[name], secrets)]
    lines.extend(check_values(spec, values, given, axes, used, secrets))
    lines.extend(value_problems(spec, values, given, axes))
    partitions = Partitions()
    if axes:
        partitions, problem = expand_partitions(spec, axes, given)
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


def _host_problem(
    spec: StreamSpec,
    host: Template,
    values: Mapping[str, Any],
    partitions: Partitions,
    base_url: str | None,
    secrets: set[str],
) -> str | None:
    """The host, filled in with each partition's values, must be one plain http(s) origin."""
    where = "urlParams.host" if spec.request.host is not None else "params.host"
    if not all(isinstance(part, (str, Placeholder)) for part in host.parts):
        return f"{spec.file}: {where}: @{{...}} expressions are not supported in the host"
    if host.names - set(values) or host.names & SCHEDULE_NAMES:
        return None  # a missing value is reported already; a window's value is known only later
    used = sorted(host.names & set(partitions.names))
    axes = [sorted({str(v) for v in partitions.values[partitions.names.index(k)]}) for k in used]
    contexts = itertools.islice(itertools.product(*axes), MAX_HOST_CHECKS)
    for context in contexts:
        filled = {**values, **dict(zip(used, context, strict=True))}
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
