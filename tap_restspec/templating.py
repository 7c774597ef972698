"""Placeholders (`${x}`, `{x}`, `{{x}}`) and ADF expressions (`@{...}`) in spec strings.

A template is compiled once per stream and rendered once per run; rendering never
lets a value add a header line, a query parameter or a path segment of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tap_restspec import adf

PLACEHOLDER = re.compile(
    r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}"  # ${name}
    r"|\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}"  # {{name}}
    r"|\{([A-Za-z_][\w.\-]*)\}"  # {name}
)


class TemplateError(ValueError):
    """A placeholder without a value, or a value that would break its place."""


@dataclass(frozen=True)
class Placeholder:
    """One placeholder: its name as written in the spec."""

    name: str


Part = str | Placeholder | adf.Expression


@dataclass(frozen=True)
class Template:
    """A compiled spec string: literal text, placeholders and ADF expressions."""

    source: str
    parts: tuple[Part, ...]

    @property
    def names(self) -> frozenset[str]:
        """The placeholder names this template needs."""
        return frozenset(p.name for p in self.parts if isinstance(p, Placeholder))

    @property
    def single(self) -> str | None:
        """The name, when the whole template is one placeholder (its value keeps its type)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Placeholder):
            return self.parts[0].name
        return None

    def render(
        self,
        values: Mapping[str, Any],
        *,
        encode: Callable[[str], str] | None = None,
        adf_parameters: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> str:
        """Fill the template; `encode` is applied to placeholder values (not to ADF output)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Placeholder):
                if part.name not in values or values[part.name] is None:
                    raise TemplateError(f"placeholder {{{part.name}}} has no value")
                text = as_text(values[part.name])
                out.append(encode(text) if encode else text)
            else:
                if now is None:
                    raise TemplateError("an ADF expression needs the run's time")
                out.append(adf.render_value(part.evaluate(adf_parameters or {}, now)))
        return "".join(out)


def as_text(value: Any) -> str:
    """A value as it goes into a URL, header or string body."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compile_template(text: str) -> Template:
    """Split a spec string into literal text, placeholders and ADF expressions.

    Raises adf.ExpressionError for a bad `@{...}`.
    """
    parts: list[Part] = []
    pos = 0
    for start, end, expression in adf.scan(text):
        parts.extend(_placeholders(text[pos:start]))
        parts.append(expression)
        pos = end
    parts.extend(_placeholders(text[pos:]))
    return Template(text, tuple(p for p in parts if p != ""))


def _placeholders(text: str) -> list[Part]:
    parts: list[Part] = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(text[pos : match.start()])
        parts.append(Placeholder(next(g for g in match.groups() if g)))
        pos = match.end()
    parts.append(text[pos:])
    return parts


def encode_path_value(value: str) -> str:
    """Percent-encode a value so it stays one path segment."""
    return quote(value, safe="")


def encode_host_value(value: str) -> str:
    """Percent-encode a value for a host; a port (`:`) is allowed."""
    return quote(value, safe=":")


def check_header_value(name: str, value: str) -> str:
    """Refuse a header value that would start a header of its own."""
    if "\r" in value or "\n" in value:
        raise TemplateError(f"header {name}: value contains a line break")
    return value
