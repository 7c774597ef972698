"""Every spec in specs/ against the bundled demo API, which answers as each API documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest

from demo.api import DATASETS, ID_KEYS, DemoAPI
from tap_restspec.dates import to_iso
from tap_restspec.spec import load_spec
from tap_restspec.templating import encode_host_value, render
from tests.helpers import ROOT, run_tap


@pytest.fixture(scope="module")
def api():
    with DemoAPI() as demo:
        yield demo


def run_spec(api, name, **settings):
    api.clear_requests()
    return run_tap(api.tap_config(specs=[str(ROOT / "specs" / f"{name}.json")], **settings))


def spec_document(name):
    return json.loads((ROOT / "specs" / f"{name}.json").read_text())


@pytest.mark.parametrize("name", [d for d in DATASETS if d != "mailchimp_email_activity"])
def test_each_spec_reads_every_record_once_with_its_primary_key(api, name):
    run = run_spec(api, name)
    records = run.records(name)
    key = ID_KEYS[name]
    assert sorted(str(r[key]) for r in records) == sorted(str(i) for i in api.ids(name))
    schema = run.schemas()[name]
    assert schema["key_properties"] == spec_document(name)["singer"]["primaryKeys"]
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


def test_mailchimp_email_activity_explodes_each_activity(api):
    run = run_spec(api, "mailchimp_email_activity")
    records = run.records("mailchimp_email_activity")
    expected = [
        (email["email_id"], activity["action"], activity["timestamp"])
        for email in api.records("mailchimp_email_activity")
        for activity in email["activity"]
    ]
    assert sorted((r["email_id"], r["action"], r["timestamp"]) for r in records) == sorted(expected)
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
