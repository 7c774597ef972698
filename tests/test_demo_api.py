"""The demo API (demo/) and the HTTP core it shares with tests/helpers.Server.

The core is tested once (log, faults, handler errors, windows, parameter checks); then each
endpoint: every record once through its paging, its window's inclusivity, its auth, its
errors, and its quirks as the real API documents them.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from math import ceil
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from demo.api import CHANGE_KEYS, DATASETS, ID_KEYS, TICKED, DemoAPI, fmt_ms, fmt_offset, fmt_z, parse_time
from demo.checks import Bound, in_window, int_param, time_param
from demo.core import ApiError, HttpServer, Reply, Request

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)

MAILCHIMP: dict[str, Any] = {"auth": ("anystring", "0123456789abcdef-us21")}
ZENDESK: dict[str, Any] = {"auth": ("agent@example.com/token", "zendesk-api-token")}
BEARER: dict[str, Any] = {"headers": {"Authorization": "Bearer demo-token"}}
SIZES = {
    "members": 60,
    "emails": 30,
    "users": 70,
    "sources": 12,
    "audit_events": 80,
    "contacts": 45,
    "conversations": 40,
}


@pytest.fixture(scope="module")
def api() -> Iterator[DemoAPI]:
    """One server for the read-only tests."""
    with DemoAPI(seed=7, now=NOW) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[DemoAPI]:
    """A small server of its own, for tests that change data or settings."""
    with DemoAPI(seed=3, now=NOW, **SIZES) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def get(
    http: requests.Session, api: DemoAPI, path: str, creds: dict[str, Any], **params: Any
) -> requests.Response:
    return http.get(api.url + path, params=params or None, timeout=10, **creds)


def epoch(value: str) -> float:
    return parse_time(value).timestamp()


# --------------------------------------------------------------------------- the core


def echo(request: Request) -> Reply:
    if request.route == "/boom":
        raise RuntimeError("a bug in a handler")
    if request.route == "/teapot":
        raise ApiError(418, {"error": "short and stout"}, {"X-Why": "tea"})
    return Reply(body={"path": request.route, "q": request.q("q"), "body": request.text})


@pytest.fixture
def core() -> Iterator[HttpServer]:
    with HttpServer(echo, logged=lambda request: not request.route.startswith("/_quiet")) as server:
        yield server


def test_core_logs_every_request_with_the_status_it_got(core: HttpServer, http: requests.Session) -> None:
    http.get(f"{core.url}/a%20b", params=[("q", "1"), ("q", "2")], headers={"X-Name": "v"}, timeout=10)
    http.post(f"{core.url}/form", data=b"k=v", timeout=10)
    http.get(f"{core.url}/_quiet/health", timeout=10)
    first, second = core.log.snapshot()
    assert (first.method, first.path, first.route, first.raw_query) == ("GET", "/a%20b", "/a b", "q=1&q=2")
    assert first.query == {"q": ["1", "2"]} and first.q("q") == "2"
    assert first.headers["x-name"] == first.headers.get("X-NAME") == "v" and "X-Name" in first.sent_headers
    assert first.status == 200 and first.as_dict()["params"] == {"q": ["1", "2"]}
    assert (second.method, second.body, second.status) == ("POST", b"k=v", 200)
    assert core.log.clear() == 2 and core.log.entries == []


def test_core_faults_come_before_the_handler(core: HttpServer, http: requests.Session) -> None:
    core.fail_next(2, status=429, path="/slow", retry_after=3)
    core.fail_next(status=200, path="/raw", body="<html>not json</html>")
    core.fail_next(status=502, path="/json", body={"error": "bad gateway"}, headers={"X-Trace": "t"})
    assert http.get(f"{core.url}/other", timeout=10).status_code == 200  # another path
    for _ in range(2):
        throttled = http.get(f"{core.url}/slow", timeout=10)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert http.get(f"{core.url}/slow", timeout=10).json()["path"] == "/slow"  # used up
    assert http.get(f"{core.url}/raw", timeout=10).text == "<html>not json</html>"
    bad = http.get(f"{core.url}/json", timeout=10)
    assert bad.json() == {"error": "bad gateway"} and bad.headers["X-Trace"] == "t"
    core.fail_next(drop=True)
    with requests.Session() as own, pytest.raises(requests.ConnectionError):
        own.get(f"{core.url}/dropped", timeout=10)
    core.fail_next(status=0, cut=True)
    with requests.Session() as own, pytest.raises(requests.exceptions.ChunkedEncodingError):
        own.get(f"{core.url}/cut", timeout=10).json()
    core.fail_next(status=0, delay=0.3)
    started = time.monotonic()
    assert http.get(f"{core.url}/late", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert [r.status for r in core.log.snapshot()][-3:] == [0, 200, 200]


def test_core_handler_errors_are_answers(core: HttpServer, http: requests.Session) -> None:
    teapot = http.get(f"{core.url}/teapot", timeout=10)
    assert teapot.status_code == 418 and teapot.json() == {"error": "short and stout"}
    assert teapot.headers["X-Why"] == "tea"
    assert http.get(f"{core.url}/boom", timeout=10).status_code == 500
    assert http.get(f"{core.url}/after", timeout=10).status_code == 200  # still serving


def test_core_windows_and_parameter_checks() -> None:
    rows = [{"t": "2025-01-01T00:00:00Z"}, {"t": "2025-01-01T12:00:00+00:00"}, {"t": "2025-01-02T00:00:00Z"}]
    noon = epoch("2025-01-01T12:00:00Z")
    assert in_window(rows, [Bound("t", ">=", noon)]) == rows[1:]
    assert in_window(rows, [Bound("t", ">", noon)]) == rows[2:]
    assert in_window(rows, [Bound("t", "<", noon)]) == rows[:1]
    assert in_window(rows, [Bound("t", "<=", noon)]) == rows[:2]
    assert in_window(rows, [Bound("t", ":", noon)]) == rows[:2]  # the same UTC day

    def invalid(name: str, message: str) -> Exception:
        return ValueError(message)

    def request(**query: str) -> Request:
        return Request("GET", "/", {k: [v] for k, v in query.items()}, "", {}, b"")

    assert int_param(request(), "n", invalid, default=10) == 10
    assert int_param(request(n="5"), "n", invalid, lo=1, hi=9) == 5
    for query, message in [
        ({}, "n is required"),
        ({"n": "x"}, "n must be an integer"),
        ({"n": "0"}, "n must be between 1 and 9"),
    ]:
        with pytest.raises(ValueError, match=message):
            int_param(request(**query), "n", invalid, lo=1, hi=9)
    with pytest.raises(ValueError, match="n must be greater than or equal to 1"):
        int_param(request(n="0"), "n", invalid, default=1, lo=1)
    assert time_param(request(), "t", invalid, "bad") is None
    assert time_param(request(t="2025-01-01T13:00:00+01:00"), "t", invalid, "bad") == noon
    with pytest.raises(ValueError, match="t: 'soon'"):
        time_param(request(t="soon"), "t", invalid, "{name}: {raw!r}")


# --------------------------------------------------------------------------- walkers
# Each walks every page the way the API documents and returns (ids in order, requests made).

Walker = Callable[[requests.Session, DemoAPI, dict[str, Any]], tuple[list[Any], int]]


def walk_offset(path: str, key: str, id_key: str, count: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        ids, offset, calls = [], 0, 0
        while True:
            r = get(http, api, path.format(api=api), MAILCHIMP, count=count, offset=offset, **extra)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            page = body[key]
            ids += [row[id_key] for row in page]
            assert body["total_items"] >= len(ids)
            if len(page) < count:
                return ids, calls
            offset += len(page)

    return walk


def walk_zendesk(size: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        params = {"query": "type:user", "filter[type]": "user", "page[size]": size, **extra}
        ids, calls = [], 0
        while True:
            r = get(http, api, "/api/v2/search/export", ZENDESK, **params)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            ids += [row["id"] for row in body["results"]]
            cursor = body["meta"]["after_cursor"]
            if not cursor:
                return ids, calls
            params["page[after]"] = cursor

    return walk


def walk_segment(path: str, key: str, count: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        params: dict[str, Any] = {"pagination.count": count, **extra}
        ids, calls = [], 0
        while True:
            r = get(http, api, path, BEARER, **params)
            calls += 1
            assert r.status_code == 200, r.text
            data = r.json()["data"]
            ids += [row["id"] for row in data[key]]
            token = data["pagination"]["next"]
            if token is None:
                return ids, calls
            params["pagination.cursor"] = token

    return walk


def walk_hubspot(limit: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        url: str | None = f"{api.url}/crm/v3/objects/contacts"
        params: dict[str, Any] | None = {"limit": limit, **extra}
        ids, calls = [], 0
        while url:
            r = http.get(url, params=params, timeout=10, **BEARER)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            ids += [row["id"] for row in body["results"]]
            url, params = body.get("paging", {}).get("next", {}).get("link"), None
        return ids, calls

    return walk


def walk_helpscout(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
    ids, page, calls = [], 1, 0
    while True:
        params = {
            "status": "all",
            "sortField": "createdAt",
            "sortOrder": "asc",
            "page": page,
            **extra,
        }
        r = get(http, api, "/v2/conversations", BEARER, **params)
        calls += 1
        assert r.status_code == 200, r.text
        rows = r.json().get("_embedded", {}).get("conversations", [])
        ids += [row["id"] for row in rows]
        if len(rows) < 25:
            return ids, calls
        page += 1


MEMBERS = walk_offset("/3.0/lists/{api.list_id}/members", "members", "id", 100)
ACTIVITY = walk_offset("/3.0/reports/{api.campaign_id}/email-activity", "emails", "email_id", 50)

WALKS = [
    # dataset, walker, requests for the module fixture's sizes
    ("mailchimp_members", MEMBERS, 3),  # 250 = 100 + 100 + 50
    ("mailchimp_email_activity", ACTIVITY, 3),  # 120 = 50 + 50 + 20
    ("zendesk_users", walk_zendesk(100), 4),  # 3 full pages, then an empty one ends it
    ("segment_sources", walk_segment("/sources", "sources", 20), 3),  # 45 = 20 + 20 + 5
    ("segment_audit_events", walk_segment("/audit-events", "events", 200), 3),
    ("hubspot_contacts", walk_hubspot(100), 3),  # 230 = 100 + 100 + 30
    ("helpscout_conversations", walk_helpscout, 5),  # 110 = 4 * 25 + 10
]


@pytest.mark.parametrize(("dataset", "walk", "calls"), WALKS, ids=[w[0] for w in WALKS])
def test_pagination_returns_every_record_once(
    api: DemoAPI, http: requests.Session, dataset: str, walk: Walker, calls: int
) -> None:
    ids, made = walk(http, api, {})
    assert len(ids) == len(set(ids))
    assert sorted(map(str, ids)) == sorted(map(str, api.ids(dataset)))
    assert made == calls


# --------------------------------------------------------------------------- data


def test_data_is_realistic(api: DemoAPI) -> None:
    member = api.records("mailchimp_members")[0]
    assert member["id"] == hashlib.md5(member["email_address"].lower().encode()).hexdigest()
    assert {"FNAME", "LNAME"} <= set(member["merge_fields"])
    assert {"avg_open_rate", "avg_click_rate"} <= set(member["stats"])
    assert member["list_id"] == api.list_id and member["_links"]
    user = api.records("zendesk_users")[0]
    schema = json.loads((ROOT / "specs/zendesk_users.json").read_text())["sourceSpec"]["attributes"]["schema"]
    assert set(user) == set(schema["properties"]["results"]["items"]["properties"])
    event = api.records("segment_audit_events")[0]
    assert {"id", "timestamp", "type", "actor", "resourceId", "resourceType"} <= set(event)
    contact = api.records("hubspot_contacts")[0]
    assert {"id", "properties", "createdAt", "updatedAt", "archived"} <= set(contact)
    conversation = api.records("helpscout_conversations")[0]
    assert {"id", "number", "subject", "status", "createdAt"} <= set(conversation)
    for dataset in DATASETS:
        key = CHANGE_KEYS[dataset]
        if key is not None:
            for row in api.records(dataset):
                assert NOW - timedelta(days=31) < parse_time(row[key]) < NOW


def test_same_seed_same_data_and_ticks() -> None:
    one, two, other = DemoAPI(seed=5, now=NOW), DemoAPI(seed=5, now=NOW), DemoAPI(seed=6, now=NOW)
    fixed = {"segment_workspace", "segment_roles", "segment_labels"}  # the same in every workspace
    for dataset in DATASETS:
        assert one.records(dataset) == two.records(dataset)
        assert dataset in fixed or one.records(dataset) != other.records(dataset)
    assert one.tick(LATER) == two.tick(LATER)
    assert one.records("hubspot_contacts") == two.records("hubspot_contacts")


def test_email_activity_keys_are_unique_across_ticks(fresh: DemoAPI) -> None:
    assert any(not e["activity"] for e in fresh.records("mailchimp_email_activity"))  # no record
    for _ in range(3):
        fresh.tick(LATER, updates=30)  # the same moment each time, for every email
    keys = [
        (e["email_id"], a["action"], a["timestamp"])
        for e in fresh.records("mailchimp_email_activity")
        for a in e["activity"]
    ]
    assert len(keys) == len(set(keys))


# --------------------------------------------------------------------------- each API's quirks


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


def test_segment_pagination_fields(api: DemoAPI, http: requests.Session) -> None:
    first = get(http, api, "/sources", BEARER, **{"pagination.count": 20}).json()["data"]
    assert first["pagination"]["previous"] is None and first["pagination"]["totalEntries"] == 45
    cursor = {"pagination.count": 20, "pagination.cursor": first["pagination"]["next"]}
    second = get(http, api, "/sources", BEARER, **cursor).json()["data"]
    assert second["pagination"]["previous"] == first["pagination"]["current"]
    assert {s["id"] for s in first["sources"]}.isdisjoint(s["id"] for s in second["sources"])
    events = get(http, api, "/audit-events", BEARER, **{"pagination.count": 1000}).json()["data"]["events"]
    stamps = [epoch(e["timestamp"]) for e in events]
    assert stamps == sorted(stamps, reverse=True)  # newest first


def segment_429(ms: int) -> dict[str, Any]:
    """Segment Public API, Rate Limits: https://docs.segmentapis.com/tag/Rate-Limits."""
    data = {"remainingPoints": 0, "msBeforeNext": ms, "consumedPoints": 21}
    return {"errors": [{"type": "RequestError", "message": "Too many requests", "data": data}]}


def test_segment_429_nests_ms_before_next(fresh: DemoAPI, http: requests.Session) -> None:
    page = {"pagination.count": 5}
    fresh.fail_next(status=429, path="/sources", ms_before_next=3000)
    fresh.fail_next(status=429, path="/audit-events", retry_after=2)
    limited = get(http, fresh, "/sources", BEARER, **page)
    assert limited.status_code == 429 and limited.json() == segment_429(3000)
    assert "Retry-After" not in limited.headers  # Segment's documented 429 has none
    both = get(http, fresh, "/audit-events", BEARER, **page)
    assert both.json() == segment_429(2000) and both.headers["Retry-After"] == "2"
    http.post(f"{fresh.url}/_demo/fail", json={"status": 429, "path": "/sources"}, timeout=10)
    assert get(http, fresh, "/sources", BEARER, **page).json() == segment_429(1000)
    assert get(http, fresh, "/sources", BEARER, **page).status_code == 200


def test_hubspot_absolute_next_link_on_the_host_the_client_asked_for(
    api: DemoAPI, http: requests.Session
) -> None:
    host = f"localhost:{api.port}"
    query = {"limit": "100", "properties": "email,firstname"}
    body = http.get(
        f"{api.url}/crm/v3/objects/contacts",
        params=query,
        headers={**BEARER["headers"], "Host": host},
        timeout=10,
    ).json()
    link = body["paging"]["next"]["link"]
    assert link.startswith(f"http://{host}/crm/v3/objects/contacts?")
    assert "limit=100" in link and f"after={body['paging']['next']['after']}" in link
    assert set(body["results"][0]["properties"]) == {"email", "firstname"}
    last = http.get(link.replace(host, f"127.0.0.1:{api.port}"), timeout=10, **BEARER).json()
    final = http.get(last["paging"]["next"]["link"], timeout=10, **BEARER).json()
    assert "paging" not in final and len(final["results"]) == 30


def test_hubspot_relative_next_link_as_the_reference_docs_print_it(http: requests.Session) -> None:
    with DemoAPI(seed=2, now=NOW, contacts=25, hubspot_links="relative") as api:
        url = f"{api.url}/crm/v3/objects/contacts?limit=10"
        body = http.get(url, timeout=10, **BEARER).json()
        assert body["paging"]["next"] == {"after": "1011", "link": "?after=1011"}  # query only
        # RFC 3986: "?after=..." keeps the path of the request that returned it
        resolved = urljoin(url, body["paging"]["next"]["link"])
        assert resolved == f"{api.url}/crm/v3/objects/contacts?after=1011"
        ids, pages = [r["id"] for r in body["results"]], 1
        while "paging" in body:
            body = http.get(urljoin(url, body["paging"]["next"]["link"]), timeout=10, **BEARER).json()
            ids, pages = ids + [r["id"] for r in body["results"]], pages + 1
        assert ids == api.ids("hubspot_contacts") and pages == 3  # the default limit is 10
        # resolved against the host's root instead, the link finds no contacts (on this one
        # demo origin the root is Segment's Get Workspace)
        assert "results" not in http.get(f"{api.url}/?after=1011", timeout=10, **BEARER).json()


def test_hubspot_link_mode_switches_at_run_time(fresh: DemoAPI, http: requests.Session) -> None:
    settings = f"{fresh.url}/_demo/settings"
    assert http.get(settings, timeout=10).json() == {"hubspot_links": "absolute", "strict_tokens": False}
    switched = http.post(settings, json={"hubspot_links": "relative"}, timeout=10).json()
    assert switched["hubspot_links"] == fresh.hubspot_links == "relative"
    link = get(http, fresh, "/crm/v3/objects/contacts", BEARER).json()["paging"]["next"]["link"]
    assert link.startswith("?after=")
    assert http.post(settings, json={"hubspot_links": "sideways"}, timeout=10).status_code == 400
    fresh.hubspot_links = "absolute"
    link = get(http, fresh, "/crm/v3/objects/contacts", BEARER).json()["paging"]["next"]["link"]
    assert link.startswith(f"{fresh.url}/crm/v3/objects/contacts?")


def test_helpscout_pages(api: DemoAPI, http: requests.Session) -> None:
    active = get(http, api, "/v2/conversations", BEARER).json()
    assert {c["status"] for c in active["_embedded"]["conversations"]} == {"active"}
    every = get(http, api, "/v2/conversations", BEARER, status="all", page=5).json()
    assert every["page"] == {"size": 25, "totalElements": 110, "totalPages": 5, "number": 5}
    assert len(every["_embedded"]["conversations"]) == 10
    assert "next" not in every["_links"] and "status=all" in every["_links"]["previous"]["href"]
    desc = get(http, api, "/v2/conversations", BEARER, status="all").json()["_embedded"]["conversations"]
    assert [epoch(c["createdAt"]) for c in desc] == sorted(
        (epoch(c["createdAt"]) for c in desc), reverse=True
    )


@pytest.mark.parametrize(
    ("conversations", "page"), [(0, 1), (50, 3)], ids=["empty-mailbox", "after-the-last"]
)
def test_helpscout_page_without_conversations_has_no_embedded(
    http: requests.Session, conversations: int, page: int
) -> None:
    with DemoAPI(seed=2, now=NOW, conversations=conversations) as api:
        body = get(http, api, "/v2/conversations", BEARER, status="all", page=page).json()
    assert set(body) == {"_links", "page"}  # no "_embedded" at all, as Help Scout answers
    assert body["page"]["totalElements"] == conversations and body["page"]["number"] == page
    assert {"self", "first", "last", "page"} <= set(body["_links"]) and "next" not in body["_links"]


# --------------------------------------------------------------------------- windows


def mailchimp_window(lo: datetime | None, hi: datetime | None) -> dict[str, str]:
    params = {}
    if lo:
        params["since_last_changed"] = fmt_offset(lo)
    if hi:
        params["before_last_changed"] = fmt_offset(hi)
    return params


def zendesk_window(template: str) -> Callable[[datetime | None, datetime | None], dict[str, str]]:
    def make(lo: datetime | None, hi: datetime | None) -> dict[str, str]:
        text = template.replace("{lo}", fmt_z(lo) if lo else "").replace("{hi}", fmt_z(hi) if hi else "")
        return {"query": text}

    return make


def segment_window(lo: datetime | None, hi: datetime | None) -> dict[str, str]:
    return {"startTime": fmt_ms(lo), "endTime": fmt_ms(hi)} if lo and hi else {}


def helpscout_window(lo: datetime | None, hi: datetime | None) -> dict[str, str]:
    return {"modifiedSince": fmt_z(lo)} if lo else {}


ZD, AUDIT = walk_zendesk(50), walk_segment("/audit-events", "events", 30)
GT = zendesk_window("type:user updated>{lo} updated<{hi}")
SPACED = zendesk_window("type:user updated > {lo} updated < {hi}")  # as Adobe writes it
GE = zendesk_window("type:user updated>={lo} updated<={hi}")
WINDOWS = [
    # id, dataset, walker, params(lo, hi), start included, end included, uses end
    ("mailchimp-since-incl-before-excl", "mailchimp_members", MEMBERS, mailchimp_window, True, False, True),
    ("zendesk-gt-lt", "zendesk_users", ZD, GT, False, False, True),
    ("zendesk-adobe-spaces", "zendesk_users", ZD, SPACED, False, False, True),
    ("zendesk-ge-le", "zendesk_users", ZD, GE, True, True, True),
    ("segment-start-incl-end-excl", "segment_audit_events", AUDIT, segment_window, True, False, True),
    (
        "helpscout-modified-since",
        "helpscout_conversations",
        walk_helpscout,
        helpscout_window,
        True,
        True,
        False,
    ),
]


@pytest.mark.parametrize(
    ("dataset", "walk", "make", "lo_in", "hi_in", "uses_end"),
    [w[1:] for w in WINDOWS],
    ids=[w[0] for w in WINDOWS],
)
def test_windows_filter_on_the_change_timestamp(
    api: DemoAPI,
    http: requests.Session,
    dataset: str,
    walk: Walker,
    make: Callable[[datetime | None, datetime | None], dict[str, str]],
    lo_in: bool,
    hi_in: bool,
    uses_end: bool,
) -> None:
    key = CHANGE_KEYS[dataset]
    assert key
    rows = api.records(dataset)
    stamps = sorted({epoch(r[key]) for r in rows})
    # Bounds that fall exactly on records, so inclusivity shows.
    lo = datetime.fromtimestamp(stamps[len(stamps) // 5], UTC)
    hi = datetime.fromtimestamp(stamps[len(stamps) // 2], UTC)
    ids, _ = walk(http, api, make(lo, hi))

    def inside(value: float) -> bool:
        above = value >= lo.timestamp() if lo_in else value > lo.timestamp()
        below = not uses_end or (value <= hi.timestamp() if hi_in else value < hi.timestamp())
        return above and below

    expected = [r[ID_KEYS[dataset]] for r in rows if inside(epoch(r[key]))]
    assert sorted(map(str, ids)) == sorted(map(str, expected))
    assert 0 < len(ids) < len(rows)
    at_lo = {r[ID_KEYS[dataset]] for r in rows if epoch(r[key]) == lo.timestamp()}
    assert at_lo <= set(ids) if lo_in else at_lo.isdisjoint(ids)


# --------------------------------------------------------------------------- auth and errors

MEMBERS_PATH, ACTIVITY_PATH = "/3.0/lists/a1b2c3d4e5/members", "/3.0/reports/42694e9e57/email-activity"
EXPORT, USERS, COUNT = (
    "/api/v2/search/export",
    {"query": "type:user", "filter[type]": "user"},
    {"pagination.count": 5},
)
AUTH_CASES = [
    # id, path, params, good credentials, check on the 401 body
    ("mailchimp-members", MEMBERS_PATH, {}, MAILCHIMP, lambda b: b["title"] == "API Key Missing"),
    ("mailchimp-activity", ACTIVITY_PATH, {}, MAILCHIMP, lambda b: b["status"] == 401),
    ("zendesk", EXPORT, USERS, ZENDESK, lambda b: b == {"error": "Couldn't authenticate you"}),
    ("segment-sources", "/sources", COUNT, BEARER, lambda b: b["errors"][0]["type"] == "unauthorized"),
    ("segment-audit", "/audit-events", COUNT, BEARER, lambda b: "errors" in b),
    ("hubspot", "/crm/v3/objects/contacts", {}, BEARER, lambda b: b["category"] == "INVALID_AUTHENTICATION"),
    ("helpscout", "/v2/conversations", {}, BEARER, lambda b: "logRef" in b and "message" in b),
]


@pytest.mark.parametrize(
    ("path", "params", "creds", "check"), [c[1:] for c in AUTH_CASES], ids=[c[0] for c in AUTH_CASES]
)
def test_auth_required(
    api: DemoAPI,
    http: requests.Session,
    path: str,
    params: dict[str, Any],
    creds: dict[str, Any],
    check: Callable[[Any], bool],
) -> None:
    missing = get(http, api, path, {}, **params)
    assert missing.status_code == 401
    assert check(missing.json())
    assert get(http, api, path, creds, **params).status_code == 200


BAD_CREDENTIALS = [
    ("mailchimp-empty-key", MEMBERS_PATH, {"auth": ("user", "")}),
    ("zendesk-no-token", EXPORT, {"auth": ("agent@example.com/token", "")}),
    ("zendesk-garbage", EXPORT, {"headers": {"Authorization": "Basic %%%"}}),
    ("segment-basic", "/sources", {"auth": ("user", "password")}),
    ("hubspot-empty-bearer", "/crm/v3/objects/contacts", {"headers": {"Authorization": "Bearer "}}),
    ("helpscout-basic", "/v2/conversations", {"auth": ("user", "password")}),
]


@pytest.mark.parametrize(
    ("path", "creds"), [c[1:] for c in BAD_CREDENTIALS], ids=[c[0] for c in BAD_CREDENTIALS]
)
def test_bad_credentials(api: DemoAPI, http: requests.Session, path: str, creds: dict[str, Any]) -> None:
    params = {"query": "type:user", "filter[type]": "user", "pagination.count": 5}
    assert get(http, api, path, creds, **params).status_code == 401


X = {"query": "x", "filter[type]": "user"}
INVALID = [
    # id, path, credentials, params, status, text in the body
    ("mailchimp-count-max", MEMBERS_PATH, MAILCHIMP, {"count": 1001}, 400, "Invalid Resource"),
    ("mailchimp-count-nan", MEMBERS_PATH, MAILCHIMP, {"count": "x"}, 400, "Invalid Resource"),
    ("mailchimp-bad-date", MEMBERS_PATH, MAILCHIMP, {"before_last_changed": "May 1"}, 400, "Invalid"),
    ("zendesk-size-max", EXPORT, ZENDESK, {**X, "page[size]": 1001}, 400, "page[size]"),
    ("zendesk-no-filter", EXPORT, ZENDESK, {"query": "type:user"}, 400, "filter[type]"),
    ("zendesk-bad-cursor", EXPORT, ZENDESK, {**X, "page[after]": "nope"}, 400, "cursor"),
    ("zendesk-bad-date", EXPORT, ZENDESK, {**X, "query": "updated>yesterday"}, 400, "date"),
    ("segment-no-count", "/sources", BEARER, {}, 422, "pagination.count"),
    ("segment-count-max", "/sources", BEARER, {"pagination.count": 1001}, 422, "pagination.count"),
    ("segment-bad-cursor", "/sources", BEARER, {**COUNT, "pagination.cursor": "@@"}, 422, "cursor"),
    ("segment-bad-time", "/audit-events", BEARER, {**COUNT, "startTime": "soon"}, 422, "startTime"),
    ("hubspot-limit-max", "/crm/v3/objects/contacts", BEARER, {"limit": 101}, 400, "VALIDATION_ERROR"),
    ("helpscout-status", "/v2/conversations", BEARER, {"status": "bogus"}, 400, "Expected one of"),
    ("helpscout-page", "/v2/conversations", BEARER, {"page": 0}, 400, "greater than"),
    ("helpscout-date", "/v2/conversations", BEARER, {"modifiedSince": "today"}, 400, "Malformed date"),
]


@pytest.mark.parametrize(
    ("path", "creds", "params", "status", "text"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_requests(
    api: DemoAPI,
    http: requests.Session,
    path: str,
    creds: dict[str, Any],
    params: dict[str, Any],
    status: int,
    text: str,
) -> None:
    r = get(http, api, path, creds, **params)
    assert r.status_code == status
    assert text in r.text


NOT_FOUND = [
    ("mailchimp-path", "/3.0/nothing", MAILCHIMP, "Resource Not Found"),
    ("mailchimp-list", "/3.0/lists/ffffffffff/members", MAILCHIMP, "Resource Not Found"),
    ("mailchimp-campaign", "/3.0/reports/ffffffffff/email-activity", MAILCHIMP, "Resource Not Found"),
    ("zendesk", "/api/v2/tickets", ZENDESK, "InvalidEndpoint"),
    ("hubspot", "/crm/v3/objects/deals", BEARER, "OBJECT_NOT_FOUND"),
    ("helpscout", "/v2/mailboxes", BEARER, "logRef"),
    ("segment", "/catalog/nothing", BEARER, "not-found"),
]


@pytest.mark.parametrize(("path", "creds", "text"), [c[1:] for c in NOT_FOUND], ids=[c[0] for c in NOT_FOUND])
def test_unknown_paths(
    api: DemoAPI, http: requests.Session, path: str, creds: dict[str, Any], text: str
) -> None:
    r = get(http, api, path, creds)
    assert r.status_code == 404
    assert text in r.text


def test_wrong_method(api: DemoAPI, http: requests.Session) -> None:
    r = http.post(f"{api.url}/sources", timeout=10, **BEARER)
    assert r.status_code == 405 and r.headers["Allow"] == "GET"


# --------------------------------------------------------------------------- tick


def test_tick_changes_what_each_window_sees(fresh: DemoAPI, http: requests.Session) -> None:
    sizes = {d: len(fresh.ids(d)) for d in DATASETS}
    changed = fresh.tick(LATER, updates=4, adds=2)
    assert set(changed) == set(TICKED)
    for dataset in TICKED:
        added = changed[dataset]["added"]
        assert set(added) <= set(fresh.ids(dataset))
        assert len(fresh.ids(dataset)) == sizes[dataset] + len(added)
        if dataset != "segment_audit_events":
            assert len(changed[dataset]["updated"]) == 4 and len(added) == 2
        if CHANGE_KEYS[dataset]:
            window = fresh.changed_between(dataset, LATER, LATER + timedelta(seconds=1))
            touched = changed[dataset]["updated"] + added
            assert sorted(map(str, (r[ID_KEYS[dataset]] for r in window))) == sorted(map(str, touched))
    assert len(changed["segment_audit_events"]["added"]) == 6  # one per source change

    # What each API returns for a window that starts at the tick.
    def touched(dataset: str) -> list[Any]:
        return sorted(changed[dataset]["updated"] + changed[dataset]["added"])

    mc, _ = MEMBERS(http, fresh, {"since_last_changed": fmt_offset(LATER)})
    assert sorted(mc) == touched("mailchimp_members")
    since = fmt_z(LATER - timedelta(seconds=1))
    zd, _ = walk_zendesk(100)(http, fresh, {"query": f"type:user updated > {since}"})
    assert sorted(zd) == touched("zendesk_users")
    audit_window = {"startTime": fmt_ms(LATER), "endTime": fmt_ms(LATER + timedelta(seconds=1))}
    seg, _ = walk_segment("/audit-events", "events", 5)(http, fresh, audit_window)
    assert sorted(seg) == touched("segment_audit_events")
    hs, _ = walk_helpscout(http, fresh, {"modifiedSince": fmt_z(LATER)})
    assert sorted(hs) == touched("helpscout_conversations")
    contacts = {c["id"]: c for c in fresh.records("hubspot_contacts")}
    for contact_id in changed["hubspot_contacts"]["updated"]:
        assert contacts[contact_id]["updatedAt"] == fmt_ms(LATER)
        assert contacts[contact_id]["properties"]["lastmodifieddate"] == fmt_ms(LATER)
    emails = {e["email_id"]: e for e in fresh.records("mailchimp_email_activity")}
    for email_id in changed["mailchimp_email_activity"]["updated"]:
        assert emails[email_id]["activity"][-1]["timestamp"] == fmt_offset(LATER)


def test_tick_defaults_to_the_real_clock(fresh: DemoAPI) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    changed = fresh.tick()
    after = datetime.now(UTC) + timedelta(seconds=1)
    rows = {r["id"]: r for r in fresh.records("zendesk_users")}
    for user_id in changed["zendesk_users"]["updated"]:
        assert before <= parse_time(rows[user_id]["updated_at"]) <= after


# --------------------------------------------------------------------------- admin, log, faults


def test_admin_endpoints(fresh: DemoAPI, http: requests.Session) -> None:
    get(http, fresh, "/sources", BEARER, **{"pagination.count": 5})
    assert http.get(f"{fresh.url}/_demo/health", timeout=10).json()["ok"] is True
    assert http.get(f"{fresh.url}/_demo/params", timeout=10).json() == fresh.params
    assert http.get(f"{fresh.url}/_demo/config", timeout=10).json()["base_url"] == fresh.url
    ticked = http.post(f"{fresh.url}/_demo/tick", json={"now": fmt_z(LATER), "adds": 1}, timeout=10).json()
    assert ticked["now"] == fmt_ms(LATER)
    assert len(ticked["changed"]["zendesk_users"]["added"]) == 1
    assert len(ticked["changed"]["zendesk_users"]["updated"]) == 5
    assert len(http.get(f"{fresh.url}/_demo/data/zendesk_users", timeout=10).json()) == 71
    logged = http.get(f"{fresh.url}/_demo/requests", timeout=10).json()
    assert [r["path"] for r in logged] == ["/sources"]  # admin calls are not logged
    assert http.delete(f"{fresh.url}/_demo/requests", timeout=10).json() == {"cleared": 1}
    assert fresh.requests == []
    assert http.post(f"{fresh.url}/_demo/reset", timeout=10).json() == {"reset": True}
    assert len(fresh.ids("zendesk_users")) == 70
    assert http.get(f"{fresh.url}/_demo/nothing", timeout=10).status_code == 404
    assert http.post(f"{fresh.url}/_demo/fail", json={"sometimes": True}, timeout=10).status_code == 400


def test_request_log(fresh: DemoAPI, http: requests.Session) -> None:
    fresh.clear_requests()
    url = f"{fresh.url}/api/v2/search/export?query=type:user&filter[type]=user&"
    http.get(url, params={"query": "type:user updated<2030-01-01T00:00:00Z"}, timeout=10, **ZENDESK)
    http.post(f"{fresh.url}/v2/oauth2/token", data={"grant_type": "client_credentials"}, timeout=10)
    first, second = fresh.requests
    assert first["method"] == "GET" and first["path"] == "/api/v2/search/export"
    assert first["query"].startswith("query=type:user&filter%5Btype%5D=user&&query=")
    assert first["params"]["query"] == ["type:user", "type:user updated<2030-01-01T00:00:00Z"]
    assert first["params"]["filter[type]"] == ["user"]
    assert first["headers"]["Authorization"].startswith("Basic ")
    assert first["status"] == 200 and first["body"] == ""
    assert second["body"] == "grant_type=client_credentials" and second["status"] == 401


def test_fail_next_answers_in_each_apis_shape(fresh: DemoAPI, http: requests.Session) -> None:
    fresh.fail_next(2, status=503, path="/3.0/", retry_after=3)
    assert get(http, fresh, "/crm/v3/objects/contacts", BEARER).status_code == 200  # other path
    members = f"/3.0/lists/{fresh.list_id}/members"
    for _ in range(2):
        down = get(http, fresh, members, MAILCHIMP)
        assert down.status_code == 503 and down.headers["Retry-After"] == "3"
        assert down.json()["status"] == 503 and down.json()["type"].startswith("https://mailchimp.com/")
    assert get(http, fresh, members, MAILCHIMP).status_code == 200
    fresh.fail_next(status=500, path="/v2/conversations")
    assert "logRef" in get(http, fresh, "/v2/conversations", BEARER).json()
    fresh.fail_next(status=200, body="<html>not json</html>")
    assert get(http, fresh, "/sources", BEARER).text == "<html>not json</html>"
    fresh.fail_next(status=502, body={"as": "given"})
    assert get(http, fresh, "/sources", BEARER).json() == {"as": "given"}
    fresh.fail_next(drop=True)
    with requests.Session() as own, pytest.raises(requests.ConnectionError):
        own.get(f"{fresh.url}/sources", timeout=10, **BEARER)
    assert [r["status"] for r in fresh.requests][-3:] == [200, 502, 0]


TOKEN = {"grant_type": "refresh_token", "refresh_token": "r", "client_id": "i", "client_secret": "s"}
TOKEN_CASES = [
    ("refresh-form", {"data": TOKEN}, 200, True),
    ("refresh-json", {"json": TOKEN}, 200, True),
    ("client-credentials", {"data": {**TOKEN, "grant_type": "client_credentials"}}, 200, False),
    ("no-secret", {"data": {k: v for k, v in TOKEN.items() if k != "client_secret"}}, 401, False),
    ("no-refresh-token", {"data": {k: v for k, v in TOKEN.items() if k != "refresh_token"}}, 400, False),
    ("bad-grant", {"data": {**TOKEN, "grant_type": "password"}}, 400, False),
]


@pytest.mark.parametrize(
    ("body", "status", "refresh"), [c[1:] for c in TOKEN_CASES], ids=[c[0] for c in TOKEN_CASES]
)
def test_helpscout_token_endpoint(
    api: DemoAPI, http: requests.Session, body: dict[str, Any], status: int, refresh: bool
) -> None:
    r = http.post(f"{api.url}/v2/oauth2/token", timeout=10, **body)
    assert r.status_code == status
    if status == 200:
        token = r.json()
        assert token["token_type"] == "bearer" and token["expires_in"] == 172800 and token["access_token"]
        assert ("refresh_token" in token) is refresh
    else:
        assert "error" in r.json()


def test_strict_tokens_only_accept_issued_ones(http: requests.Session) -> None:
    with DemoAPI(seed=1, now=NOW, conversations=5, strict_tokens=True) as strict:
        stale = {"headers": {"Authorization": "Bearer stale"}}
        assert get(http, strict, "/v2/conversations", stale).status_code == 401
        token = http.post(f"{strict.url}/v2/oauth2/token", data=TOKEN, timeout=10).json()["access_token"]
        fresh_token = {"headers": {"Authorization": f"Bearer {token}"}}
        assert get(http, strict, "/v2/conversations", fresh_token).status_code == 200
        strict.revoke_tokens()
        assert get(http, strict, "/v2/conversations", fresh_token).status_code == 401
        issued = {"headers": {"Authorization": f"Bearer {strict.issue_token()['access_token']}"}}
        assert get(http, strict, "/v2/conversations", issued).status_code == 200
        # the other APIs keep accepting any token
        assert get(http, strict, "/crm/v3/objects/contacts", stale).status_code == 200


def test_tap_config_points_at_the_demo(api: DemoAPI) -> None:
    config = api.tap_config(specs=["specs"])
    assert config["base_url"] == api.url and config["specs"] == ["specs"]
    assert config["params"]["listId"] == api.list_id
    assert config["params"]["accessTokenUrl"] == f"{api.url}/v2/oauth2/token"


# --------------------------------------------------------------------------- specs vs demo


SPECS = sorted(p.name for p in (ROOT / "specs").glob("*.json"))
PLACEHOLDER = re.compile(r"\$\{(\w+)\}|\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], text)


def at(document: Any, path: str) -> Any:
    for part in path.removeprefix("$.").split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


def a_parent_with_children(api: DemoAPI, placeholder: str) -> str:
    """The id of a parent record that has records in the child table (for a child spec)."""
    links = {  # placeholder -> (child dataset, the child's field holding the parent id)
        "sourceId": ("segment_destinations", "sourceId"),
        "destinationId": ("segment_destination_subscriptions", "destinationId"),
        "warehouseId": ("segment_warehouse_syncs", "__parent"),
        "trackingPlanId": ("segment_tracking_plan_rules", "__parent"),
        "functionId": ("segment_function_versions", "__parent"),
        "userGroupId": ("segment_group_members", "userGroupId"),
        "spaceId": ("segment_space_audiences", "spaceId"),
        "campaignId": ("mailchimp_email_activity", "campaign_id"),
    }
    dataset, field = links[placeholder]
    if placeholder == "sourceId":  # one with connected warehouses too
        linked = {c["sourceId"] for c in api.records("segment_source_warehouses")}
        return next(r[field] for r in api.records(dataset) if r[field] in linked)
    return str(api.records(dataset)[0][field])


@pytest.mark.parametrize("name", SPECS, ids=SPECS)
def test_spec_first_page_against_the_demo(api: DemoAPI, http: requests.Session, name: str) -> None:
    """Each spec's first request, built by hand from the spec, gets records from the demo."""
    document = json.loads((ROOT / "specs" / name).read_text())
    assert {"name", "providerId", "version", "authSpec", "sourceSpec"} <= set(document)
    attributes = document["sourceSpec"]["attributes"]
    declared = document["sourceSpec"]["spec"]["properties"]
    assert document["singer"]["name"] == name.removesuffix(".json")
    end = fmt_z(NOW)
    schedule = attributes.get("scheduleParams", {})
    parent = document["singer"].get("parent", {"values": {}})["values"]
    values = {
        **{k: v["default"] for k, v in declared.items() if "default" in v},
        **{k: v[0] if isinstance(v, list) else v for k, v in api.params.items()},  # a partition's value
        **{k: a_parent_with_children(api, k) for k in parent},
        "api_key": "k",
        "access_token": "t",
        "END_TIME": str(int(NOW.timestamp() * 1000)),
        "SCHEDULE_QUERY": schedule.get("backfill", "").replace("{END_TIME}", end),
    }
    url_params = attributes["urlParams"]
    path = url_params["path"]
    if "@{" in path:  # Adobe's ADF expression, evaluated for a backfill
        path = path[: path.index("@{")] + "?query=type:user&filter[type]=user&"
    query = {k: fill(v, values) for k, v in url_params.get("queryParams", {}).items()}
    headers = {k: fill(v, values) for k, v in attributes.get("headerParams", {}).items()}
    body = (
        json.loads(fill(json.dumps(attributes["bodyParams"]), values)) if "bodyParams" in attributes else None
    )
    paging = attributes["paginationParams"]
    if "limitName" in paging:
        query[paging["limitName"]] = paging["limitValue"]
    if paging["type"] == "PAGE":
        query[paging["pageParamName"]] = str(paging.get("initialPageIndex", 0))
    auth = next((a["type"] for a in document["authSpec"]), None)
    creds: dict[str, Any] = (
        {"auth": ("user@example.com/token", "secret")} if auth == "BasicAuthentication" else {}
    )
    if auth == "OAuth2RefreshCode":
        headers["Authorization"] = "Bearer t"
    assert fill(url_params["host"], values).startswith("https://")
    method = url_params["method"]
    r = http.request(
        method, api.url + fill(path, values), params=query, headers=headers, json=body, timeout=10, **creds
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    records = at(answer, attributes["contentPath"]["path"])
    records = [records] if isinstance(records, dict) else records  # Get Workspace: one object
    assert isinstance(records, list) and records
    own_keys = [k for k in document["singer"]["primaryKeys"] if k not in parent]
    assert all(own_keys[0] in row for row in records if isinstance(row, dict))  # others may be exploded
    assert all(isinstance(row, dict) for row in records) or own_keys == ["value"]  # invites: strings
    explode = attributes.get("explodeEntityPath")
    if explode:
        child = explode["path"].split(".")[-1]
        assert any(row[child] for row in records)
    for key in ("continuationTokenPath", "pointerPath"):
        if key in paging:  # the token's object is there (the token itself is null on a last page)
            owner, _, last = paging[key].rpartition(".")
            assert last in at(answer, owner) or paging.get("parameterType") == "BODYPARAM", (
                f"{key} {paging[key]} found nothing"
            )


# --------------------------------------------------------------------------- the Segment catalog

SEGMENT_LISTS = [  # path, data key, dataset, id field (None: the row itself)
    ("/sources", "sources", "segment_sources", "id"),
    ("/destinations", "destinations", "segment_destinations", "id"),
    ("/warehouses", "warehouses", "segment_warehouses", "id"),
    ("/tracking-plans", "trackingPlans", "segment_tracking_plans", "id"),
    ("/transformations", "transformations", "segment_transformations", "id"),
    ("/users", "users", "segment_users", "id"),
    ("/invites", "invites", "segment_invites", None),
    ("/groups", "userGroups", "segment_groups", "id"),
    ("/roles", "roles", "segment_roles", "id"),
    ("/reverse-etl-models", "models", "segment_reverse_etl_models", "id"),
    ("/spaces", "spaces", "segment_spaces", "id"),
]


def segment_pages(http: requests.Session, api: DemoAPI, path: str, key: str, **params: Any) -> list[Any]:
    rows: list[Any] = []
    query: dict[str, Any] = {"pagination.count": 4, **params}
    while True:
        r = get(http, api, path, BEARER, **query)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert set(data) == {key, "pagination"} and data["pagination"]["totalEntries"] >= len(data[key])
        rows += data[key]
        if data["pagination"]["next"] is None:
            return rows
        query["pagination.cursor"] = data["pagination"]["next"]


@pytest.mark.parametrize(
    ("path", "key", "dataset", "field"), SEGMENT_LISTS, ids=[s[0] for s in SEGMENT_LISTS]
)
def test_segment_lists_page_every_record_once(
    api: DemoAPI, http: requests.Session, path: str, key: str, dataset: str, field: str | None
) -> None:
    rows = segment_pages(http, api, path, key)
    assert [r[field] if field else r for r in rows] == api.ids(dataset)
    if dataset == "segment_invites":
        assert rows and all(isinstance(r, str) and "@" in r for r in rows)  # emails, not objects


def test_segment_children_belong_to_existing_parents(api: DemoAPI, http: requests.Session) -> None:
    sources = {s["id"] for s in api.records("segment_sources")}
    destinations = api.records("segment_destinations")
    assert {d["sourceId"] for d in destinations} <= sources
    source = destinations[0]["sourceId"]
    connected = segment_pages(http, api, f"/sources/{source}/connected-destinations", "destinations")
    assert [d["id"] for d in connected] == [d["id"] for d in destinations if d["sourceId"] == source]
    links = api.records("segment_source_warehouses")
    assert {c["sourceId"] for c in links} <= sources
    for link in links[:3]:
        path = f"/sources/{link['sourceId']}/connected-warehouses"
        assert link["warehouseId"] in {w["id"] for w in segment_pages(http, api, path, "warehouses")}
    syncs = segment_pages(http, api, f"/warehouses/{links[0]['warehouseId']}/syncs", "reports")
    linked = {c["sourceId"] for c in links if c["warehouseId"] == links[0]["warehouseId"]}
    assert syncs and {s["sourceId"] for s in syncs} == linked
    assert all("__parent" not in row for row in syncs)  # the demo's own link is never served
    group = api.records("segment_groups")[0]
    users = segment_pages(http, api, f"/groups/{group['id']}/users", "users")
    assert len(users) == group["memberCount"] and all(set(u) == {"id", "name", "email"} for u in users)
    plan = api.records("segment_tracking_plans")[0]
    rules = segment_pages(http, api, f"/tracking-plans/{plan['id']}/rules", "rules")
    assert rules and all(r["type"] == "TRACK" for r in rules)
    space = api.records("segment_spaces")[0]
    audiences = segment_pages(http, api, f"/spaces/{space['id']}/audiences", "audiences")
    assert audiences and {a["spaceId"] for a in audiences} == {space["id"]}
    function = api.records("segment_functions")[0]
    assert segment_pages(http, api, f"/functions/{function['id']}/versions", "versions")


@pytest.mark.parametrize(
    "path",
    [
        "/sources/nope/connected-destinations",
        "/sources/nope/connected-warehouses",
        "/destinations/nope/subscriptions",
        "/warehouses/nope/syncs",
        "/tracking-plans/nope/rules",
        "/functions/nope/versions",
        "/groups/nope/users",
        "/spaces/nope/audiences",
    ],
)
def test_segment_children_of_an_unknown_parent_are_404(
    api: DemoAPI, http: requests.Session, path: str
) -> None:
    r = get(http, api, path, BEARER, **{"pagination.count": 10})
    assert r.status_code == 404 and r.json()["errors"][0]["type"] == "not-found"


def test_segment_quirks(api: DemoAPI, http: requests.Session) -> None:
    workspace = get(http, api, "/", BEARER).json()
    assert workspace == {"data": {"workspace": api.records("segment_workspace")[0]}}  # one object
    assert set(workspace["data"]["workspace"]) == {"id", "slug", "name"}
    labels = get(http, api, "/labels", BEARER).json()
    assert labels == {"data": {"labels": api.records("segment_labels")}}  # no pagination at all
    assert get(http, api, "/", {}).status_code == 401
    missing = get(http, api, "/functions", BEARER, **{"pagination.count": 10})
    assert missing.status_code == 422 and "resourceType" in missing.text
    for kind in ("SOURCE", "INSERT_TRANSFORMATION"):
        rows = segment_pages(http, api, "/functions", "functions", resourceType=kind)
        assert rows and {f["resourceType"] for f in rows} == {kind}
    space = api.records("segment_spaces")[0]["id"]
    too_many = get(http, api, f"/spaces/{space}/audiences", BEARER, **{"pagination.count": 201})
    assert too_many.status_code == 422  # ListAudiencesPaginationInput: 1..200
    assert get(http, api, "/sources", BEARER, **{"pagination.count": 1001}).status_code == 422
    assert get(http, api, "/sources", BEARER, **{"pagination.count": 1000}).status_code == 200
    live = segment_pages(http, api, "/tracking-plans", "trackingPlans", type="LIVE")
    assert live and {p["type"] for p in live} == {"LIVE"}


# --------------------------------------------------------------------------- HubSpot search


def search(
    http: requests.Session, api: DemoAPI, body: Any, creds: dict[str, Any] = BEARER
) -> requests.Response:
    return http.post(f"{api.url}/crm/v3/objects/contacts/search", json=body, timeout=10, **creds)


def changed(lo: int, hi: int) -> dict[str, Any]:
    filters = [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(lo)},
        {"propertyName": "lastmodifieddate", "operator": "LT", "value": str(hi)},
    ]
    return {"filterGroups": [{"filters": filters}]}


def test_hubspot_search_filters_sorts_and_pages_in_the_body(api: DemoAPI, http: requests.Session) -> None:
    lo, hi = NOW - timedelta(days=10), NOW - timedelta(days=2)
    body = {
        **changed(int(lo.timestamp() * 1000), int(hi.timestamp() * 1000)),
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
        "properties": ["email"],
        "limit": 7,
    }
    ids, stamps, after, pages = [], [], None, 0
    while True:
        page = search(http, api, {**body, **({"after": after} if after else {})}).json()
        pages += 1
        ids += [c["id"] for c in page["results"]]
        stamps += [epoch(c["properties"]["lastmodifieddate"]) for c in page["results"]]
        assert all(
            set(c["properties"]) == {"email", "createdate", "hs_object_id", "lastmodifieddate"}
            for c in page["results"]
        )
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
        assert page["paging"]["next"]["link"] == f"?after={after}"
    expected = api.changed_between("hubspot_contacts", lo, hi)
    assert sorted(ids) == sorted(c["id"] for c in expected) and page["total"] == len(expected)
    assert stamps == sorted(stamps, reverse=True) and pages == ceil(len(expected) / 7)
    everything = search(http, api, {"limit": 200}).json()
    assert [c["id"] for c in everything["results"]] == api.ids("hubspot_contacts")[:200]  # no filter: all
    assert (
        everything["total"] == len(api.ids("hubspot_contacts"))
        and everything["paging"]["next"]["after"] == "200"
    )
    either = {"filterGroups": changed(0, 1)["filterGroups"] + changed(0, 2**50)["filterGroups"], "limit": 200}
    assert search(http, api, either).json()["total"] == len(api.ids("hubspot_contacts"))  # groups are ORed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            changed(0, 1)
            | {
                "filterGroups": [
                    {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": ""}]}
                ]
            },
            "operator GTE requires a value",
            id="empty-value",
        ),
        pytest.param(
            {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "lastmodifieddate", "operator": "GT", "value": "2020-11-15"}
                        ]
                    }
                ]
            },
            "There was a problem",
            id="date-string",
        ),
        pytest.param({"limit": 201}, "There was a problem", id="limit"),
        pytest.param({"after": "10000"}, "10000", id="past-ten-thousand"),
    ],
)
def test_hubspot_search_refuses_what_hubspot_refuses(
    api: DemoAPI, http: requests.Session, body: Any, message: str
) -> None:
    r = search(http, api, body)
    assert r.status_code == 400 and message in r.json()["message"]
    assert r.json()["category"] == "VALIDATION_ERROR"


def test_hubspot_search_needs_a_token(api: DemoAPI, http: requests.Session) -> None:
    assert search(http, api, {}, {}).json()["category"] == "INVALID_AUTHENTICATION"
    assert http.get(f"{api.url}/crm/v3/objects/contacts/search", timeout=10, **BEARER).status_code == 405


# --------------------------------------------------------------------------- Mailchimp campaigns and lists


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


# --------------------------------------------------------------------------- deletes at the source


def test_deleting_a_segment_source_deletes_what_hangs_off_it(fresh: DemoAPI, http: requests.Session) -> None:
    links = fresh.records("segment_source_warehouses")
    source = links[0]["sourceId"]
    destinations = {d["id"] for d in fresh.records("segment_destinations") if d["sourceId"] == source}
    subscriptions = {
        s["id"]
        for s in fresh.records("segment_destination_subscriptions")
        if s["destinationId"] in destinations
    }
    events = len(fresh.ids("segment_audit_events"))
    answer = http.post(
        f"{fresh.url}/_demo/delete",
        json={"dataset": "segment_sources", "id": source, "now": fmt_z(LATER)},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    removed = answer.json()["deleted"]
    assert removed["segment_sources"] == [source]
    assert set(removed.get("segment_destinations", [])) == destinations
    assert set(removed.get("segment_destination_subscriptions", [])) == subscriptions
    assert source not in fresh.ids("segment_sources")
    assert not [link for link in fresh.records("segment_source_warehouses") if link["sourceId"] == source]
    assert not [s for s in fresh.records("segment_warehouse_syncs") if s["sourceId"] == source]
    assert (
        get(
            http, fresh, f"/sources/{source}/connected-destinations", BEARER, **{"pagination.count": 5}
        ).status_code
        == 404
    )
    assert len(fresh.ids("segment_audit_events")) == events + 1
    event = fresh.records("segment_audit_events")[0]  # newest first
    assert (event["type"], event["resourceId"], event["timestamp"]) == (
        "Source Deleted",
        source,
        fmt_ms(LATER),
    )
    again = http.post(
        f"{fresh.url}/_demo/delete", json={"dataset": "segment_sources", "id": source}, timeout=10
    )
    assert again.status_code == 404
    assert (
        http.post(f"{fresh.url}/_demo/delete", json={"dataset": "nothing", "id": 1}, timeout=10).status_code
        == 400
    )


def test_deleting_records_of_other_apis(fresh: DemoAPI) -> None:
    campaign = next(
        c for c in fresh.records("mailchimp_campaigns") if c["id"] != fresh.campaign_id and c["emails_sent"]
    )
    removed = fresh.delete("mailchimp_campaigns", campaign["id"])
    assert removed["mailchimp_campaigns"] == [campaign["id"]] and removed["mailchimp_campaign_activity"]
    contact = fresh.ids("hubspot_contacts")[3]
    assert fresh.delete("hubspot_contacts", contact) == {"hubspot_contacts": [contact]}
    assert contact not in fresh.ids("hubspot_contacts")
    invite = fresh.ids("segment_invites")[0]
    assert fresh.delete("segment_invites", invite) == {"segment_invites": [invite]}
    with pytest.raises(LookupError):
        fresh.delete("zendesk_users", -1)


def test_the_state_file_keeps_the_catalog_and_deletes(tmp_path: Path) -> None:
    state = tmp_path / "demo.json"
    with DemoAPI(seed=4, now=NOW, state_file=state) as one:
        gone = one.ids("segment_sources")[0]
        one.delete("segment_sources", gone, NOW)
        catalog = {d: one.records(d) for d in DATASETS}
    with DemoAPI(seed=99, state_file=state) as two:  # loaded: the seed is ignored
        assert {d: two.records(d) for d in DATASETS} == catalog and gone not in two.ids("segment_sources")
        assert two.list_ids == one.list_ids
    old = json.loads(state.read_text())
    old["data"] = {d: rows for d, rows in old["data"].items() if d in TICKED}  # a file from before
    state.write_text(json.dumps(old))
    with DemoAPI(state_file=state) as three:
        assert three.records("segment_sources") == catalog["segment_sources"]
        assert three.records("segment_destinations") and three.records("mailchimp_campaigns")


# --------------------------------------------------------------------------- the CLI


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "demo" / "api.py"), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.fullmatch(r"Demo API listening on (http://127\.0\.0\.1:\d+)\n", line)
    assert match, line + (proc.stderr.read() if proc.stderr else "")
    return proc, match.group(1)


def stop_cli(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    assert proc.wait(timeout=10) == 0


def test_cli_keeps_data_in_the_state_file_across_processes(tmp_path: Path, http: requests.Session) -> None:
    state = tmp_path / "demo-state.json"
    sizes = ("--members", "20", "--users", "15", "--audit-events", "10", "--contacts", "20")
    proc, url = start_cli("--state-file", str(state), *sizes)
    try:
        before = http.get(f"{url}/_demo/data/mailchimp_members", timeout=10).json()
        ticked = http.post(f"{url}/_demo/tick", timeout=10).json()
    finally:
        stop_cli(proc)
    proc, url = start_cli("--state-file", str(state), "--hubspot-links", "relative", *sizes)
    try:
        r = http.get(f"{url}/3.0/lists/a1b2c3d4e5/members", params={"count": 1000}, timeout=10, **MAILCHIMP)
        members = {m["id"]: m for m in r.json()["members"]}
        assert len(members) == len(before) + 3
        moment = parse_time(ticked["now"]).replace(microsecond=0)
        for member_id in ticked["changed"]["mailchimp_members"]["updated"]:
            assert parse_time(members[member_id]["last_changed"]) == moment
        assert http.get(f"{url}/_demo/health", timeout=10).json()["ticks"] == 1
        contacts = http.get(f"{url}/crm/v3/objects/contacts", timeout=10, **BEARER).json()
        assert contacts["paging"]["next"]["link"].startswith("?after=")
    finally:
        stop_cli(proc)
