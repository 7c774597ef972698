"""Mailchimp (demo/vendors/mailchimp/): the page shape, its windows, several lists, campaigns
and their reports."""

from __future__ import annotations

import requests

from demo.api import DemoAPI
from tests.demo.common import MAILCHIMP, get


def test_mailchimp_page_shape_and_windows(api: DemoAPI, http: requests.Session) -> None:
    path = f"/3.0/lists/{api.list_id}/members"
    body = get(http, api, path, MAILCHIMP, count=1000).json()
    assert body["total_items"] == 250 and len(body["members"]) == 250
    assert body["list_id"] == api.list_id
    past = get(http, api, path, MAILCHIMP, count=10, offset=999).json()
    assert past["members"] == [] and past["total_items"] == 250
    assert len(get(http, api, path, MAILCHIMP).json()["members"]) == 10  # count defaults to 10
    # the same moment in another offset; an unencoded "+" is a space, so a bad date
    one = get(http, api, path, MAILCHIMP, count=1000, since_last_changed="2025-02-15T10:00:00+00:00").json()
    two = get(http, api, path, MAILCHIMP, count=1000, since_last_changed="2025-02-15T11:00:00+01:00").json()
    assert one["members"] == two["members"] and 0 < one["total_items"] < 250
    plus = http.get(f"{api.url}{path}?since_last_changed=2025-02-15T10:00:00+00:00", timeout=10, **MAILCHIMP)
    assert plus.status_code == 400 and plus.json()["title"] == "Invalid Resource"
    assert plus.headers["Content-Type"].startswith("application/problem+json")


def test_mailchimp_serves_several_lists(api: DemoAPI, http: requests.Session) -> None:
    first, *others = api.list_ids
    assert first == api.list_id and len(others) == 2
    seen = {}
    for list_id in api.list_ids:
        body = get(http, api, f"/3.0/lists/{list_id}/members", MAILCHIMP, count=1000).json()
        assert body["list_id"] == list_id and body["total_items"] == len(body["members"])
        assert {m["list_id"] for m in body["members"]} == {list_id}
        assert all(list_id in m["_links"][0]["href"] for m in body["members"])
        seen[list_id] = {m["id"] for m in body["members"]}
    assert seen[first] == set(api.ids("mailchimp_members"))
    assert seen[first] & seen[others[0]]  # the same person (the same id) on two lists


def test_mailchimp_campaigns_and_their_reports(api: DemoAPI, http: requests.Session) -> None:
    campaigns = api.records("mailchimp_campaigns")
    pages = [get(http, api, "/3.0/campaigns", MAILCHIMP, count=4, offset=o).json() for o in (0, 4)]
    assert [c["id"] for p in pages for c in p["campaigns"]] == [c["id"] for c in campaigns]
    assert pages[0]["total_items"] == len(campaigns) and api.campaign_id in {c["id"] for c in campaigns}
    newest = get(http, api, "/3.0/campaigns", MAILCHIMP, sort_field="create_time", sort_dir="DESC").json()
    assert [c["id"] for c in newest["campaigns"]] == [c["id"] for c in reversed(campaigns)]
    assert get(http, api, "/3.0/campaigns", MAILCHIMP, sort_field="title").status_code == 400
    sent = get(http, api, "/3.0/campaigns", MAILCHIMP, status="sent").json()["campaigns"]
    assert sent and {c["status"] for c in sent} == {"sent"} and all("report_summary" in c for c in sent)
    for campaign in campaigns:
        report = get(http, api, f"/3.0/reports/{campaign['id']}/email-activity", MAILCHIMP, count=1000).json()
        assert {e["campaign_id"] for e in report["emails"]} <= {campaign["id"]}
        assert all(e["list_id"] == campaign["recipients"]["list_id"] for e in report["emails"])
        if campaign["status"] == "save":
            assert report["emails"] == [] and campaign["emails_sent"] == 0  # a draft: nothing sent
        else:
            assert len(report["emails"]) == campaign["emails_sent"] > 0
