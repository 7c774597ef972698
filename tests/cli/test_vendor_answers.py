"""Real API answers, served verbatim from `tests/fixtures/api/`, through the real tap.

Where a vendor (or Adobe) printed an answer, the local server sends exactly that body
(and the printed headers, less the ones that describe the transport), so the tap meets
what nobody here wrote: HubSpot's `?after=NTI1Cg%3D%3D`, Zendesk's last page with a cursor,
Help Scout's empty page with a `next` link and no `_embedded`, Zendesk's plain-text 429s.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.cli.test_adobe_documents import BASIC, LIST_ID, adobe, problem_lines
from tests.helpers import ROOT, Reply, Seen

FIXTURES = ROOT / "tests" / "fixtures"
TRANSPORT = {"content-length", "connection", "status", "date", "server"}


def fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


def exchange(path: str) -> Reply:
    """A printed `{status, headers, body}` exchange as the server's answer."""
    printed = fixture(path)
    headers = {k: v for k, v in printed["headers"] if k.lower() not in TRANSPORT}
    return Reply(printed["status"], raw=printed["body"], headers=headers)


def then_items(*first: Reply):
    queue = list(first)
    return lambda seen: queue.pop(0) if queue else Reply(body={"items": [{"id": 1}]})


def items_document(url: str) -> dict[str, Any]:
    return {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/api/v2/users", "method": "GET"},
                "contentPath": "$.items",
            }
        }
    }


# --- HubSpot -----------------------------------------------------------------------------------------

CONTACTS = "/crm/v3/objects/contacts"


def test_hubspot_reference_page_with_its_relative_after_link(serve, run_spec):
    documented = fixture("api/hubspot/contacts-list-response.json")
    assert documented["paging"]["next"]["link"] == "?after=NTI1Cg%3D%3D"

    def hubspot(seen: Seen) -> Reply:
        if seen.route != CONTACTS:
            return Reply(404, body=fixture("api/hubspot/error-example-openapi.json"))
        if seen.q("after") is None:
            return Reply(body=documented)
        return Reply(body={"results": [{"id": "513", "properties": {}, "archived": False}]})

    server = serve(hubspot)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": CONTACTS, "method": "GET"},
                "contentPath": "$.results",
                "paginationParams": {"type": "POINTER", "pointerPath": "$.paging.next.link"},
            }
        }
    }
    run = run_spec(document)
    assert [r["id"] for r in run.records()] == ["string", "513"]
    assert [s.route for s in server.seen] == [CONTACTS, CONTACTS]
    assert server.seen[1].raw_query == "after=NTI1Cg%3D%3D"  # as printed, not re-encoded


def test_hubspot_search_reference_answer_pages_through_the_body(serve, run_spec):
    documented = fixture("api/hubspot/search-response-reference.json")
    request = fixture("api/hubspot/search-request-guide-email.json")

    def search(seen: Seen) -> Reply:
        body = seen.json()
        if "after" not in body:
            return Reply(body=documented)
        return Reply(body={"total": 123, "results": [{"id": "600", "properties": {}}]})

    server = serve(search)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": f"{CONTACTS}/search", "method": "POST"},
                "bodyParams": request,
                "contentPath": "$.results",
                "paginationParams": {
                    "type": "CONTINUATION_TOKEN",
                    "continuationTokenPath": "$.paging.next.after",
                    "parameterType": "BODYPARAM",
                    "parameterName": "after",
                    "limitName": "limit",
                    "limitValue": 100,
                },
            }
        }
    }
    run = run_spec(document)
    assert [r["id"] for r in run.records()] == ["512", "600"]
    bodies = [s.json() for s in server.seen]
    assert bodies == [
        {**request, "limit": 100},
        {**request, "limit": 100, "after": "NTI1Cg%3D%3D"},  # the token as HubSpot gave it
    ]


# --- Zendesk -----------------------------------------------------------------------------------------


def zendesk_document(url: str, end_condition: bool) -> dict[str, Any]:
    pagination = fixture("adobe/zendesk-pagination-continuation-token.json")["paginationParams"]
    pagination["delayRequestMillis"] = "0"
    if end_condition:
        pagination.update(endConditionName="$.meta.has_more", endConditionValue="Const:false")
    return {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/api/v2/search/export", "method": "GET"},
                "contentPath": {"path": "$.results"},
                "paginationParams": pagination,
            }
        }
    }


def zendesk(seen: Seen) -> Reply:
    if seen.q("page[after]") is None:
        return Reply(body=fixture("adobe/zendesk-search-export-response.json"))
    return Reply(
        body={
            "results": [],
            "facets": None,
            "meta": {"has_more": False, "after_cursor": None, "before_cursor": None},
            "links": {"prev": None, "next": None},
        }
    )


def test_zendesk_last_page_printed_by_adobe_ends_on_has_more_false(serve, run_spec):
    server = serve(zendesk)
    run = run_spec(zendesk_document(server.url, end_condition=True))
    assert [r["id"] for r in run.records()] == [5624716025745]
    assert len(server.seen) == 1


def test_zendesk_last_page_without_the_end_condition_asks_once_more(serve, run_spec):
    """Adobe's CONTINUATION_TOKEN example alone follows the last page's cursor: one request more."""
    server = serve(zendesk)
    run = run_spec(zendesk_document(server.url, end_condition=False))
    assert [r["id"] for r in run.records()] == [5624716025745]
    assert [s.q("page[after]") for s in server.seen] == [None, "eyJmaWVsZCI6ImNyZWF0ZWRfYXQiLCJk"]


def test_zendesk_documented_429_above_max_retry_wait_is_one_line(serve, run_spec):
    server = serve(then_items(exchange("api/zendesk/rate-limit-429-docs-exchange.json")))
    result = run_spec.cli(items_document(server.url), max_retry_wait="10")
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert "asks to wait 93s" in lines[0] and "max_retry_wait (10s)" in lines[0]
    assert len(server.seen) == 1


def test_zendesk_observed_plain_text_429_is_retried_after_its_retry_after(serve, run_spec):
    server = serve(then_items(exchange("api/zendesk/rate-limit-429-observed-community.json")))
    run = run_spec(items_document(server.url))
    assert run.records() == [{"id": 1}]
    assert [s.status for s in server.seen] == [429, 200]
    assert server.seen[1].time - server.seen[0].time >= 1.0


# --- Help Scout --------------------------------------------------------------------------------------


def helpscout_document(url: str) -> dict[str, Any]:
    return {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/v2/conversations", "method": "GET"},
                "contentPath": {"path": "$._embedded.conversations"},
                "paginationParams": {
                    "type": "PAGE",
                    "limitName": "pageSize",
                    "limitValue": 10,
                    "pageParamName": "page",
                    "initialPageIndex": 1,
                },
            }
        },
        "singer": {"name": "conversations", "primaryKeys": ["id"]},
    }


@pytest.mark.parametrize(
    ("empty", "warned"),
    [
        pytest.param(fixture("api/helpscout/empty-page-sdk-test-stub.json"), True, id="sdk-stub-no-embedded"),
        pytest.param(
            {"_embedded": {"conversations": []}, **fixture("api/helpscout/empty-page-sdk-test-stub.json")},
            False,
            id="empty-embedded-array",
        ),
    ],
)
def test_helpscout_empty_page_ends_the_stream_even_with_a_next_link(serve, run_spec, caplog, empty, warned):
    caplog.set_level(logging.INFO, logger="tap-restspec")
    assert "next" in empty["_links"]  # the stub keeps a next link on its empty page

    def helpscout(seen: Seen) -> Reply:
        if seen.q("page") == "1":
            rows = [{"id": 100 + i, "number": i, "status": "active"} for i in range(10)]
            return Reply(body={**empty, "_embedded": {"conversations": rows}})
        return Reply(body=empty)

    server = serve(helpscout)
    run = run_spec(helpscout_document(server.url))
    assert len(run.records()) == 10
    assert [s.q("page") for s in server.seen] == ["1", "2"]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    matched = [m for m in messages if "matched nothing" in m]
    if warned:
        assert len(matched) == 1 and "conversations" in matched[0] and "_links, page" in matched[0]
    else:
        assert matched == []


# --- Mailchimp ---------------------------------------------------------------------------------------


def test_mailchimp_members_page_printed_by_adobe_through_adobes_create_request(serve, run_spec):
    documented = fixture("api/mailchimp/members-page.json")

    def mailchimp(seen: Seen) -> Reply:
        return Reply(body=documented if seen.q("offset") == "0" else {**documented, "members": []})

    server = serve(mailchimp)
    run = run_spec(
        adobe("create-request"), params={"listId": LIST_ID, "domain": "us21"}, base_url=server.url, **BASIC
    )
    records = run.records()
    assert [r["id"] for r in records] == [m["id"] for m in documented["members"]]
    assert not {"_links", "list_id"} & set(records[0])  # skipAttributes
    assert records[0]["merge_fields"] == documented["members"][0]["merge_fields"]
    assert len(server.seen) == 1  # one member, count 100: a short page is the last
