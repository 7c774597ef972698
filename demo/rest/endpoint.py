"""One endpoint of a vendor, and the one list flow that answers every list endpoint.

An ``Endpoint`` names its error shapes (its vendor's, usually), the credential scheme, the
dataset, the paging style with its page-size bounds, the time-window parameters with their
inclusivity, the equality filters and the envelope. ``scope`` picks the rows a path
argument selects (a list's members, a source's connected destinations), raising the API's
404 for an unknown parent; ``select`` and ``handler`` carry the quirks a row cannot say.
The callables are usually the vendor's bound methods, so they reach its store and settings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from demo.core.messages import Reply, Request, json_reply
from demo.data.store import Row, Store
from demo.rest.checks import in_window
from demo.rest.credentials import check_credentials
from demo.rest.errors import ErrorShapes
from demo.rest.paging import Match, Page, Paging, WindowParam

Scope = Callable[[Request, str | None], list[Row]]
Select = Callable[[Request, list[Row]], list[Row]]
Envelope = Callable[[Request, Page, str | None], Any]
Headers = Callable[[Request, Page, str | None], dict[str, str]]
Handler = Callable[[Request], Reply]
Check = Callable[[Request], None]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: how it authenticates, selects, pages and wraps its records."""

    method: str
    path: str  # a regular expression; ``(?P<arg>...)`` is a path argument
    errors: ErrorShapes
    auth: str | None  # a scheme of ``credentials.check_credentials``; None: no credentials
    dataset: str = ""
    paging: Paging | None = None
    window: tuple[WindowParam, ...] = ()
    filters: tuple[Match, ...] = ()
    scope: Scope | None = None  # the rows of one path argument (default: the whole dataset)
    select: Select | None = None  # more filtering, sorting or reshaping (a quirk)
    envelope: Envelope | None = None  # the answer's body around a page
    headers: Headers | None = None  # the answer's own headers (a ``Link``, say)
    handler: Handler | None = None  # replaces the list flow
    authorized: Check | None = None  # a further credential check (Help Scout's tokens)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"^{self.path}/?$")


def authorize(endpoint: Endpoint, request: Request) -> None:
    """Raise the API's 401 unless the request's credentials fit the endpoint's scheme."""
    if endpoint.auth is None:
        return
    verdict = check_credentials(endpoint.auth, request)
    if not verdict:
        raise endpoint.errors.unauthorized(verdict is None)
    if endpoint.authorized is not None:
        endpoint.authorized(request)


def list_records(endpoint: Endpoint, request: Request, store: Store, arg: str | None) -> Reply:
    """The list flow: paging and window checks, the scope's rows, selection, page, envelope."""
    errors = endpoint.errors
    assert endpoint.paging is not None and endpoint.envelope is not None
    paging = endpoint.paging.read(request, errors)
    bounds = [b for w in endpoint.window if (b := w.bound(request, errors)) is not None]
    with store.lock:
        rows = endpoint.scope(request, arg) if endpoint.scope else store.rows(endpoint.dataset)
        rows = in_window(rows, bounds)
        if endpoint.filters:
            rows = [r for r in rows if all(m.holds(request, r) for m in endpoint.filters)]
        if endpoint.select is not None:
            rows = endpoint.select(request, rows)
        page = endpoint.paging.cut(rows, paging)
        headers = endpoint.headers(request, page, arg) if endpoint.headers is not None else None
        return json_reply(endpoint.envelope(request, page, arg), headers=headers)
