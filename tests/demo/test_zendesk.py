"""Zendesk (demo/vendors/zendesk.py): the last page keeps its cursor, the backfill's repeated query."""

from __future__ import annotations

from datetime import timedelta

import requests

from demo.api import DemoAPI
from demo.data.times import fmt_z
from tests.demo.common import NOW, ZENDESK, epoch, get


def test_zendesk_last_page_keeps_its_cursor(api: DemoAPI, http: requests.Session) -> None:
    params = {"query": "type:user", "filter[type]": "user", "page[size]": 1000}
    body = get(http, api, "/api/v2/search/export", ZENDESK, **params).json()
    created = [epoch(u["created_at"]) for u in body["results"]]
    assert created == sorted(created) and len(created) == 300
    # As in Adobe's example: the last page says has_more false but still carries a cursor...
    assert body["meta"]["has_more"] is False and body["meta"]["after_cursor"]
    assert body["facets"] is None and body["meta"]["before_cursor"] is None
    assert body["links"]["next"].startswith(f"{api.url}/api/v2/search/export.json?")
    # ...and the page after it is empty, with no cursor.
    params["page[after]"] = body["meta"]["after_cursor"]
    end = get(http, api, "/api/v2/search/export", ZENDESK, **params).json()
    assert end["results"] == [] and end["meta"] == {
        "has_more": False,
        "after_cursor": None,
        "before_cursor": None,
    }
    assert end["links"]["next"] is None


def test_zendesk_backfill_and_repeated_query(api: DemoAPI, http: requests.Session) -> None:
    end = NOW - timedelta(days=12)
    # Adobe's path expression adds ?query=type:user&filter[type]=user& on a backfill, then the
    # spec's queryParams come after it: the last query wins.
    url = f"{api.url}/api/v2/search/export?query=type:user&filter[type]=user&"
    query = {"query": f"type:user updated < {fmt_z(end)}", "filter[type]": "user", "page[size]": "1000"}
    got = {u["id"] for u in http.get(url, params=query, timeout=10, **ZENDESK).json()["results"]}
    expected = {u["id"] for u in api.records("zendesk_users") if epoch(u["updated_at"]) < end.timestamp()}
    assert got == expected and 0 < len(got) < 300
