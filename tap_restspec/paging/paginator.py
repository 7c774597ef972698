"""Running a pass through its pages: the end condition, `maximumRequest`, and the loop guards
that every pagination type shares (a value that comes back, an API that ignores the offset or
page number). The types themselves, and what each computes, are in `types.py`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.errors import StreamError
from tap_restspec.expr.template import as_text
from tap_restspec.model.jsonpath import compile_path
from tap_restspec.model.spec import EndCondition
from tap_restspec.paging.types import PageView, PagingType, is_header, lookup

LOGGER = logging.getLogger("tap-restspec")


def end_condition_holds(condition: EndCondition | None, page: PageView) -> bool:
    """`Const:false` compares with the JSON value (`Const:null`: the field is null); a field absent
    from the page never holds.
    """
    if condition is None:
        return False
    expected = condition.value
    if expected is None and not is_header(condition.path):
        # `Const:null`: the field is there and null (Zendesk's `"next_page": null`), not absent
        found = compile_path(condition.path)(page.body)
        return found is not None and len(found) > 0 and found[0] is None
    value = lookup(condition.path, page)
    if value is None:
        return False
    if isinstance(expected, str) and not isinstance(value, str):
        return as_text(value) == expected
    if is_header(condition.path) and not isinstance(expected, str):
        # a header is text: `Const:true` holds for `X-Last-Page: true`, `Const:0` for `0`
        return isinstance(value, str) and value.strip() == json.dumps(expected)
    return bool(value == expected and type(value) is type(expected))


class Paginator:
    """One pass of one stream through its pages: the value of each page, and when to stop.

    The SDK's BaseAPIPaginator reads `requests.Response` objects; this one reads the page
    the tap has parsed once (body, records, headers), so it is its own small class.
    """

    def __init__(self, config: PagingType, stream: str) -> None:
        self.config = config
        self.stream = stream
        self.current: Any = config.first()
        self.count = 0  # pages seen
        self.finished = False
        self.cut = False  # finished without evidence of the end (maximumRequest): an incomplete read
        self._seen: set[Any] = set()
        self._edges: tuple[Any, Any] | None = None

    def place(self, request: HTTPRequest) -> None:
        """Put the current page's value into the request; a value that cannot go there (a token
        with a line break for a header) stops the stream with one line, never a traceback.
        """
        try:
            self.config.place(request, self.current)
        except ValueError as exc:
            raise StreamError(
                f"stream {self.stream}: page {self.count + 1} cannot be requested: {exc}"
            ) from None

    def advance(self, page: PageView) -> None:
        """Move to the next page, or finish: on evidence that the API has no more (a short, empty or
        absent page, an end condition, no next value), or cut by `maximumRequest`; raise on a loop.
        """
        self.count += 1
        config = self.config
        if page.missing or not page.records or end_condition_holds(config.end_condition, page):
            self.finished = True
            return
        if config.counts_pages:
            self._same_page_again(page)
        value = config.next(page, self.current)
        if value is None or value == "":
            self.finished = True
            return
        if self.count >= config.maximum_request:  # the pass's owner says so, and what it means
            self.finished = self.cut = True
            return
        if value in self._seen or value == self.current:
            raise StreamError(
                f"stream {self.stream}: pagination value {str(value)[:80]!r} repeated after "
                f"{self.count} pages; stopping instead of looping"
            )
        self._seen.add(value)
        self.current = value

    def _same_page_again(self, page: PageView) -> None:
        records = page.records
        edges = (records[0], records[-1])
        if edges == self._edges:
            name = getattr(self.config, "offset_name", None) or getattr(self.config, "page_param", "")
            raise StreamError(
                f"stream {self.stream}: page {self.count} has the same records as the page before; "
                f"the API seems to ignore {name!r}, stopping"
            )
        self._edges = edges
