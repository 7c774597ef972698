"""More pagination shapes a draft must find with no edit: pages numbered from 0 (Spring Data),
`startAt`/`maxResults` offsets (Jira), a cursor sent back under another name (Notion's
`next_cursor` as `start_cursor`), a next URL in the body (Django REST framework). Each drafted
spec is run through the CLI and reads every record once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.draft.drafting import run_draft
from tests.helpers import Reply, Seen, run_cli

ROWS = [{"id": n + 1, "name": f"row {n + 1}"} for n in range(10)]


def spring(seen: Seen) -> Reply:
    """`page` from 0, `size` (default 4); `content`, `totalPages`, `number`, `size`, `last`."""
    page, size = int(seen.q("page") or 0), int(seen.q("size") or 4)
    rows = ROWS[page * size : (page + 1) * size]
    pages = -(-len(ROWS) // size)
    last = page >= pages - 1
    return Reply(
        body={"content": rows, "totalPages": pages, "totalElements": len(ROWS), "number": page, "last": last}
    )


def jira(seen: Seen) -> Reply:
    """`startAt` and `maxResults` (default 4), echoed with `total`."""
    start, most = int(seen.q("startAt") or 0), int(seen.q("maxResults") or 4)
    return Reply(
        body={"startAt": start, "maxResults": most, "total": len(ROWS), "issues": ROWS[start : start + most]}
    )


def notion(seen: Seen) -> Reply:
    """`next_cursor` and `has_more`, the cursor sent back as `start_cursor`; other names ignored."""
    start = int(seen.q("start_cursor") or 0)
    end = start + int(seen.q("page_size") or 4)
    more = end < len(ROWS)
    body = {
        "object": "list",
        "results": ROWS[start:end],
        "next_cursor": str(end) if more else None,
        "has_more": more,
    }
    return Reply(body=body)


def django(seen: Seen) -> Reply:
    """`count`, `next` (an absolute URL or null), `previous`, `results`; `page` from 1, 4 a page."""
    page = int(seen.q("page") or 1)
    rows = ROWS[(page - 1) * 4 : page * 4]
    following = seen.link(seen.route, [("page", str(page + 1))]) if page * 4 < len(ROWS) else None
    return Reply(body={"count": len(ROWS), "next": following, "previous": None, "results": rows})


SHAPES: dict[str, tuple[Callable[[Seen], Reply], dict[str, Any]]] = {
    "spring": (
        spring,
        {
            "type": "PAGE",
            "limitName": "size",
            "limitValue": 4,
            "pageParamName": "page",
            "initialPageIndex": 0,
            "endConditionName": "$.last",
            "endConditionValue": "Const:true",
        },
    ),
    "jira": (jira, {"type": "OFFSET", "limitName": "maxResults", "limitValue": 4, "offsetName": "startAt"}),
    "notion": (
        notion,
        {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.next_cursor",
            "parameterType": "QUERYPARAM",
            "parameterName": "start_cursor",
            "endConditionName": "$.has_more",
            "endConditionValue": "Const:false",
        },
    ),
    "django": (django, {"type": "POINTER", "pointerPath": "$.next"}),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_the_pagination_is_found_and_the_spec_reads_every_record(name, serve, tmp_path):
    answer, pagination = SHAPES[name]
    server = serve(answer)
    drafted = run_draft(tmp_path, f"{server.url}/api/things")
    assert drafted.code == 0, drafted.stderr
    assert len(server.seen) <= 10
    spec = json.loads((tmp_path / "spec.json").read_text())
    assert spec["sourceSpec"]["attributes"]["paginationParams"] == pagination, drafted.stderr
    run = run_cli(tmp_path, {"specs": [str(tmp_path / "spec.json")]})
    assert run.code == 0, run.stderr
    assert [record["id"] for record in run.records()] == [row["id"] for row in ROWS]


def counted_in_headers(seen: Seen) -> Reply:
    """A bare array, `page` from 1 and `per_page` (default 5), the page count in `X-Total-Pages`
    (as GitLab and WordPress send it) and no Link header: the pages are all full.
    """
    page, size = int(seen.q("page") or 1), int(seen.q("per_page") or 5)
    pages = -(-len(ROWS) // size)
    headers = {"X-Total-Pages": str(pages), "X-Page": str(page), "X-Total": str(len(ROWS))}
    return Reply(body=ROWS[(page - 1) * size : page * size], headers=headers)


def test_a_page_count_header_becomes_the_end_page_index(serve, tmp_path):
    """The last page is full, so only `endPageIndex` from the header keeps the run from asking for
    an empty page past it: the drafted spec reads the two pages and no more.
    """
    server = serve(counted_in_headers)
    drafted = run_draft(tmp_path, f"{server.url}/api/things")
    assert drafted.code == 0, drafted.stderr
    spec = json.loads((tmp_path / "spec.json").read_text())
    assert spec["sourceSpec"]["attributes"]["paginationParams"] == {
        "type": "PAGE",
        "limitName": "per_page",
        "limitValue": 5,
        "pageParamName": "page",
        "initialPageIndex": 1,
        "endPageIndex": "headers.X-Total-Pages",
    }, drafted.stderr
    assert "the last page from headers.X-Total-Pages" in drafted.stderr
    server.seen.clear()
    run = run_cli(tmp_path, {"specs": [str(tmp_path / "spec.json")]})
    assert run.code == 0, run.stderr
    assert [record["id"] for record in run.records()] == [row["id"] for row in ROWS]
    assert [s.raw_query for s in server.seen] == ["per_page=5&page=1", "per_page=5&page=2"]


def test_name_sets_the_stream_and_the_default_is_the_path_s_last_word(serve, tmp_path):
    """`--name "Open Things"` is the stream `open_things`; without it, `/api/v2/things/` gives `things`."""
    server = serve(lambda seen: Reply(body=ROWS))
    url = f"{server.url}/api/v2/things/"
    named = run_draft(tmp_path, url, out="named.json", args=("--name", "Open Things"))
    assert named.code == 0, named.stderr
    assert named.stderr.splitlines()[-1] == "wrote named.json: stream open_things"
    unnamed = run_draft(tmp_path, url, out="unnamed.json")
    assert json.loads((tmp_path / "unnamed.json").read_text())["singer"]["name"] == "things"
    assert unnamed.stderr.splitlines()[-1] == "wrote unnamed.json: stream things"
    run = run_cli(tmp_path, {"specs": [str(tmp_path / "named.json")]})
    assert run.code == 0, run.stderr
    assert {m["stream"] for m in run.messages() if m["type"] == "RECORD"} == {"open_things"}
    assert len(run.records()) == len(ROWS)
