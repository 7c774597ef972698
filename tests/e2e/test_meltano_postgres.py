"""End to end: `meltano run tap-restspec target-postgres`, as a user schedules it.

The project's own meltano.yml (environment `dev`: the Mailchimp members and Zendesk
users specs) runs against the bundled demo API and a throwaway PostgreSQL:

1. a first run loads every record from `start_date`, into tables named after the
   streams, with primary keys, and leaves a bookmark in Meltano's state;
2. the API's data changes; a second run asks only for the window since the bookmark
   and loads only what changed;
3. a run with a lookback window re-reads records already loaded: no duplicate keys;
4. `meltano run --full-refresh` reads from `start_date` again.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml

from tap_restspec.model.spec import SECRET_SETTINGS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "tap_restspec"  # Meltano's load schema: the extractor's namespace
STATE_ID = "dev:tap-restspec-to-target-postgres"
STREAMS = {
    # stream (= table) name: (demo dataset, API path prefix)
    "mailchimp_members": ("mailchimp_members", "/3.0/lists/"),
    "zendesk_users": ("zendesk_users", "/api/v2/search/export"),
}
RUN = ("run", "tap-restspec", "target-postgres")


# --------------------------------------------------------------------------- helpers


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def start_date() -> datetime:
    config = yaml.safe_load((ROOT / "meltano.yml").read_text())
    dev = next(e for e in config["environments"] if e["name"] == "dev")
    tap = next(p for p in dev["config"]["plugins"]["extractors"] if p["name"] == "tap-restspec")
    return parse_time(str(tap["config"]["start_date"]))


def window_of(request: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The (start, end) a request asked for, from its query parameters."""
    params = request["params"]
    if request["path"].startswith("/3.0/"):
        since = params.get("since_last_changed", [None])[-1]
        before = params.get("before_last_changed", [None])[-1]
        return (parse_time(since) if since else None, parse_time(before) if before else None)
    query = " ".join(params.get("query", []))
    if not query:  # the query may sit in the path's own query string
        query = " ".join(parse_qs(request.get("query") or "").get("query", []))
    after = re.search(r"updated\s*>\s*(\S+)", query)
    before = re.search(r"updated\s*<\s*(\S+)", query)
    return (
        parse_time(after.group(1)) if after else None,
        parse_time(before.group(1)) if before else None,
    )


def data_requests(api: Any, stream: str) -> list[dict[str, Any]]:
    prefix = STREAMS[stream][1]
    return [r for r in api.requests if r["path"].startswith(prefix)]


def split_sync_and_discovery(
    requests: list[dict[str, Any]], expected_start: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Requests for the run's window, and the rest.

    Meltano rediscovers the catalog on every run of an editable (`pip_url: -e .`)
    extractor, and the tap samples one first page of a spec with no custom schema to
    infer its schema. That sample is not the run's window; it emits no record.
    """
    sync, other = [], []
    for request in requests:
        start, _ = window_of(request)
        if start is not None and abs((start - expected_start).total_seconds()) <= 1:
            sync.append(request)
        else:
            other.append(request)
    return sync, other


def bookmark(state: dict[str, Any], stream: str) -> datetime:
    """The window end a stream's state holds."""
    entry = state.get("singer_state", state).get("bookmarks", {}).get(stream)
    assert entry, f"no bookmark for {stream} in state {json.dumps(state)[:1000]}"
    return parse_time(str(entry["replication_key_value"]))


def ids_in(pg: Any, table: str) -> list[str]:
    return [row[0] for row in pg.psql(f'SELECT id::text FROM {SCHEMA}."{table}"')]


def ids_batched_since(pg: Any, table: str, moment: float) -> set[str]:
    rows = pg.psql(
        f'SELECT id::text FROM {SCHEMA}."{table}" '
        f"WHERE extract(epoch FROM _sdc_batched_at) >= {moment - 1:.3f}"
    )
    return {row[0] for row in rows}


def assert_no_duplicates(pg: Any, table: str) -> None:
    dupes = pg.psql(f'SELECT id::text, count(*) FROM {SCHEMA}."{table}" GROUP BY id HAVING count(*) > 1')
    assert not dupes, f"duplicate keys in {table}: {dupes[:10]}"


def assert_matches_api(pg: Any, api: Any, stream: str) -> None:
    dataset = STREAMS[stream][0]
    loaded = ids_in(pg, stream)
    assert len(loaded) == len(set(loaded)), f"duplicate keys in {stream}"
    expected = {str(i) for i in api.ids(dataset)}
    assert set(loaded) == expected, (
        f"{stream}: {len(set(loaded))} rows, API has {len(expected)}; "
        f"missing {sorted(expected - set(loaded))[:5]}, extra {sorted(set(loaded) - expected)[:5]}"
    )


# --------------------------------------------------------------------------- tests


def test_every_tap_setting_is_declared_and_settable_from_env(meltano_project: Any) -> None:
    """meltano.yml declares every setting of the tap; each one works as TAP_RESTSPEC_*."""
    about = meltano_project("invoke", "tap-restspec", "--about", "--format=json").stdout
    tap_settings = set(json.loads(about[about.find("{") :])["settings"]["properties"])
    config = yaml.safe_load((ROOT / "tap-restspec.meltano.yml").read_text())
    extractor = next(p for p in config["plugins"]["extractors"] if p["name"] == "tap-restspec")
    declared = {s["name"]: s for s in extractor["settings"]}
    assert tap_settings - set(declared) == set(), "tap settings missing from meltano.yml"
    assert set(declared) - tap_settings == set(), "meltano.yml declares unknown settings"
    for secret in SECRET_SETTINGS:
        assert declared[secret].get("sensitive") is True, f"{secret} is not sensitive"

    values = {
        "specs": ('["specs/zendesk_users.json"]', ["specs/zendesk_users.json"]),
        "params": ('{"subdomain": "envsub"}', None),
        "start_date": ("2024-02-03T04:05:06Z", "2024-02-03T04:05:06Z"),
        "end_date": ("2024-03-03T00:00:00Z", "2024-03-03T00:00:00Z"),
        "lookback_window": ("90", 90),
        "max_retries": ("3", 3),
        "request_timeout": ("45", "45"),
        "max_retry_wait": ("7", "7"),
        "base_url": ("http://127.0.0.1:9", "http://127.0.0.1:9"),
        "api_key": ("k-env", "k-env"),
        "username": ("u-env", "u-env"),
        "password": ("p-env", "p-env"),
        "client_id": ("ci-env", "ci-env"),
        "client_secret": ("cs-env", "cs-env"),
        "access_token": ("at-env", "at-env"),
        "refresh_token": ("rt-env", "rt-env"),
        "flattening_enabled": ("true", True),
        "flattening_max_depth": ("2", 2),
        "stream_maps": ('{"zendesk_users": {"email": null}}', {"zendesk_users": {"email": None}}),
    }
    env = {f"TAP_RESTSPEC_{name.upper()}": raw for name, (raw, _) in values.items()}
    out = meltano_project("invoke", "--dump=config", "tap-restspec", extra_env=env).stdout
    dumped = json.loads(out[out.find("{") :])
    for name, (_, expected) in values.items():
        if name == "params":
            assert dumped["params"]["subdomain"] == "envsub"
        else:
            assert dumped.get(name) == expected, f"TAP_RESTSPEC_{name.upper()} -> {dumped.get(name)!r}"


def test_incremental_runs_into_postgres(meltano_project: Any, pg: Any, demo_api: Any) -> None:
    meltano = meltano_project
    api = demo_api
    first_start = start_date()

    # ------------------------------------------------------------ 1. first run
    api.clear_requests()
    t1 = time.time()
    meltano(*RUN)

    tables = {
        row[0]
        for row in pg.psql(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{SCHEMA}'"
        )
    }
    assert set(STREAMS) <= tables, f"tables in {SCHEMA}: {sorted(tables)}"
    for stream in STREAMS:
        keys = pg.psql(
            "SELECT kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu "
            "ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema "
            f"WHERE tc.table_schema = '{SCHEMA}' AND tc.table_name = '{stream}' "
            "AND tc.constraint_type = 'PRIMARY KEY'"
        )
        expected = {"id", "list_id"} if stream == "mailchimp_members" else {"id"}  # a member per list
        assert {k[0] for k in keys} == expected, f"{stream}: primary key {keys}"
        assert_matches_api(pg, api, stream)
        sync, other = split_sync_and_discovery(data_requests(api, stream), first_start)
        assert sync, f"{stream}: no request asked for the window from start_date {first_start}"

    state1 = meltano.state(STATE_ID)
    listed = meltano("state", "list").stdout
    assert STATE_ID in listed
    bookmarks1 = {}
    for stream in STREAMS:
        bookmarks1[stream] = bookmark(state1, stream)
        # the window ended when the tap started: after t1, before now
        assert t1 - 5 <= bookmarks1[stream].timestamp() <= time.time() + 1, bookmarks1[stream]

    # ------------------------------------------------------------ 2. data changes
    time.sleep(1.5)  # windows are sent to the second: tick after the first window's end
    changes = api.tick(updates=5, adds=3)
    tick_moment = time.time()
    changed = {
        stream: {str(i) for i in changes[dataset]["updated"] + changes[dataset]["added"]}
        for stream, (dataset, _) in STREAMS.items()
    }
    api.clear_requests()
    time.sleep(1.1)

    # ------------------------------------------------------------ 3. second run
    t2 = time.time()
    meltano(*RUN)
    state2 = meltano.state(STATE_ID)
    for stream in STREAMS:
        requests = data_requests(api, stream)
        sync, other = split_sync_and_discovery(requests, bookmarks1[stream])
        assert sync, (
            f"{stream}: the second run never asked for the window from its bookmark "
            f"{bookmarks1[stream]}; windows asked: {[window_of(r) for r in requests]}"
        )
        for request in sync:
            _, end = window_of(request)
            assert end is not None and end.timestamp() >= tick_moment - 1, (
                f"{stream}: the window ends at {end}, before the data changed"
            )
        # Both demo specs carry a custom schema: discovery makes no request at all.
        assert other == [], (
            f"{stream}: requests outside the incremental window: {[(r['path'], r['query']) for r in other]}"
        )
        reloaded = ids_batched_since(pg, stream, t2)
        assert reloaded == changed[stream], (
            f"{stream}: the second run loaded {sorted(reloaded)[:10]} ({len(reloaded)}), "
            f"expected the changed {sorted(changed[stream])[:10]} ({len(changed[stream])})"
        )
        assert_matches_api(pg, api, stream)
        assert bookmark(state2, stream) > bookmarks1[stream]
    # the changed values themselves landed
    statuses = dict(pg.psql(f'SELECT id, status FROM {SCHEMA}."mailchimp_members"'))
    for member in api.records("mailchimp_members"):
        assert statuses[member["id"]] == member["status"], member["id"]

    # ------------------------------------------------------------ 4. overlapping window
    lookback = 3600
    api.clear_requests()
    t3 = time.time()
    meltano(*RUN, extra_env={"TAP_RESTSPEC_LOOKBACK_WINDOW": str(lookback)})
    state3 = meltano.state(STATE_ID)
    for stream in STREAMS:
        expected_start = bookmark(state2, stream) - timedelta(seconds=lookback)
        sync, _ = split_sync_and_discovery(data_requests(api, stream), expected_start)
        assert sync, f"{stream}: no request for the window from {expected_start} (lookback)"
        reloaded = ids_batched_since(pg, stream, t3)
        assert changed[stream] <= reloaded, f"{stream}: the lookback did not re-read the changes"
        assert_no_duplicates(pg, stream)
        assert_matches_api(pg, api, stream)
        assert bookmark(state3, stream) > bookmark(state2, stream)

    # ------------------------------------------------------------ 5. full refresh
    api.clear_requests()
    t4 = time.time()
    meltano("run", "--full-refresh", "tap-restspec", "target-postgres")
    for stream in STREAMS:
        sync, _ = split_sync_and_discovery(data_requests(api, stream), first_start)
        assert sync, f"{stream}: --full-refresh did not read from start_date {first_start}"
        reloaded = ids_batched_since(pg, stream, t4)
        assert reloaded == set(ids_in(pg, stream)), f"{stream}: --full-refresh missed rows"
        assert_no_duplicates(pg, stream)
        assert_matches_api(pg, api, stream)
    state4 = meltano.state(STATE_ID)
    for stream in STREAMS:
        assert bookmark(state4, stream).timestamp() >= t4 - 1
