"""Many partitions and child passes in one process (issue 25): the behaviour, at a small size.

The memory and time figures at 1,000 to 100,000 partitions are the bench's (`bench/pipeline.py
--jobs partitions`); here: every unit runs once however many are waiting, STATE traffic stays
linear in the units, and a run resumed from any STATE it sent reads exactly what was left.
"""

from __future__ import annotations

import json

from tap_restspec.sync import scheduler
from tests.helpers import Reply, source_spec

START, END = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"
SCHEDULE = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}
LISTS = [f"l{i:04d}" for i in range(600)]


def lists_api(seen):
    return Reply(body={"items": [{"id": 1}, {"id": 2}]})


def test_many_partitions_send_linear_state_and_resume_from_any_state_exactly(run_spec, serve):
    server = serve(lists_api)
    spec = source_spec(
        server.url,
        "/lists/${listId}",
        schedule=SCHEDULE,
        singer={"name": "m", "primaryKeys": ["id", "listId"]},
    )
    config = {"params": {"listId": LISTS}, "start_date": START, "end_date": END}
    first = run_spec.cli(spec, **config)
    assert first.code == 0, first.stderr[-2000:]
    states = [line for line in first.stdout.splitlines() if line.startswith('{"type":"STATE"')]
    final = json.loads(states[-1])["value"]
    assert [p["context"]["listId"] for p in final["bookmarks"]["m"]["partitions"]] == LISTS
    # Each slice earns the STATE a few hundred bytes: the traffic is linear in the units, not
    # one whole state per unit (600 x 600 entries).
    assert sum(map(len, states)) < 6 * len(states[-1])
    assert len(first.records()) == 2 * len(LISTS)

    for line in (states[len(states) // 2], states[-2]):
        state = json.loads(line)["value"]
        done = {
            p["context"]["listId"]
            for p in state["bookmarks"]["m"].get("partitions", [])
            if p.get("replication_key_value") == END
        }
        server.seen.clear()
        again = run_spec.cli(spec, state=state, **config)
        assert again.code == 0, again.stderr[-2000:]
        read = sorted(s.path.rsplit("/", 1)[1] for s in server.seen)
        assert read == sorted(set(LISTS) - done)
        assert again.messages()[-1]["value"] == final


def family_api(seen):
    parts = seen.path.strip("/").split("/")
    if parts == ["parents"]:
        offset = int(seen.q("offset") or 0)
        return Reply(body={"items": [{"id": f"p{i:02d}"} for i in range(offset, min(offset + 5, 20))]})
    if parts[0] == "parents":
        return Reply(body={"items": [{"id": f"{parts[1]}-c{k}"} for k in range(2)]})
    return Reply(body={"items": [{"id": f"{parts[1]}-g"}]})


def family(url):
    offset = {"type": "OFFSET", "limitName": "count", "limitValue": 5, "offSetName": "offset"}
    parents = source_spec(  # a schema of its own: no sample of several pages before the sync
        url,
        "/parents",
        pagination=offset,
        schema={"type": "object", "properties": {"id": {"type": "string"}}},
        singer={"name": "parents", "primaryKeys": ["id"]},
    )
    children = source_spec(
        url,
        "/parents/${pid}/children",
        singer={
            "name": "children",
            "primaryKeys": ["id"],
            "parent": {"stream": "parents", "values": {"pid": "$.id"}},
        },
    )
    grandchildren = source_spec(
        url,
        "/children/${cid}/grandchildren",
        singer={
            "name": "grandchildren",
            "primaryKeys": ["id"],
            "parent": {"stream": "children", "values": {"cid": "$.id"}},
        },
    )
    return [parents, children, grandchildren]


def early_passes(server):
    """The child passes requested before the parent's last page."""
    order = [s.path for s in server.seen]
    last_page = max(i for i, path in enumerate(order) if path == "/parents")
    return [path for path in order[:last_page] if path.startswith("/parents/")]


def test_child_passes_beyond_the_queue_bound_run_while_the_parent_is_read(run_spec, serve, monkeypatch):
    server = serve(family_api)
    documents = family(server.url)
    whole = run_spec(documents, max_parallel=1)
    assert len(early_passes(server)) == 1  # queued: all wait for the parent (one is the sample)

    monkeypatch.setattr(scheduler, "MAX_QUEUED", 3)
    for parallel in (1, 4):
        server.seen.clear()
        bounded = run_spec(documents, max_parallel=parallel)
        order = [s.path for s in server.seen]
        passes = [path for path in order if path.count("/") == 3]
        assert len(passes) == len(set(passes)) == 20 + 40  # every child and grandchild pass, once
        assert sorted(map(json.dumps, bounded.records())) == sorted(map(json.dumps, whole.records()))
        if parallel == 1:  # past 3 waiting, the parent's thread runs the deepest pass itself
            assert len(early_passes(server)) > 3
        versions = [m["stream"] for m in bounded.messages if m["type"] == "ACTIVATE_VERSION"]
        assert sorted(versions) == ["children", "grandchildren", "parents"]
