"""The demo's endpoints as data: one row per endpoint, one list flow for all of them.

Each row names the API (its error shapes), the credential scheme, the dataset, the paging
style with its page-size bounds, the time-window parameters with their inclusivity, the
equality filters and the envelope. Quirks that a table cannot say live in one module per
API (``zendesk``, ``helpscout``, ``hubspot``, ``mailchimp``) and are named in the row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from demo import helpscout, hubspot, mailchimp, zendesk
from demo.checks import in_window
from demo.messages import ApiError, Reply, Request, json_reply
from demo.paging import After, Cursor, Match, Numbered, Offset, Page, Paging, Row, WindowParam
from demo.store import Context
from demo.vendors import (
    HELPSCOUT,
    HUBSPOT,
    MAILCHIMP,
    OAUTH,
    SEGMENT,
    ZENDESK,
    Vendor,
    check_credentials,
    credentials,
    vendor_of,
)

Select = Callable[[Request, Context, list[Row]], list[Row]]
Envelope = Callable[[Request, Context, Page, str | None], dict[str, Any]]


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
    arg: str = ""  # the ``Settings`` field a path argument must equal (else 404)
    select: Select | None = None  # more filtering, sorting or reshaping (a quirk)
    envelope: Envelope | None = None
    handler: Callable[[Request, Context], Reply] | None = None  # replaces the list flow

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"^{self.path}/?$")


def segment(key: str) -> Envelope:
    """Segment Public API lists: ``data.<key>`` and ``data.pagination``
    (https://docs.segmentapis.com/tag/Pagination)."""

    def envelope(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
        pagination = {
            "current": page.current,
            "next": page.next,
            "previous": page.previous,
            "totalEntries": page.total,
        }
        return {"data": {key: page.rows, "pagination": pagination}}

    return envelope


SEGMENT_PAGING = Cursor("pagination.count", "pagination.cursor", hi=1000)

ENDPOINTS: tuple[Endpoint, ...] = (
    # Mailchimp: count 0..1000 (default 10) and offset; since_last_changed inclusive,
    # before_last_changed exclusive; Basic with the API key as password.
    Endpoint(
        "GET",
        r"/3\.0/lists/(?P<arg>[^/]+)/members",
        MAILCHIMP,
        "key",
        dataset="mailchimp_members",
        arg="list_id",
        paging=Offset("count", "offset", default=10, hi=1000),
        window=(
            WindowParam("since_last_changed", "last_changed", ">="),
            WindowParam("before_last_changed", "last_changed", "<"),
        ),
        filters=(Match("status"),),
        envelope=mailchimp.members,
    ),
    Endpoint(
        "GET",
        r"/3\.0/reports/(?P<arg>[^/]+)/email-activity",
        MAILCHIMP,
        "key",
        dataset="mailchimp_email_activity",
        arg="campaign_id",
        paging=Offset("count", "offset", default=10, hi=1000),
        select=mailchimp.activity_since,
        envelope=mailchimp.activity,
    ),
    # Zendesk: the query grammar and keyset cursors are its own (demo/zendesk.py).
    Endpoint(
        "GET",
        r"/api/v2/search/export(?:\.json)?",
        ZENDESK,
        "basic_or_bearer",
        dataset="zendesk_users",
        paging=zendesk.Keyset(),
        select=zendesk.search,
        envelope=zendesk.export,
    ),
    # Segment: pagination.count 1..1000 is required, pagination.cursor from
    # data.pagination.next; startTime inclusive, endTime exclusive; bearer token.
    Endpoint(
        "GET", r"/sources", SEGMENT, "bearer", "segment_sources", SEGMENT_PAGING, envelope=segment("sources")
    ),
    Endpoint(
        "GET",
        r"/audit-events",
        SEGMENT,
        "bearer",
        dataset="segment_audit_events",
        paging=SEGMENT_PAGING,
        window=(WindowParam("startTime", "timestamp", ">="), WindowParam("endTime", "timestamp", "<")),
        filters=(Match("resourceId"), Match("resourceType", casefold=True)),
        envelope=segment("events"),
    ),
    # HubSpot: limit 1..100 (default 10), after = the next id, paging.next.link.
    Endpoint(
        "GET",
        r"/crm/v3/objects/contacts",
        HUBSPOT,
        "bearer",
        dataset="hubspot_contacts",
        paging=After("limit", "after", default=10, hi=100),
        select=hubspot.contacts_filter,
        envelope=hubspot.contacts,
    ),
    # Help Scout: 25 a page from page 1, modifiedSince inclusive; status and sort are its own.
    Endpoint(
        "GET",
        r"/v2/conversations",
        HELPSCOUT,
        "bearer",
        dataset="helpscout_conversations",
        paging=Numbered("page", helpscout.PAGE_SIZE),
        window=(WindowParam("modifiedSince", "userUpdatedAt", ">="),),
        select=helpscout.select,
        envelope=helpscout.conversations,
    ),
    Endpoint("POST", r"/v2/oauth2/token", OAUTH, None, handler=helpscout.token),
)


def authorize(endpoint: Endpoint, request: Request, ctx: Context) -> None:
    """Raise the API's 401 unless the request's credentials fit the endpoint's scheme."""
    if endpoint.auth is None:
        return
    verdict = check_credentials(endpoint.auth, request)
    if not verdict:
        raise endpoint.vendor.unauthorized(verdict is None)
    if endpoint.vendor is HELPSCOUT:
        helpscout.authorized(request, ctx, credentials(request)[1])


def list_records(endpoint: Endpoint, request: Request, ctx: Context, arg: str | None) -> Reply:
    """The list flow: path argument, paging and window checks, selection, page, envelope."""
    vendor = endpoint.vendor
    if endpoint.arg and arg != getattr(ctx.settings, endpoint.arg):
        raise vendor.not_found(request.route)
    assert endpoint.paging is not None and endpoint.envelope is not None
    paging = endpoint.paging.read(request, vendor)
    bounds = [b for w in endpoint.window if (b := w.bound(request, vendor)) is not None]
    with ctx.store.lock:
        rows = in_window(ctx.store.rows(endpoint.dataset), bounds)
        if endpoint.filters:
            rows = [r for r in rows if all(m.holds(request, r) for m in endpoint.filters)]
        if endpoint.select is not None:
            rows = endpoint.select(request, ctx, rows)
        page = endpoint.paging.cut(rows, paging)
        return json_reply(endpoint.envelope(request, ctx, page, arg))


def route(request: Request, ctx: Context) -> Reply:
    """Answer an API request from the table (404 and 405 in the API's own shape)."""
    path = request.route
    allowed = []
    for endpoint in ENDPOINTS:
        match = endpoint.pattern.match(path)
        if not match:
            continue
        if request.method != endpoint.method:
            allowed.append(endpoint.method)
            continue
        authorize(endpoint, request, ctx)
        if endpoint.handler is not None:
            return endpoint.handler(request, ctx)
        return list_records(endpoint, request, ctx, match.groupdict().get("arg"))
    if allowed:
        allow = ", ".join(allowed)
        raise ApiError(405, {"error": "Method Not Allowed", "allowed": allow}, {"Allow": allow})
    raise vendor_of(path).not_found(path)


def vendor_for(path: str) -> Vendor:
    """The API that owns a path (for the shape of an injected fault's answer)."""
    for endpoint in ENDPOINTS:
        if endpoint.pattern.match(path):
            return endpoint.vendor
    return vendor_of(path)
