"""End of data is positive evidence (2026-12-07): a pass that did not end on it is a failure or a
cut; a cut or failed read deletes nothing and never moves a bookmark past what it read.
"""

from __future__ import annotations

import json
import signal
import threading
import time

from tests.helpers import Reply, SpecRunner, source_spec, start_tap

TOKEN = {"type": "CONTINUATION_TOKEN", "continuationTokenPath": "$.next", "parameterName": "cursor"}
WINDOW = {"scheduleStartParamName": "since", "scheduleEndParamName": "until"}
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"max_retries": 0}
DAYS = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"]


def token_pages(pages):
    """A token-paged API serving `pages`: a list of records, or a Reply as it is."""

    def api(seen):
        index = int(seen.q("cursor") or 0)
        page = pages[index]
        if isinstance(page, Reply):
            return page
        more = index + 1 < len(pages)
        return Reply(body={"items": page, "next": str(index + 1) if more else None})

    return api


def kinds(result):
    return [m["type"] for m in result.messages()]


def states(result):
    return [m["value"] for m in result.messages() if m["type"] == "STATE"]


def full_table(url, **singer):
    return source_spec(
        url, pagination=TOKEN, schema=SCHEMA, singer={"name": "items", "primaryKeys": ["id"], **singer}
    )


def test_a_complete_full_table_read_activates_its_version(serve, run_spec):
    api = serve(token_pages([[{"id": 1}], [{"id": 2}], []]))
    result = run_spec.cli(full_table(api.url), **FAST)
    assert result.code == 0, result.stderr
    assert [r["id"] for r in result.records()] == [1, 2]
    assert kinds(result).count("ACTIVATE_VERSION") == 1


def test_an_empty_200_body_on_page_two_fails_the_stream_and_deletes_nothing(serve, run_spec):
    api = serve(token_pages([[{"id": 1}], Reply(raw=b""), [{"id": 3}]]))
    result = run_spec.cli(full_table(api.url), **FAST)
    assert result.code == 1
    assert "ACTIVATE_VERSION" not in kinds(result)
    assert "Traceback" not in result.stderr
    assert "stream items: the answer from" in result.stderr and "has an empty body, not JSON" in result.stderr
    assert len(api.seen) == 2  # nothing asked after the page that could not be read


def test_an_empty_204_answer_is_the_end(serve, run_spec):
    api = serve(token_pages([[{"id": 1}], Reply(status=204, raw=b"")]))
    result = run_spec.cli(full_table(api.url), **FAST)
    assert result.code == 0, result.stderr
    assert [r["id"] for r in result.records()] == [1]
    assert kinds(result).count("ACTIVATE_VERSION") == 1


def test_an_empty_body_on_a_windowed_stream_leaves_the_bookmark(serve, run_spec):
    pages = iter([Reply(body={"items": [{"id": 1}], "next": "1"}), Reply(raw=b"  ")])
    api = serve(lambda seen: next(pages))
    document = source_spec(api.url, pagination=TOKEN, schedule=WINDOW, schema=SCHEMA)
    state = {"bookmarks": {"items": {"replication_key": "window_end", "replication_key_value": DAYS[0]}}}
    result = run_spec.cli(document, state=state, end_date=DAYS[3], **FAST)
    assert result.code == 1
    assert states(result)[-1] == state  # the window's bookmark did not move


def test_maximum_request_cuts_a_full_table_read_which_then_deletes_nothing(serve, run_spec):
    pages = [[{"id": 2 * i + 1}, {"id": 2 * i + 2}] for i in range(5)]  # 10 records on 5 pages
    api = serve(token_pages(pages))
    document = source_spec(
        api.url,
        pagination={**TOKEN, "maximumRequest": 2},
        schema=SCHEMA,
        singer={"name": "items", "primaryKeys": ["id"]},
    )
    result = run_spec.cli(document, **FAST)
    assert result.code == 0, result.stderr
    assert [r["id"] for r in result.records()] == [1, 2, 3, 4]
    assert "ACTIVATE_VERSION" not in kinds(result)
    warnings = [line for line in result.stderr.splitlines() if "maximumRequest" in line]
    assert len(warnings) == 1
    assert "maximumRequest=2" in warnings[0] and "deletions are not applied" in warnings[0]


def test_a_window_slice_cut_by_maximum_request_keeps_the_bookmark_before_it(serve, run_spec):
    def api(seen):  # the first day has one page of records, the second day three
        index = int(seen.q("cursor") or 0)
        last = 0 if seen.q("since") == DAYS[0] else 2
        return Reply(body={"items": [{"id": index}], "next": str(index + 1) if index < last else None})

    server = serve(api)
    document = source_spec(
        server.url,
        pagination={**TOKEN, "maximumRequest": 2},
        schedule=WINDOW,
        schema=SCHEMA,
        singer={"windowStep": "P1D"},
    )
    result = run_spec.cli(document, start_date=DAYS[0], end_date=DAYS[3], **FAST)
    assert result.code == 0, result.stderr
    assert states(result)[-1]["bookmarks"]["items"]["replication_key_value"] == DAYS[1]
    assert [s.q("since") for s in server.seen] == [DAYS[0], DAYS[1], DAYS[1]]  # the third day is not read
    (warning,) = [line for line in result.stderr.splitlines() if "maximumRequest" in line]
    assert f"the bookmark stays at {DAYS[1]}" in warning


def parent_and_child(url, parent_pagination=None):
    parent = source_spec(
        url,
        "/parents",
        pagination=parent_pagination or TOKEN,
        schema=SCHEMA,
        singer={"name": "parents", "primaryKeys": ["id"]},
    )
    child = source_spec(
        url,
        "/parents/${pid}/children",
        schema=SCHEMA,
        singer={
            "name": "children",
            "primaryKeys": ["id", "pid"],
            "parent": {"stream": "parents", "values": {"pid": "$.id"}},
        },
    )
    return [parent, child]


def test_a_cut_parent_means_its_children_delete_nothing(serve, run_spec):
    def api(seen):
        if seen.path == "/parents":
            index = int(seen.q("cursor") or 0)
            return Reply(body={"items": [{"id": index}], "next": str(index + 1)})
        return Reply(body={"items": [{"id": 100}]})

    server = serve(api)
    result = run_spec.cli(parent_and_child(server.url, {**TOKEN, "maximumRequest": 2}), **FAST)
    assert result.code == 0, result.stderr
    assert "ACTIVATE_VERSION" not in kinds(result)  # neither the parents' nor the children's
    assert any(
        "children" in line and "parents was not read whole" in line for line in result.stderr.splitlines()
    )


def test_a_failed_parent_means_its_children_delete_nothing(serve, run_spec):
    def api(seen):
        if seen.path == "/parents":
            if seen.q("cursor"):
                return Reply(status=400, body={"error": "bad cursor"})
            return Reply(body={"items": [{"id": 1}], "next": "1"})
        return Reply(body={"items": [{"id": 100}]})

    server = serve(api)
    result = run_spec.cli(parent_and_child(server.url), **FAST)
    assert result.code == 1
    assert "ACTIVATE_VERSION" not in kinds(result)
    assert [m["stream"] for m in result.messages() if m["type"] == "RECORD"] == ["parents", "children"]


def test_sigterm_during_a_full_table_read_deletes_nothing(serve, tmp_path):
    release = threading.Event()

    def api(seen):
        index = int(seen.q("cursor") or 0)
        if index == 1:
            release.wait(8)
        return Reply(body={"items": [{"id": index}], "next": str(index + 1) if index < 2 else None})

    server = serve(api)
    runner = SpecRunner(tmp_path)
    process = start_tap(tmp_path, runner.config(full_table(server.url), "items.json", FAST))
    try:
        deadline = time.monotonic() + 5
        while len(server.seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 143
    messages = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert [m["record"]["id"] for m in messages if m["type"] == "RECORD"] == [0]
    assert "ACTIVATE_VERSION" not in [m["type"] for m in messages]
    assert "Traceback" not in err.decode()


def test_a_null_primary_key_is_an_error_naming_the_stream_and_the_key(serve, run_spec):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1}, {"id": None}]}))
    result = run_spec.cli(full_table(api.url), **FAST)
    assert result.code == 1
    assert "stream items: a record's primary key 'id' is null (singer.primaryKeys)" in result.stderr
    assert "ACTIVATE_VERSION" not in kinds(result)


RECORD_KEY = {"name": "items", "primaryKeys": ["id"], "replicationKey": "updated"}
KEYED = {"type": "object", "properties": {"id": {"type": "integer"}, "updated": {}}}


def test_a_replication_key_of_two_kinds_is_one_line_not_a_traceback(serve, run_spec):
    api = serve(
        lambda seen: Reply(body={"items": [{"id": 1, "updated": "2024-01-02"}, {"id": 2, "updated": 5}]})
    )
    document = source_spec(api.url, schema=KEYED, singer=RECORD_KEY)
    result = run_spec.cli(document, **FAST)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert (
        "stream items: replicationKey 'updated' values cannot be compared: '2024-01-02' and '5'"
        in result.stderr
    )
    assert "replication_key_value" not in json.dumps(states(result))  # no bookmark from a failed run


def test_a_record_key_bookmark_never_moves_back_and_compares_instants(serve, run_spec):
    records = [
        {"id": 1, "updated": "2024-01-02T01:00:00+02:00"},  # 2024-01-01T23:00Z
        {"id": 2, "updated": "2024-01-01T23:30:00Z"},  # the latest instant
        {"id": 3, "updated": "2024-01-02T00:15:00+01:00"},  # 2024-01-01T23:15Z
    ]
    api = serve(lambda seen: Reply(body={"items": records}))
    document = source_spec(api.url, schema=KEYED, singer=RECORD_KEY)
    first = run_spec.cli(document, **FAST)
    assert first.code == 0, first.stderr
    assert states(first)[-1]["bookmarks"]["items"]["replication_key_value"] == "2024-01-01T23:30:00Z"
    later = {
        "bookmarks": {
            "items": {"replication_key": "updated", "replication_key_value": "2024-02-01T00:00:00Z"}
        }
    }
    second = run_spec.cli(document, state=later, **FAST)  # the API does not filter: older records only
    assert second.code == 0, second.stderr
    assert states(second)[-1] == later
