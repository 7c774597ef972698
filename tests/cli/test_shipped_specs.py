"""Every spec in specs/ against the bundled demo API, which answers as each API documents.

The Segment catalog has its own module (tests/cli/test_segment_catalog.py).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest

from demo.api import DemoAPI
from demo.registry import ID_KEYS, TICKED
from tap_restspec.expr.dates import to_iso
from tap_restspec.expr.template import encode_host_value, render
from tap_restspec.parse.document import load_spec
from tests.helpers import ROOT, Collector, run_tap


@pytest.fixture(scope="module")
def api():
    with DemoAPI() as demo:
        yield demo


def run_spec(api, name, **settings):
    api.clear_requests()
    return run_tap(api.tap_config(specs=[str(ROOT / "specs" / f"{name}.json")], **settings))


def spec_document(name):
    return json.loads((ROOT / "specs" / f"{name}.json").read_text())


def spec_path(name):
    return str(ROOT / "specs" / f"{name}.json")


def keys_of(records, keys):
    return sorted(tuple(str(r[k]) for k in keys) for r in records)


def activity_keys(emails, campaign_key="campaign_id"):
    """(campaign, email_id, action, timestamp) of every activity of the given emails."""
    return sorted(
        (e[campaign_key], e["email_id"], a["action"], a["timestamp"]) for e in emails for a in e["activity"]
    )


def test_every_spec_is_a_whole_connection_spec_in_two_space_json():
    for path in sorted((ROOT / "specs").glob("*.json")):
        document = json.loads(path.read_text())
        assert {"name", "providerId", "version", "authSpec", "sourceSpec", "exploreSpec", "singer"} <= set(
            document
        )
        assert {"attributes", "spec"} <= set(document["sourceSpec"]), path.name
        assert document["singer"]["name"] == path.stem and document["singer"]["primaryKeys"], path.name
        assert path.read_text() == json.dumps(document, indent=2, ensure_ascii=False) + "\n", path.name


@pytest.mark.parametrize("name", [d for d in TICKED if d != "mailchimp_email_activity"])
def test_each_spec_reads_every_record_once_with_its_primary_key(api, name):
    run = run_spec(api, name)
    records = run.records(name)
    keys = spec_document(name)["singer"]["primaryKeys"]
    expected = api.records(name)
    assert keys_of(records, keys) == keys_of(expected, keys)
    assert len(set(keys_of(records, keys))) == len(records)
    assert sorted(str(r[ID_KEYS[name]]) for r in records) == sorted(str(i) for i in api.ids(name))
    schema = run.schemas()[name]
    assert schema["key_properties"] == keys
    assert set(records[0]) <= set(schema["schema"]["properties"])


def test_mailchimp_members_pages_with_count_and_offset_inside_a_window(api):
    run_spec(api, "mailchimp_members", start_date="2020-01-01T00:00:00Z", end_date="2030-01-01T00:00:00Z")
    seen = api.requests
    assert [r["params"]["offset"] for r in seen] == [["0"]]  # 250 members, 1000 a page
    assert seen[0]["path"] == f"/3.0/lists/{api.params['listId']}/members"
    assert seen[0]["params"]["count"] == ["1000"]
    assert seen[0]["params"]["since_last_changed"] == ["2020-01-01T00:00:00+00:00"]
    assert seen[0]["params"]["before_last_changed"] == ["2030-01-01T00:00:00+00:00"]
    assert seen[0]["headers"]["Authorization"].startswith("Basic ")
    assert "_links" not in run_spec(api, "mailchimp_members").records()[0]


def test_mailchimp_members_of_several_lists_one_partition_each(api):
    lists = api.list_ids
    assert len(lists) == 3
    end = "2030-01-01T00:00:00Z"
    params = {**api.params, "listId": lists}
    api.clear_requests()
    run = run_tap(api.tap_config(specs=[spec_path("mailchimp_members")], params=params, end_date=end))
    expected = api.records("mailchimp_members") + api.records("mailchimp_list_members")
    records = run.records("mailchimp_members")
    assert keys_of(records, ["list_id", "id"]) == keys_of(expected, ["list_id", "id"])
    assert all(r["listId"] == r["list_id"] for r in records)  # the partition's value, as the tap adds it
    twice = [i for i, n in Counter(r["id"] for r in records).items() if n > 1]
    assert twice  # the same person in two lists: the same id, so the key is (list_id, id)
    assert sorted(r["path"] for r in api.requests) == sorted(f"/3.0/lists/{i}/members" for i in lists)
    partitions = run.bookmark("mailchimp_members")["partitions"]
    assert sorted(p["context"]["listId"] for p in partitions) == sorted(lists)
    assert {p["replication_key_value"] for p in partitions} == {end}
    assert "listId" in run.schemas()["mailchimp_members"]["schema"]["properties"]


def test_mailchimp_campaigns_are_a_full_table_oldest_first(api):
    run = run_spec(api, "mailchimp_campaigns")
    records = run.records("mailchimp_campaigns")
    assert [r["id"] for r in records] == [c["id"] for c in api.records("mailchimp_campaigns")]
    assert api.campaign_id in {r["id"] for r in records} and "_links" not in records[0]
    (seen,) = api.requests
    assert (seen["path"], seen["params"]["count"], seen["params"]["offset"]) == (
        "/3.0/campaigns",
        ["1000"],
        ["0"],
    )
    assert (seen["params"]["sort_field"], seen["params"]["sort_dir"]) == (["create_time"], ["ASC"])
    assert [m["type"] for m in run.messages if m.get("stream") == "mailchimp_campaigns"][
        -1
    ] == "ACTIVATE_VERSION"


def test_mailchimp_email_activity_of_every_campaign_once_per_campaign(api):
    specs = [spec_path("mailchimp_campaigns"), spec_path("mailchimp_campaign_email_activity")]
    api.clear_requests()
    run = run_tap(api.tap_config(specs=specs))
    campaigns = api.records("mailchimp_campaigns")
    reports = sorted(r["path"] for r in api.requests if r["path"].startswith("/3.0/reports/"))
    assert reports == sorted(f"/3.0/reports/{c['id']}/email-activity" for c in campaigns)
    records = run.records("mailchimp_campaign_email_activity")
    emails = api.records("mailchimp_email_activity") + api.records("mailchimp_campaign_activity")
    assert sorted((r["campaignId"], r["email_id"], r["action"], r["timestamp"]) for r in records) == (
        activity_keys(emails)
    )
    assert all(r["campaignId"] == r["campaign_id"] for r in records)
    drafts = {c["id"] for c in campaigns if c["status"] == "save"}
    assert drafts and not drafts & {r["campaignId"] for r in records}  # a draft has no activity
    keys = spec_document("mailchimp_campaign_email_activity")["singer"]["primaryKeys"]
    assert len(set(keys_of(records, keys))) == len(records)
    activated = {m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}
    assert activated == {"mailchimp_campaigns", "mailchimp_campaign_email_activity"}
    # a full-table child keeps no per-parent bookmark (2026-12-07, "Traffic")
    assert "mailchimp_campaign_email_activity" not in run.state.get("bookmarks", {})


def test_mailchimp_email_activity_explodes_each_activity(api):
    run = run_spec(api, "mailchimp_email_activity")
    records = run.records("mailchimp_email_activity")
    expected = activity_keys(api.records("mailchimp_email_activity"))
    assert sorted((r["campaign_id"], r["email_id"], r["action"], r["timestamp"]) for r in records) == expected
    assert all("activity" not in r and "email_address" in r for r in records)


def test_zendesk_users_backfill_then_incremental():
    spec = [str(ROOT / "specs" / "zendesk_users.json")]
    end1 = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    end2 = end1 + timedelta(minutes=1)
    with DemoAPI() as api:
        first = run_tap(api.tap_config(specs=spec, end_date=to_iso(end1)))
        seen = api.requests
        assert seen[0]["path"] == "/api/v2/search/export"
        pairs = parse_qsl(seen[0]["query"])
        assert pairs[:3] == [
            ("query", "type:user"),
            ("filter[type]", "user"),
            ("query", f"type:user updated < {to_iso(end1)}"),
        ]
        assert all("page[after]" in r["params"] for r in seen[1:])
        assert len(first.records()) == len(api.ids("zendesk_users"))
        assert first.bookmark("zendesk_users")["replication_key_value"] == to_iso(end1)

        changed = api.tick(now=end1 + timedelta(seconds=10))["zendesk_users"]
        api.clear_requests()
        second = run_tap(api.tap_config(specs=spec, end_date=to_iso(end2)), state=first.state)
        queries = {r["params"]["query"][-1] for r in api.requests}
        assert api.requests[0]["path"] == "/api/v2/search/export"
        assert queries == {f"type:user updated > {to_iso(end1)} updated < {to_iso(end2)}"}
        assert {r["id"] for r in second.records()} == set(changed["updated"] + changed["added"])


def test_segment_sources_use_bearer_and_cursor(api):
    run_spec(api, "segment_sources")
    seen = api.requests
    assert {r["headers"]["Authorization"] for r in seen} == {"Bearer demo-api-key"}
    assert seen[0]["params"]["pagination.count"] == ["200"]
    assert "pagination.cursor" not in seen[0]["params"]
    assert all("pagination.cursor" in r["params"] for r in seen[1:])


def test_segment_audit_events_are_windowed(api):
    run = run_spec(api, "segment_audit_events", start_date="2000-01-01T00:00:00Z")
    seen = api.requests
    assert {r["params"]["startTime"][0] for r in seen} == {"2000-01-01T00:00:00.000Z"}
    assert len({r["params"]["endTime"][0] for r in seen}) == 1
    assert len(run.records()) == len(api.ids("segment_audit_events"))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param(None, "https://api.segmentapis.com/sources", id="us-default"),
        pytest.param("eu1.api.segmentapis.com", "https://eu1.api.segmentapis.com/sources", id="eu"),
    ],
)
def test_segment_region_comes_from_a_param(host, expected):
    params = {"api_host": host} if host else {}
    values = {"api_key": "k-123", **params}
    spec = load_spec(ROOT / "specs" / "segment_sources.json", "segment_sources.json")
    url = render(spec.request.host, {**spec.defaults, **values}, encode=encode_host_value)
    assert url + render(spec.request.path, values) == expected


def test_hubspot_contacts_follow_the_next_link(api):
    run_spec(api, "hubspot_contacts")
    seen = api.requests
    assert seen[0]["params"]["limit"] == ["100"]
    assert all("after" in r["params"] for r in seen[1:]) and len(seen) == 3
    assert {r["headers"]["Authorization"] for r in seen} == {"Bearer demo-access-token"}


def test_helpscout_conversations_page_from_one(api):
    run_spec(api, "helpscout_conversations")
    pages = [r["params"]["page"][0] for r in api.requests if r["path"] == "/v2/conversations"]
    assert pages == ["1", "2", "3", "4", "5"]  # 110 conversations, 25 a page


def millis(moment):
    return str(int(moment.timestamp() * 1000))


def search_bodies(api):
    return [json.loads(r["body"]) for r in api.requests if r["path"] == "/crm/v3/objects/contacts/search"]


def window_of(body):
    (group,) = body["filterGroups"]
    return {f["operator"]: f["value"] for f in group["filters"] if f["propertyName"] == "lastmodifieddate"}


def test_hubspot_contacts_search_sends_after_in_the_body_and_the_window_in_the_filters():
    end = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    start = end - timedelta(days=40)
    spec = [spec_path("hubspot_contacts_search")]
    with DemoAPI(contacts=230) as api:
        # One slice (the setting overrides the spec's P1D), so one pass of three pages of 100.
        config = api.tap_config(
            specs=spec, start_date=to_iso(start), end_date=to_iso(end), window_step="P60D"
        )
        first = run_tap(config)
        bodies = search_bodies(api)
        assert [r["method"] for r in api.requests] == ["POST"] * 3
        assert {r["headers"]["Authorization"] for r in api.requests} == {"Bearer demo-access-token"}
        assert [b.get("after") for b in bodies] == [None, "100", "200"]  # paging.next.after, in the body
        assert all(
            b["limit"] == 100 and "after" not in r["params"]
            for b, r in zip(bodies, api.requests, strict=True)
        )
        assert {tuple(sorted(window_of(b).items())) for b in bodies} == {
            (("GTE", millis(start)), ("LT", millis(end)))
        }  # Unix milliseconds, the same window on every page
        assert bodies[0]["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
        changed = api.changed_between("hubspot_contacts", start, end)
        assert sorted(r["id"] for r in first.records()) == sorted(c["id"] for c in changed)
        assert first.bookmark("hubspot_contacts_search")["replication_key_value"] == to_iso(end)
        assert "ACTIVATE_VERSION" not in {m["type"] for m in first.messages}  # windowed: incremental

        touched = api.tick(end + timedelta(seconds=5))["hubspot_contacts"]
        later = end + timedelta(minutes=1)
        api.clear_requests()
        second = run_tap({**config, "end_date": to_iso(later)}, state=first.state)
        assert [window_of(b) for b in search_bodies(api)] == [{"GTE": millis(end), "LT": millis(later)}]
        assert sorted(r["id"] for r in second.records()) == sorted(touched["updated"] + touched["added"])


def test_hubspot_contacts_search_steps_by_day_and_a_backfill_asks_from_zero():
    end = datetime.now(timezone.utc).replace(microsecond=0)
    spec = [spec_path("hubspot_contacts_search")]
    with DemoAPI(contacts=60) as api:
        start = end - timedelta(days=3)
        run = run_tap(api.tap_config(specs=spec, start_date=to_iso(start), end_date=to_iso(end)))
        windows = [window_of(b) for b in search_bodies(api)]
        bounds = [start + timedelta(days=d) for d in range(4)]
        assert windows == [{"GTE": millis(a), "LT": millis(b)} for a, b in itertools.pairwise(bounds)]  # P1D
        assert sorted(r["id"] for r in run.records()) == sorted(
            c["id"] for c in api.changed_between("hubspot_contacts", start, end)
        )
        api.clear_requests()
        everything = run_tap(api.tap_config(specs=spec, end_date=to_iso(end)))  # no start: backfill
        assert [window_of(b) for b in search_bodies(api)] == [{"GTE": "0", "LT": millis(end)}]
        assert sorted(r["id"] for r in everything.records()) == sorted(api.ids("hubspot_contacts"))


def test_the_sdk_dry_run_reads_children_through_their_parents(api):
    """singer-sdk's `Tap.run_sync_dry_run` (its standard tests use it) runs every stream whose
    `parent_stream_type` is unset; a child read that way has no parent record, so it must not
    run on its own (it would use params.campaignId, or fail on a missing placeholder): its
    records come through its parent, once per parent record, as in a sync."""
    from tap_restspec.tap import TapRestSpec

    specs = [spec_path("mailchimp_campaigns"), spec_path("mailchimp_campaign_email_activity")]
    collector = Collector()
    tap = TapRestSpec(config=api.tap_config(specs=specs), message_writer=collector)
    api.clear_requests()
    assert tap.run_sync_dry_run(dry_run_record_limit=None)
    records = [
        m["record"]
        for m in collector.messages
        if m["type"] == "RECORD" and m["stream"] == "mailchimp_campaign_email_activity"
    ]
    sent = {c["id"] for c in api.records("mailchimp_campaigns") if c["status"] == "sent"}
    assert {r.get("campaignId") for r in records} == sent
