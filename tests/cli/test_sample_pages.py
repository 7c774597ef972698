"""The schema's sample spans more than one page when the first is thin (issue 22), by the real CLI:
a field that only a later page shows is typed from the start, the sync reuses every sampled page
(its requests are those of a run with no sample), and a `--discover` makes the sampled requests."""

from __future__ import annotations

import json

from tap_restspec.sync.sample import SAMPLE_PAGES, SAMPLE_SIZE
from tests.cli.test_hostile_servers import FAST
from tests.helpers import TOKEN_PAGING, Reply, source_spec, token_pages


def spec(url, **attributes):
    singer = {"name": "items", "primaryKeys": ["id"]}
    return source_spec(url, pagination=TOKEN_PAGING, singer=singer, **attributes)


def asked(server):
    return [(s.path, s.raw_query) for s in server.seen]


PAGES = [
    [{"id": 1, "title": "a", "closed_at": None, "assignee": None}, {"id": 2, "title": "b"}],
    [{"id": 3, "title": "c", "closed_at": "2024-05-01T10:00:00Z", "assignee": {"login": "ann"}, "n": 7}],
    [{"id": 4, "title": "d", "closed_at": None, "assignee": None, "n": 8}],
]


def test_a_field_only_a_later_page_shows_is_typed_from_the_start(serve, run_spec):
    server = serve(token_pages(PAGES))
    result = run_spec.cli(spec(server.url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    schemas = [m for m in result.messages() if m["type"] == "SCHEMA"]
    assert len(schemas) == 1  # typed, not widened later
    properties = schemas[0]["schema"]["properties"]
    assert properties["closed_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert properties["assignee"]["type"] == ["object", "null"]
    assert properties["assignee"]["properties"]["login"] == {"type": ["string", "null"]}
    assert properties["n"] == {"type": ["number", "null"]}
    assert result.records() == [r for page in PAGES for r in page]


def test_the_sync_makes_the_requests_a_run_without_a_sample_makes(serve, run_spec):
    server = serve(token_pages(PAGES))
    custom = {"type": "object", "properties": {"id": {"type": "integer"}}}
    unsampled = run_spec.cli(spec(server.url, schema=custom), **FAST)  # a custom schema: no sample
    assert unsampled.code == 0, unsampled.stderr[-2000:]
    without = asked(server)
    assert without == [("/items", ""), ("/items", "cursor=1"), ("/items", "cursor=2")]
    server.seen.clear()
    sampled = run_spec.cli(spec(server.url), **FAST)
    assert sampled.code == 0, sampled.stderr[-2000:]
    assert asked(server) == without  # the three sampled pages, each once: the sync reused them


def test_discover_makes_the_sampled_requests(serve, run_spec):
    server = serve(token_pages(PAGES))
    result = run_spec.cli(spec(server.url), "--discover", **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (stream,) = json.loads(result.stdout)["streams"]
    assert stream["schema"]["properties"]["closed_at"]["format"] == "date-time"
    assert len(server.seen) == 3


def test_the_sample_reads_at_most_a_few_pages(serve, run_spec):
    pages = [[{"id": i, f"only_{i}": True}] for i in range(1, 9)]
    server = serve(token_pages(pages))
    result = run_spec.cli(spec(server.url), "--discover", **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert len(server.seen) == SAMPLE_PAGES == 5
    properties = json.loads(result.stdout)["streams"][0]["schema"]["properties"]
    assert [f"only_{i}" in properties for i in range(1, 9)] == [True] * 5 + [False] * 3


def test_a_first_page_that_is_not_thin_is_the_whole_sample(serve, run_spec):
    pages = [[{"id": i} for i in range(SAMPLE_SIZE)], [{"id": 1000, "later": 1}]]
    server = serve(token_pages(pages))
    result = run_spec.cli(spec(server.url), "--discover", **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert len(server.seen) == 1
    assert "later" not in json.loads(result.stdout)["streams"][0]["schema"]["properties"]


def test_a_later_page_that_fails_is_left_to_the_sync_to_report(serve, run_spec):
    def api(seen):
        if seen.q("cursor") == "1":
            return Reply(status=400, body={"error": "bad cursor"})
        return token_pages(PAGES)(seen)

    server = serve(api)
    result = run_spec.cli(spec(server.url), **FAST)
    assert result.code == 1
    assert "HTTP 400" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert [r["id"] for r in result.records()] == [1, 2]  # the first page, then the failure
    assert asked(server) == [("/items", ""), ("/items", "cursor=1"), ("/items", "cursor=1")]
