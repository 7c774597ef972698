"""Pagination types: one class per `paginationParams.type`, listed in `PAGING_TYPES`.

A type is a frozen config (parsed from the spec through `Fields`) that knows its
first value, its next value from a parsed page, and how to place a value in a
request (through `placement`). A new type is one class here, listed in
`PAGING_TYPES`. The `Paginator` (`paginator.py`) adds what every type shares: the end condition,
`maximumRequest`, and the loop guards (a token or URL that comes back, an API that
ignores the offset or page number).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.expr.template import as_text
from tap_restspec.model.fields import Fields
from tap_restspec.model.jsonpath import first_value
from tap_restspec.model.registry import Registry
from tap_restspec.model.spec import EndCondition, Paging
from tap_restspec.paging.placement import PLACEMENTS, WholeURL, placement

LOGGER = logging.getLogger("tap-restspec")
MAX_DELAY_MS = 3_600_000  # one hour between two requests is the most a spec may ask
_DIGITS = re.compile(r"\s*(\d{1,9})\s*", re.ASCII)


@dataclass(frozen=True)
class PageView:
    """What pagination sees of one page: the parsed body, the records matched, headers, URL."""

    body: Any
    records: list[Any]
    headers: Mapping[str, str]
    url: str
    links: Mapping[str, Mapping[str, str]]  # RFC 8288 `Link` header by rel (requests' `links`)
    missing: bool = False  # the content path matched nothing: an empty last page


class PagingType(Paging):
    """A registered pagination type."""

    needs_limit: ClassVar[bool] = False
    counts_pages: ClassVar[bool] = False  # its value counts pages: an API may ignore it (same page again)

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> PagingType | None:
        """The config of this type from `paginationParams` (`common` holds the shared fields)."""
        return cls(**common)

    def first(self) -> Any:
        """The first page's value (None: no token)."""
        return None

    def next(self, page: PageView, current: Any) -> Any:
        """The next page's value, or None when `page` is the last."""
        return None

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Put the limit and this page's value into the request."""
        if self.limit_name and self.limit_value is not None:
            placement(self.placement, self.limit_name).put(request, self.limit_value)

    def full(self, page: PageView) -> bool:
        """The page holds `limitValue` records (a shorter page is the last)."""
        return self.limit_value is None or len(page.records) >= self.limit_value


@dataclass(frozen=True)
class Offset(PagingType):
    """`OFFSET`: `limit=V&offset=O`, O from 0, growing by the records each page matched."""

    type = "OFFSET"
    needs_limit = True
    counts_pages = True
    offset_name: str = "offset"

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> PagingType | None:
        """`offSetName` or `offsetName` (both spellings are Adobe's)."""
        name = fields.text(fields.first("offsetName", "offSetName"), required=True)
        return cls(**common, offset_name=name) if name else None

    def first(self) -> Any:
        """Offset 0."""
        return 0

    def next(self, page: PageView, current: Any) -> Any:
        """The offset after this page's records; None after a short page."""
        return int(current) + len(page.records) if self.full(page) else None

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Limit and offset."""
        super().place(request, value)
        placement(self.placement, self.offset_name).put(request, value)


@dataclass(frozen=True)
class Pointer(PagingType):
    """`POINTER`: follow the URL at `pointerPath` (`headers.link`: the `Link` header's next)."""

    type = "POINTER"
    pointer_path: str = ""

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> PagingType | None:
        """`pointerPath` (the older `pointerName` too)."""
        path = fields.json_path(fields.first("pointerPath", "pointerName"), required=True, headers=True)
        return cls(**common, pointer_path=path) if path else None

    def next(self, page: PageView, current: Any) -> Any:
        """The next URL, resolved against the URL that returned this page (RFC 3986)."""
        link = lookup(self.pointer_path, page)
        if not link or not isinstance(link, str):
            return None
        return urljoin(page.url, link.strip())

    def place(self, request: HTTPRequest, value: Any) -> None:
        """First page: the spec's URL with the limit; then the link as given.

        A limit in a header or the JSON body (`parameterType`) is not part of the link, so it
        goes with every page, as the rest of the first page's headers and body do.
        """
        if value is None or self.placement != "QUERYPARAM":
            super().place(request, value)
        if value is not None:
            WholeURL().put(request, value)


@dataclass(frozen=True)
class ContinuationToken(PagingType):
    """`CONTINUATION_TOKEN`: the token at `continuationTokenPath`, sent as `parameterName`."""

    type = "CONTINUATION_TOKEN"
    token_path: str = ""
    parameter_name: str = ""

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> PagingType | None:
        """`continuationTokenPath` (or `headers.<name>`) and `parameterName`."""
        path = fields.json_path("continuationTokenPath", required=True, headers=True)
        name = fields.text("parameterName", required=True)
        return cls(**common, token_path=path, parameter_name=name) if path and name else None

    def next(self, page: PageView, current: Any) -> Any:
        """The token, or None at the end."""
        token = lookup(self.token_path, page)
        if token is None or token == "" or token is False:
            return None
        return token if isinstance(token, str) else as_text(token)

    def place(self, request: HTTPRequest, value: Any) -> None:
        """The limit, and the token from the second page on."""
        super().place(request, value)
        placement(self.placement, self.parameter_name).put(request, value)


@dataclass(frozen=True)
class PageNumber(PagingType):
    """`PAGE`: `page=N&limit=V`, N from `initialPageIndex`, to `endPageIndex` if given."""

    type = "PAGE"
    needs_limit = True
    counts_pages = True
    page_param: str = "page"
    initial_page: int = 0
    end_page: int | None = None
    end_page_header: str | None = None

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> PagingType | None:
        """`pageParamName`, `initialPageIndex`, `endPageIndex` (a number or `headers.<name>`)."""
        name = fields.text("pageParamName", required=True)
        initial = fields.integer("initialPageIndex", default=0) or 0
        end = fields.value("endPageIndex")
        end_page, end_header = None, None
        if isinstance(end, str) and end.strip().lower().startswith("headers."):
            end_header = end.strip()[len("headers.") :]
            if not end_header:
                fields.add("endPageIndex", "'headers.' needs a header name")
        else:
            end_page = fields.integer("endPageIndex")
        if not name:
            return None
        return cls(
            **common, page_param=name, initial_page=initial, end_page=end_page, end_page_header=end_header
        )

    def first(self) -> Any:
        """`initialPageIndex`."""
        return self.initial_page

    def next(self, page: PageView, current: Any) -> Any:
        """The next page number; None after a short page or the last page index."""
        last = self.end_page
        if self.end_page_header:
            count = page.headers.get(self.end_page_header)
            match = _DIGITS.fullmatch(count) if isinstance(count, str) else None
            if match:
                last = self.initial_page + int(match.group(1)) - 1
        if not self.full(page) or (last is not None and int(current) >= last):
            return None
        return int(current) + 1

    def place(self, request: HTTPRequest, value: Any) -> None:
        """Page number and limit."""
        super().place(request, value)
        placement(self.placement, self.page_param).put(request, value)


@dataclass(frozen=True)
class NoPaging(PagingType):
    """`NONE`: one request."""

    type = "NONE"


# What `paginationParams.type` may say, in the order a message lists them.
PAGING_TYPES: Registry[PagingType] = Registry(
    "type",
    (
        Offset,
        Pointer,
        ContinuationToken,
        PageNumber,
        NoPaging,
    ),
)


def is_header(path: str) -> bool:
    """The path names a response header (`headers.<name>`), not a JSONPath."""
    return path.lower().startswith("headers.")


def lookup(path: str, page: PageView) -> Any:
    """A value from the body (a JSONPath), a header (`headers.<name>`) or the Link header."""
    if is_header(path):
        name = path[len("headers.") :]
        if name.lower() == "link":
            return _next_link(page.links)
        return page.headers.get(name)
    return first_value(path, page.body)


def _next_link(links: Mapping[str, Mapping[str, str]]) -> str | None:
    """The `rel="next"` target of a Link header: rel types are case-insensitive and a link may
    carry several (`rel="next last"`, RFC 8288 section 3.3).
    """
    exact = links.get("next")
    if exact is not None:
        return exact.get("url")
    for rel, link in links.items():
        if "next" in str(rel).lower().split():
            return link.get("url")
    return None


def parse_paging(fields: Fields, present: bool) -> PagingType | None:
    """`paginationParams` (absent: `NONE`); None when it cannot be read."""
    if not present:
        return NoPaging()
    kind = fields.choice(fields.one_of("type", "paginationType"), PAGING_TYPES, required=True)  # beta
    cls = PAGING_TYPES.find(kind or "")
    delay = fields.integer("delayRequestMillis", default=0, maximum=MAX_DELAY_MS) or 0
    maximum = fields.integer("maximumRequest", default=10000, minimum=1) or 10000
    placed = fields.choice("parameterType", PLACEMENTS, default="QUERYPARAM") or "QUERYPARAM"
    needs_limit = bool(cls and cls.needs_limit)
    limit_name = fields.text("limitName", required=needs_limit)
    limit_value = None
    if limit_name or needs_limit:
        limit_value = fields.integer("limitValue", required=True, minimum=1)
    end = None
    end_path = fields.json_path("endConditionName", headers=True)
    if end_path is not None:
        if not fields.has("endConditionValue"):
            fields.add("endConditionValue", "required with endConditionName")
        end = EndCondition(end_path, fields.const("endConditionValue"))
    if cls is None:
        return None
    common = {
        "limit_name": limit_name,
        "limit_value": limit_value,
        "placement": placed,
        "end_condition": end,
        "maximum_request": maximum,
        "delay_ms": delay,
    }
    return cls.parse(fields, common)
