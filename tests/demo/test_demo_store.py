"""The demo's data (demo/data/store.py and each vendor's records): realistic, the same for a
seed, changed by ticks, deleted at the source with what hangs off it, kept in a state file."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from demo.data.times import fmt_ms, fmt_offset, fmt_z, parse_time
from demo.registry import CHANGE_KEYS, DATASETS, ID_KEYS, TICKED
from tests.demo.common import (
    BEARER,
    LATER,
    MEMBERS,
    NOW,
    ROOT,
    UTC,
    get,
    walk_helpscout,
    walk_segment,
    walk_zendesk,
)


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
