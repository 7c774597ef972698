"""The first page's request of one pass, rendered from the spec's templates and the pass's values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.errors import StreamError
from tap_restspec.expr import adf
from tap_restspec.expr.template import (
    TemplateError,
    check_header_value,
    encode_host_value,
    encode_path_value,
    render,
)
from tap_restspec.extract.window import ScheduleValues
from tap_restspec.model.spec import Request, Template


def url_base(host: Template, values: Mapping[str, Any], base_url: str | None) -> str:
    """The spec's host, filled in; the `base_url` setting replaces its scheme, host and port."""
    text = render(host, values, encode=encode_host_value).rstrip("/")
    if not base_url:
        return text
    base, parts = urlsplit(base_url.rstrip("/")), urlsplit(text)
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, "", ""))


def first_request(
    request: Request,
    base: str,
    values: Mapping[str, Any],
    schedule: ScheduleValues,
    now: datetime,
    where: str,
) -> HTTPRequest:
    """URL, query, headers and body of a pass's first page (`where` names the spec in errors)."""
    merged = {**values, **schedule.placeholders}
    extra: dict[str, Any] = {"adf_parameters": {**values, **schedule.adf_parameters}, "now": now}
    prop = "urlParams.path"  # the property being filled, for the error
    try:
        url = base + render(request.path, merged, encode=encode_path_value, **extra)
        if "?" in url:
            url = url.rstrip("&")
            url = url[:-1] if url.endswith("?") else url
        params: dict[str, Any] = {}
        for key, template in request.query:
            prop = f"urlParams.queryParams.{key}"
            if template.single in schedule.placeholders and not schedule.placeholders[template.single]:
                continue  # `{START_TIME}` with no start, a `""` backfill: no parameter, as the simple form
            params[key] = render(template, merged, **extra)
        params.update(schedule.query)
        headers = {}
        for key, template in request.headers:
            prop = f"headerParams.{key}"
            headers[key] = check_header_value(key, render(template, merged, **extra))
        prop = "bodyParams"
        body = render_body(request.body, merged, extra)
    except (TemplateError, adf.ExpressionError) as exc:
        raise StreamError(f"{where}: {prop}: {exc}") from None
    return HTTPRequest(url=url, method=request.method, params=params, headers=headers, data=body)


def render_body(body: Any, values: Mapping[str, Any], extra: Mapping[str, Any]) -> Any:
    """A JSON body with its templates filled; a template that is one placeholder keeps the value's type."""
    if isinstance(body, Template):
        name = body.single
        if name is not None and name in values and not isinstance(values[name], str):
            return values[name]
        return render(body, values, **extra)
    if isinstance(body, dict):
        return {k: render_body(v, values, extra) for k, v in body.items()}
    if isinstance(body, list):
        return [render_body(v, values, extra) for v in body]
    return body


def copy_request(request: HTTPRequest) -> HTTPRequest:
    """A copy whose params and headers can be changed for one page (the body is copied on write)."""
    return HTTPRequest(
        url=request.url,
        method=request.method,
        params=dict(request.params),
        headers=dict(request.headers),
        data=request.data,
    )
