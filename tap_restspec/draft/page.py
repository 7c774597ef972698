"""The first answer of a draft: the URL as the drafted spec requests it, its body read as JSON, its
records and what it says about its pagination; and probes, the same request with a few query
parameters changed, to see which ones the API honours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import msgspec
import requests
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.draft.document import parsed, spec_document
from tap_restspec.draft.evidence import Evidence, read_page
from tap_restspec.draft.prober import Prober
from tap_restspec.draft.records import empty_arrays, find_records, identity, path_of, primary_key
from tap_restspec.draft.target import Target
from tap_restspec.errors import StreamError, UserError
from tap_restspec.extract.passes import Pass
from tap_restspec.extract.records import BodyError, Extractor
from tap_restspec.extract.request import copy_request, url_base
from tap_restspec.extract.window import Window
from tap_restspec.model.spec import Selection
from tap_restspec.paging.types import PageView
from tap_restspec.redact import REDACTOR

_DECODER = msgspec.json.Decoder()  # exact integers of any size, as the tap reads pages


@dataclass
class FirstPage:
    """The URL's own answer, and what the draft reads from it."""

    target: Target
    prober: Prober
    request: HTTPRequest  # as the drafted spec sends it
    records_at: tuple[str, ...]
    records: list[Any]
    key: str | None  # the primary key the first page's records suggest
    evidence: Evidence

    @property
    def ids(self) -> list[str]:
        """The first page's records, told apart by their key."""
        return [identity(record, self.key) for record in self.records]

    def probe(self, params: dict[str, str]) -> list[Any] | None:
        """The records answered to the first request with `params` set; None: refused or not records."""
        request = copy_request(self.request)
        request.params.update(params)
        try:
            response = self.prober.fetch(request)
            body = _DECODER.decode(response.content)
            found = Extractor(Selection(path_of(self.records_at))).raw_records(body)
        except (StreamError, msgspec.DecodeError, BodyError):
            return None
        return [] if found is None else found


def first_page(target: Target, prober: Prober) -> FirstPage:
    """GET the URL (as a one-page spec of it would) and read its answer; a UserError without records."""
    document = spec_document(target, (), None)
    spec = parsed(document)
    now = datetime.now(timezone.utc)
    assert spec.request.host is not None
    reading = Pass(
        spec,
        Extractor(spec.content),
        url_base(spec.request.host, target.values, None),
        target.values,
        Window(None, now),
        now,
    )
    request = reading.first()
    response = prober.fetch(request)
    body = _body(target, response)
    found = find_records(body)
    if found is None:
        raise UserError(f"draft: {target.where()}: {_no_records(body)}")
    at, records = found
    view = PageView(body, records, response.headers, response.url or "", response.links)
    key = primary_key([r for r in records if isinstance(r, dict)])
    return FirstPage(target, prober, request, at, records, key, read_page(view, at))


def _body(target: Target, response: requests.Response) -> Any:
    """The answer as JSON; a UserError naming what it is instead."""
    where = f"draft: GET {target.where()} answered HTTP {response.status_code}"
    kind = response.headers.get("Content-Type", "no Content-Type").split(";")[0].strip()
    content = response.content
    text = bytes(content[:4096]).lstrip()[:200].decode("utf-8", "replace")
    if not text:
        raise UserError(f"{where} with an empty body: no records to draft from")
    if text[:1] == "<" and ("html" in kind or text[:15].lower().startswith(("<!doctype html", "<html"))):
        raise UserError(
            f"{where} with an HTML page ({kind}), not JSON: check that the URL is the API's (not a web "
            "page's) and the headers (a login page answers without credentials)"
        )
    try:
        return _DECODER.decode(content)
    except msgspec.DecodeError:
        snippet = REDACTOR.redact(repr(" ".join(text.split())[:60]))
        raise UserError(f"{where} with {kind}, not JSON: {snippet}") from None
    except (MemoryError, RecursionError):
        raise UserError(f"{where} with JSON too large or deep to hold in memory") from None


def _no_records(body: Any) -> str:
    """Why a body holds no records to draft from."""
    if body == []:
        return "the answer is an empty array: a draft needs at least one record to guess from"
    empty = empty_arrays(body)
    if empty:
        return f"{', '.join(empty[:3])} is empty: a draft needs at least one record to guess from"
    kind = "an object" if isinstance(body, dict) else f"a JSON {type(body).__name__}"
    return f"the answer is {kind} with no array of objects in it: a draft needs a list of records"
