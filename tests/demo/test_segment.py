"""Segment (demo/vendors/segment/): pagination fields, its 429, every list of the catalog, children
of existing parents, and its quirks."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from tests.demo.common import BEARER, epoch, get


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
