"""Zendesk Support ``GET /api/v2/search/export``: the query grammar and its cursors.

Export Search Results
(https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#export-search-results):
``filter[type]`` is required, ``query`` holds terms such as ``type:user``,
``updated>2024-01-01T00:00:00Z`` or ``updated < ...`` (``>`` and ``<`` are strict, ``:``
is the same day), ``page[size]`` up to 1000, and ``page[after]`` takes the opaque
``meta.after_cursor``. Results come in creation order.

The last page says ``"has_more": false`` and still carries a non-null ``after_cursor``
(and ``links.next``), as Adobe's own Zendesk example response shows (Self-Serve Sources
(Batch SDK), CONTINUATION_TOKEN: ``"meta": {"has_more": false, "after_cursor":
"eyJmaWVsZCI6ImNyZWF0ZWRfYXQiLCJk", "before_cursor": null}``); asking with that cursor
answers an empty ``results`` page, ``has_more: false``, no cursor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from demo.checks import Bound, int_param
from demo.messages import Request
from demo.paging import Page, Row, b64, unb64
from demo.store import Context
from demo.times import epoch, parse_time
from demo.vendors import ZENDESK, Vendor

_TERM = re.compile(r"([A-Za-z_]+)\s*(>=|<=|>|<|:)\s*(\"[^\"]*\"|\S+)")
_COLUMNS = {"updated": "updated_at", "created": "created_at"}
KINDS = ("ticket", "user", "organization", "group")


def search_error(message: str) -> Exception:
    return ZENDESK.error(400, message, title="Invalid search")


def parse_query(query: str) -> tuple[list[Bound], bool]:
    """The query's time bounds, and False if its ``type:`` term excludes users."""
    bounds: list[Bound] = []
    users = True
    for name, op, raw in _TERM.findall(query):
        value = raw.strip('"')
        if name == "type":
            users = users and value == "user"
        elif name in _COLUMNS:
            try:
                moment = parse_time(value).timestamp()
            except ValueError:
                raise search_error(f"Invalid date in query: {name}{op}{value}") from None
            bounds.append(Bound(_COLUMNS[name], op, moment))
    return bounds, users


def search(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """The users the ``filter[type]`` and ``query`` select, oldest created first."""
    kind = request.q("filter[type]")
    if not kind:
        raise search_error("filter[type] is required")
    if kind not in KINDS:
        raise search_error(f"filter[type] {kind!r} is not supported")
    query = request.q("query")
    if query is None:
        raise search_error("query is required")
    bounds, users = parse_query(query)
    if kind != "user" or not users:
        return []
    kept = [r for r in rows if all(b.holds(r) for b in bounds)]
    return sorted(kept, key=lambda r: (epoch(r["created_at"]), r["id"]))


@dataclass(frozen=True)
class Keyset:
    """``page[size]`` and ``page[after]``: a cursor on (created_at, id) of the last record."""

    size: str = "page[size]"
    after: str = "page[after]"
    default: int = 100
    hi: int = 1000

    def read(self, request: Request, vendor: Vendor) -> tuple[int, tuple[float, int] | None]:
        size = int_param(request, self.size, vendor.invalid, default=self.default, lo=1, hi=self.hi)
        raw = request.q(self.after)
        if not raw:
            return size, None
        try:
            cursor = json.loads(unb64(raw))
            return size, (epoch(cursor["value"]), int(cursor["id"]))
        except (ValueError, KeyError, TypeError):
            raise vendor.invalid(self.after, f"{self.after} is not a valid cursor") from None

    def cut(self, rows: list[Row], params: tuple[int, tuple[float, int] | None]) -> Page:
        size, position = params
        if position is not None:
            rows = [r for r in rows if (epoch(r["created_at"]), r["id"]) > position]
        page = rows[:size]
        cursor = None
        if page:  # a cursor whenever the page holds records, the last page's too
            last = page[-1]
            state = {"field": "created_at", "desc": False, "value": last["created_at"], "id": last["id"]}
            cursor = b64(json.dumps(state, separators=(",", ":")))
        return Page(page, len(rows), limit=size, next=cursor, more=len(rows) > size)


def export(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
    next_link = None
    if page.next:
        pairs = [*request.kept("page[after]"), ("page[after]", page.next)]
        next_link = request.link("/api/v2/search/export.json", pairs)
    return {
        "results": page.rows,
        "facets": None,
        "meta": {"has_more": page.more, "after_cursor": page.next, "before_cursor": None},
        "links": {"prev": None, "next": next_link},
    }
