"""STATE and SCHEMA traffic grows linearly with a run's units (2026-12-07, "Traffic")."""

from __future__ import annotations

import pytest

from tests.helpers import Reply, source_spec

END = "2024-02-01T00:00:00Z"
PARENTS = 400


def api(seen):
    if seen.path == "/parents":
        return Reply(body={"items": [{"id": f"p{i:04d}"} for i in range(PARENTS)]})
    return Reply(body={"items": [{"id": 1, "v": "x"}]})


def family(url, windowed):
    parent = source_spec(url, "/parents", singer={"name": "parents", "primaryKeys": ["id"]})
    schedule = {"scheduleStartParamName": "since", "scheduleEndParamName": "until"} if windowed else None
    child = source_spec(
        url,
        "/parents/${pid}/children",
        schedule=schedule,
        singer={
            "name": "children",
            "primaryKeys": ["id", "pid"],
            "parent": {"stream": "parents", "values": {"pid": "$.id"}},
        },
    )
    return [parent, child]


def lines_of(result, kind):
    return [line for line in result.stdout.splitlines() if line.startswith(f'{{"type":"{kind}"')]


@pytest.mark.parametrize("windowed", [False, True], ids=["full-table", "windowed"])
def test_many_child_passes_send_one_schema_per_stream_and_linear_state(serve, run_spec, windowed):
    server = serve(api)
    result = run_spec.cli(family(server.url, windowed), start_date="2024-01-01T00:00:00Z", end_date=END)
    assert result.code == 0, result.stderr[-2000:]
    assert len(server.seen) == PARENTS + 1
    assert len(lines_of(result, "SCHEMA")) == 2  # one per stream, not one per child pass
    states = lines_of(result, "STATE")
    final = states[-1]
    if windowed:  # one bookmark per parent record, sent a bounded number of times
        assert final.count('"context":{"pid"') == PARENTS
        assert sum(map(len, states)) < 12 * len(final)  # before: one whole state per pass, 400 x
    else:  # a full-table child keeps no per-parent bookmark
        assert '"context"' not in final and len(final) < 400


def test_resuming_from_any_state_sent_reads_exactly_what_was_left(serve, run_spec):
    server = serve(api)
    documents = family(server.url, True)
    first = run_spec.cli(documents, start_date="2024-01-01T00:00:00Z", end_date=END)
    assert first.code == 0, first.stderr[-2000:]
    messages = first.messages()
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    assert len(states) >= 2
    final = states[-1]
    for state in (states[0], states[len(states) // 2]):
        done = {
            p["context"]["pid"]
            for p in state.get("bookmarks", {}).get("children", {}).get("partitions", [])
            if p.get("replication_key_value") == END
        }
        again = run_spec.cli(documents, state=state, start_date="2024-01-01T00:00:00Z", end_date=END)
        assert again.code == 0, again.stderr[-2000:]
        children = [
            m["record"]["pid"]
            for m in again.messages()
            if m["type"] == "RECORD" and m["stream"] == "children"
        ]
        assert sorted(children) == sorted({f"p{i:04d}" for i in range(PARENTS)} - done)
        assert again.messages()[-1]["value"] == final
