"""Placeholders (`${x}`, `{x}`, `{{x}}`) and ADF expressions (`@{...}`) in spec strings.

A template is compiled once per spec and rendered once per pass; rendering never
lets a value add a header line, a query parameter or a path segment of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tap_restspec.expr import adf
from tap_restspec.model.spec import Placeholder, Template

PLACEHOLDER = re.compile(
    r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}"  # ${name}
    r"|\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}"  # {{name}}
    r"|\{([A-Za-z_][\w.\-]*)\}"  # {name}
)
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 9110 token


class TemplateError(ValueError):
    """A placeholder without a value, or a value that would break its place."""


def compile_template(text: str) -> Template:
    """Split a spec string into literal text, placeholders and ADF expressions.

    Raises adf.ExpressionError for a bad `@{...}`.
    """
    parts: list[Any] = []
    pos = 0
    for start, end, expression in adf.scan(text):
        parts.extend(_placeholders(text[pos:start]))
        parts.append(expression)
        pos = end
    parts.extend(_placeholders(text[pos:]))
    return Template(text, tuple(p for p in parts if p != ""))


def _placeholders(text: str) -> list[Any]:
    parts: list[Any] = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(text[pos : match.start()])
        parts.append(Placeholder(next(g for g in match.groups() if g)))
        pos = match.end()
    parts.append(text[pos:])
    return parts


def render(
    template: Template,
    values: Mapping[str, Any],
    *,
    encode: Callable[[str], str] | None = None,
    adf_parameters: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> str:
    """Fill a template; `encode` is applied to placeholder values (not to ADF output)."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Placeholder):
            value = values.get(part.name)
            if value is None:
                raise TemplateError(f"placeholder {{{part.name}}} has no value")
            text = as_text(value)
            out.append(encode(text) if encode else text)
        else:
            if now is None:
                raise TemplateError("an ADF expression needs the run's time")
            out.append(part.render(adf_parameters or {}, now))
    return "".join(out)


def as_text(value: Any) -> str:
    """A value as it goes into a URL, header or string body."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_path_value(value: str) -> str:
    """Percent-encode a value so it stays one path segment; `.` and `..` would move the path."""
    if value.strip() in (".", ".."):
        raise TemplateError(f"path value {value!r} would move the request to another path")
    return quote(value, safe="")


def encode_host_value(value: str) -> str:
    """Percent-encode a value for a host; a port (`:`) is allowed."""
    return quote(value, safe=":")


def check_header_name(name: str) -> str | None:
    """Why `name` cannot be a header name, or None."""
    if not HEADER_NAME.fullmatch(name):
        return f"{name!r} is not a valid HTTP header name"
    return None


def header_value_problem(value: str) -> str | None:
    """Why `value` cannot be sent as a header value, or None."""
    if "\r" in value or "\n" in value or "\0" in value:
        return "value contains a line break or a NUL"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return "value has characters HTTP headers cannot carry (only Latin-1)"
    return None


def check_header_value(name: str, value: str) -> str:
    """The value as sent (without surrounding spaces and tabs, as HTTP reads it); refuse one
    that would start a header of its own or cannot be sent.
    """
    problem = header_value_problem(value)
    if problem:
        raise TemplateError(f"header {name}: {problem}")
    return value.strip(" \t")
