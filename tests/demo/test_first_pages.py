"""Each spec in specs/: its first request, built by hand from the spec, gets records from the demo."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from demo.data.times import fmt_z
from tap_restspec.expr import adf
from tap_restspec.expr.dates import format_datetime, to_iso
from tap_restspec.model.jsonpath import compile_path
from tests.demo.common import NOW, ROOT

SPECS = sorted(p.name for p in (ROOT / "specs").glob("*.json"))


PLACEHOLDER = re.compile(r"\$\{(\w+)\}|\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], text)


def at(document: Any, path: str) -> Any:
    if path == "$":  # the body itself (GitHub's bare array)
        return document
    for part in path.removeprefix("$.").split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


#: (spec, placeholder) -> (child dataset, field): the spec's own table, where the default has none.
OWN_LINKS = {
    ("segment_destination_filters.json", "destinationId"): ("segment_destination_filters", "destinationId"),
    ("segment_tracking_plan_sources.json", "trackingPlanId"): (
        "segment_tracking_plan_sources",
        "trackingPlanId",
    ),
    ("segment_computed_traits.json", "spaceId"): ("segment_computed_traits", "spaceId"),
}


def a_parent_with_children(api: DemoAPI, placeholder: str, name: str = "") -> str:
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
    if name.startswith("segment_delivery_"):  # a source (and destination) with that step's rows
        step = name.removeprefix("segment_delivery_").removesuffix(".json").replace("_", "-")
        row = next(r for r in api.records("segment_delivery_overview") if r["metric"] == step)
        return str(row[placeholder])
    dataset, field = OWN_LINKS.get((name, placeholder), links[placeholder])
    if placeholder == "sourceId":  # one with connected warehouses too
        linked = {c["sourceId"] for c in api.records("segment_source_warehouses")}
        return next(r[field] for r in api.records(dataset) if r[field] in linked)
    return str(api.records(dataset)[0][field])


def backfill_end(schedule: dict[str, Any]) -> str:
    """``{END_TIME}`` of an ADVANCE backfill: now, in the spec's ``paramFormat`` where it is a date."""
    fmt = schedule.get("paramFormat", "")
    return format_datetime(NOW, fmt) if fmt and not fmt.startswith("epoch") else fmt_z(NOW)


@pytest.mark.parametrize("name", SPECS, ids=SPECS)
def test_spec_first_page_against_the_demo(api: DemoAPI, http: requests.Session, name: str) -> None:
    """Each spec's first request, built by hand from the spec, gets records from the demo."""
    document = json.loads((ROOT / "specs" / name).read_text())
    assert {"name", "providerId", "version", "authSpec", "sourceSpec"} <= set(document)
    attributes = document["sourceSpec"]["attributes"]
    declared = document["sourceSpec"]["spec"]["properties"]
    assert document["singer"]["name"] == name.removesuffix(".json")
    schedule = attributes.get("scheduleParams", {})
    parent = document["singer"].get("parent", {"values": {}})["values"]
    values = {
        **{k: v["default"] for k, v in declared.items() if "default" in v},
        **{k: v[0] if isinstance(v, list) else v for k, v in api.params.items()},  # a partition's value
        **{k: a_parent_with_children(api, k, name) for k in parent},
        "api_key": "k",
        "access_token": "t",
        "END_TIME": str(int(NOW.timestamp() * 1000)),
        "SCHEDULE_QUERY": schedule.get("backfill", "").replace("{END_TIME}", backfill_end(schedule)),
    }
    url_params = attributes["urlParams"]
    path = url_params["path"]
    if "@{" in path:  # Adobe's ADF expression, evaluated for a backfill
        path = path[: path.index("@{")] + "?query=type:user&filter[type]=user&"
    query = {k: fill(v, values) for k, v in url_params.get("queryParams", {}).items()}
    for key, value in query.items():  # an ADF expression, evaluated as on a first run (no start)
        if "@{" in value:
            query[key] = adf.render(value, {"ingestionStart": None, "ingestionEnd": to_iso(NOW)}, NOW)
    if "scheduleEndParamName" in schedule:  # a first run sends the window's end
        query[schedule["scheduleEndParamName"]] = format_datetime(NOW, schedule["scheduleEndParamFormat"])
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
    keys = document["singer"]["primaryKeys"]
    own_keys = [k for k in keys if k not in parent] or keys  # source settings: the record has its key
    assert all(own_keys[0] in row for row in records if isinstance(row, dict))  # others may be exploded
    assert all(isinstance(row, dict) for row in records) or own_keys == ["value"]  # invites: strings
    explode = attributes.get("explodeEntityPath")
    if explode:
        child = explode["path"].split(".")[-1]
        assert any(row[child] for row in records)
    for key in ("continuationTokenPath", "pointerPath"):
        if key in paging and paging[key].startswith("headers."):  # a header (GitHub's Link)
            assert paging[key].removeprefix("headers.") in {h.lower() for h in r.headers}, r.headers
        elif key in paging and "[" in paging[key]:  # an element of the page (Stripe's last id)
            assert compile_path(paging[key])(answer), f"{key} {paging[key]} found nothing"
        elif key in paging:  # the token's object is there (the token itself is null on a last page)
            owner, _, last = paging[key].rpartition(".")
            assert last in at(answer, owner) or paging.get("parameterType") == "BODYPARAM", (
                f"{key} {paging[key]} found nothing"
            )
