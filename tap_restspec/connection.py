"""`--test`: can the tap reach each API with its credentials? One request per stream, no records."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import requests

from tap_restspec.auth.base import AuthValues, present
from tap_restspec.auth.oauth2 import absolute
from tap_restspec.errors import StreamError
from tap_restspec.expr import adf
from tap_restspec.expr.template import TemplateError, render
from tap_restspec.http.client import Client
from tap_restspec.http.origin import origin_of
from tap_restspec.redact import REDACTOR
from tap_restspec.stream import SpecStream
from tap_restspec.sync.sample import sample, skipped

LOGGER = logging.getLogger("tap-restspec")


def test_url(stream: SpecStream) -> str | None:
    """The chosen authSpec entry's `authorizationTestUrl` (relative ones against the spec's host)."""
    entry = stream.binding.entry
    if entry is None:
        return None
    values = AuthValues(stream.spec, stream.binding.given)
    try:
        url = values.get(entry, "authorizationTestUrl")
    except (TemplateError, adf.ExpressionError):
        return None
    return absolute(str(url), stream.url_base) if present(url) else None


def check_stream(stream: SpecStream) -> str:
    """Request the test URL, else the first page of the stream's first window (the page the sync
    reads first, kept for it); what was checked.
    """
    url = test_url(stream)
    if url is not None:
        headers = {"Accept": "application/json"}
        for name, template in stream.spec.request.headers:
            try:
                headers[name] = render(template, stream.binding.values)
            except (TemplateError, adf.ExpressionError):
                continue  # a header that needs the run's window is not part of this check
        where = REDACTOR.redact(url)
        client = Client(
            f"stream {stream.name}: authorization test GET {where} failed",
            origin_of(url),
            replace(stream.client.sending, skips=None),  # a refused token fails, whatever onHttpError says
            show_url=False,
        )
        try:
            prepared = client.session.prepare_request(
                requests.Request("GET", url, headers=headers, auth=stream.authenticator)
            )
            response = client.send(prepared, getattr(stream.authenticator, "reauth", None))
        finally:
            client.close()
        return f"authorization test GET {where} passed (HTTP {response.status_code})"
    page = sample(stream)  # the first page of the first window, as the sync asks for it
    skip = skipped(stream)
    if skip is not None:
        return f"the first page answered HTTP {skip.status}, which singer.onHttpError skips (no records)"
    if page is None:
        return "nothing to read in its window"
    return f"first page read ({len(page.raw)} records)"


def connection_test(tap: Any) -> None:
    """Check every stream; the first failure is a StreamError (one line), success logs one line each."""
    failures = []
    for stream in tap.streams.values():
        if not isinstance(stream, SpecStream) or stream.parent is not None:
            continue
        try:
            LOGGER.info("Stream %s: %s", stream.name, check_stream(stream))
        except StreamError as exc:
            failures.extend(exc.lines)
    if failures:
        raise StreamError(failures)
