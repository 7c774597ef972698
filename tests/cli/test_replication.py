"""Replication methods as a user sees them: full table with ACTIVATE_VERSION, incremental, window steps."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time

from tests.helpers import Reply, run_cli, run_partial, run_tap, source_spec, start_tap, write_spec

ITEMS = [{"id": i} for i in range(5)]
OFFSET = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}
SCHEDULE = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}


def items_api(seen):
    offset = int(seen.q("offset") or 0)
    return Reply(body={"items": ITEMS[offset : offset + 2]})


def spec(url, **extra):
    return {
        **source_spec(url, pagination=OFFSET, **extra),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }


def types(run):
    return [m["type"] for m in run.messages if m.get("stream", "items") == "items" and m["type"] != "STATE"]


def test_a_full_table_stream_activates_its_version_after_the_last_page(serve, tmp_path):
    server = serve(items_api)
    before = int(time.time() * 1000)
    run = run_tap({"specs": [write_spec(tmp_path, "items.json", spec(server.url))]})
    after = int(time.time() * 1000)
    assert types(run) == ["SCHEMA", "RECORD", "RECORD", "RECORD", "RECORD", "RECORD", "ACTIVATE_VERSION"]
    versions = {m["version"] for m in run.messages if m["type"] in ("RECORD", "ACTIVATE_VERSION")}
    assert len(versions) == 1 and before <= versions.pop() <= after  # milliseconds at the run's start
    catalog = json.loads(run_cli(tmp_path, {"specs": ["items.json"]}, "--discover").stdout)
    assert catalog["streams"][0]["replication_method"] == "FULL_TABLE"


def test_two_runs_never_share_a_version(serve, tmp_path):
    server = serve(items_api)
    config = {"specs": [write_spec(tmp_path, "items.json", spec(server.url))]}
    first, second = run_tap(config), run_tap(config)
    version = lambda run: next(m["version"] for m in run.messages if m["type"] == "ACTIVATE_VERSION")  # noqa: E731
    assert version(first) < version(second)


def test_a_run_that_fails_part_way_activates_nothing(serve, tmp_path):
    def api(seen):
        return (
            Reply(status=400, body={"detail": "bad offset"}) if seen.q("offset") == "4" else items_api(seen)
        )

    server = serve(api)
    run, error = run_partial(
        {"specs": [write_spec(tmp_path, "items.json", spec(server.url))], "max_retries": 0}
    )
    assert error is not None
    assert len(run.records()) == 4
    assert "ACTIVATE_VERSION" not in types(run)


def test_records_read_before_a_failure_reach_stdout_whole(serve, tmp_path):
    def api(seen):
        return Reply(status=400, body={"detail": "bad"}) if seen.q("offset") == "4" else items_api(seen)

    server = serve(api)
    config = {"specs": [write_spec(tmp_path, "items.json", spec(server.url))], "max_retries": 0}
    result = run_cli(tmp_path, config)
    assert result.code == 1 and "400" in result.stderr
    assert [r["id"] for r in result.records()] == [0, 1, 2, 3]  # gathered lines are written at the end too
    assert result.stdout.endswith("\n")


def test_activate_version_can_be_turned_off(serve, tmp_path):
    server = serve(items_api)
    config = {
        "specs": [write_spec(tmp_path, "items.json", spec(server.url))],
        "emit_activate_version_messages": False,
    }
    run = run_tap(config)
    assert "ACTIVATE_VERSION" not in types(run)
    assert all("version" not in m for m in run.messages if m["type"] == "RECORD")


def test_windowed_and_keyed_streams_are_incremental_and_never_activate(serve, tmp_path):
    server = serve(items_api)
    windowed = spec(server.url, schedule=SCHEDULE)
    keyed = {**spec(server.url), "singer": {"name": "keyed", "primaryKeys": ["id"], "replicationKey": "id"}}
    specs = [write_spec(tmp_path, "items.json", windowed), write_spec(tmp_path, "keyed.json", keyed)]
    result = run_cli(tmp_path, {"specs": specs, "start_date": "2024-01-01T00:00:00Z"})
    assert result.code == 0, result.stderr
    assert not [m for m in result.messages() if m["type"] == "ACTIVATE_VERSION"]
    assert "Beginning sync of 'items' in incremental mode" in result.stderr
    assert "Beginning sync of 'keyed' in incremental mode" in result.stderr
    catalog = json.loads(run_cli(tmp_path, {"specs": specs}, "--discover").stdout)
    assert {e["tap_stream_id"]: e["replication_method"] for e in catalog["streams"]} == {
        "items": "INCREMENTAL",
        "keyed": "INCREMENTAL",
    }


# --- window steps ------------------------------------------------------------------------------------


def windows(server):
    return [(s.q("since"), s.q("before")) for s in server.seen]


def test_window_steps_read_oldest_first_and_checkpoint_after_each_slice(serve, tmp_path):
    server = serve(items_api)
    document = {**spec(server.url, schedule=SCHEDULE)}
    document["singer"]["windowStep"] = "P1M"
    run = run_tap(
        {
            "specs": [write_spec(tmp_path, "items.json", document)],
            "start_date": "2024-01-31T00:00:00Z",
            "end_date": "2024-04-15T00:00:00Z",
        }
    )
    slices = list(dict.fromkeys(windows(server)))
    assert slices == [
        ("2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z"),  # calendar months
        ("2024-02-29T00:00:00Z", "2024-03-29T00:00:00Z"),
        ("2024-03-29T00:00:00Z", "2024-04-15T00:00:00Z"),
    ]
    marks = [
        m["value"]["bookmarks"]["items"]["replication_key_value"]
        for m in run.messages
        if m["type"] == "STATE"
        and m["value"].get("bookmarks", {}).get("items", {}).get("replication_key_value")
    ]
    assert list(dict.fromkeys(marks)) == [
        "2024-02-29T00:00:00Z",
        "2024-03-29T00:00:00Z",
        "2024-04-15T00:00:00Z",
    ]


def test_the_window_step_setting_overrides_the_spec_and_a_backfill_is_one_pass(serve, tmp_path):
    server = serve(items_api)
    document = spec(server.url, schedule=SCHEDULE)
    document["singer"]["windowStep"] = "P1M"
    path = write_spec(tmp_path, "items.json", document)
    run_tap(
        {
            "specs": [path],
            "start_date": "2024-01-01T00:00:00Z",
            "end_date": "2024-01-03T00:00:00Z",
            "window_step": "P1D",
        }
    )
    assert list(dict.fromkeys(windows(server))) == [
        ("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
        ("2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"),
    ]
    server.seen.clear()
    run_tap({"specs": [path], "end_date": "2024-01-03T00:00:00Z", "window_step": "P1D"})
    assert list(dict.fromkeys(windows(server))) == [(None, "2024-01-03T00:00:00Z")]


def test_a_killed_stepped_run_resumes_at_the_next_slice(serve, tmp_path):
    gate = threading.Event()

    def api(seen):
        if seen.q("since") == "2024-01-04T00:00:00Z":
            gate.wait(5)  # the fourth slice hangs until the test has killed the tap
        return items_api(seen)

    server = serve(api)
    document = spec(server.url, schedule=SCHEDULE)
    document["singer"]["windowStep"] = "P1D"
    config = {
        "specs": [write_spec(tmp_path, "items.json", document)],
        "start_date": "2024-01-01T00:00:00Z",
        "end_date": "2024-01-11T00:00:00Z",
    }
    tap = start_tap(tmp_path, config, stderr=subprocess.DEVNULL)
    assert tap.stdout is not None
    state = None
    for raw in tap.stdout:
        message = json.loads(raw)
        if message["type"] == "STATE":
            state = message["value"]
            if (
                state.get("bookmarks", {}).get("items", {}).get("replication_key_value")
                == "2024-01-04T00:00:00Z"
            ):
                break
    tap.send_signal(signal.SIGKILL)
    tap.wait(5)
    gate.set()
    assert state is not None
    server.seen.clear()
    run = run_tap(config, state=state)
    slices = list(dict.fromkeys(windows(server)))
    assert slices[0] == ("2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z")  # slice 4 of 10: nothing read twice
    assert len(slices) == 7
    assert run.bookmark("items")["replication_key_value"] == "2024-01-11T00:00:00Z"
