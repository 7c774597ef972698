"""Mailchimp Marketing API 3.0: a few lists with their members, campaigns and their reports.

List members (``GET /3.0/lists/{list_id}/members``), List email activity
(``GET /3.0/reports/{campaign_id}/email-activity``) and List campaigns (``GET /3.0/campaigns``):
https://mailchimp.com/developer/marketing/api/list-members/list-members-info/,
https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/ and
https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/. ``count`` 0..1000
(default 10) and ``offset``, ``total_items``; ``since_last_changed`` inclusive,
``before_last_changed`` exclusive; Basic auth with the API key as password. Errors are
problem details (RFC 7807). An unknown list or campaign is a 404. Mailchimp does not
document what a draft's email-activity report answers; the demo answers an empty ``emails``.

``records``: the first list's members and the first campaign's emails; ``account``: the other
lists, the campaigns and their reports.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row, Store
from demo.data.times import epoch
from demo.rest.checks import time_param
from demo.rest.endpoint import Endpoint
from demo.rest.paging import Match, Offset, Page, WindowParam
from demo.rest.vendor import Option, Vendor
from demo.vendors.mailchimp import account, records

PROBLEM_TYPE = "application/problem+json; charset=utf-8"
PAGING = Offset("count", "offset", default=10, hi=1000)


class Mailchimp(Vendor):
    """Mailchimp: list members, campaigns, email activity."""

    name = "mailchimp"
    prefix = "/3.0/"
    datasets = (
        Dataset("mailchimp_members", change_key="last_changed", size="members"),
        Dataset("mailchimp_email_activity", id_key="email_id", size="emails"),
        Dataset("mailchimp_list_members", id_key=None),  # (list_id, id): an id repeats across lists
        Dataset("mailchimp_campaigns"),
        # (campaign_id, email_id)
        Dataset("mailchimp_campaign_activity", id_key=None, links=(("campaign_id", "mailchimp_campaigns"),)),
    )
    options = (
        Option("members", 250),
        Option("emails", 120),
        Option("lists", 3),
        Option("campaigns", 6),
        Option("list_id", "a1b2c3d4e5", flag=False),
        Option("campaign_id", "42694e9e57", flag=False),
        Option("dc", "us21", flag=False),
    )

    def __init__(self, store: Store, settings: Mapping[str, Any], extra: Mapping[str, int]) -> None:
        super().__init__(store, settings, extra)
        self.more_lists = account.extra_list_ids(max(self.settings["lists"], 1))
        self.settings["list_ids"] = [self.list_id, *self.more_lists]

    @property
    def list_id(self) -> str:
        return str(self.settings["list_id"])

    @property
    def campaign_id(self) -> str:
        return str(self.settings["campaign_id"])

    @property
    def dc(self) -> str:
        return str(self.settings["dc"])

    # ---------------------------------------------------------------- error shapes

    bad_time = (
        "The resource submitted could not be validated. {name}: {raw!r} is not a valid "
        "ISO 8601 date-time (for example 2015-10-21T15:41:36+00:00)"
    )

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        title = extra.pop("title", "Invalid Resource" if status == 400 else "Error")
        body = {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": title,
            "status": status,
            "detail": message,
            "instance": str(uuid.uuid4()),
        }
        return ApiError(status, body, {"Content-Type": PROBLEM_TYPE})

    def unauthorized(self, missing: bool) -> ApiError:
        if missing:
            return self.error(401, "Your request did not include an API key.", title="API Key Missing")
        return self.error(
            401,
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            title="API Key Invalid",
        )

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "The requested resource could not be found.", title="Resource Not Found")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        if dataset == "mailchimp_members":
            return records.member(rng, n, created, changed, self)
        return records.report_email(rng, n, created, changed, self)

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        if dataset == "mailchimp_members":
            records.touch_member(row, rng, moment)
        else:
            records.touch_email(row, rng, moment)

    def add(self, dataset: str, rng: random.Random, moment: datetime) -> Row:
        row = super().add(dataset, rng, moment)
        if dataset == "mailchimp_email_activity":  # a new email has its first activity now
            row["activity"] = [records.activity(rng, moment)]
        return row

    def build(self, now: datetime) -> None:
        sizes = {**account.SIZES, "campaigns": self.settings["campaigns"], **self.extra}
        rng = random.Random(f"{self.name}:{self.store.seed}")
        account.generate(rng, self.store.data, self.store.make, self, now, sizes)

    def loaded(self) -> None:
        lists = dict.fromkeys(m["list_id"] for m in self.store.data["mailchimp_list_members"])
        self.more_lists = tuple(lists) or self.more_lists
        self.settings["list_ids"] = [self.list_id, *self.more_lists]

    # ---------------------------------------------------------------- answers

    def params(self) -> dict[str, Any]:
        return {"dc": self.dc, "listId": self.list_id, "campaignId": self.campaign_id}

    def endpoints(self) -> tuple[Endpoint, ...]:
        return (
            Endpoint(
                "GET",
                r"/3\.0/lists/(?P<arg>[^/]+)/members",
                self,
                "key",
                dataset="mailchimp_members",
                scope=self.list_members,
                paging=PAGING,
                window=(
                    WindowParam("since_last_changed", "last_changed", ">="),
                    WindowParam("before_last_changed", "last_changed", "<"),
                ),
                filters=(Match("status"),),
                envelope=self.members,
            ),
            Endpoint(
                "GET",
                r"/3\.0/reports/(?P<arg>[^/]+)/email-activity",
                self,
                "key",
                dataset="mailchimp_email_activity",
                scope=self.campaign_activity,
                paging=PAGING,
                select=self.activity_since,
                envelope=self.activity,
            ),
            # status and type filters, sort_field / sort_dir.
            Endpoint(
                "GET",
                r"/3\.0/campaigns",
                self,
                "key",
                dataset="mailchimp_campaigns",
                paging=PAGING,
                filters=(Match("status"), Match("type")),
                select=self.campaign_order,
                envelope=self.campaigns,
            ),
        )

    def list_members(self, request: Request, list_id: str | None) -> list[Row]:
        """The members of the list the path names: the first list's, or another one's."""
        if list_id == self.list_id:
            return self.store.rows("mailchimp_members")
        if list_id in self.more_lists:
            return [m for m in self.store.rows("mailchimp_list_members") if m["list_id"] == list_id]
        raise self.not_found(request.route)

    def campaign_activity(self, request: Request, campaign_id: str | None) -> list[Row]:
        """The emails of the campaign the path names (none for a campaign never sent)."""
        if campaign_id == self.campaign_id:
            return self.store.rows("mailchimp_email_activity")
        if not any(c["id"] == campaign_id for c in self.store.rows("mailchimp_campaigns")):
            raise self.not_found(request.route)
        return [e for e in self.store.rows("mailchimp_campaign_activity") if e["campaign_id"] == campaign_id]

    def campaign_order(self, request: Request, rows: list[Row]) -> list[Row]:
        """``sort_field`` (``create_time`` or ``send_time``) and ``sort_dir`` (``ASC``, ``DESC``)."""
        field = request.q("sort_field")
        direction = (request.q("sort_dir") or "ASC").upper()
        if field not in (None, "create_time", "send_time") or direction not in ("ASC", "DESC"):
            raise self.invalid("sort_field", "sort_field and sort_dir: create_time or send_time, ASC or DESC")
        if field is None:
            return rows
        return sorted(rows, key=lambda c: c[field], reverse=direction == "DESC")

    def activity_since(self, request: Request, rows: list[Row]) -> list[Row]:
        """``since``: only the activity after that moment (every email stays listed)."""
        since = time_param(request, "since", self.invalid, self.bad_time)
        if since is None:
            return rows
        return [{**e, "activity": [a for a in e["activity"] if epoch(a["timestamp"]) > since]} for e in rows]

    def campaigns(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        return {
            "campaigns": page.rows,
            "total_items": page.total,
            "_links": [{"rel": "self", "href": request.link(request.route), "method": "GET"}],
        }

    def members(self, request: Request, page: Page, list_id: str | None) -> dict[str, Any]:
        return {
            "members": page.rows,
            "list_id": list_id,
            "total_items": page.total,
            "_links": [
                {"rel": "self", "href": request.link(request.route), "method": "GET"},
                {"rel": "parent", "href": request.link(f"/3.0/lists/{list_id}"), "method": "GET"},
            ],
        }

    def activity(self, request: Request, page: Page, campaign_id: str | None) -> dict[str, Any]:
        return {
            "emails": page.rows,
            "campaign_id": campaign_id,
            "total_items": page.total,
            "_links": [{"rel": "self", "href": request.link(request.route), "method": "GET"}],
        }
