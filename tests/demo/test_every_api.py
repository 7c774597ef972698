"""What every API of the demo does alike, each in its own way: every record once through its
paging, its window's inclusivity, its auth, its errors, its injected faults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from demo.data.times import fmt_ms, fmt_offset, fmt_z
from demo.registry import CHANGE_KEYS, ID_KEYS
from tests.demo.common import (
    ACTIVITY,
    BEARER,
    MAILCHIMP,
    MEMBERS,
    UTC,
    ZENDESK,
    Walker,
    epoch,
    get,
    walk_helpscout,
    walk_hubspot,
    walk_segment,
    walk_zendesk,
)

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
