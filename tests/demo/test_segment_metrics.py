"""Segment's operational metrics and the rest of its configuration (demo/vendors/segment/
observability.py, metrics.py, workspace.py): usage by month, event volume and Delivery Overview
within Segment's documented time limits, the public catalog, regulations, suppressions, the
configuration children, and the ``segment_plan`` switch that answers 403."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from demo.data.times import fmt_z
from demo.vendors.segment.metrics import series
from tests.demo.common import BEARER, LATER, NOW, get
from tests.demo.test_segment import segment_pages

PAGE = {"pagination.count": 200}
DAY = fmt_z(NOW.replace(hour=0))[:10]  # the demo's today: 2025-03-01


def window(days: float = 3, granularity: str = "DAY", **more: Any) -> dict[str, Any]:
    """A Delivery Overview / event volume query ending now, starting ``days`` back (the demo,
    like the older pagination page, wants ``pagination.count`` on every list)."""
    return {
        "pagination.count": 200,
        "granularity": granularity,
        "startTime": fmt_z(NOW - timedelta(days=days)),
        "endTime": fmt_z(NOW),
        **more,
    }


def errors(r: requests.Response) -> str:
    return " ".join(e["message"] for e in r.json()["errors"])


# ---------------------------------------------------------------- usage


def test_usage_answers_one_month_of_cumulative_daily_snapshots(api: DemoAPI, http: requests.Session) -> None:
    rows = segment_pages(
        http, api, "/usage/api-calls/sources/daily", "dailyPerSourceAPICallsUsage", period="2025-02-01"
    )
    assert {r["timestamp"][:7] for r in rows} == {"2025-02"} and len(rows) == 28 * 45
    per_source: dict[str, list[int]] = {}
    for row in rows:
        per_source.setdefault(row["sourceId"], []).append(int(row["apiCalls"]))
    assert all(calls == sorted(calls) for calls in per_source.values())  # cumulative within the month
    workspace = segment_pages(
        http, api, "/usage/api-calls/daily", "dailyWorkspaceAPICallsUsage", period="2025-02-01"
    )
    first = [int(r["apiCalls"]) for r in rows if r["timestamp"] == workspace[0]["timestamp"]]
    assert int(workspace[0]["apiCalls"]) == sum(first)  # the workspace is its sources
    march = segment_pages(http, api, "/usage/mtu/daily", "dailyWorkspaceMTUUsage", period="2025-03-01")
    assert [r["timestamp"] for r in march] == [f"{DAY}T00:00:00Z"]  # today so far
    assert {"periodStart", "periodEnd", "anonymous", "identified", "timestamp"} <= set(march[0])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, '"period" is required'),
        ({"period": "2025-02-15"}, "the first day of a month"),
        ({"period": "x"}, "ISO"),
    ],
    ids=["missing", "mid-month", "not-a-date"],
)
def test_usage_checks_its_period(
    api: DemoAPI, http: requests.Session, query: dict[str, str], message: str
) -> None:
    r = get(http, api, "/usage/mtu/sources/daily", BEARER, **{"pagination.count": 10, **query})
    assert r.status_code == 422 and message in errors(r)


# ---------------------------------------------------------------- event volume


def test_event_volume_groups_series_by_the_dimensions_asked(api: DemoAPI, http: requests.Session) -> None:
    source = api.records("segment_sources")[0]["id"]
    query = window(**{"groupBy.0": "eventType", "sourceId.0": source, "pagination.count": 200})
    data = get(http, api, "/events/volume", BEARER, **query).json()["data"]
    assert data["path"] == "/observability/event_volume/v2.json" and data["query"]["sourceId"] == [source]
    rows = [r for r in api.records("segment_event_volume") if r["sourceId"] == source]
    assert {e["eventType"] for e in data["result"]} == {r["eventType"] for r in rows}
    totals = [e["total"] for e in data["result"]]
    assert totals == sorted(totals, reverse=True)  # ordered by their total
    for entry in data["result"]:
        assert set(entry) == {"eventType", "total", "series"} and entry["total"] == sum(
            b["count"] for b in entry["series"]
        )
        assert [b["time"][:10] for b in entry["series"]] == ["2025-02-26", "2025-02-27", "2025-02-28", DAY]
        days = [b for r in rows if r["eventType"] == entry["eventType"] for b in series(r)]
        assert entry["series"][0]["count"] == sum(
            b["count"] for b in days if b["time"] == entry["series"][0]["time"]
        )
    by_source = get(http, api, "/events/volume", BEARER, **window(**{"groupBy.0": "source"})).json()["data"]
    assert len(by_source["result"]) == 45 and set(by_source["result"][0]["source"]) == {"id", "name", "slug"}


def test_hours_and_minutes_split_a_day(api: DemoAPI, http: requests.Session) -> None:
    source = api.records("segment_sources")[0]["id"]
    day = {
        "startTime": "2025-02-27T00:00:00Z",
        "endTime": "2025-02-28T00:00:00Z",
        "sourceId.0": source,
        **PAGE,
    }
    whole = get(http, api, "/events/volume", BEARER, granularity="DAY", **day).json()["data"]["result"]
    hours = get(http, api, "/events/volume", BEARER, granularity="HOUR", **day).json()["data"]["result"]
    assert len(hours[0]["series"]) == 24 and hours[0]["total"] == whole[0]["total"]
    minutes = {
        "startTime": "2025-03-01T08:00:00Z",
        "endTime": "2025-03-01T10:00:00Z",
        "sourceId.0": source,
        **PAGE,
    }
    series = get(http, api, "/events/volume", BEARER, granularity="MINUTE", **minutes).json()["data"][
        "result"
    ]
    assert len(series[0]["series"]) == 120


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"granularity": "WEEK"}, "must be one of DAY, HOUR, MINUTE"),
        ({"startTime": None}, '"startTime" is required'),
        ({"endTime": fmt_z(NOW - timedelta(days=4))}, "must be after startTime"),
        (window(days=31), "at most 30 days"),  # the range
        (window(days=15, granularity="HOUR"), "at most 14 days"),
        (window(days=0.25, granularity="MINUTE"), "at most 4 hours"),
        (
            {
                "granularity": "MINUTE",
                "startTime": fmt_z(NOW - timedelta(days=3)),
                "endTime": fmt_z(NOW - timedelta(days=3, hours=-1)),
            },
            "at most 2 days in the past",
        ),
        (
            {"startTime": fmt_z(NOW - timedelta(days=40)), "endTime": fmt_z(NOW - timedelta(days=35))},
            "at most 30 days in the past",
        ),
        ({"groupBy.0": "discardReason"}, '"groupBy" must be among eventName, eventType, source'),
    ],
    ids=[
        "granularity",
        "no-start",
        "inverted",
        "day-range",
        "hour-range",
        "minute-range",
        "minute-age",
        "day-age",
        "group",
    ],
)
def test_event_volume_holds_segments_time_limits(
    api: DemoAPI, http: requests.Session, query: dict[str, Any], message: str
) -> None:
    params = {k: v for k, v in {**window(), **query}.items() if v is not None}
    r = get(http, api, "/events/volume", BEARER, **params)
    assert r.status_code == 422 and message in errors(r)


# ---------------------------------------------------------------- Delivery Overview


def test_delivery_overview_steps_of_a_source_and_of_a_destination(
    api: DemoAPI, http: requests.Session
) -> None:
    source = api.records("segment_sources")[0]["id"]
    received = get(
        http,
        api,
        "/delivery-overview/successfully-received",
        BEARER,
        sourceId=source,
        **window(**{"groupBy.0": "eventType"}),
    )
    volume = get(
        http, api, "/events/volume", BEARER, **window(**{"groupBy.0": "eventType", "sourceId.0": source})
    )
    assert (
        received.json()["data"]["dataset"] == volume.json()["data"]["result"]
    )  # what a source received is its volume
    assert received.json()["data"]["total"] == sum(e["total"] for e in volume.json()["data"]["result"])
    row = next(r for r in api.records("segment_delivery_overview") if r["metric"] == "failed-delivery")
    ids = {"sourceId": row["sourceId"], "destinationConfigId": row["destinationConfigId"]}
    failed = get(
        http,
        api,
        "/delivery-overview/failed-delivery",
        BEARER,
        **ids,
        **window(**{"groupBy.0": "discardReason"}),
    )
    assert row["discardReason"] in {e["discardReason"] for e in failed.json()["data"]["dataset"]}
    whole = get(http, api, "/delivery-overview/failed-delivery", BEARER, **ids, **window()).json()["data"][
        "dataset"
    ]
    assert len(whole) == 1 and set(whole[0]) == {"total", "series"}  # no groupBy: one group


@pytest.mark.parametrize(
    ("path", "query", "status", "message"),
    [
        ("successfully-received", {}, 422, '"sourceId" is required'),
        ("successfully-received", {"sourceId": "nope"}, 404, "Resource not found"),
        ("failed-delivery", {"sourceId": "SOURCE"}, 422, '"destinationConfigId" is required'),
        (
            "failed-delivery",
            {"sourceId": "SOURCE", "destinationConfigId": "OTHER"},
            404,
            "Resource not found",
        ),
        ("successfully-received", {"sourceId": "SOURCE", "groupBy.0": "discardReason"}, 422, "groupBy"),
    ],
    ids=["no-source", "unknown-source", "no-destination", "another-source", "group"],
)
def test_delivery_overview_checks_its_ids(
    api: DemoAPI, http: requests.Session, path: str, query: dict[str, str], status: int, message: str
) -> None:
    destination = api.records("segment_destinations")[0]
    other = next(d for d in api.records("segment_destinations") if d["sourceId"] != destination["sourceId"])
    ids = {"SOURCE": destination["sourceId"], "OTHER": other["id"]}
    r = get(
        http,
        api,
        f"/delivery-overview/{path}",
        BEARER,
        **window(),
        **{k: ids.get(v, v) for k, v in query.items()},
    )
    assert r.status_code == status and message in errors(r)


# ---------------------------------------------------------------- the rest of the configuration


def test_catalog_regulations_and_suppressions(api: DemoAPI, http: requests.Session) -> None:
    first = get(http, api, "/catalog/destinations", BEARER, **{"pagination.count": 200}).json()["data"]
    assert len(first["destinationsCatalog"]) == 200 and first["pagination"]["next"]
    assert len(segment_pages(http, api, "/catalog/destinations", "destinationsCatalog")) == 230
    assert segment_pages(http, api, "/catalog/sources", "sourcesCatalog") == api.records(
        "segment_catalog_sources"
    )
    assert segment_pages(http, api, "/catalog/warehouses", "warehousesCatalog") == api.records(
        "segment_catalog_warehouses"
    )
    regulations = api.records("segment_regulations")
    finished = segment_pages(http, api, "/regulations", "regulations", status="FINISHED")
    assert finished == [r for r in regulations if r["status"] == "FINISHED"]
    kinds = {"regulationTypes.0": "SUPPRESS_ONLY", "regulationTypes.1": "UNSUPPRESS"}
    assert segment_pages(http, api, "/regulations", "regulations", **kinds) == [
        r for r in regulations if r["regulationType"] in kinds.values()
    ]
    suppressed = segment_pages(http, api, "/suppressions", "suppressed")
    assert suppressed == [{"subjectType": "USER_ID", "subjectIds": suppressed[0]["subjectIds"]}]
    assert set(suppressed[0]["subjectIds"]) == {
        s
        for r in regulations
        if r["regulationType"].startswith("SUPPRESS") and r["status"] == "FINISHED"
        for s in r["subjects"]
    }


def test_configuration_children_and_their_404(api: DemoAPI, http: requests.Session) -> None:
    source = api.records("segment_sources")[0]["id"]
    settings = get(http, api, f"/sources/{source}/settings", BEARER).json()
    assert settings == {
        "data": next(r for r in api.records("segment_source_settings") if r["sourceId"] == source)
    }
    assert {"track", "identify", "group"} <= set(settings["data"]["settings"])
    destination = api.records("segment_destination_filters")[0]["destinationId"]
    filters = segment_pages(http, api, f"/destination/{destination}/filters", "filters")
    assert filters and {f["destinationId"] for f in filters} == {destination}
    link = api.records("segment_tracking_plan_sources")[0]
    sources = segment_pages(http, api, f"/tracking-plans/{link['trackingPlanId']}/sources", "sources")
    assert link["sourceId"] in {s["id"] for s in sources} and "writeKeys" in sources[0]  # SourceV1
    space = api.records("segment_spaces")[0]["id"]
    traits = segment_pages(http, api, f"/spaces/{space}/computed-traits", "computedTraits")
    assert traits and {t["spaceId"] for t in traits} == {space} and "definition" in traits[0]
    for path in (
        "/sources/nope/settings",
        "/destination/nope/filters",
        "/tracking-plans/nope/sources",
        "/spaces/nope/computed-traits",
    ):
        r = get(http, api, path, BEARER, **{"pagination.count": 5})
        assert r.status_code == 404 and r.json()["errors"][0]["type"] == "not-found", path


def test_a_source_a_tick_adds_has_the_default_settings(fresh: DemoAPI, http: requests.Session) -> None:
    added = fresh.tick(LATER, updates=1, adds=2)["segment_sources"]["added"]
    settings = {r["sourceId"]: r["settings"] for r in fresh.records("segment_source_settings")}
    assert added and all(settings[s]["track"]["allowUnplannedEvents"] for s in added)
    answer = get(http, fresh, f"/sources/{added[0]}/settings", BEARER).json()["data"]
    assert answer == {"sourceId": added[0], "settings": settings[added[0]]}


def test_a_deleted_source_takes_its_settings_and_links_but_not_its_history(fresh: DemoAPI) -> None:
    source = next(link["sourceId"] for link in fresh.records("segment_tracking_plan_sources"))
    history = len(fresh.records("segment_api_calls_usage"))
    removed = fresh.delete("segment_sources", source)
    assert removed["segment_source_settings"] == [source]
    assert source not in {link["sourceId"] for link in fresh.records("segment_tracking_plan_sources")}
    assert len(fresh.records("segment_api_calls_usage")) == history  # usage already counted stays


# ---------------------------------------------------------------- the plan switch


def test_a_free_plan_gets_403_from_the_metrics_and_the_audit_trail(
    fresh: DemoAPI, http: requests.Session
) -> None:
    settings = f"{fresh.url}/_demo/settings"
    source = fresh.records("segment_sources")[0]["id"]
    limited = {
        "/usage/mtu/daily": {"period": "2025-03-01", "pagination.count": 5},
        "/events/volume": window(),
        "/delivery-overview/failed-on-ingest": window(sourceId=source),
        "/audit-events": {"pagination.count": 5},
    }
    assert all(get(http, fresh, p, BEARER, **q).status_code == 200 for p, q in limited.items())
    assert http.post(settings, json={"segment_plan": "free"}, timeout=10).json()["segment_plan"] == "free"
    for path, query in limited.items():
        r = get(http, fresh, path, BEARER, **query)
        assert r.status_code == 403, path
        assert r.json() == {
            "errors": [
                {"type": "forbidden", "message": "Forbidden: a free workspace has no access to this endpoint"}
            ]
        }
    assert (
        get(http, fresh, "/sources", BEARER, **{"pagination.count": 5}).status_code == 200
    )  # the rest answers
    assert get(http, fresh, "/usage/mtu/daily", {}, period="2025-03-01").status_code == 401  # a token first
    fresh.change(segment_plan="team")
    assert get(http, fresh, "/audit-events", BEARER, **{"pagination.count": 5}).status_code == 200
    assert http.post(settings, json={"segment_plan": "enterprise"}, timeout=10).status_code == 400
