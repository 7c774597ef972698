"""`parameterType: BODYPARAM` for POST search APIs, and page values placed outside the query
(issue 11, part 2), end to end through the real tap.

HubSpot's `POST /crm/v3/objects/contacts/search` pages with `after` and `limit` in the JSON
body, the rest of the body (filters, sorts, properties, the window) kept on every page; dot
paths put values in nested objects for every type; a limit in a header or the body goes with
every `POINTER` page; a value that cannot be placed stops the stream with one line.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_adobe_documents import problem_lines
from tests.cli.test_vendor_paging import ids, items_spec
from tests.helpers import Reply, Seen

# --- BODYPARAM: a POST search API ----------------------------------------------------------------------


SEARCH = "/crm/v3/objects/contacts/search"


class HubSpotSearch:
    """`POST /crm/v3/objects/contacts/search` as HubSpot answers: a JSON body with `filterGroups`,
    `sorts`, `properties`, `limit` (an integer, at most 200) and `after` (a string); the answer
    has `total`, `results` and `paging.next.after` (with a relative `link`) while more remain."""

    def __init__(self, total: int = 230) -> None:
        self.contacts = [
            {
                "id": str(1000 + i),
                "properties": {
                    "email": f"c{i}@example.com",
                    "lastmodifieddate": str(1704067200000 + i * 60_000),
                },
                "createdAt": "2024-01-01T00:00:00.000Z",
                "updatedAt": "2024-01-01T00:00:00.000Z",
                "archived": False,
            }
            for i in range(total)
        ]

    def __call__(self, seen: Seen) -> Reply:
        if seen.method != "POST" or seen.route != SEARCH:
            return Reply(405, body={"status": "error", "message": "Method Not Allowed"})
        body = seen.json()
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 200:
            return Reply(
                400,
                body={
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"limit: {limit!r} is not an integer in 1..200",
                },
            )
        rows = self.contacts
        for group in body.get("filterGroups", []):
            for f in group.get("filters", []):
                value = int(f["value"])
                if f["operator"] == "GTE":
                    rows = [r for r in rows if int(r["properties"][f["propertyName"]]) >= value]
                elif f["operator"] == "LT":
                    rows = [r for r in rows if int(r["properties"][f["propertyName"]]) < value]
        start = int(body.get("after") or 0)
        page = rows[start : start + limit]
        answer: dict[str, Any] = {"total": len(rows), "results": page}
        if start + limit < len(rows):
            nxt = str(start + limit)
            answer["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        return Reply(body=answer)


def search_spec(url: str, **pagination: Any) -> dict[str, Any]:
    return {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": SEARCH, "method": "POST"},
                "headerParams": {"Content-Type": "application/json"},
                "bodyParams": {
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "lastmodifieddate",
                                    "operator": "GTE",
                                    "value": "{START_TIME}",
                                },
                                {"propertyName": "lastmodifieddate", "operator": "LT", "value": "{END_TIME}"},
                            ]
                        }
                    ],
                    "sorts": ["lastmodifieddate"],
                    "properties": ["email", "lastmodifieddate"],
                },
                "contentPath": "$.results",
                "paginationParams": {
                    "type": "CONTINUATION_TOKEN",
                    "continuationTokenPath": "$.paging.next.after",
                    "parameterType": "BODYPARAM",
                    "parameterName": "after",
                    "limitName": "limit",
                    "limitValue": "100",
                    **pagination,
                },
                "scheduleParams": {
                    "type": "ADVANCE",
                    "paramFormat": "epoch_ms",
                    "incremental": "-",
                    "backfill": "-",
                },
            }
        },
        "singer": {"name": "hubspot_contacts_search", "primaryKeys": ["id"]},
    }


def test_bodyparam_pages_a_post_search_keeping_the_rest_of_the_body(serve, run_spec):
    api = HubSpotSearch(total=230)
    server = serve(api)
    run = run_spec(
        search_spec(server.url), start_date="2024-01-01T00:00:00Z", end_date="2024-01-01T04:00:00Z"
    )
    assert [r["id"] for r in run.records()] == [c["id"] for c in api.contacts]  # all 230 in the window
    bodies = [s.json() for s in server.seen]
    assert [b.get("after") for b in bodies] == [None, "100", "200"]
    assert {b["limit"] for b in bodies} == {100}  # the limit as a JSON number
    expected_filters = [
        {
            "filters": [
                {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1704067200000"},
                {"propertyName": "lastmodifieddate", "operator": "LT", "value": "1704081600000"},
            ]
        }
    ]
    for body, seen in zip(bodies, server.seen, strict=True):
        assert body["filterGroups"] == expected_filters
        assert body["sorts"] == ["lastmodifieddate"] and body["properties"] == ["email", "lastmodifieddate"]
        assert seen.raw_query == "" and seen.method == "POST"
        assert seen.headers["Content-Type"].startswith("application/json")


def test_bodyparam_window_narrows_the_search(serve, run_spec):
    api = HubSpotSearch(total=230)
    server = serve(api)
    run = run_spec(
        search_spec(server.url), start_date="2024-01-01T01:00:00Z", end_date="2024-01-01T02:00:00Z"
    )
    assert [r["id"] for r in run.records()] == [c["id"] for c in api.contacts[60:120]]
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("pagination", "placed"),
    [
        pytest.param(
            {
                "type": "OFFSET",
                "limitName": "paging.limit",
                "limitValue": 10,
                "offsetName": "paging.offset",
                "parameterType": "BODYPARAM",
            },
            [
                {"limit": 10, "offset": 0, "keep": "me"},
                {"limit": 10, "offset": 10, "keep": "me"},
                {"limit": 10, "offset": 20, "keep": "me"},
            ],
            id="offset",
        ),
        pytest.param(
            {
                "type": "PAGE",
                "limitName": "paging.limit",
                "limitValue": 10,
                "pageParamName": "paging.page",
                "initialPageIndex": 1,
                "parameterType": "bodyparam",
            },
            [
                {"limit": 10, "page": 1, "keep": "me"},
                {"limit": 10, "page": 2, "keep": "me"},
                {"limit": 10, "page": 3, "keep": "me"},
            ],
            id="page",
        ),
        pytest.param(
            {
                "type": "CONTINUATION_TOKEN",
                "continuationTokenPath": "$.next",
                "parameterType": "BodyParam",
                "parameterName": "paging.cursor",
            },
            [{"keep": "me"}, {"cursor": "10", "keep": "me"}, {"cursor": "20", "keep": "me"}],
            id="token",
        ),
    ],
)
def test_bodyparam_dot_paths_for_every_type(serve, run_spec, pagination, placed):
    def answer(seen: Seen) -> Reply:
        paging = seen.json()["paging"]
        limit = paging.get("limit", 10)
        start = (
            paging.get("offset") or ((paging.get("page") or 1) - 1) * limit or int(paging.get("cursor") or 0)
        )
        end = min(start + limit, 25)
        return Reply(
            body={"items": [{"id": i} for i in range(start, end)], "next": str(end) if end < 25 else None}
        )

    server = serve(answer)
    document = items_spec(
        server.url, pagination, method="POST", bodyParams={"query": "type:user", "paging": {"keep": "me"}}
    )
    assert ids(run_spec(document)) == list(range(25))
    bodies = [s.json() for s in server.seen]
    assert [b["paging"] for b in bodies] == placed
    assert {b["query"] for b in bodies} == {"type:user"}


def test_a_token_that_cannot_be_a_header_stops_the_stream_with_one_line(serve, run_spec):
    """A hostile answer: a continuation token with a line break, to be sent as a header."""
    server = serve(lambda seen: Reply(body={"items": [{"id": 1}], "next": "abc\r\nX-Injected: 1"}))
    pagination = {
        "type": "CONTINUATION_TOKEN",
        "continuationTokenPath": "$.next",
        "parameterType": "HEADERPARAM",
        "parameterName": "X-Cursor",
    }
    result = run_spec.cli(items_spec(server.url, pagination), name="items.json")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert problem_lines(result.stderr) == [
        "stream items: page 2 cannot be requested: header X-Cursor: value contains a line break or a NUL"
    ]
    assert len(server.seen) == 1  # the bad header was never sent
    assert "X-Injected" not in server.seen[0].headers


def test_bodyparam_with_a_json_array_body_is_refused_not_dropped(serve, run_spec):
    """A dot path has no place in an array: the body is never replaced by a bare `{"limit": 5}`."""
    server = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    pagination = {
        "type": "CONTINUATION_TOKEN",
        "continuationTokenPath": "$.next",
        "parameterName": "after",
        "parameterType": "BODYPARAM",
        "limitName": "limit",
        "limitValue": 5,
    }
    document = items_spec(server.url, pagination, method="POST", bodyParams=[{"query": "all"}])
    result = run_spec.cli(document, name="items.json")
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert "BODYPARAM" in lines[0] and ("array" in lines[0] or "object" in lines[0])
    assert server.seen == []


@pytest.mark.parametrize("placed", ["BODYPARAM", "HEADERPARAM"])
def test_pointer_keeps_a_limit_placed_outside_the_query_on_every_page(serve, run_spec, placed):
    """A next link carries its query, not the body or headers: a limit there goes with every page."""

    def answer(seen: Seen) -> Reply:
        body = seen.json() if seen.body else {}
        limit = int(body.get("page", {}).get("size") or seen.headers.get("X-Page-Size") or 5)
        start = int(seen.q("from") or 0)
        end = min(start + limit, 25)
        paging = {"next": f"/items?from={end}"} if end < 25 else {}
        return Reply(body={"items": [{"id": i} for i in range(start, end)], "paging": paging})

    server = serve(answer)
    name = "page.size" if placed == "BODYPARAM" else "X-Page-Size"
    pagination = {
        "type": "POINTER",
        "pointerPath": "$.paging.next",
        "limitName": name,
        "limitValue": 10,
        "parameterType": placed,
    }
    document = items_spec(server.url, pagination, method="POST", bodyParams={"query": "all"})
    assert ids(run_spec(document)) == list(range(25))
    assert len(server.seen) == 3
    for seen in server.seen:
        if placed == "BODYPARAM":
            assert seen.json() == {"query": "all", "page": {"size": 10}}
        else:
            assert seen.headers["X-Page-Size"] == "10" and seen.json() == {"query": "all"}
