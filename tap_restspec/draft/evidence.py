"""What one page says about its pagination: a next page's URL (the `Link` header, or in the body),
a cursor, a flag saying whether more follow, totals, and the page number, size or offset it echoes.

Names are compared without case or punctuation (`has_more`, `hasMore`). Only objects are
searched, a few levels deep, never the records. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from tap_restspec.draft.records import members, norm, path_of
from tap_restspec.paging.types import PageView, lookup

NEXT_URLS = frozenset(
    {"next", "nextpage", "nextlink", "nexturl", "nextpageurl", "nextrecordsurl", "odatanextlink", "nexthref"}
)
URL_LEAVES = frozenset({"href", "url", "link", "uri"})
TOKEN_WORDS = ("cursor", "token", "next", "after", "continuation", "marker", "scroll")
NOT_TOKEN_WORDS = (
    "prev",
    "before",
    "total",
    "count",
    "has",
    "url",
    "link",
    "href",
    "self",
    "current",
    "first",
)
MORE_FLAGS = frozenset(
    {"hasmore", "more", "hasnext", "hasnextpage", "moreresults", "hasmoreitems", "hasmorepages"}
)
DONE_FLAGS = frozenset({"done", "last", "islast", "islastpage", "lastpage", "finished", "iscomplete"})
TOTALS = frozenset(
    {
        "total",
        "totalitems",
        "totalcount",
        "totalentries",
        "totalsize",
        "totalresults",
        "totalelements",
        "totalrecords",
        "xtotalcount",
        "xtotal",
    }
)
PAGE_COUNTS = frozenset(
    {
        "totalpages",
        "pages",
        "pagecount",
        "numpages",
        "lastpage",
        "xtotalpages",
        "xpagecount",
        "xpaginationpagecount",
        "xpaginationtotalpages",
    }
)
PAGE_ECHOES = frozenset({"page", "pagenumber", "currentpage", "pageindex", "pageno"})
PAGE_OBJECTS = frozenset({"page", "pagination", "paging", "meta"})  # `page.number` is the page number
LIMIT_ECHOES = frozenset({"perpage", "pagesize", "limit", "pagelimit", "maxresults"})
OFFSET_ECHOES = frozenset({"offset", "skip", "start", "startindex", "startat"})


@dataclass(frozen=True)
class Clue:
    """One thing a page says: where (a JSONPath, or `headers.<name>`), its name and its value."""

    path: str
    name: str
    value: Any


@dataclass(frozen=True)
class Evidence:
    """Everything a page says about its pagination."""

    link: str | None = None  # the Link header's rel="next" target, resolved
    next_urls: tuple[Clue, ...] = ()  # values resolved against the page's URL
    tokens: tuple[Clue, ...] = ()
    more: Clue | None = None  # true: more pages follow
    done: Clue | None = None  # true: this is the last page
    totals: tuple[Clue, ...] = ()
    page_counts: tuple[Clue, ...] = ()
    pages: tuple[Clue, ...] = ()
    limits: tuple[Clue, ...] = ()
    offsets: tuple[Clue, ...] = ()

    def more_follow(self, count: int) -> str | None:
        """Why the page says records follow it (`count` records on it), or None."""
        if self.link:
            return "the Link header has a next page"
        if self.next_urls:
            return f"{self.next_urls[0].path} holds the next page's URL"
        if self.more is not None and self.more.value is True:
            return f"{self.more.path} is true"
        if self.done is not None and self.done.value is False:
            return f"{self.done.path} is false"
        if self.tokens:
            return f"{self.tokens[0].path} holds a cursor"
        for clue in self.totals:
            if clue.value > count:
                return f"{clue.path} is {clue.value}, more than the {count} records of the first page"
        for clue in self.page_counts:
            if clue.value > 1:
                return f"{clue.path} is {clue.value}"
        return None


def read_page(view: PageView, records: tuple[str, ...] | None) -> Evidence:
    """The evidence of one page; `records` is where its records are (not searched)."""
    found: dict[str, list[Clue]] = {
        k: [] for k in ("next", "token", "more", "done", "total", "count", "page", "limit", "offset")
    }
    for segments, value in members(view.body):
        if records and segments[: len(records)] == records:
            continue
        kind = _kind(segments, value)
        if kind is not None:
            shown = urljoin(view.url, value.strip()) if kind == "next" else value
            found[kind].append(Clue(path_of(segments), segments[-1], shown))
    for name, value in view.headers.items():
        number = _count(value)
        if number is not None and norm(name) in TOTALS:
            found["total"].append(Clue(f"headers.{name}", name, number))
        elif number is not None and norm(name) in PAGE_COUNTS:
            found["count"].append(Clue(f"headers.{name}", name, number))
    link = lookup("headers.link", view)
    return Evidence(
        link=urljoin(view.url, link.strip()) if isinstance(link, str) and link.strip() else None,
        next_urls=tuple(found["next"]),
        tokens=tuple(sorted(found["token"], key=_token_rank)),
        more=next(iter(found["more"]), None),
        done=next(iter(found["done"]), None),
        totals=tuple(found["total"]),
        page_counts=tuple(found["count"]),
        pages=tuple(found["page"]),
        limits=tuple(found["limit"]),
        offsets=tuple(found["offset"]),
    )


def _kind(segments: tuple[str, ...], value: Any) -> str | None:
    """What a body member is evidence of, by its name (and its parent's) and its value."""
    name, parent = norm(segments[-1]), norm(segments[-2]) if len(segments) > 1 else ""
    if isinstance(value, str) and value.strip():
        if is_url(value) and (name in NEXT_URLS or (name in URL_LEAVES and parent in NEXT_URLS)):
            return "next"
        if not is_url(value) and _token_name(name):
            return "token"
        return None
    if isinstance(value, bool):
        return "more" if name in MORE_FLAGS else "done" if name in DONE_FLAGS else None
    if not isinstance(value, int) or value < 0:
        return None
    if name in TOTALS:
        return "total"
    if name in PAGE_COUNTS:
        return "count"
    if name in PAGE_ECHOES or (name == "number" and parent in PAGE_OBJECTS):
        return "page"
    if name in LIMIT_ECHOES or (name == "size" and parent in PAGE_OBJECTS):
        return "limit"
    if name in OFFSET_ECHOES:
        return "offset"
    if _token_name(name) and ("cursor" in name or "token" in name):
        return "token"
    return None


def _token_name(name: str) -> bool:
    return any(w in name for w in TOKEN_WORDS) and not any(w in name for w in NOT_TOKEN_WORDS)


def _token_rank(clue: Clue) -> int:
    """Cursor-named members first, then `next`-named, then the rest."""
    name = norm(clue.name)
    return 0 if "cursor" in name or "token" in name else 1 if "next" in name else 2


def is_url(text: str) -> bool:
    """An absolute http(s) URL, or a relative one as APIs give them (`/path?...`, `?after=...`)."""
    text = text.strip()
    return bool(re.match(r"(?i)https?://", text)) or text.startswith(("/", "?"))


def _count(value: Any) -> int | None:
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 12 else None
