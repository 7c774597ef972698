"""End to end: the real tap against real local servers, one per pagination type."""

from __future__ import annotations

import itertools
import time

import pytest

from tap_restspec.errors import StreamError
from tests.helpers import Reply, Server, run_partial, run_tap, source_spec, write_spec

ITEMS = [{"id": i, "name": f"item {i}"} for i in range(23)]


def offset_api(seen):
    offset, limit = int(seen.q("offset") or 0), int(seen.q("limit") or 10)
    page = ITEMS[offset : offset + limit]
    return Reply(body={"items": page, "hasMore": offset + limit < len(ITEMS)})


def page_api(seen):
    page, size = int(seen.q("page")), int(seen.q("size"))
    start = (page - 1) * size
    pages = -(-len(ITEMS) // size)
    return Reply(body={"items": ITEMS[start : start + size]}, headers={"X-Total-Pages": str(pages)})


def token_api(seen):
    token = seen.q("cursor") or seen.headers.get("x-cursor") or "0"
    start = int(token)
    nxt = start + 10 if start + 10 < len(ITEMS) else None
    return Reply(
        body={"items": ITEMS[start : start + 10], "meta": {"next": None if nxt is None else str(nxt)}}
    )


def pointer_api(seen):
    start = int(seen.q("from") or 0)
    nxt = start + 10
    links = {"next": f"/items?from={nxt}"} if nxt < len(ITEMS) else {}
    return Reply(body={"items": ITEMS[start : start + 10], "links": links})


CASES = [
    pytest.param(
        offset_api,
        {"type": "OFFSET", "limitName": "limit", "limitValue": "10", "offSetName": "offset"},
        ["limit=10&offset=0", "limit=10&offset=10", "limit=10&offset=20"],
        id="offset-short-last-page",
    ),
    pytest.param(
        offset_api,
        {
            "type": "OFFSET",
            "limitName": "limit",
            "limitValue": 5,
            "offsetName": "offset",
            "endConditionName": "$.hasMore",
            "endConditionValue": "Const:false",
        },
        [
            "limit=5&offset=0",
            "limit=5&offset=5",
            "limit=5&offset=10",
            "limit=5&offset=15",
            "limit=5&offset=20",
        ],
        id="offset-end-condition",
    ),
    pytest.param(
        page_api,
        {
            "type": "PAGE",
            "limitName": "size",
            "limitValue": "10",
            "pageParamName": "page",
            "initialPageIndex": 1,
        },
        ["size=10&page=1", "size=10&page=2", "size=10&page=3"],
        id="page-short-last-page",
    ),
    pytest.param(
        page_api,
        {
            "type": "PAGE",
            "limitName": "size",
            "limitValue": "10",
            "pageParamName": "page",
            "initialPageIndex": 1,
            "endPageIndex": 2,
        },
        ["size=10&page=1", "size=10&page=2"],
        id="page-end-index-number",
    ),
    pytest.param(
        page_api,
        {
            "type": "PAGE",
            "limitName": "size",
            "limitValue": "5",
            "pageParamName": "page",
            "initialPageIndex": 1,
            "endPageIndex": "headers.x-total-pages",
        },
        ["size=5&page=1", "size=5&page=2", "size=5&page=3", "size=5&page=4", "size=5&page=5"],
        id="page-end-index-header",
    ),
    pytest.param(
        token_api,
        {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.meta.next",
            "parameterType": "QUERYPARAM",
            "parameterName": "cursor",
        },
        ["", "cursor=10", "cursor=20"],
        id="token-query",
    ),
    pytest.param(
        pointer_api,
        {"type": "POINTER", "limitName": "limit", "limitValue": "10", "pointerPath": "links.next"},
        ["limit=10", "from=10", "from=20"],
        id="pointer-relative",
    ),
    pytest.param(
        pointer_api,
        {"type": "POINTER", "limitName": "limit", "limitValue": "10", "pointerName": "$.links.next"},
        ["limit=10", "from=10", "from=20"],
        id="pointer-legacy-pointerName",
    ),
]


@pytest.mark.parametrize(("api", "pagination", "queries"), CASES)
def test_every_page_is_read_once(tmp_path, api, pagination, queries):
    with Server(api) as server:
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        run = run_tap({"specs": [spec]})
    assert [s.raw_query for s in server.seen] == queries
    # an end page index of 2 stops after 20 records; every other case reads all 23
    expected = ITEMS[:20] if pagination.get("endPageIndex") == 2 else ITEMS
    assert run.records("items") == expected


SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}


def test_token_as_header(tmp_path):
    with Server(token_api) as server:
        pagination = {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "meta.next",
            "parameterType": "HEADERPARAM",
            "parameterName": "X-Cursor",
        }
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        run = run_tap({"specs": [spec]})
    assert run.records() == ITEMS
    assert [s.headers.get("x-cursor") for s in server.seen] == [None, "10", "20"]


def test_pointer_absolute_url_on_same_origin(tmp_path):
    holder = {}

    def api(seen):
        start = int(seen.q("from") or 0)
        body = {"items": ITEMS[start : start + 10]}
        if start + 10 < len(ITEMS):
            body["links"] = {"next": f"{holder['url']}/items?from={start + 10}&limit=10"}
        return Reply(body=body)

    with Server(api) as server:
        holder["url"] = server.url
        pagination = {
            "type": "POINTER",
            "limitName": "limit",
            "limitValue": 10,
            "pointerPath": "$.links.next",
        }
        spec = write_spec(
            tmp_path,
            "items.json",
            source_spec(server.url, pagination=pagination, schema=SCHEMA, headerParams={"X-Team": "data"}),
        )
        run = run_tap({"specs": [spec]})
    assert run.records() == ITEMS
    assert [s.raw_query for s in server.seen] == ["limit=10", "from=10&limit=10", "from=20&limit=10"]
    assert {s.headers["x-team"] for s in server.seen} == {"data"}


def test_pointer_to_another_host_is_refused_before_it_is_requested(tmp_path):
    def api(seen):
        return Reply(body={"items": ITEMS[:10], "next": "http://evil.example:8080/steal"})

    with Server(api) as server:
        pagination = {"type": "POINTER", "limitName": "limit", "limitValue": 10, "pointerPath": "next"}
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        _run, error = run_partial({"specs": [spec], "api_key": "s3cr3t-key"})
    assert isinstance(error, StreamError)
    assert "evil.example" in str(error) and "refusing" in str(error)
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    "pagination",
    [
        pytest.param(
            {"type": "CONTINUATION_TOKEN", "continuationTokenPath": "$.next", "parameterName": "cursor"},
            id="token",
        ),
        pytest.param({"type": "POINTER", "pointerPath": "$.link"}, id="pointer"),
    ],
)
def test_a_repeating_token_or_url_is_an_error_not_a_loop(tmp_path, pagination):
    def api(seen):
        # a, b, a, b, ... : a cycle longer than one page
        token = "b" if seen.q("cursor") == "a" or seen.q("t") == "a" else "a"
        return Reply(body={"items": [{"id": 1}], "next": token, "link": f"/items?t={token}"})

    with Server(api) as server:
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        _run, error = run_partial({"specs": [spec]})
    assert isinstance(error, StreamError)
    assert "repeated" in str(error)
    assert len(server.seen) == 3


def test_maximum_request_stops_page_pagination_with_a_warning(tmp_path, caplog):
    def api(seen):
        return Reply(body={"items": [{"id": int(seen.q("p"))}] * 2})

    with Server(api) as server:
        pagination = {
            "type": "PAGE",
            "limitName": "n",
            "limitValue": 2,
            "pageParamName": "p",
            "maximumRequest": 4,
        }
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        run = run_tap({"specs": [spec]})
    assert [s.q("p") for s in server.seen] == ["0", "1", "2", "3"]
    assert len(run.records()) == 8
    assert any(
        "maximumRequest" in r.getMessage() and "items" in r.getMessage() and r.levelname == "WARNING"
        for r in caplog.records
    )


def test_none_makes_one_request(tmp_path):
    with Server(lambda seen: Reply(body={"items": ITEMS})) as server:
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination={"type": "NONE"}, schema=SCHEMA)
        )
        run = run_tap({"specs": [spec]})
    assert run.records() == ITEMS
    assert len(server.seen) == 1


def test_delay_request_millis_spaces_requests(tmp_path):
    times = []

    def api(seen):
        times.append(time.monotonic())
        return token_api(seen)

    with Server(api) as server:
        pagination = {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.meta.next",
            "parameterName": "cursor",
            "delayRequestMillis": "300",
        }
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        run_tap({"specs": [spec]})
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.29


@pytest.mark.parametrize(
    "pagination",
    [
        pytest.param(
            {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}, id="offset"
        ),
        pytest.param(
            {"type": "PAGE", "limitName": "limit", "limitValue": 2, "pageParamName": "page"}, id="page"
        ),
    ],
)
def test_an_api_that_ignores_the_offset_or_page_is_stopped_not_looped(tmp_path, pagination):
    with Server(lambda seen: Reply(body={"items": ITEMS[:2]})) as server:
        spec = write_spec(
            tmp_path, "items.json", source_spec(server.url, pagination=pagination, schema=SCHEMA)
        )
        run, error = run_partial({"specs": [spec]})
    assert isinstance(error, StreamError)
    assert "same records as the page before" in str(error)
    assert len(server.seen) == 2
    assert run.bookmark("items") == {}
