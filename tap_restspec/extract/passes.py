"""One pass of requests: a stream's pages for one partition and one window slice.

A pass renders its first request once, then asks for page after page, each with the
first page's query, headers and body plus the page's own token, offset, number or
URL, until the paginator says it was the last. Bodies are parsed once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import requests
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.errors import StreamError
from tap_restspec.extract.records import BodyError, Extractor, body_keys
from tap_restspec.extract.request import copy_request, first_request
from tap_restspec.extract.window import Window, schedule_values
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.model.spec import StreamSpec
from tap_restspec.paging.paginator import Paginator
from tap_restspec.paging.types import PageView, PagingType
from tap_restspec.redact import REDACTOR

_DECODER = msgspec.json.Decoder()  # exact integers of any size, unlike orjson
NO_CONTENT = 204


@dataclass(frozen=True)
class Page:
    """One parsed page: its body and the records the content path matched (before keep, skip, explode)."""

    body: Any
    raw: list[Any]
    missing: bool  # the content path matched nothing (absent or null)
    url: str


Fetch = Callable[[HTTPRequest], requests.Response]


def signature(request: HTTPRequest) -> tuple[Any, ...]:
    """What identifies a request, for the first-page cache."""
    body = msgspec.json.encode(request.data) if request.data is not None else b""
    return (request.method, request.url, tuple(sorted(request.params.items())), body)


def parse_page(response: requests.Response, extractor: Extractor, stream: str) -> Page:
    """The page's JSON body and raw records; a body that is not JSON is an error naming the stream."""
    url = REDACTOR.redact(response.url or "")
    content = response.content
    if not content or content.isspace():  # no copy of a big body
        if response.status_code == NO_CONTENT:  # the API says there is nothing more: an end
            return Page(None, [], False, response.url or "")
        # Not JSON, so no evidence of the end of the data: taking it as an empty last page would
        # move bookmarks past pages never read (contract, "End of data").
        raise StreamError(
            f"stream {stream}: the answer from {url} (HTTP {response.status_code}) has an empty body, "
            "not JSON; stopping the stream here (its bookmark stays)"
        )
    try:
        body = _DECODER.decode(content)
    except msgspec.DecodeError:
        snippet = bytes(content[:80]).decode("utf-8", "replace").replace("\n", " ")
        raise StreamError(
            f"stream {stream}: response from {url} is not valid JSON: {REDACTOR.redact(repr(snippet))}"
        ) from None
    except (MemoryError, RecursionError):
        raise StreamError(
            f"stream {stream}: the response from {url} is too large or deep to hold in memory"
        ) from None
    try:
        raw = extractor.raw_records(body)
    except BodyError as exc:
        raise StreamError(f"stream {stream}: {exc} (from {url})") from None
    return Page(body, raw if raw is not None else [], raw is None, response.url or "")


class Pass:
    """The pages of one partition over one window slice.

    `cut` is True once `pages()` has stopped at `maximumRequest` instead of at evidence that the
    API has no more: the pass read part of the data (contract, "End of data").
    """

    def __init__(
        self,
        spec: StreamSpec,
        extractor: Extractor,
        base: str,
        values: Mapping[str, Any],
        window: Window,
        now: datetime,
    ) -> None:
        assert isinstance(spec.pagination, PagingType)  # parse/ makes only listed types
        self.spec = spec
        self.paging = spec.pagination
        self.extractor = extractor
        self.base = base
        self.values = values
        self.window = window
        self.now = now
        self.cut = False

    def first(self) -> HTTPRequest:
        """The pass's first request."""
        schedule = schedule_values(self.spec.schedule, self.window)
        return first_request(self.spec.request, self.base, self.values, schedule, self.now, self.spec.file)

    def pages(self, fetch: Fetch, ahead: Executor | None = None) -> Iterator[Page]:
        """Every page of the pass, in order; `fetch` sends one request and returns its response.

        With `ahead`, the next page is requested there as soon as this one is parsed (its token,
        offset or URL is known then), while the caller writes this page's records.
        """
        first = self.first()
        paginator = Paginator(self.paging, self.spec.name)
        allowed = origin_of(self.base)

        def next_request() -> HTTPRequest:
            request = copy_request(first)
            paginator.place(request)
            self._check_origin(request.url, allowed)
            return request

        pending: Future[requests.Response] | None = None
        try:
            while not paginator.finished:
                response = pending.result() if pending is not None else fetch(next_request())
                pending = None
                page = parse_page(response, self.extractor, self.spec.name)
                view = PageView(page.body, page.raw, response.headers, page.url, response.links, page.missing)
                paginator.advance(view)
                if ahead is not None and not paginator.finished:
                    pending = ahead.submit(fetch, next_request())
                self.cut = paginator.cut
                yield page
        finally:
            if pending is not None:
                pending.cancel()

    def _check_origin(self, url: str, allowed: Any) -> None:
        """A next-page link elsewhere would take the credentials with it: an error."""
        try:
            origin = origin_of(url)
        except UnsafeURL as exc:
            raise StreamError(f"stream {self.spec.name}: next-page link refused: {exc}") from None
        if origin != allowed:
            raise StreamError(
                f"stream {self.spec.name}: next-page link goes to {origin}, not {allowed}; "
                "refusing to send credentials there"
            )


def missing_warning(spec: StreamSpec, page: Page) -> str:
    """The one WARNING a run for a page on which the content path matched nothing."""
    return (
        f"Stream {spec.name}: contentPath {spec.content.path!r} matched nothing on a page "
        f"(the body has: {body_keys(page.body)}); taking it as an empty last page"
    )
