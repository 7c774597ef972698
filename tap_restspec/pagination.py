"""One SDK paginator per `paginationParams.type`; each knows its next value and where it goes.

Paginators see the parsed body (`page_body(response)`) and the number of records the
content path matched (`count(response)`); they know nothing of the spec file itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from singer_sdk.pagination import BaseAPIPaginator
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.errors import StreamError
from tap_restspec.records import first_value
from tap_restspec.spec import Pagination
from tap_restspec.templating import as_text, check_header_value

BodyOf = Callable[[requests.Response], Any]
RecordsOf = Callable[[requests.Response], list[Any]]
LOGGER = logging.getLogger("tap-restspec")


class SpecPaginator(BaseAPIPaginator[Any]):
    """Base: remembers every value it produced, so a value that comes back is an error."""

    def __init__(
        self, spec: Pagination, stream: str, body_of: BodyOf, records_of: RecordsOf, base_url: str = ""
    ) -> None:
        super().__init__(self.first_value(spec))
        self.spec = spec
        self.base_url = base_url
        self.stream = stream
        self.body_of = body_of
        self.records_of = records_of
        self._edges: tuple[Any, Any] | None = None
        self._seen: set[Any] = set()

    @staticmethod
    def first_value(spec: Pagination) -> Any:
        """The first page's value: no token."""
        return None

    def _fresh(self, value: Any, what: str) -> Any:
        """Return `value`, or raise if this run has already used it (a pagination loop)."""
        if value in (None, ""):
            return None
        if value in self._seen or value == self.current_value:
            raise StreamError(
                f"stream {self.stream}: pagination {what} {str(value)[:80]!r} repeated after "
                f"{self.count} pages; stopping instead of looping"
            )
        self._seen.add(value)
        return value

    def count_of(self, response: requests.Response) -> int:
        """The records the content path matched on this page."""
        return len(self.records_of(response))

    def _same_page_again(self, response: requests.Response) -> None:
        """Stop an API that ignores the offset or page number: the same page twice is an error."""
        records = self.records_of(response)
        edges = (records[0], records[-1]) if records else None
        if edges is not None and edges == self._edges:
            raise StreamError(
                f"stream {self.stream}: page {self.count} has the same records as the page before; "
                f"the API seems to ignore {self.spec.offset_name or self.spec.page_param!r}, stopping"
            )
        self._edges = edges

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Put this page's value into the request (nothing for the first page by default)."""

    def _limit(self, request: HTTPRequest) -> None:
        if self.spec.limit_name and self.spec.limit_value is not None:
            request.params[self.spec.limit_name] = self.spec.limit_value


class SinglePage(SpecPaginator):
    """`NONE`: one request."""

    def has_more(self, response: requests.Response) -> bool:
        """Never."""
        return False

    def get_next(self, response: requests.Response) -> None:
        """There is no next page."""
        return None


class OffsetPaginator(SpecPaginator):
    """`OFFSET`: `limit=V&offset=O`, O growing by the records each page matched."""

    @staticmethod
    def first_value(spec: Pagination) -> int:
        """Offset 0."""
        return 0

    def has_more(self, response: requests.Response) -> bool:
        """A full page and no end condition."""
        self._same_page_again(response)
        if self.count_of(response) < (self.spec.limit_value or 1):
            return False
        return not end_condition_holds(self.spec, self.body_of(response))

    def get_next(self, response: requests.Response) -> int:
        """The next offset."""
        return int(self.current_value) + self.count_of(response)

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Limit and offset as query parameters."""
        self._limit(request)
        if self.spec.offset_name:
            request.params[self.spec.offset_name] = value


def end_condition_holds(spec: Pagination, body: Any) -> bool:
    """`endConditionName` / `endConditionValue`: `Const:false` compares with the JSON value."""
    if not spec.end_condition_path:
        return False
    value = first_value(spec.end_condition_path, body)
    expected = spec.end_condition_value
    if isinstance(expected, str) and not isinstance(value, str):
        return value is not None and as_text(value) == expected
    return bool(value == expected and type(value) is type(expected))


class PagePaginator(SpecPaginator):
    """`PAGE`: `page=N&limit=V`, N from `initialPageIndex` up."""

    _last_page: int | None = None

    @staticmethod
    def first_value(spec: Pagination) -> int:
        """`initialPageIndex`."""
        return spec.initial_page

    @property
    def last_page(self) -> int | None:
        """The last page index: `endPageIndex`, or the one the pages header gave."""
        return self._last_page if self._last_page is not None else self.spec.end_page

    def has_more(self, response: requests.Response) -> bool:
        """A full page, the end page not reached, and requests left."""
        self._same_page_again(response)
        spec = self.spec
        if spec.end_page_header:
            header = response.headers.get(spec.end_page_header)
            if header is not None and header.strip().isdigit():
                self._last_page = spec.initial_page + int(header) - 1
        if spec.limit_value is not None and self.count_of(response) < spec.limit_value:
            return False
        if self.last_page is not None and int(self.current_value) >= self.last_page:
            return False
        if self.count + 0 >= spec.maximum_request:
            LOGGER.warning(
                "stream %s: stopped after maximumRequest=%d requests; more pages may exist",
                self.stream,
                spec.maximum_request,
            )
            return False
        return True

    def get_next(self, response: requests.Response) -> int:
        """The next page number."""
        return int(self.current_value) + 1

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Page number and limit as query parameters."""
        self._limit(request)
        if self.spec.page_param:
            request.params[self.spec.page_param] = value


class TokenPaginator(SpecPaginator):
    """`CONTINUATION_TOKEN`: the token at `continuationTokenPath`, sent as query param or header."""

    def get_next(self, response: requests.Response) -> str | None:
        """The token, or None at the end."""
        token = first_value(self.spec.token_path or "", self.body_of(response))
        if token is None or token == "" or token is False:
            return None
        return self._fresh(token if isinstance(token, str) else as_text(token), "token")

    def place(self, request: HTTPRequest, value: Any) -> None:
        """The token as `parameterName`, in the query or a header."""
        self._limit(request)
        if value is None or not self.spec.parameter_name:
            return
        if self.spec.parameter_type == "HEADERPARAM":
            name = self.spec.parameter_name
            request.headers[name] = check_header_value(name, value)
        else:
            request.params[self.spec.parameter_name] = value


class PointerPaginator(SpecPaginator):
    """`POINTER`: follow the URL at `pointerPath`, only on the spec's own origin."""

    def get_next(self, response: requests.Response) -> str | None:
        """The next URL, absolute; refused if it leaves the spec's scheme, host and port."""
        link = first_value(self.spec.pointer_path or "", self.body_of(response))
        if not link or not isinstance(link, str):
            return None
        url = urljoin(self.base_url.rstrip("/") + "/", link) if not _is_absolute(link) else link
        if _origin(url) != _origin(self.base_url):
            raise StreamError(
                f"stream {self.stream}: next-page link goes to {_origin_text(url)}, not "
                f"{_origin_text(self.base_url)}; refusing to send credentials there"
            )
        return self._fresh(url, "next URL")

    def place(self, request: HTTPRequest, value: Any) -> None:
        """First page: the spec's URL with the limit; later pages: the link as given."""
        if value is None:
            self._limit(request)
            return
        request.url = value
        request.params = {}


def _is_absolute(link: str) -> bool:
    return bool(urlsplit(link).scheme)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def make_paginator(
    spec: Pagination, stream: str, base_url: str, body_of: BodyOf, records_of: RecordsOf
) -> SpecPaginator:
    """A fresh paginator for one run of a stream."""
    return PAGINATORS[spec.type](spec, stream, body_of, records_of, base_url)


PAGINATORS: dict[str, type[SpecPaginator]] = {
    "NONE": SinglePage,
    "OFFSET": OffsetPaginator,
    "PAGE": PagePaginator,
    "CONTINUATION_TOKEN": TokenPaginator,
    "POINTER": PointerPaginator,
}
