"""The paging styles, time-window parameters and filters an ``Endpoint`` names.

A paging style ``read``s and checks its query parameters (raising the API's own error,
from its ``ErrorShapes``), then ``cut``s the matching records into a ``Page``. A new style is
one more class here with ``read`` and ``cut`` (``Paging``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Protocol

from demo.core.messages import Request
from demo.data.store import Row
from demo.rest.checks import Bound, epoch_param, int_param, time_param
from demo.rest.errors import ErrorShapes


@dataclass
class Page:
    """One page of the matching records."""

    rows: list[Row]
    total: int  # records matching the request, on every page
    offset: int = 0
    limit: int = 0
    number: int = 1  # the page number (numbered paging)
    pages: int = 1  # how many pages there are (numbered paging)
    current: str | None = None  # this page's token
    next: str | None = None  # the next page's token or cursor
    previous: str | None = None
    more: bool = False  # the API says more pages follow


class Paging(Protocol):
    def read(self, request: Request, errors: ErrorShapes) -> Any: ...

    def cut(self, rows: list[Row], params: Any) -> Page: ...


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unb64(text: str) -> str:
    return base64.b64decode(text.encode(), validate=True).decode()


@dataclass(frozen=True)
class Offset:
    """``limit=N&offset=M`` (Mailchimp's ``count``/``offset``)."""

    limit: str
    offset: str
    default: int
    hi: int
    lo: int = 0

    def read(self, request: Request, errors: ErrorShapes) -> tuple[int, int]:
        count = int_param(request, self.limit, errors.invalid, default=self.default, lo=self.lo, hi=self.hi)
        offset = int_param(request, self.offset, errors.invalid, default=0, lo=0)
        return count, offset

    def cut(self, rows: list[Row], params: tuple[int, int]) -> Page:
        count, offset = params
        return Page(rows[offset : offset + count], len(rows), offset=offset, limit=count)


@dataclass(frozen=True)
class Cursor:
    """A required count and an opaque cursor, the next one in the body (Segment)."""

    limit: str
    cursor: str
    hi: int
    lo: int = 1

    def read(self, request: Request, errors: ErrorShapes) -> tuple[int, int]:
        count = int_param(request, self.limit, errors.invalid, lo=self.lo, hi=self.hi)
        raw = request.q(self.cursor)
        try:
            offset = int(unb64(raw)) if raw else 0
        except ValueError:
            raise errors.invalid(self.cursor, "Invalid pagination cursor") from None
        return count, offset

    def cut(self, rows: list[Row], params: tuple[int, int]) -> Page:
        count, offset = params
        page = rows[offset : offset + count]
        after = offset + len(page)
        return Page(
            page,
            len(rows),
            offset=offset,
            limit=count,
            current=b64(str(offset)),
            next=b64(str(after)) if after < len(rows) else None,
            previous=b64(str(max(offset - count, 0))) if offset > 0 else None,
        )


@dataclass(frozen=True)
class After:
    """``limit`` and ``after`` = the next record's numeric id (HubSpot's CRM lists)."""

    limit: str
    after: str
    default: int
    hi: int
    lo: int = 1
    key: str = "id"

    def read(self, request: Request, errors: ErrorShapes) -> tuple[int, int]:
        limit = int_param(request, self.limit, errors.invalid, default=self.default, lo=self.lo, hi=self.hi)
        raw = request.q(self.after)
        try:
            start = int(raw) if raw else 0
        except ValueError:
            raise errors.invalid(self.after, f"Invalid {self.after}: {raw}") from None
        return limit, start

    def cut(self, rows: list[Row], params: tuple[int, int]) -> Page:
        limit, start = params
        rows = [r for r in rows if int(r[self.key]) >= start]
        page = rows[:limit]
        more = len(rows) > limit
        token = str(int(page[-1][self.key]) + 1) if more else None
        return Page(page, len(rows), limit=limit, next=token, more=more)


@dataclass(frozen=True)
class Numbered:
    """``page=N`` from ``first``, a fixed page ``size`` (Help Scout: 25 conversations)."""

    page: str
    size: int
    first: int = 1

    def read(self, request: Request, errors: ErrorShapes) -> int:
        return int_param(request, self.page, errors.invalid, default=self.first, lo=self.first)

    def cut(self, rows: list[Row], number: int) -> Page:
        pages = (len(rows) + self.size - 1) // self.size
        start = (number - self.first) * self.size
        page = rows[start : start + self.size]
        return Page(page, len(rows), offset=start, limit=self.size, number=number, pages=pages)


@dataclass(frozen=True)
class WindowParam:
    """A query parameter bounding a time window: records whose ``field`` <op> its value.

    ``op`` says the inclusivity: ``>=`` an inclusive start, ``>`` an exclusive one, ``<``
    an exclusive end, ``<=`` an inclusive one. With ``epoch`` the value is Unix seconds
    (Stripe's ``created[gte]``), else ISO 8601; the record's field may be either.
    """

    name: str
    field: str
    op: str
    epoch: bool = False

    def bound(self, request: Request, errors: ErrorShapes) -> Bound | None:
        read = epoch_param if self.epoch else time_param
        value = read(request, self.name, errors.invalid, errors.bad_epoch if self.epoch else errors.bad_time)
        return None if value is None else Bound(self.field, self.op, value)


@dataclass(frozen=True)
class Match:
    """Records whose ``field`` equals the parameter's value, when the parameter is given."""

    name: str
    field: str = ""
    casefold: bool = False

    def holds(self, request: Request, record: Row) -> bool:
        wanted = request.q(self.name)
        if not wanted:
            return True
        value = str(record[self.field or self.name])
        return value.lower() == wanted.lower() if self.casefold else value == wanted
