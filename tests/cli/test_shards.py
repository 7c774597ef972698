"""Shards (2026-12-07, "Shards"): `shard: "i/n"` reads this process's share, by a stable hash.

Three shards run one after another against one API that logs its requests: list partitions
(windowed), a full-table parent with its full-table child, a windowed parent with its child,
and streams without partitions. Together they read every record exactly once; each keeps its
own state and resumes from it; the split is the documented hash's.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

import pytest

from tests.helpers import Reply, run_tap, source_spec, write_spec

SHARDS = 3
START, END1, END2 = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"
OLD, NEW = "2024-01-10T00:00:00Z", "2024-02-10T00:00:00Z"
SCHEDULE = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}
LISTS = [f"L{i:02d}" for i in range(12)]
PLAIN = [f"s{i}" for i in range(5)]


def shard_of(text: str) -> int:
    """The documented hash: SHA-1's first 8 bytes, big-endian, modulo n."""
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big") % SHARDS


def context_shard(context: dict[str, Any]) -> int:
    """A partition's shard: its context as JSON, keys sorted, values as text, no spaces."""
    canonical = {k: str(v) for k, v in context.items()}
    return shard_of(json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


class Api:
    """Members of lists, campaigns and their activity, tickets and their comments, plain items."""

    def __init__(self) -> None:
        self.members = {name: [{"id": f"{name}-m{k}", "updated": OLD} for k in range(2)] for name in LISTS}
        self.campaigns = [f"c{i}" for i in range(9)]
        self.tickets = [{"id": i, "updated": OLD} for i in range(8)]

    def __call__(self, seen: Any) -> Reply:
        parts = seen.path.strip("/").split("/")
        since, before = seen.q("since"), seen.q("before")

        def window(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [r for r in rows if since <= r["updated"] < before]

        if parts[0] == "lists":
            return Reply(body={"items": window(self.members[parts[1]])})
        if parts == ["campaigns"]:
            offset = int(seen.q("offset") or 0)
            return Reply(body={"items": [{"id": c} for c in self.campaigns[offset : offset + 5]]})
        if parts[0] == "campaigns":
            return Reply(body={"items": [{"id": f"{parts[1]}-a{k}"} for k in range(2)]})
        if parts == ["tickets"]:
            return Reply(body={"items": window(self.tickets)})
        if parts[0] == "tickets":
            return Reply(body={"items": [{"id": f"t{parts[1]}-c{k}"} for k in range(2)]})
        return Reply(body={"items": [{"id": f"{parts[1]}-{k}"} for k in range(3)]})


def specs(tmp_path: Any, url: str) -> list[str]:
    offset = {"type": "OFFSET", "limitName": "count", "limitValue": 5, "offSetName": "offset"}
    documents = {
        "members": source_spec(
            url, "/lists/${listId}/members", schedule=SCHEDULE, singer={"primaryKeys": ["id", "listId"]}
        ),
        "campaigns": source_spec(url, "/campaigns", pagination=offset, singer={"primaryKeys": ["id"]}),
        "activity": source_spec(
            url,
            "/campaigns/${campaignId}/activity",
            singer={
                "primaryKeys": ["id"],
                "parent": {"stream": "campaigns", "values": {"campaignId": "$.id"}},
            },
        ),
        "tickets": source_spec(url, "/tickets", schedule=SCHEDULE, singer={"primaryKeys": ["id"]}),
        "comments": source_spec(
            url,
            "/tickets/${ticketId}/comments",
            singer={"primaryKeys": ["id"], "parent": {"stream": "tickets", "values": {"ticketId": "$.id"}}},
        ),
        **{name: source_spec(url, f"/plain/{name}", singer={"primaryKeys": ["id"]}) for name in PLAIN},
    }
    for name, document in documents.items():
        document["singer"]["name"] = name
    return [write_spec(tmp_path, f"{name}.json", document) for name, document in documents.items()]


def round_of_shards(server, config, states=None):
    """Each shard in turn (from its own state): its run, and the requests it made."""
    runs, requests = [], []
    for i in range(SHARDS):
        before = len(server.seen)
        state = states[i] if states else None
        runs.append(run_tap({**config, "shard": f"{i}/{SHARDS}"}, state=state))
        requests.append(list(server.seen[before:]))
    return runs, requests


def keys(run) -> set[tuple[str, str]]:
    return {(m["stream"], str(m["record"]["id"])) for m in run.messages if m["type"] == "RECORD"}


def assert_each_record_once(runs, expected: set[tuple[str, str]]) -> None:
    emitted = [keys(run) for run in runs]
    counts = Counter(key for shard in emitted for key in shard)
    assert {k for k, c in counts.items() if c > 1} == set(), "records emitted by two shards"
    assert set(counts) == expected


def paths(requests) -> Counter[str]:
    return Counter(seen.path for shard in requests for seen in shard)


def activations(run) -> list[str]:
    return [m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"]


def test_three_shards_read_every_record_once_keep_their_own_state_and_resume(serve, tmp_path):
    api = Api()
    server = serve(api)
    config = {"specs": specs(tmp_path, server.url), "params": {"listId": LISTS}, "start_date": START}
    runs, requests = round_of_shards(server, {**config, "end_date": END1})

    expected = {("members", m["id"]) for rows in api.members.values() for m in rows}
    expected |= {("campaigns", c) for c in api.campaigns} | {("tickets", str(t["id"])) for t in api.tickets}
    expected |= {("activity", f"{c}-a{k}") for c in api.campaigns for k in range(2)}
    expected |= {("comments", f"t{t['id']}-c{k}") for t in api.tickets for k in range(2)}
    expected |= {(name, f"{name}-{k}") for name in PLAIN for k in range(3)}
    assert_each_record_once(runs, expected)

    # The documented hash decides: each partition, child pass and plain stream is read (requested)
    # by its shard only; a parent is read by every shard, for its children. Aside: every shard
    # samples the first unit of each stream without a schema of its own, as one process would, so
    # that the shards infer one schema; the owner's sync reuses the page, the others emit nothing.
    owner = {f"/lists/{name}/members": context_shard({"listId": name}) for name in LISTS}
    owner |= {f"/campaigns/{c}/activity": context_shard({"campaignId": c}) for c in api.campaigns}
    owner |= {f"/tickets/{t['id']}/comments": context_shard({"ticketId": t["id"]}) for t in api.tickets}
    owner |= {f"/plain/{name}": shard_of(name) for name in PLAIN}
    sampled = {"/lists/L00/members", "/campaigns/c0/activity", "/tickets/0/comments"}
    for i, shard in enumerate(requests):
        mine = {seen.path for seen in shard if seen.path in owner}
        assert mine == {path for path, k in owner.items() if k == i} | sampled
    assert all(
        count == (SHARDS if path in sampled else 1)
        for path, count in paths(requests).items()
        if path in owner
    )
    assert paths(requests)["/campaigns"] == 2 * SHARDS and paths(requests)["/tickets"] == SHARDS
    assert len(set(owner.values())) == SHARDS  # every shard has a share here

    # Parents and plain streams: records, SCHEMA and ACTIVATE_VERSION from their owner only. A
    # full-table child split over shards: each shard activates its part (its own table).
    for i, run in enumerate(runs):
        streams = {m["stream"] for m in run.messages if m["type"] == "SCHEMA"}
        owned = {name for name in ("campaigns", "tickets", *PLAIN) if shard_of(name) == i}
        assert streams == {"members", "activity", "comments"} | owned
        assert sorted(activations(run)) == sorted({"activity", "comments"} | owned - {"tickets"})

    # Each shard's state: its own partitions; the windowed parent's bookmark (every shard reads it
    # for its children, from where it last did); full-table children keep none.
    for i, run in enumerate(runs):
        marks = run.state["bookmarks"]
        listed = {p["context"]["listId"]: p["replication_key_value"] for p in marks["members"]["partitions"]}
        assert listed == {name: END1 for name in LISTS if context_shard({"listId": name}) == i}
        assert marks["tickets"]["replication_key_value"] == END1
        assert "partitions" not in marks.get("comments", {}) and "partitions" not in marks.get("activity", {})
        assert {name for name in PLAIN if name in marks} == {name for name in PLAIN if shard_of(name) == i}

    # ------------------------------------------------------------------ the data changes
    api.members["L03"][0]["updated"] = NEW
    api.members["L07"].append({"id": "L07-m2", "updated": NEW})
    api.tickets[2]["updated"] = NEW
    api.tickets.append({"id": 8, "updated": NEW})
    api.campaigns.remove("c4")
    states = [run.state for run in runs]
    again, requests = round_of_shards(server, {**config, "end_date": END2}, states)

    # Windows from each shard's bookmarks (a shard samples L00 for the schema from start_date: it
    # holds no bookmark of another shard's partition).
    windowed = [
        s
        for i, shard in enumerate(requests)
        for s in shard
        if s.q("since") and (s.path == "/tickets" or owner.get(s.path) == i)
    ]
    assert windowed and {(s.q("since"), s.q("before")) for s in windowed} == {(END1, END2)}
    changed = {("members", "L03-m0"), ("members", "L07-m2"), ("tickets", "2"), ("tickets", "8")}
    changed |= {("comments", f"t{t}-c{k}") for t in (2, 8) for k in range(2)}
    changed |= {("campaigns", c) for c in api.campaigns}  # full-table: read whole again
    changed |= {("activity", f"{c}-a{k}") for c in api.campaigns for k in range(2)}
    changed |= {(name, f"{name}-{k}") for name in PLAIN for k in range(3)}
    assert_each_record_once(again, changed)
    comments = {path for path in paths(requests) if path.endswith("/comments")}
    assert comments == {"/tickets/2/comments", "/tickets/8/comments"}
    sampled = {"/lists/L00/members", "/campaigns/c0/activity", "/tickets/2/comments"}
    counts = paths(requests)
    assert all(
        counts[path] == (SHARDS if path in sampled else 1)
        for path in counts
        if path in owner or path in comments
    )
    for i, run in enumerate(again):
        listed = {
            p["context"]["listId"]: p["replication_key_value"] for p in run.bookmark("members")["partitions"]
        }
        assert listed == {name: END2 for name in LISTS if context_shard({"listId": name}) == i}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("3/3", "i must be 0 to 2 when n is 3"),
        ("0/0", "n must be at least 1"),
        ("1-of-3", "is not this process's share"),
        ("-1/3", "is not this process's share"),
        (2, "is not this process's share"),
    ],
)
def test_a_shard_out_of_range_or_malformed_is_one_start_up_line(run_spec, value, says):
    result = run_spec.cli(source_spec("http://127.0.0.1:9", "/x"), shard=value)
    assert result.code != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "shard" in line]
    assert len(lines) == 1 and "config: shard:" in lines[0] and says in lines[0], result.stderr


def test_one_shard_of_one_reads_everything(serve, tmp_path):
    api = Api()
    server = serve(api)
    config = {"specs": specs(tmp_path, server.url), "params": {"listId": LISTS}, "start_date": START}
    whole = run_tap({**config, "end_date": END1})
    one = run_tap({**config, "end_date": END1, "shard": "0/1"})
    assert keys(one) == keys(whole) and len(keys(one)) == len(
        [m for m in one.messages if m["type"] == "RECORD"]
    )


def test_a_shard_with_no_part_of_a_split_full_table_child_still_activates_its_empty_part(serve, tmp_path):
    # One campaign: its activity (a full-table child split over shards) falls to one shard. The
    # others read the campaigns for their children, run no pass (they ask for it once, the schema's
    # sample), and still send the child's SCHEMA and ACTIVATE_VERSION: their part is empty, so rows
    # they loaded earlier are marked deleted.
    api = Api()
    api.campaigns = ["c0"]
    server = serve(api)
    config = {"specs": specs(tmp_path, server.url), "params": {"listId": LISTS}, "start_date": START}
    runs, requests = round_of_shards(server, {**config, "end_date": END1})
    owner = context_shard({"campaignId": "c0"})
    for i, (run, seen) in enumerate(zip(runs, requests, strict=True)):
        activity = {key for key in keys(run) if key[0] == "activity"}
        assert activity == ({("activity", "c0-a0"), ("activity", "c0-a1")} if i == owner else set())
        assert [s.path for s in seen].count("/campaigns/c0/activity") == 1  # the owner's sync reuses it
        assert "/campaigns" in {s.path for s in seen}
        schemas = [m for m in run.messages if m["type"] == "SCHEMA" and m["stream"] == "activity"]
        assert len(schemas) == 1 and activations(run).count("activity") == 1
