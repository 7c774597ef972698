"""One endpoint of the demo's table, and the one list flow that answers every list endpoint.

An ``Endpoint`` names the API (its error shapes), the credential scheme, the dataset, the
paging style with its page-size bounds, the time-window parameters with their inclusivity,
the equality filters and the envelope. ``scope`` picks the rows a path argument selects
(a list's members, a source's connected destinations), raising the API's 404 for an
unknown parent; quirks that a table cannot say live in one module per API.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from demo.checks import in_window
from demo.messages import Reply, Request, json_reply
from demo.paging import Match, Page, Paging, Row, WindowParam
from demo.store import Context
from demo.vendors import Vendor, check_credentials

Scope = Callable[[Request, Context, str | None], list[Row]]
Select = Callable[[Request, Context, list[Row]], list[Row]]
Envelope = Callable[[Request, Context, Page, str | None], dict[str, Any]]
Authorized = Callable[[Request, Context], None]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: how it authenticates, selects, pages and wraps its records."""

    method: str
    path: str  # a regular expression; ``(?P<arg>...)`` is a path argument
    vendor: Vendor
    auth: str | None  # see ``vendors.check_credentials``; None: no credentials
    dataset: str = ""
    paging: Paging | None = None
    window: tuple[WindowParam, ...] = ()
    filters: tuple[Match, ...] = ()
    scope: Scope | None = None  # the rows of one path argument (default: the whole dataset)
    select: Select | None = None  # more filtering, sorting or reshaping (a quirk)
    envelope: Envelope | None = None
    handler: Callable[[Request, Context], Reply] | None = None  # replaces the list flow
    authorized: Authorized | None = None  # a further credential check (Help Scout's tokens)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"^{self.path}/?$")


def authorize(endpoint: Endpoint, request: Request, ctx: Context) -> None:
    """Raise the API's 401 unless the request's credentials fit the endpoint's scheme."""
    if endpoint.auth is None:
        return
    verdict = check_credentials(endpoint.auth, request)
    if not verdict:
        raise endpoint.vendor.unauthorized(verdict is None)
    if endpoint.authorized is not None:
        endpoint.authorized(request, ctx)


def list_records(endpoint: Endpoint, request: Request, ctx: Context, arg: str | None) -> Reply:
    """The list flow: paging and window checks, the scope's rows, selection, page, envelope."""
    vendor = endpoint.vendor
    assert endpoint.paging is not None and endpoint.envelope is not None
    paging = endpoint.paging.read(request, vendor)
    bounds = [b for w in endpoint.window if (b := w.bound(request, vendor)) is not None]
    with ctx.store.lock:
        if endpoint.scope is not None:
            rows = endpoint.scope(request, ctx, arg)
        else:
            rows = ctx.store.rows(endpoint.dataset)
        rows = in_window(rows, bounds)
        if endpoint.filters:
            rows = [r for r in rows if all(m.holds(request, r) for m in endpoint.filters)]
        if endpoint.select is not None:
            rows = endpoint.select(request, ctx, rows)
        page = endpoint.paging.cut(rows, paging)
        return json_reply(endpoint.envelope(request, ctx, page, arg))
