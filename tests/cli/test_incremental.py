"""End to end: windows, Singer state and consecutive runs against a server that filters by time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tap_restspec.expr.dates import parse_datetime
from tests.helpers import Reply, Server, run_partial, run_tap, source_spec, write_spec

SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "updated": {"type": "string"}, "v": {"type": "integer"}},
}
PAGINATION = {"type": "OFFSET", "limitName": "count", "limitValue": 2, "offSetName": "offset"}
SIMPLE = {
    "scheduleStartParamName": "since",
    "scheduleEndParamName": "before",
    "scheduleStartParamFormat": "yyyy-MM-ddTHH:mm:ssZ",
    "scheduleEndParamFormat": "yyyy-MM-ddTHH:mm:ssZ",
}


class WindowAPI:
    """Records with an `updated` time; `since` is inclusive, `before` exclusive, as Mailchimp does."""

    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}
        self.fail_on_request: int | None = None
        self.requests = 0

    def put(self, id_: int, updated: str) -> None:
        version = self.rows.get(id_, {}).get("v", 0) + 1
        self.rows[id_] = {"id": id_, "updated": updated, "v": version}

    def __call__(self, seen):
        self.requests += 1
        if self.fail_on_request == self.requests:
            return Reply(status=400, body={"detail": "boom"})
        since = parse_datetime(seen.q("since")) if seen.q("since") else None
        before = parse_datetime(seen.q("before"))
        rows = sorted(self.rows.values(), key=lambda r: (r["updated"], r["id"]))
        rows = [
            r
            for r in rows
            if (since is None or parse_datetime(r["updated"]) >= since)
            and parse_datetime(r["updated"]) < before
        ]
        offset, count = int(seen.q("offset")), int(seen.q("count"))
        return Reply(body={"items": rows[offset : offset + count]})


@pytest.fixture
def api():
    data = WindowAPI()
    for i, day in enumerate(["01", "02", "03", "04", "05"], start=1):
        data.put(i, f"2024-01-{day}T12:00:00Z")
    with Server(data) as server:
        data.url = server.url
        data.server = server
        yield data


def config(api, tmp_path, **extra):
    spec = write_spec(
        tmp_path,
        "items.json",
        source_spec(
            api.url, pagination=PAGINATION, schedule=SIMPLE, schema=SCHEMA, singer={"primaryKeys": ["id"]}
        ),
    )
    return {"specs": [spec], **extra}


def test_three_runs_fetch_exactly_what_changed(api, tmp_path):
    run1 = run_tap(config(api, tmp_path, start_date="2024-01-01T00:00:00Z", end_date="2024-01-04T00:00:00Z"))
    assert [r["id"] for r in run1.records()] == [1, 2, 3]
    windows = {(s.q("since"), s.q("before")) for s in api.server.seen}
    assert windows == {("2024-01-01T00:00:00Z", "2024-01-04T00:00:00Z")}  # same on every page
    assert run1.bookmark("items") == {
        "replication_key": "window_end",
        "replication_key_value": "2024-01-04T00:00:00Z",
    }

    # changes between runs: one exactly on the old window's end, one inside, one after the next end
    api.put(2, "2024-01-04T00:00:00Z")
    api.put(6, "2024-01-06T00:00:00Z")
    api.put(7, "2024-01-08T00:00:00Z")
    api.server.seen.clear()
    run2 = run_tap(
        config(api, tmp_path, start_date="2024-01-01T00:00:00Z", end_date="2024-01-07T00:00:00Z"),
        state=run1.state,
    )
    assert {(s.q("since"), s.q("before")) for s in api.server.seen} == {
        ("2024-01-04T00:00:00Z", "2024-01-07T00:00:00Z")
    }
    assert sorted((r["id"], r["v"]) for r in run2.records()) == [(2, 2), (4, 1), (5, 1), (6, 1)]
    assert run2.bookmark("items")["replication_key_value"] == "2024-01-07T00:00:00Z"

    run3 = run_tap(config(api, tmp_path, end_date="2024-01-09T00:00:00Z"), state=run2.state)
    assert [r["id"] for r in run3.records()] == [7]
    every = [r["id"] for run in (run1, run2, run3) for r in run.records()]
    assert sorted(set(every)) == [1, 2, 3, 4, 5, 6, 7]
    assert len(every) == len(set(every)) + 1  # only id 2 twice: it changed


def test_a_run_that_fails_part_way_keeps_the_bookmark_and_the_rerun_delivers_everything(api, tmp_path):
    for i in range(6, 12):
        api.put(i, f"2024-01-0{i % 9 + 1}T13:00:00Z")
    first = run_tap(config(api, tmp_path, start_date="2024-01-01T00:00:00Z", end_date="2024-01-02T00:00:00Z"))
    api.fail_on_request = api.requests + 3  # page 3 of the next run fails
    api.server.seen.clear()
    partial, error = run_partial(config(api, tmp_path, end_date="2024-01-20T00:00:00Z"), state=first.state)
    assert error is not None and "HTTP 400" in str(error)
    assert len(partial.records()) == 4  # two full pages arrived before the failure
    assert partial.bookmark("items") == first.bookmark("items")  # not moved
    rerun = run_tap(config(api, tmp_path, end_date="2024-01-20T00:00:00Z"), state=partial.state)
    assert rerun.bookmark("items")["replication_key_value"] == "2024-01-20T00:00:00Z"
    delivered = {r["id"] for r in first.records() + partial.records() + rerun.records()}
    assert delivered == set(api.rows)
    assert {s.q("since") for s in api.server.seen} == {"2024-01-02T00:00:00Z"}


def test_without_state_or_start_date_no_start_is_sent_and_end_is_now(api, tmp_path):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run = run_tap(config(api, tmp_path))
    after = datetime.now(timezone.utc)
    assert len(run.records()) == 5
    seen = api.server.seen[0]
    assert "since" not in seen.query
    end = parse_datetime(seen.q("before"))
    assert before <= end <= after and end.microsecond == 0
    assert run.bookmark("items")["replication_key_value"] == seen.q("before")


def test_a_bare_singer_bookmark_is_read_as_the_window_start(api, tmp_path):
    state = {"bookmarks": {"items": {"replication_key_value": "2024-01-03T00:00:00Z"}}}
    run = run_tap(config(api, tmp_path, end_date="2024-01-05T00:00:00Z"), state=state)
    assert api.server.seen[0].q("since") == "2024-01-03T00:00:00Z"
    assert [r["id"] for r in run.records()] == [3, 4]


def test_a_bookmark_of_another_replication_key_is_ignored(api, tmp_path):
    state = {
        "bookmarks": {
            "items": {"replication_key": "updated", "replication_key_value": "2024-01-03T00:00:00Z"}
        }
    }
    run_tap(
        config(api, tmp_path, start_date="2024-01-02T00:00:00Z", end_date="2024-01-05T00:00:00Z"), state=state
    )
    assert api.server.seen[0].q("since") == "2024-01-02T00:00:00Z"


def test_lookback_window_moves_the_start_back(api, tmp_path):
    state = {
        "bookmarks": {
            "items": {"replication_key": "window_end", "replication_key_value": "2024-01-03T00:00:00Z"}
        }
    }
    run_tap(config(api, tmp_path, lookback_window=3600, end_date="2024-01-05T00:00:00Z"), state=state)
    assert api.server.seen[0].q("since") == "2024-01-02T23:00:00Z"


def test_full_refresh_without_state_reads_from_start_date_again(api, tmp_path):
    cfg = config(api, tmp_path, start_date="2024-01-02T00:00:00Z", end_date="2024-01-05T00:00:00Z")
    first = run_tap(cfg)
    again = run_tap(cfg)  # no state: what `meltano run --full-refresh` does
    assert [r["id"] for r in again.records()] == [r["id"] for r in first.records()] == [2, 3, 4]
    assert {s.q("since") for s in api.server.seen} == {"2024-01-02T00:00:00Z"}


def test_replication_key_bookmarks_the_largest_value_seen(api, tmp_path):
    spec = write_spec(
        tmp_path,
        "items.json",
        source_spec(
            api.url,
            pagination=PAGINATION,
            schedule=SIMPLE,
            schema=SCHEMA,
            singer={"primaryKeys": ["id"], "replicationKey": "updated"},
        ),
    )
    run = run_tap({"specs": [spec], "start_date": "2024-01-02T00:00:00Z", "end_date": "2024-01-20T00:00:00Z"})
    assert run.bookmark("items") == {
        "replication_key": "updated",
        "replication_key_value": "2024-01-05T12:00:00Z",
    }
    assert run.schemas()["items"]["bookmark_properties"] == ["updated"]
    api.server.seen.clear()
    run_tap({"specs": [spec], "end_date": "2024-01-20T00:00:00Z"}, state=run.state)
    assert api.server.seen[0].q("since") == "2024-01-05T12:00:00Z"


ZENDESK_PATH = (
    "/api/v2/search/export@{if(empty(coalesce(pipeline()?.parameters?.ingestionStart,'')),"
    "'?query=type:user&filter[type]=user&','')}"
)
ADVANCE = {
    "type": "ADVANCE",
    "paramFormat": "yyyy-MM-ddTHH:mm:ssK",
    "incremental": "type:user updated > {START_TIME} updated < {END_TIME}",
    "backfill": "type:user updated < {END_TIME}",
}


@pytest.mark.parametrize(
    ("settings", "path_query", "query"),
    [
        pytest.param(
            {},
            [("query", "type:user"), ("filter[type]", "user")],
            "type:user updated < 2024-02-01T00:00:00Z",
            id="backfill",
        ),
        pytest.param(
            {"start_date": "2024-01-01T00:00:00Z"},
            [],
            "type:user updated > 2024-01-01T00:00:00Z updated < 2024-02-01T00:00:00Z",
            id="incremental",
        ),
    ],
)
def test_advance_schedule_and_adobe_zendesk_path(tmp_path, settings, path_query, query):
    from urllib.parse import parse_qsl

    with Server(lambda seen: Reply(body={"results": [{"id": 1}]})) as server:
        document = source_spec(
            server.url,
            ZENDESK_PATH,
            content="$.results",
            schedule=ADVANCE,
            queryParams={"query": "{SCHEDULE_QUERY}", "filter[type]": "user"},
            schema=SCHEMA,
        )
        spec = write_spec(tmp_path, "zendesk.json", document)
        run_tap({"specs": [spec], "end_date": "2024-02-01T00:00:00Z", **settings})
    seen = server.seen[0]
    assert seen.path == "/api/v2/search/export"
    assert parse_qsl(seen.raw_query) == [*path_query, ("query", query), ("filter[type]", "user")]
