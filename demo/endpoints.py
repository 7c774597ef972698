"""The demo's endpoints as data: one row per endpoint (``demo.endpoint.Endpoint``), one list
flow for all of them, and the router.

Quirks that a table cannot say live in one module per API (``zendesk``, ``helpscout``,
``hubspot``, ``mailchimp``, ``segment``) and are named in the row; Segment's rows are in
``demo.segment``.
"""

from __future__ import annotations

from demo import helpscout, hubspot, mailchimp, segment, zendesk
from demo.endpoint import Endpoint, authorize, list_records
from demo.messages import ApiError, Reply, Request
from demo.paging import After, Match, Numbered, Offset, WindowParam
from demo.store import Context
from demo.vendors import HELPSCOUT, HUBSPOT, MAILCHIMP, OAUTH, ZENDESK, Vendor, vendor_of

__all__ = ["ENDPOINTS", "Endpoint", "route", "vendor_for"]

MAILCHIMP_PAGING = Offset("count", "offset", default=10, hi=1000)

ENDPOINTS: tuple[Endpoint, ...] = (
    # Mailchimp: count 0..1000 (default 10) and offset; since_last_changed inclusive,
    # before_last_changed exclusive; Basic with the API key as password.
    Endpoint(
        "GET",
        r"/3\.0/lists/(?P<arg>[^/]+)/members",
        MAILCHIMP,
        "key",
        dataset="mailchimp_members",
        scope=mailchimp.list_members,
        paging=MAILCHIMP_PAGING,
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
        scope=mailchimp.campaign_activity,
        paging=MAILCHIMP_PAGING,
        select=mailchimp.activity_since,
        envelope=mailchimp.activity,
    ),
    # Mailchimp campaigns: status and type filters, sort_field / sort_dir.
    Endpoint(
        "GET",
        r"/3\.0/campaigns",
        MAILCHIMP,
        "key",
        dataset="mailchimp_campaigns",
        paging=MAILCHIMP_PAGING,
        filters=(Match("status"), Match("type")),
        select=mailchimp.campaign_order,
        envelope=mailchimp.campaigns,
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
    *segment.ENDPOINTS,
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
    # HubSpot CRM search: filters, sorts, properties, limit and after in a JSON body.
    Endpoint("POST", r"/crm/v3/objects/contacts/search", HUBSPOT, "bearer", handler=hubspot.search),
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
        authorized=helpscout.authorized_request,
    ),
    Endpoint("POST", r"/v2/oauth2/token", OAUTH, None, handler=helpscout.token),
)


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
