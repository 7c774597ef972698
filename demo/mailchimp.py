"""Mailchimp Marketing API 3.0: the page envelopes, and the email-activity ``since`` filter.

List members (``GET /3.0/lists/{list_id}/members``) and List email activity
(``GET /3.0/reports/{campaign_id}/email-activity``):
https://mailchimp.com/developer/marketing/api/list-members/list-members-info/ and
https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/
"""

from __future__ import annotations

from typing import Any

from demo.checks import time_param
from demo.messages import Request
from demo.paging import Page, Row
from demo.store import Context
from demo.times import epoch
from demo.vendors import MAILCHIMP


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
