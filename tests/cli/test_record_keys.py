"""Record-key filters and record order (2026-12-07), by the real CLI: records not after the bookmark
are not emitted (one INFO line counts them), `recordOrder: newest_first` stops paging at the first
page that is all older, `oldest_first` moves the bookmark and writes a STATE after every page, so a
run killed mid-stream resumes after the last page written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading

import pytest

from tests.cli.test_hostile_servers import FAST, fails_with, logged, states
from tests.helpers import TAP_BIN, Reply, source_spec, start_tap

OFFSET = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}


class Items:
    """Records with an `updated` time, two a page, in the order asked for; `since` (optional, as
    GitHub's) keeps those updated at or after it. `gate`, when set, holds the page at that offset.
    """

    def __init__(self, count: int, *, newest_first: bool = False) -> None:
        self.rows = {i: {"id": i, "updated": stamp(i), "v": 1} for i in range(1, count + 1)}
        self.newest_first = newest_first
        self.hold_offset: int | None = None
        self.gate = threading.Event()

    def change(self, record_id: int, minute: int) -> None:
        row = self.rows.setdefault(record_id, {"id": record_id, "v": 0})
        row.update(updated=stamp(minute), v=row["v"] + 1)

    def __call__(self, seen):
        offset = int(seen.q("offset") or 0)
        if offset == self.hold_offset:
            self.gate.wait(8)  # until the test has killed the tap
        rows = sorted(self.rows.values(), key=lambda r: (r["updated"], r["id"]), reverse=self.newest_first)
        since = seen.q("since")
        if since:
            rows = [r for r in rows if r["updated"] >= since]
        return Reply(body={"items": rows[offset : offset + 2]})


def stamp(minute: int) -> str:
    return f"2024-05-01T10:{minute:02d}:00Z"


def spec(url, *, since: bool = False, **singer):
    return source_spec(
        url,
        pagination=dict(OFFSET),
        schedule={"scheduleStartParamName": "since"} if since else None,
        singer={"name": "items", "primaryKeys": ["id"], "replicationKey": "updated", **singer},
    )


def offsets(server):
    return [int(s.q("offset")) for s in server.seen]


def bookmark(result):
    return states(result)[-1]["bookmarks"]["items"]


# --- the filter ------------------------------------------------------------------------------


def test_an_api_that_does_not_filter_sends_only_what_changed(serve, run_spec):
    api = Items(6)
    server = serve(api)
    first = run_spec.cli(spec(server.url), **FAST)
    assert first.code == 0, first.stderr[-2000:]
    assert [r["id"] for r in first.records()] == [1, 2, 3, 4, 5, 6]
    assert bookmark(first) == {"replication_key": "updated", "replication_key_value": stamp(6)}
    assert not logged(first, "INFO", "not after the bookmark")

    api.change(2, 30)
    api.change(7, 31)
    second = run_spec.cli(spec(server.url), state=states(first)[-1], **FAST)
    assert second.code == 0, second.stderr[-2000:]
    assert [(r["id"], r["v"]) for r in second.records()] == [(2, 2), (7, 1)]
    assert bookmark(second)["replication_key_value"] == stamp(31)
    (line,) = logged(second, "INFO", "not after the bookmark")
    assert line.endswith(
        "Stream items: 5 records whose updated is not after the bookmark (less lookback_window) "
        "were not emitted"
    )


def test_lookback_window_lets_records_just_before_the_bookmark_through(serve, run_spec):
    api = Items(6)
    server = serve(api)
    state = {"bookmarks": {"items": {"replication_key": "updated", "replication_key_value": stamp(5)}}}
    result = run_spec.cli(spec(server.url), state=state, lookback_window=150, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [3, 4, 5, 6]  # 10:02:30 .. : 10:03 on
    (line,) = logged(result, "INFO", "not after the bookmark")
    assert "2 records whose updated" in line
    assert bookmark(result)["replication_key_value"] == stamp(6)


def test_the_window_starts_at_the_key_and_the_record_at_the_bookmark_is_not_sent_again(serve, run_spec):
    api = Items(4)
    server = serve(api)
    first = run_spec.cli(spec(server.url, since=True), **FAST)
    assert "since" not in server.seen[0].query
    api.change(9, 20)
    server.seen.clear()
    second = run_spec.cli(spec(server.url, since=True), state=states(first)[-1], **FAST)
    assert second.code == 0, second.stderr[-2000:]
    assert server.seen[0].q("since") == stamp(4)  # the API answers 4 (at the bookmark) and 9
    assert [r["id"] for r in second.records()] == [9]
    (line,) = logged(second, "INFO", "not after the bookmark")
    assert "1 record whose updated is not after the bookmark (less lookback_window) was not emitted" in line


# --- newest first ------------------------------------------------------------------------------


def test_newest_first_stops_at_the_first_page_that_is_all_older(serve, run_spec):
    api = Items(9, newest_first=True)
    server = serve(api)
    first = run_spec.cli(spec(server.url, recordOrder="newest_first"), **FAST)
    assert first.code == 0, first.stderr[-2000:]
    assert len(first.records()) == 9 and offsets(server) == [0, 2, 4, 6, 8]
    assert bookmark(first)["replication_key_value"] == stamp(9)

    api.change(3, 40)
    api.change(10, 41)
    api.change(11, 42)
    server.seen.clear()
    second = run_spec.cli(
        spec(server.url, recordOrder="Newest_First"),  # any case
        state=states(first)[-1],
        max_parallel=4,  # pages are not read ahead: no request beyond the stop
        **FAST,
    )
    assert second.code == 0, second.stderr[-2000:]
    # page 1: 11, 10; page 2: 3, 9 (9 is not after); page 3: 8, 7, all older: the end
    assert offsets(server) == [0, 2, 4]
    assert [r["id"] for r in second.records()] == [11, 10, 3]
    assert bookmark(second)["replication_key_value"] == stamp(42)  # a complete pass moves it
    assert "3 records whose updated is not after" in logged(second, "INFO", "not after the bookmark")[0]


def test_a_pass_stopped_by_older_records_is_complete_even_at_maximum_request(serve, run_spec):
    api = Items(9, newest_first=True)
    server = serve(api)
    state = {"bookmarks": {"items": {"replication_key": "updated", "replication_key_value": stamp(7)}}}
    document = spec(server.url, recordOrder="newest_first")
    document["sourceSpec"]["attributes"]["paginationParams"]["maximumRequest"] = 2
    result = run_spec.cli(document, state=state, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert offsets(server) == [0, 2]  # 9, 8; then 7, 6: older, so the end (not a cut)
    assert [r["id"] for r in result.records()] == [9, 8]
    assert bookmark(result)["replication_key_value"] == stamp(9)
    assert not logged(result, "WARNING", "maximumRequest")


# --- oldest first ------------------------------------------------------------------------------


def test_oldest_first_writes_a_state_after_every_page(serve, run_spec):
    server = serve(Items(5))
    result = run_spec.cli(spec(server.url, recordOrder="oldest_first"), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    values = [s["bookmarks"]["items"].get("replication_key_value") for s in states(result)]
    assert [v for v in dict.fromkeys(values) if v] == [stamp(2), stamp(4), stamp(5)]
    kinds = [m["type"] for m in result.messages() if m["type"] in ("RECORD", "STATE")]
    assert kinds == ["RECORD", "RECORD", "STATE", "RECORD", "RECORD", "STATE", "RECORD", "STATE"]


def test_is_sorted_is_the_sdk_word_for_oldest_first(serve, run_spec):
    server = serve(Items(5))
    result = run_spec.cli(spec(server.url, isSorted=True), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    values = [s["bookmarks"]["items"].get("replication_key_value") for s in states(result)]
    assert [v for v in dict.fromkeys(values) if v] == [stamp(2), stamp(4), stamp(5)]


def test_records_that_are_not_oldest_first_stop_the_per_page_bookmark_with_one_warning(serve, run_spec):
    api = Items(6)
    api.rows[3]["updated"] = stamp(59)  # sorted by id, not by key: page 2 is 3 (10:59), 4 (10:04)
    server = serve(lambda seen: Reply(body={"items": sorted(api.rows.values(), key=lambda r: r["id"])[
        int(seen.q("offset")) : int(seen.q("offset")) + 2
    ]}))
    result = run_spec.cli(spec(server.url, recordOrder="oldest_first"), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (warning,) = logged(result, "WARNING", "not oldest first")
    assert "records are not oldest first by updated (singer.recordOrder says they are)" in warning
    values = [s["bookmarks"]["items"].get("replication_key_value") for s in states(result)]
    assert [v for v in dict.fromkeys(values) if v] == [stamp(2), stamp(59)]  # page 1, then the end
    assert len(result.records()) == 6


def test_a_run_killed_mid_stream_resumes_after_the_last_page_written(serve, tmp_path):
    api = Items(16)
    api.hold_offset = 12  # page 7 hangs until the tap is killed (pages 1 to 5 are the schema's sample)
    server = serve(api)
    document = spec(server.url, since=True, recordOrder="oldest_first")
    (tmp_path / "items.json").write_text(json.dumps(document))
    config = {"specs": ["items.json"], **FAST, "request_timeout": 10}
    tap = start_tap(tmp_path, config, stderr=subprocess.DEVNULL)
    assert tap.stdout is not None
    written, state = [], None
    for raw in tap.stdout:
        message = json.loads(raw)
        if message["type"] == "RECORD":
            written.append(message["record"]["id"])
        if message["type"] == "STATE":
            state = message["value"]
            if state["bookmarks"].get("items", {}).get("replication_key_value") == stamp(12):
                break
    tap.send_signal(signal.SIGKILL)
    tap.wait(5)
    api.gate.set()
    assert written == list(range(1, 13))  # six pages, and their STATE
    api.hold_offset = None
    server.seen.clear()
    (tmp_path / "state.json").write_text(json.dumps(state))
    done = subprocess.run(
        [TAP_BIN, "--config", "config.json", "--state", "state.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rest = [json.loads(line)["record"]["id"] for line in done.stdout.splitlines() if '"RECORD"' in line]
    assert server.seen[0].q("since") == stamp(12)
    assert rest == [13, 14, 15, 16]  # exactly the rest: nothing lost, nothing twice
    assert sorted(written + rest) == list(range(1, 17))


# --- the spec's word -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("singer", "line"),
    [
        (
            {"replicationKey": "updated", "recordOrder": "newest"},
            "singer.recordOrder: 'newest' is not one of newest_first, oldest_first",
        ),
        (
            {"recordOrder": "oldest_first"},
            "singer.recordOrder: needs singer.replicationKey (the field the records are ordered by)",
        ),
        (
            {"replicationKey": "updated", "recordOrder": "newest_first", "isSorted": True},
            "singer.isSorted: true says the records come oldest first, but recordOrder says newest_first",
        ),
    ],
    ids=["unknown-order", "no-key", "contradiction"],
)
def test_a_bad_record_order_is_one_line_before_any_request(serve, run_spec, singer, line):
    server = serve(Items(2))
    document = source_spec(server.url, pagination=OFFSET, singer={"name": "items", **singer})
    result = run_spec.cli(document, **FAST)
    fails_with(result, f"items.json: {line}")
    assert server.seen == []
