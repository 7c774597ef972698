"""The Segment Public API catalog (specs/segment_*.json) against the bundled demo API.

One spec per table, as a real connector exposes them: each reads every record once with its
primary keys, the nested tables once per parent record with the parent's ids, the whole
catalog in one run (and a known number of requests), invites as ``{"value": ...}`` records,
and a source deleted in the workspace leaves ``segment_sources`` after the next run, whose
ACTIVATE_VERSION tells the target so. The operational metrics are windowed: usage asks for the
month of each slice's start, event volume and Delivery Overview for the day buckets from the
start of a slice's first day to its end, one row per bucket and group, 29 days a slice.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from math import ceil

import pytest

from demo.api import DemoAPI
from demo.vendors.segment.catalog import PARENT
from demo.vendors.segment.metrics import series
from demo.vendors.segment.words import FUNCTION_TYPES
from tap_restspec.expr.template import encode_host_value, render
from tap_restspec.parse.document import load_spec
from tests.helpers import ROOT, Run, run_cli, run_tap

SPECS = sorted((ROOT / "specs").glob("segment_*.json"))
NAMES = [path.stem for path in SPECS]
PAGE = 200  # pagination.count in every paged spec
UTC = timezone.utc
USAGE = {  # table: the demo's dataset (the month of each slice's start)
    "segment_api_calls_daily": "segment_workspace_api_calls_usage",
    "segment_api_calls_daily_per_source": "segment_api_calls_usage",
    "segment_mtu_daily": "segment_workspace_mtu_usage",
    "segment_mtu_daily_per_source": "segment_mtu_usage",
}
STEPS = {  # Delivery Overview table: (step, the parent's fields the rows carry, the group)
    "segment_delivery_successfully_received": ("successfully-received", ("sourceId",), "eventType"),
    "segment_delivery_failed_on_ingest": ("failed-on-ingest", ("sourceId",), "discardReason"),
    "segment_delivery_filtered_at_source": ("filtered-at-source", ("sourceId",), "discardReason"),
    "segment_delivery_successful_delivery": (
        "successful-delivery",
        ("destinationConfigId", "sourceId"),
        "eventType",
    ),
    "segment_delivery_failed_delivery": (
        "failed-delivery",
        ("destinationConfigId", "sourceId"),
        "discardReason",
    ),
    "segment_delivery_filtered_at_destination": (
        "filtered-at-destination",
        ("destinationConfigId", "sourceId"),
        "discardReason",
    ),
}
BUCKETED = ["segment_event_volume", *STEPS]


def spec_of(name):
    return json.loads((ROOT / "specs" / f"{name}.json").read_text())


WINDOWED = {name for name in NAMES if "scheduleParams" in spec_of(name)["sourceSpec"]["attributes"]}


def strip(row):
    return {k: v for k, v in row.items() if k != PARENT}


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def day(moment):
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def months_read(start, end):
    """The first day of each month a usage stream asks for: one slice a month from ``start``."""
    months, moment = [], start
    while moment < end:
        months.append(day(moment).replace(day=1))
        month0 = moment.month  # calendar months: the day is kept (clamped to a short month)
        year, month = moment.year + month0 // 12, month0 % 12 + 1
        last = (datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC) - timedelta(days=1)).day
        moment = moment.replace(year=year, month=month, day=min(moment.day, last))
    return months


def in_months(rows, months):
    keys = {m.strftime("%Y-%m") for m in months}
    return [r for r in rows if r["timestamp"][:7] in keys]


def bucket_rows(rows, parent_fields, group, first, end):
    """One row per parent, group and day bucket from ``first`` to ``end``: the buckets summed."""
    counts: dict[tuple, int] = {}
    for row in rows:
        for bucket in series(row):
            if first <= bucket["time"] < end:
                key = (*(row[f] for f in parent_fields), row[group], bucket["time"])
                counts[key] = counts.get(key, 0) + bucket["count"]
    return [
        {**dict(zip(parent_fields, key[:-2], strict=True)), group: key[-2], "time": key[-1], "count": count}
        for key, count in counts.items()
    ]


def metric_records(api, name, first, end):
    """What a bucketed table holds for buckets from ``first`` (a day's start) to ``end``."""
    sources = {s["id"] for s in api.records("segment_sources")}
    if name == "segment_event_volume":
        rows = [r for r in api.records("segment_event_volume") if r["sourceId"] in sources]
        return bucket_rows(rows, ("sourceId",), "eventType", first, end)
    step, fields, group = STEPS[name]
    destinations = {(d["id"], d["sourceId"]) for d in api.records("segment_destinations")}
    rows = [
        r
        for r in api.records("segment_delivery_overview")
        if r["metric"] == step
        and r["sourceId"] in sources
        and (r["destinationConfigId"] is None or (r["destinationConfigId"], r["sourceId"]) in destinations)
    ]
    return bucket_rows(rows, fields, group, first, end)


def expected_records(api, start=None, end=None, also=()):
    """What each table should hold after a run with that window (start None: a first run with no
    start_date; ``also``: moments whose usage months later runs read too), built from the demo's
    data (not through its HTTP answers)."""
    end = end or datetime.now(UTC)
    sources = api.records("segment_sources")
    warehouses = {w["id"]: w for w in api.records("segment_warehouses")}
    by_id = {s["id"]: s for s in sources}
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
            "segment_reverse_etl_models",
            "segment_spaces",
            "segment_catalog_sources",
            "segment_catalog_destinations",
            "segment_catalog_warehouses",
            "segment_regulations",
            "segment_source_settings",
            "segment_destination_filters",
            "segment_computed_traits",
        )
    }
    months = months_read(start, end) if start else [day(end).replace(day=1)]  # a first run: this month
    months = [*months, *(day(moment).replace(day=1) for moment in also)]
    first = stamp(day(start) if start else day(end - timedelta(days=7)))  # a first run: the last 7 days
    events = api.records("segment_audit_events")
    if start:  # startTime inclusive, endTime exclusive
        events = [e for e in events if start <= parse(e["timestamp"]) < end]
    return {
        **plain,
        **{name: in_months(api.records(dataset), months) for name, dataset in USAGE.items()},
        **{name: metric_records(api, name, first, stamp(end)) for name in BUCKETED},
        "segment_audit_events": events,
        "segment_invites": [{"value": email} for email in api.records("segment_invites")],
        "segment_suppressions": [
            {"subjectType": s["subjectType"], "subjectId": subject}
            for s in api.records("segment_suppressions")
            for subject in s["subjectIds"]
        ],
        "segment_tracking_plan_sources": [
            {**by_id[link["sourceId"]], "trackingPlanId": link["trackingPlanId"]}
            for link in api.records("segment_tracking_plan_sources")
        ],
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


def tap(directory, config, state=None):
    """The tap's command line against the demo, as a scheduler runs it (its memory is its own)."""
    result = run_cli(directory, config, state=state, timeout=300)
    assert result.code == 0, result.stderr[-2000:]
    return Run(result.messages())


def keys_of(records, keys):
    return sorted(tuple(str(r[k]) for k in keys) for r in records)


def assert_table(run, expected, name):
    """The table holds exactly the expected rows (the last record of a key wins, as in a target)."""
    keys = spec_of(name)["singer"]["primaryKeys"]
    records = run.records(name)
    assert records, name
    by_key = {tuple(str(r[k]) for k in keys): r for r in records}
    assert sorted(by_key) == keys_of(expected, keys), name
    assert len(set(keys_of(expected, keys))) == len(expected)  # the keys identify a row
    for row in expected:  # and each record is the API's object (plus the parent's ids)
        record = by_key[tuple(str(row[k]) for k in keys)]
        assert {k: v for k, v in record.items() if k in row} == row, name
        assert PARENT not in record
    schema = run.schemas()[name]
    assert schema["key_properties"] == keys
    assert set(keys) <= set(schema["schema"]["properties"])


@pytest.fixture(scope="module")
def api():
    with DemoAPI() as demo:
        yield demo


@pytest.fixture(scope="module")
def catalog(api, tmp_path_factory):
    """One run of the whole Segment catalog, as a first run with no start_date, and its requests."""
    api.clear_requests()
    end = datetime.now(UTC).replace(microsecond=0)
    run = tap(
        tmp_path_factory.mktemp("catalog"), api.tap_config(specs=[str(p) for p in SPECS], end_date=stamp(end))
    )
    return run, api.requests, end


def test_the_specs_are_whole_connection_specs_with_a_singer_block():
    for path in SPECS:
        document = json.loads(path.read_text())
        assert {"name", "providerId", "version", "authSpec", "sourceSpec", "exploreSpec", "singer"} <= set(
            document
        )
        attributes = document["sourceSpec"]["attributes"]
        assert attributes["urlParams"]["host"] == "https://${api_host}", path.name
        assert attributes["headerParams"]["Authorization"] == "Bearer ${api_key}"
        assert attributes["contentPath"]["path"].startswith("$.data"), path.name
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


def test_metric_specs_name_their_window_and_its_step():
    for name in USAGE:
        attributes = spec_of(name)["sourceSpec"]["attributes"]
        assert attributes["urlParams"]["queryParams"]["period"] == "{SCHEDULE_QUERY}"
        assert attributes["scheduleParams"]["paramFormat"] == "yyyy-MM-01"
        assert spec_of(name)["singer"]["windowStep"] == "P1M"
    for name in BUCKETED:
        attributes = spec_of(name)["sourceSpec"]["attributes"]
        assert attributes["urlParams"]["queryParams"]["granularity"] == "DAY"
        assert attributes["scheduleParams"]["scheduleStartParamFormat"] == "yyyy-MM-ddT00:00:00Z"
        assert spec_of(name)["singer"]["windowStep"] == "P29D"  # 30 days at most, from a day's start
        assert spec_of(name)["singer"]["primaryKeys"][-1] == "time"  # one row per bucket
    assert {*USAGE, *BUCKETED, "segment_audit_events"} == WINDOWED
    for name in [*USAGE, *BUCKETED]:  # written, not sampled: see the discovery test below
        assert spec_of(name)["singer"]["primaryKeys"][-1] in str(
            spec_of(name)["sourceSpec"]["attributes"]["schema"]
        )


@pytest.mark.parametrize("name", NAMES)
def test_each_table_reads_every_record_once_with_its_primary_keys(catalog, api, name):
    run, _, end = catalog
    expected = expected_records(api, end=end)[name]
    assert_table(run, expected, name)
    assert len(run.records(name)) == len(expected)  # one window, one slice: each row once


def test_the_whole_catalog_in_one_run_and_the_requests_it_makes(catalog, api):
    run, seen, end = catalog
    assert {m["stream"] for m in run.messages if m["type"] == "RECORD"} == set(NAMES)
    assert all(r["status"] == 200 for r in seen)
    assert {r["headers"]["Authorization"] for r in seen} == {"Bearer demo-api-key"}
    expected = expected_records(api, end=end)
    count = {
        "segment_sources": len(api.records("segment_sources")),
        "segment_destinations": len(api.records("segment_destinations")),
        **{n: len(api.records(n)) for n in ("segment_warehouses", "segment_tracking_plans")},
        **{n: len(api.records(n)) for n in ("segment_functions", "segment_groups", "segment_spaces")},
    }
    made = 0
    for name in NAMES:
        singer = spec_of(name)["singer"]
        if "parent" in singer:
            made += count[singer["parent"]["stream"]]  # every child fits one page
        elif spec_of(name)["sourceSpec"]["attributes"]["paginationParams"]["type"] == "NONE":
            made += 1
        elif name == "segment_functions":
            made += len(FUNCTION_TYPES)  # one pass per resourceType (the demo's params)
        else:
            made += max(1, ceil(len(expected[name]) / PAGE))
    assert len(seen) == made
    per_path = Counter(r["path"].split("/")[1] for r in seen)
    assert per_path["sources"] == 1 + 3 * count["segment_sources"]  # destinations, warehouses, settings
    assert per_path["audit-events"] == ceil(len(api.records("segment_audit_events")) / PAGE) == 3
    assert per_path["delivery-overview"] == 3 * count["segment_sources"] + 3 * count["segment_destinations"]
    assert per_path["catalog"] == 1 + 2 + 1  # 230 destinations are two pages


def placeholder_values(template, params, placeholders, path, query):
    """The placeholders' values in one request, from its path or its query."""
    pattern = "^" + re.escape(template)
    for name in placeholders:
        pattern = pattern.replace(re.escape("${" + name + "}"), f"(?P<{name}>[^/]+)")
    match = re.match(pattern + "$", path)
    if match is None:
        return None
    found = match.groupdict()
    for key, value in params.items():
        for name in placeholders:
            if value == "${" + name + "}":
                found[name] = query[key][0]
    return tuple(found[name] for name in placeholders)


def test_children_run_once_per_parent_record_with_the_parents_ids(catalog):
    run, seen, _ = catalog
    for name in NAMES:
        parent = spec_of(name)["singer"].get("parent")
        if parent is None:
            continue
        placeholders = sorted(parent["values"])
        fields = [parent["values"][p].removeprefix("$.") for p in placeholders]
        wanted = [tuple(r[f] for f in fields) for r in run.records(parent["stream"])]
        url = spec_of(name)["sourceSpec"]["attributes"]["urlParams"]
        asked = [
            found
            for r in seen
            if (
                found := placeholder_values(
                    url["path"], url.get("queryParams", {}), placeholders, r["path"], r["params"]
                )
            )
        ]
        assert sorted(asked) == sorted(wanted), name  # exactly once per parent record
        rows = {tuple(r[p] for p in placeholders) for r in run.records(name)}
        assert rows <= set(wanted), name  # every row carries its parent's ids


def test_connected_tables_agree_with_their_parents(catalog):
    run, _, _ = catalog
    for record in run.records("segment_source_connected_destinations"):
        assert record["sourceId"] in {s["id"] for s in run.records("segment_sources")}
    syncs = {(r["warehouseId"], r["sourceId"]) for r in run.records("segment_warehouse_syncs")}
    connected = {(r["id"], r["sourceId"]) for r in run.records("segment_source_connected_warehouses")}
    assert syncs == connected  # a warehouse reports syncs for exactly its connected sources
    members = Counter(r["userGroupId"] for r in run.records("segment_group_users"))
    assert members == {g["id"]: g["memberCount"] for g in run.records("segment_groups")}
    received = {
        (r["sourceId"], r["eventType"], r["time"]): r["count"] for r in run.records("segment_event_volume")
    }
    delivered = run.records("segment_delivery_successfully_received")
    assert received == {(r["sourceId"], r["eventType"], r["time"]): r["count"] for r in delivered}


def test_invites_are_value_records_and_the_workspace_is_one_record(catalog, api):
    run, seen, _ = catalog
    assert run.records("segment_invites") == [{"value": email} for email in api.records("segment_invites")]
    assert run.schemas()["segment_invites"]["key_properties"] == ["value"]
    assert run.records("segment_workspace") == api.records("segment_workspace")
    workspace = [r for r in seen if r["path"] == "/"]
    assert len(workspace) == 1 and workspace[0]["query"] == ""
    labels = [r for r in seen if r["path"] == "/labels"]
    assert len(labels) == 1 and labels[0]["query"] == ""  # List Labels takes no pagination
    settings = [r for r in seen if r["path"].endswith("/settings")]
    assert settings and all(r["query"] == "" for r in settings)  # nor does List Schema Settings


def test_suppressions_are_one_row_per_subject(catalog, api):
    run, _, _ = catalog
    subjects = [i for s in api.records("segment_suppressions") for i in s["subjectIds"]]
    assert subjects and sorted(r["subjectId"] for r in run.records("segment_suppressions")) == sorted(
        subjects
    )
    assert {tuple(sorted(r)) for r in run.records("segment_suppressions")} == {("subjectId", "subjectType")}


def test_functions_read_one_partition_per_resource_type(catalog, api):
    run, seen, _ = catalog
    asked = sorted(r["params"]["resourceType"][0] for r in seen if r["path"] == "/functions")
    assert asked == sorted(FUNCTION_TYPES)
    contexts = [p["context"] for p in run.bookmark("segment_functions")["partitions"]]
    assert sorted(c["resourceType"] for c in contexts) == sorted(FUNCTION_TYPES)
    assert Counter(r["resourceType"] for r in run.records("segment_functions")) == Counter(
        f["resourceType"] for f in api.records("segment_functions")
    )


def test_full_tables_activate_their_version_and_the_windowed_ones_do_not(catalog):
    run, _, _ = catalog
    activated = {m["stream"]: m["version"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}
    assert set(activated) == set(NAMES) - WINDOWED
    for message in run.messages:
        if message["type"] == "RECORD" and message["stream"] in activated:
            assert message["version"] == activated[message["stream"]]
    unversioned = {m["stream"] for m in run.messages if m["type"] == "RECORD" and m.get("version") is None}
    assert unversioned == WINDOWED
    assert run.bookmark("segment_audit_events")["replication_key"] == "window_end"


def test_a_first_run_reads_this_month_and_the_last_seven_days(catalog):
    """No start_date: usage asks for the current month, the buckets start 7 days back."""
    _, seen, end = catalog
    periods = {r["params"]["period"][0] for r in seen if r["path"].startswith("/usage/")}
    assert periods == {end.strftime("%Y-%m-01")}
    metric = [r for r in seen if r["path"] == "/events/volume" or r["path"].startswith("/delivery-overview/")]
    first = stamp(day(end - timedelta(days=7)))
    assert {(r["params"]["startTime"][0], r["params"]["endTime"][0]) for r in metric} == {(first, stamp(end))}
    assert {r["params"]["granularity"][0] for r in metric} == {"DAY"}
    volume = [r for r in seen if r["path"] == "/events/volume"]
    assert all(
        r["params"]["groupBy.0"] == ["eventType"] and len(r["params"]["sourceId.0"]) == 1 for r in volume
    )


def test_usage_reads_the_month_of_each_slice_start(tmp_path):
    """Forty days back: two or three monthly slices, each asking for its month, every page of it."""
    specs = [str(ROOT / "specs" / f"{n}.json") for n in USAGE]
    with DemoAPI(sources=30) as api:
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(days=40)
        run = tap(tmp_path, api.tap_config(specs=specs, start_date=stamp(start), end_date=stamp(end)))
        expected = expected_records(api, start, end)
        months = [m.strftime("%Y-%m-01") for m in months_read(start, end)]
        for name, dataset in USAGE.items():
            path = spec_of(name)["sourceSpec"]["attributes"]["urlParams"]["path"]
            asked = [r["params"] for r in api.requests if r["path"] == path]
            periods = [p["period"][0] for p in asked if "pagination.cursor" not in p]
            assert periods == months, name  # oldest first, one month a slice
            sizes = [len(in_months(api.records(dataset), [parse(m + "T00:00:00Z")])) for m in months]
            assert len(asked) == sum(max(1, ceil(n / PAGE)) for n in sizes), name
            assert_table(run, expected[name], name)
            assert run.bookmark(name)["replication_key_value"] == stamp(end)


def test_metrics_slice_their_window_and_a_second_run_reads_its_last_day_again(tmp_path):
    """A window of nine days in slices of four (the window_step setting), then a second run."""
    specs = [str(ROOT / "specs" / f"{n}.json") for n in ("segment_sources", "segment_event_volume")]
    with DemoAPI(sources=3) as api:
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        start = end - timedelta(days=9)
        config = api.tap_config(specs=specs, start_date=stamp(start), end_date=stamp(end), window_step="P4D")
        first = tap(tmp_path, config)
        asked = [r["params"] for r in api.requests if r["path"] == "/events/volume"]
        slices = [start, start + timedelta(days=4), start + timedelta(days=8), end]
        windows = [(stamp(day(a)), stamp(b)) for a, b in pairwise(slices)]
        for source in api.records("segment_sources"):
            mine = [(p["startTime"][0], p["endTime"][0]) for p in asked if p["sourceId.0"] == [source["id"]]]
            assert mine == windows  # each slice from the start of its first day
        assert_table(first, expected_records(api, start, end)["segment_event_volume"], "segment_event_volume")
        partitions = first.bookmark("segment_event_volume")["partitions"]
        assert {p["replication_key_value"] for p in partitions} == {stamp(end)}

        api.clear_requests()
        later = end + timedelta(minutes=30)
        second = tap(tmp_path, {**config, "end_date": stamp(later)}, state=first.state)
        asked = {
            (p["startTime"][0], p["endTime"][0])
            for p in (r["params"] for r in api.requests)
            if "startTime" in p
        }
        assert asked == {(stamp(day(end)), stamp(later))}  # the last day again, now complete
        times = {r["time"] for r in second.records("segment_event_volume")}
        assert times == {stamp(day(end))} | ({stamp(day(later))} if day(later) > day(end) else set())


def test_a_window_older_than_segment_keeps_fails_with_segments_message(tmp_path):
    """Segment keeps 30 days of Delivery Overview: an older start_date is Segment's 422, named."""
    spec = str(ROOT / "specs" / "segment_delivery_successfully_received.json")
    parent = str(ROOT / "specs" / "segment_sources.json")
    with DemoAPI(sources=2) as api:
        start = stamp(datetime.now(UTC) - timedelta(days=45))
        result = run_cli(tmp_path, api.tap_config(specs=[parent, spec], start_date=start))
    assert result.code != 0
    assert "segment_delivery_successfully_received" in result.stderr and "422" in result.stderr
    assert "at most 30 days in the past" in result.stderr
    assert "Traceback" not in result.stderr


def test_discovery_asks_nothing_of_the_metrics_so_an_old_start_date_does_not_fail_it(tmp_path):
    """Meltano discovers before every run, with start_date's window: past Segment's 30 days a
    sample would be a 422 on every run; the metrics' schemas are in their specs, so none is asked."""
    specs = [
        str(ROOT / "specs" / f"{n}.json")
        for n in ("segment_sources", "segment_destinations", *USAGE, *BUCKETED)
    ]
    with DemoAPI(sources=2) as api:
        start = stamp(datetime.now(UTC) - timedelta(days=45))
        result = run_cli(tmp_path, api.tap_config(specs=specs, start_date=start), "--discover")
        assert sorted(r["path"] for r in api.requests) == [
            "/destinations",
            "/sources",
        ]  # the parents' samples
    assert result.code == 0, result.stderr[-1000:]
    streams = {s["tap_stream_id"]: s for s in json.loads(result.stdout)["streams"]}
    volume = streams["segment_event_volume"]["schema"]["properties"]
    assert {"sourceId", "eventType", "time", "count"} <= set(volume) and "series" not in volume


def test_a_plan_without_the_metrics_answers_403_which_the_spec_skips(tmp_path):
    """A Free or Starter workspace (the demo's segment_plan switch) gets 403 from the usage endpoints;
    the spec's `"onHttpError": {"403": "skip"}` ends that table's pass with one WARNING, no failure."""
    spec = str(ROOT / "specs" / "segment_mtu_daily.json")
    with DemoAPI(sources=2, segment_plan="free") as api:
        result = run_cli(tmp_path, api.tap_config(specs=[spec]))
        assert [r["status"] for r in api.requests] == [403]
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    states = [m["value"] for m in result.messages() if m["type"] == "STATE"]
    assert not result.records() and states[-1]["bookmarks"]["segment_mtu_daily"] == {}  # read again next run
    warned = [line for line in result.stderr.splitlines() if " WARNING " in line]
    assert len(warned) == 1 and "HTTP 403" in warned[0] and "singer.onHttpError" in warned[0]


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
