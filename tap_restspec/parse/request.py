"""Parsing a spec's request: `urlParams`, `headerParams` and `bodyParams` into compiled templates.

Adobe's beta dialect is read here too: `urlParams.hostname` for `host`, and `queryParams`,
`headerParams` and `bodyParams` as strings beside `urlParams` (`""` for none).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tap_restspec.expr import adf
from tap_restspec.expr.template import as_text, check_header_name, compile_template, header_value_problem
from tap_restspec.model.fields import Fields
from tap_restspec.model.spec import Request, Template

METHODS = ("GET", "POST")
HOST_KEYS = ("host", "hostname", "hostName")  # Adobe's beta pages write `hostname` (and `hostName`)


def _pairs(fields: Fields, key: str) -> list[tuple[str, str]]:
    """Query or header parameters: an object, or the legacy `k=v,k2=v2&k3=v3` string."""
    value = fields.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        pairs = []
        for item in filter(None, (s.strip() for s in re.split(r"[,&]", value))):
            name, sep, val = item.partition("=")
            if not sep or not name.strip():
                fields.add(key, f"{item!r} is not key=value")
                continue
            pairs.append((name.strip(), val.strip()))
        return pairs
    if isinstance(value, dict):
        pairs = []
        for name, val in value.items():
            if isinstance(val, (dict, list)) or val is None:
                fields.add(f"{key}.{name}", "must be a string, number or boolean")
                continue
            pairs.append((str(name), as_text(val)))
        return pairs
    fields.add(key, "must be an object (or a 'k=v,k2=v2' string)")
    return []


def _template(text: str, fields: Fields, key: str) -> Template:
    try:
        return compile_template(text)
    except adf.ExpressionError as exc:
        fields.add(key, str(exc))
        return compile_template("")


def parse_request(attributes: Fields) -> Request | None:
    """The request templates of a source spec's `attributes`; None when `urlParams` is missing."""
    url = attributes.object("urlParams")
    if not attributes.has("urlParams"):
        attributes.add("urlParams", "required property is missing")
        return None
    host_key = url.one_of(*HOST_KEYS)
    host = url.text(host_key)
    path = url.text("path", default="") or ""
    method = url.choice("method", METHODS, default="GET")
    query = [(k, _template(v, url, f"queryParams.{k}")) for k, v in _pairs(url, "queryParams")]
    query += [(k, _template(v, attributes, f"queryParams.{k}")) for k, v in _pairs(attributes, "queryParams")]
    headers = []
    for name, value in _pairs(attributes, "headerParams"):
        problem = check_header_name(name)
        if problem:
            attributes.add(f"headerParams.{name}", problem)
            continue
        template = _template(value, attributes, f"headerParams.{name}")
        problem = header_value_problem("".join(p for p in template.parts if isinstance(p, str)))
        if problem:
            attributes.add(f"headerParams.{name}", problem)
            continue
        headers.append((name, template))
    raw_body = attributes.value("bodyParams")
    body = None if raw_body == "" else _body(raw_body, attributes, "bodyParams")  # beta: "" is none
    if method is None or (host is None and url.has(host_key)):
        return None  # noted already; a host of the wrong type is not a missing one
    return Request(
        host=_template(host, url, host_key) if host else None,
        path=_template(path, url, "path"),
        method=method,
        query=tuple(query),
        headers=tuple(headers),
        body=body,
    )


def _body(value: Any, fields: Fields, key: str) -> Any:
    """Compile every string in a JSON body (keys stay literal)."""
    if isinstance(value, str):
        return _template(value, fields, key)
    if isinstance(value, dict):
        return {k: _body(v, fields, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, fields, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def body_templates(body: Any) -> Iterator[Template]:
    """Every template in a compiled body."""
    if isinstance(body, Template):
        yield body
    elif isinstance(body, dict):
        for v in body.values():
            yield from body_templates(v)
    elif isinstance(body, list):
        for v in body:
            yield from body_templates(v)
