"""Mailchimp Marketing API 3.0: the page envelopes, the lists and campaigns a path names,
the email-activity ``since`` filter and the campaigns' sort.

List members (``GET /3.0/lists/{list_id}/members``), List email activity
(``GET /3.0/reports/{campaign_id}/email-activity``) and List campaigns (``GET /3.0/campaigns``):
https://mailchimp.com/developer/marketing/api/list-members/list-members-info/,
https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/ and
https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/. An unknown list or
campaign is a 404. Mailchimp does not document what a draft's email-activity report answers;
the demo answers an empty ``emails`` array.
"""

from __future__ import annotations

from typing import Any

from demo.checks import time_param
from demo.messages import Request
from demo.paging import Page, Row
from demo.store import Context
from demo.times import epoch
from demo.vendors import MAILCHIMP


def list_members(request: Request, ctx: Context, list_id: str | None) -> list[Row]:
    """The members of the list the path names: the first list's, or another one's."""
    if list_id == ctx.settings.list_id:
        return ctx.store.rows("mailchimp_members")
    if list_id in ctx.settings.more_lists:
        return [m for m in ctx.store.rows("mailchimp_list_members") if m["list_id"] == list_id]
    raise MAILCHIMP.not_found(request.route)


def campaign_activity(request: Request, ctx: Context, campaign_id: str | None) -> list[Row]:
    """The emails of the campaign the path names (none for a campaign never sent)."""
    if campaign_id == ctx.settings.campaign_id:
        return ctx.store.rows("mailchimp_email_activity")
    if not any(c["id"] == campaign_id for c in ctx.store.rows("mailchimp_campaigns")):
        raise MAILCHIMP.not_found(request.route)
    return [e for e in ctx.store.rows("mailchimp_campaign_activity") if e["campaign_id"] == campaign_id]


def campaign_order(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """``sort_field`` (``create_time`` or ``send_time``) and ``sort_dir`` (``ASC``, ``DESC``)."""
    field = request.q("sort_field")
    direction = (request.q("sort_dir") or "ASC").upper()
    if field not in (None, "create_time", "send_time") or direction not in ("ASC", "DESC"):
        raise MAILCHIMP.invalid(
            "sort_field", "sort_field and sort_dir: create_time or send_time, ASC or DESC"
        )
    if field is None:
        return rows
    return sorted(rows, key=lambda c: c[field], reverse=direction == "DESC")


def campaigns(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
    return {
        "campaigns": page.rows,
        "total_items": page.total,
        "_links": [{"rel": "self", "href": request.link(request.route), "method": "GET"}],
    }


def members(request: Request, ctx: Context, page: Page, list_id: str | None) -> dict[str, Any]:
    return {
        "members": page.rows,
        "list_id": list_id,
        "total_items": page.total,
        "_links": [
            {"rel": "self", "href": request.link(request.route), "method": "GET"},
            {"rel": "parent", "href": request.link(f"/3.0/lists/{list_id}"), "method": "GET"},
        ],
    }


def activity_since(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """``since``: only the activity after that moment (every email stays listed)."""
    since = time_param(request, "since", MAILCHIMP.invalid, MAILCHIMP.bad_time)
    if since is None:
        return rows
    return [{**e, "activity": [a for a in e["activity"] if epoch(a["timestamp"]) > since]} for e in rows]


def activity(request: Request, ctx: Context, page: Page, campaign_id: str | None) -> dict[str, Any]:
    return {
        "emails": page.rows,
        "campaign_id": campaign_id,
        "total_items": page.total,
        "_links": [{"rel": "self", "href": request.link(request.route), "method": "GET"}],
    }
