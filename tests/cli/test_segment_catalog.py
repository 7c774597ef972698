"""The Segment Public API catalog (specs/segment_*.json) against the bundled demo API.

One spec per table, as a real connector exposes them: each reads every record once with its
primary keys, the nested tables once per parent record with the parent's id, the whole
catalog in one run (and a known number of requests), invites as ``{"value": ...}`` records,
and a source deleted in the workspace leaves ``segment_sources`` after the next run, whose
ACTIVATE_VERSION tells the target so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from math import ceil

import pytest

from demo.api import DemoAPI
from demo.vendors.segment.catalog import PARENT
from demo.vendors.segment.words import FUNCTION_TYPES
from tap_restspec.expr.template import encode_host_value, render
from tap_restspec.parse.document import load_spec
from tests.helpers import ROOT, run_tap

SPECS = sorted((ROOT / "specs").glob("segment_*.json"))
NAMES = [path.stem for path in SPECS]
PAGE = 200  # pagination.count in every paged spec


def spec_of(name):
    return json.loads((ROOT / "specs" / f"{name}.json").read_text())


def strip(row):
    return {k: v for k, v in row.items() if k != PARENT}


def expected_records(api):
    """What each table should hold, built from the demo's data (not through its HTTP answers)."""
    sources = api.records("segment_sources")
    warehouses = {w["id"]: w for w in api.records("segment_warehouses")}
    users = {u["id"]: u for u in api.records("segment_users")}
    links = api.records("segment_source_warehouses")
    members = api.records("segment_group_members")
    plain = {
        name: api.records(name)
        for name in (
            "segment_workspace",
            "segment_sources",
            "segment_destinations",
            "segment_warehouses",
            "segment_tracking_plans",
            "segment_functions",
            "segment_transformations",
            "segment_users",
            "segment_groups",
            "segment_roles",
            "segment_labels",
            "segment_audit_events",
            "segment_reverse_etl_models",
            "segment_spaces",
        )
    }
    return {
        **plain,
        "segment_invites": [{"value": email} for email in api.records("segment_invites")],
        "segment_source_connected_destinations": api.records("segment_destinations"),
        "segment_source_connected_warehouses": [
            {**warehouses[link["warehouseId"]], "sourceId": link["sourceId"]}
            for source in sources
            for link in links
            if link["sourceId"] == source["id"]
        ],
        "segment_destination_subscriptions": api.records("segment_destination_subscriptions"),
        "segment_warehouse_syncs": [
            {**strip(s), "warehouseId": s[PARENT]} for s in api.records("segment_warehouse_syncs")
        ],
        "segment_tracking_plan_rules": [
            {**strip(r), "trackingPlanId": r[PARENT]} for r in api.records("segment_tracking_plan_rules")
        ],
        "segment_function_versions": [
            {**strip(v), "functionId": v[PARENT]} for v in api.records("segment_function_versions")
        ],
        "segment_group_users": [
            {**{k: users[m["userId"]][k] for k in ("id", "name", "email")}, "userGroupId": m["userGroupId"]}
            for m in members
        ],
        "segment_space_audiences": api.records("segment_space_audiences"),
    }


def keys_of(records, keys):
    return sorted(tuple(str(r[k]) for k in keys) for r in records)


@pytest.fixture(scope="module")
def api():
    with DemoAPI() as demo:
        yield demo


@pytest.fixture(scope="module")
def catalog(api):
    """One run of the whole Segment catalog, and the requests it made."""
    api.clear_requests()
    run = run_tap(api.tap_config(specs=[str(p) for p in SPECS]))
    return run, api.requests


def test_the_specs_are_whole_connection_specs_with_a_singer_block():
    for path in SPECS:
        document = json.loads(path.read_text())
        assert {"name", "providerId", "version", "authSpec", "sourceSpec", "exploreSpec", "singer"} <= set(
            document
        )
        attributes = document["sourceSpec"]["attributes"]
        assert attributes["urlParams"]["host"] == "https://${api_host}", path.name
        assert attributes["headerParams"]["Authorization"] == "Bearer ${api_key}"
        assert attributes["contentPath"]["path"].startswith("$.data."), path.name
        assert document["singer"]["name"] == path.stem and document["singer"]["primaryKeys"]
        assert "api_host" in document["sourceSpec"]["spec"]["properties"]
        paging = attributes["paginationParams"]
        if paging["type"] != "NONE":
            assert attributes["urlParams"]["queryParams"]["pagination.count"] == str(PAGE)
            assert paging == {
                "type": "CONTINUATION_TOKEN",
                "continuationTokenPath": "$.data.pagination.next",
                "parameterType": "QUERYPARAM",
                "parameterName": "pagination.cursor",
            }
        assert path.read_text() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"  # 2-space JSON


@pytest.mark.parametrize("name", NAMES)
def test_each_table_reads_every_record_once_with_its_primary_keys(catalog, api, name):
    run, _ = catalog
    keys = spec_of(name)["singer"]["primaryKeys"]
    records = run.records(name)
    expected = expected_records(api)[name]
    assert records, name
    assert keys_of(records, keys) == keys_of(expected, keys)
    assert len(set(keys_of(records, keys))) == len(records)  # the keys identify a record
    by_key = {tuple(str(r[k]) for k in keys): r for r in records}
    for row in expected:  # and each record is the API's object (plus the parent's id)
        record = by_key[tuple(str(row[k]) for k in keys)]
        assert {k: v for k, v in record.items() if k in row} == row
        assert PARENT not in record
    schema = run.schemas()[name]
    assert schema["key_properties"] == keys
    assert set(keys) <= set(schema["schema"]["properties"])


def test_the_whole_catalog_in_one_run_and_the_requests_it_makes(catalog, api):
    run, seen = catalog
    assert {m["stream"] for m in run.messages if m["type"] == "RECORD"} == set(NAMES)
    assert all(r["status"] == 200 for r in seen)
    assert {r["headers"]["Authorization"] for r in seen} == {"Bearer demo-api-key"}
    data = {name: api.records(name) for name in ("segment_sources", "segment_destinations")}
    parents = {
        "segment_source_connected_destinations": len(data["segment_sources"]),
        "segment_source_connected_warehouses": len(data["segment_sources"]),
        "segment_destination_subscriptions": len(data["segment_destinations"]),
        "segment_warehouse_syncs": len(api.records("segment_warehouses")),
        "segment_tracking_plan_rules": len(api.records("segment_tracking_plans")),
        "segment_function_versions": len(api.records("segment_functions")),
        "segment_group_users": len(api.records("segment_groups")),
        "segment_space_audiences": len(api.records("segment_spaces")),
    }
    tops = [n for n in NAMES if n not in parents]
    expected = sum(max(1, ceil(len(expected_records(api)[n]) / PAGE)) for n in tops)
    expected += len(FUNCTION_TYPES) - 1  # one pass per resourceType (the demo's params)
    expected += sum(parents.values())  # every child fits one page
    assert len(seen) == expected == 204
    per_path = Counter(r["path"].split("/")[1] for r in seen)
    assert per_path["sources"] == 1 + 2 * len(data["segment_sources"])
    assert per_path["audit-events"] == ceil(len(api.records("segment_audit_events")) / PAGE) == 3


def test_children_run_once_per_parent_record_with_the_parents_id(catalog, api):
    run, seen = catalog
    for name in NAMES:
        parent = spec_of(name)["singer"].get("parent")
        if parent is None:
            continue
        ((placeholder, path),) = parent["values"].items()
        assert path == "$.id"
        parent_ids = [r["id"] for r in run.records(parent["stream"])]
        template = spec_of(name)["sourceSpec"]["attributes"]["urlParams"]["path"]
        pattern = re.compile(
            "^" + re.escape(template).replace(re.escape("${" + placeholder + "}"), "([^/]+)") + "$"
        )
        asked = [m.group(1) for r in seen if (m := pattern.match(r["path"]))]
        assert sorted(asked) == sorted(parent_ids), name  # exactly once per parent record
        assert {r[placeholder] for r in run.records(name)} <= set(parent_ids)


def test_connected_tables_agree_with_their_parents(catalog):
    run, _ = catalog
    for record in run.records("segment_source_connected_destinations"):
        assert record["sourceId"] in {s["id"] for s in run.records("segment_sources")}
    syncs = {(r["warehouseId"], r["sourceId"]) for r in run.records("segment_warehouse_syncs")}
    connected = {(r["id"], r["sourceId"]) for r in run.records("segment_source_connected_warehouses")}
    assert syncs == connected  # a warehouse reports syncs for exactly its connected sources
    members = Counter(r["userGroupId"] for r in run.records("segment_group_users"))
    assert members == {g["id"]: g["memberCount"] for g in run.records("segment_groups")}


def test_invites_are_value_records_and_the_workspace_is_one_record(catalog, api):
    run, seen = catalog
    assert run.records("segment_invites") == [{"value": email} for email in api.records("segment_invites")]
    assert run.schemas()["segment_invites"]["key_properties"] == ["value"]
    assert run.records("segment_workspace") == api.records("segment_workspace")
    workspace = [r for r in seen if r["path"] == "/"]
    assert len(workspace) == 1 and workspace[0]["query"] == ""
    labels = [r for r in seen if r["path"] == "/labels"]
    assert len(labels) == 1 and labels[0]["query"] == ""  # List Labels takes no pagination


def test_functions_read_one_partition_per_resource_type(catalog, api):
    run, seen = catalog
    asked = sorted(r["params"]["resourceType"][0] for r in seen if r["path"] == "/functions")
    assert asked == sorted(FUNCTION_TYPES)
    contexts = [p["context"] for p in run.bookmark("segment_functions")["partitions"]]
    assert sorted(c["resourceType"] for c in contexts) == sorted(FUNCTION_TYPES)
    assert Counter(r["resourceType"] for r in run.records("segment_functions")) == Counter(
        f["resourceType"] for f in api.records("segment_functions")
    )


def test_full_tables_activate_their_version_and_audit_events_are_windowed(catalog):
    run, _ = catalog
    activated = {m["stream"]: m["version"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}
    assert set(activated) == set(NAMES) - {"segment_audit_events"}
    for message in run.messages:
        if message["type"] == "RECORD" and message["stream"] in activated:
            assert message["version"] == activated[message["stream"]]
    unversioned = {m["stream"] for m in run.messages if m["type"] == "RECORD" and m.get("version") is None}
    assert unversioned == {"segment_audit_events"}
    assert run.bookmark("segment_audit_events")["replication_key"] == "window_end"


@pytest.mark.parametrize(
    ("host", "origin"),
    [(None, "https://api.segmentapis.com"), ("eu1.api.segmentapis.com", "https://eu1.api.segmentapis.com")],
    ids=["us-default", "eu"],
)
def test_every_table_takes_its_region_from_one_param(host, origin):
    for path in SPECS:
        spec = load_spec(path, path.name)
        values = {**spec.defaults, **({"api_host": host} if host else {})}
        assert render(spec.request.host, values, encode=encode_host_value) == origin


def test_a_deleted_source_leaves_the_next_full_table_run():
    specs = [
        str(ROOT / "specs" / f"{n}.json")
        for n in ("segment_sources", "segment_source_connected_destinations")
    ]
    with DemoAPI(sources=8) as api:
        first = run_tap(api.tap_config(specs=specs))
        gone = api.records("segment_sources")[2]
        destinations = [d["id"] for d in api.records("segment_destinations") if d["sourceId"] == gone["id"]]
        assert destinations  # the source has connected destinations, deleted with it
        removed = api.delete("segment_sources", gone["id"])
        assert removed["segment_sources"] == [gone["id"]]
        assert sorted(removed["segment_destinations"]) == sorted(destinations)

        second = run_tap(api.tap_config(specs=specs))
        before = {r["id"] for r in first.records("segment_sources")}
        after = {r["id"] for r in second.records("segment_sources")}
        assert before - after == {gone["id"]} and len(after) == 7
        kept = {r["id"] for r in second.records("segment_source_connected_destinations")}
        assert not kept & set(destinations)
        versions = {m["stream"]: m["version"] for m in second.messages if m["type"] == "ACTIVATE_VERSION"}
        assert set(versions) == {"segment_sources", "segment_source_connected_destinations"}
        first_versions = {
            m["stream"]: m["version"] for m in first.messages if m["type"] == "ACTIVATE_VERSION"
        }
        assert all(versions[s] > first_versions[s] for s in versions)  # the target drops older rows
        kinds = [m["type"] for m in second.messages if m.get("stream") == "segment_sources"]
        assert kinds[-1] == "ACTIVATE_VERSION"  # after the last record
