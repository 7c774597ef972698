"""Pagination as real APIs page (issue 11, part 2), end to end through the real tap.

End conditions for every type (and an absent field that does not end it); Zendesk's last
page with `has_more: false` and a cursor (the shipped spec against the demo API);
relative `POINTER` links resolved per RFC 3986 (HubSpot's `?after=` as its docs print it);
`headers.<name>` tokens and an RFC 8288 `Link` header (`BODYPARAM`: test_body_paging.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from demo.api import DemoAPI
from tests.helpers import ROOT, Reply, Seen

SPECS = ROOT / "specs"


class Catalog:
    """`total` items (25), 10 a page unless `limit` says otherwise, reachable by every kind of paging.

    The position comes from `offset`, `page` (from 1), `cursor` (query, `X-Cursor` header or
    the JSON body) or `from` (a link). Each page offers what every type needs next: a
    `next` token, a `paging.next` link, an `X-Next-Cursor` header and a `Link` header, and
    `mark(index)` may add fields to the body of page `index` (0, 1, ...).
    """

    def __init__(self, total: int = 25, mark: Any = None) -> None:
        self.total = total
        self.mark = mark or (lambda index: {})

    def __call__(self, seen: Seen) -> Reply:
        body = seen.json() if seen.body else {}
        limit = int(seen.q("limit") or body.get("limit") or 10)
        if seen.q("page"):
            start = (int(seen.q("page")) - 1) * limit
        else:
            raw = (
                seen.q("offset")
                or seen.q("cursor")
                or seen.headers.get("X-Cursor")
                or body.get("cursor")
                or seen.q("from")
                or 0
            )
            start = int(raw)
        end = min(start + limit, self.total)
        rows = [{"id": i} for i in range(start, end)]
        following = end if end < self.total else None
        payload: dict[str, Any] = {"items": rows, "next": None if following is None else str(following)}
        headers = {}
        if following is not None:
            payload["paging"] = {"next": f"/items?from={following}"}
            headers["X-Next-Cursor"] = str(following)
            headers["Link"] = f'<{seen.link("/items", [("from", str(following))])}>; rel="next"'
        payload.update(self.mark(start // limit))
        return Reply(body=payload, headers=headers)


def items_spec(url: str, pagination: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    attrs = {
        "urlParams": {"host": url, "path": "/items", "method": attributes.pop("method", "GET")},
        "contentPath": {"path": "$.items"},
        "paginationParams": pagination,
        **attributes,
    }
    return {"sourceSpec": {"attributes": attrs}}


TYPES = {
    "OFFSET": {"type": "OFFSET", "limitName": "limit", "limitValue": 10, "offsetName": "offset"},
    "POINTER": {"type": "POINTER", "pointerPath": "$.paging.next"},
    "CONTINUATION_TOKEN": {
        "type": "CONTINUATION_TOKEN",
        "continuationTokenPath": "$.next",
        "parameterType": "QUERYPARAM",
        "parameterName": "cursor",
    },
    "PAGE": {
        "type": "PAGE",
        "limitName": "limit",
        "limitValue": 10,
        "pageParamName": "page",
        "initialPageIndex": 1,
    },
}


def ids(run) -> list[int]:
    return [r["id"] for r in run.records()]


# --- end conditions, every type -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(TYPES))
@pytest.mark.parametrize(
    ("name", "value", "mark"),
    [
        pytest.param(
            "$.meta.has_more", "Const:false", lambda i: {"meta": {"has_more": i < 1}}, id="const-false"
        ),
        pytest.param(
            "meta.has_more", "false", lambda i: {"meta": {"has_more": i < 1}}, id="text-false-no-dollar"
        ),
        pytest.param("$.status", "done", lambda i: {"status": "done" if i == 1 else "more"}, id="text"),
        pytest.param("$.remaining", "Const:0", lambda i: {"remaining": 10 - 10 * i}, id="const-number"),
        pytest.param(
            "$.next_page",
            "Const:null",
            lambda i: {"next_page": None if i == 1 else "https://x.zendesk.com/api/v2/users.json?page=2"},
            id="const-null-as-zendesk-next-page",
        ),
    ],
)
def test_the_end_condition_ends_every_type_on_the_page_where_it_holds(
    serve, run_spec, kind, name, value, mark
):
    server = serve(Catalog(total=100, mark=mark))  # ten pages: the end condition stops it at two
    pagination = {**TYPES[kind], "endConditionName": name, "endConditionValue": value}
    run = run_spec(items_spec(server.url, pagination))
    assert ids(run) == list(range(20))
    assert len(server.seen) == 2


@pytest.mark.parametrize("kind", list(TYPES))
@pytest.mark.parametrize("value", ["Const:false", "Const:null"])
def test_an_end_condition_whose_field_is_absent_does_not_end_the_stream(serve, run_spec, kind, value):
    server = serve(Catalog())  # never sends `hasMore`: each type's own last page ends it
    pagination = {**TYPES[kind], "endConditionName": "$.hasMore", "endConditionValue": value}
    run = run_spec(items_spec(server.url, pagination))
    assert ids(run) == list(range(25))
    assert len(server.seen) == 3


@pytest.mark.parametrize("kind", list(TYPES))
def test_an_end_condition_that_does_not_hold_does_not_end_the_stream(serve, run_spec, kind):
    server = serve(Catalog(mark=lambda i: {"meta": {"has_more": True}}))
    pagination = {**TYPES[kind], "endConditionName": "$.meta.has_more", "endConditionValue": "Const:false"}
    assert ids(run_spec(items_spec(server.url, pagination))) == list(range(25))


def test_an_end_condition_on_a_response_header(serve, run_spec):
    catalog = Catalog(total=100)

    def answer(seen):
        reply = catalog(seen)
        reply.headers["X-Last-Page"] = "true" if seen.q("cursor") == "10" else "false"
        return reply

    server = serve(answer)
    pagination = {
        **TYPES["CONTINUATION_TOKEN"],
        "endConditionName": "headers.x-last-page",
        "endConditionValue": "true",
    }
    assert ids(run_spec(items_spec(server.url, pagination))) == list(range(20))
    assert len(server.seen) == 2


@pytest.mark.parametrize(
    ("header", "value"),
    [("true", "Const:true"), ("0", "Const:0"), ("true", "true"), (" true ", "Const:true")],
)
def test_an_end_condition_on_a_header_compares_its_text_with_the_const(serve, run_spec, header, value):
    """A header is text: `Const:true` means the header reads `true`, not a JSON boolean it cannot be."""
    catalog = Catalog(total=100)

    def answer(seen):
        reply = catalog(seen)
        reply.headers["X-Done"] = header if seen.q("cursor") == "10" else "no"
        return reply

    server = serve(answer)
    pagination = {
        **TYPES["CONTINUATION_TOKEN"],
        "endConditionName": "headers.X-Done",
        "endConditionValue": value,
    }
    assert ids(run_spec(items_spec(server.url, pagination))) == list(range(20))
    assert len(server.seen) == 2


def test_none_with_an_end_condition_makes_one_request(serve, run_spec):
    server = serve(Catalog(mark=lambda i: {"meta": {"has_more": True}}))
    pagination = {"type": "NONE", "endConditionName": "$.meta.has_more", "endConditionValue": "Const:true"}
    assert ids(run_spec(items_spec(server.url, pagination))) == list(range(10))
    assert len(server.seen) == 1


# --- Zendesk's last page: has_more false, a cursor still there ----------------------------------------


def _config(api: DemoAPI) -> dict[str, Any]:
    config = api.tap_config()
    config.pop("specs", None)
    return config


def test_shipped_zendesk_spec_stops_on_has_more_false_without_asking_again(run_spec):
    """300 users, `page[size]=1000`: Zendesk's one page says `has_more: false` and still has a
    cursor; asking with that cursor again is the extra request the contract rules out."""
    with DemoAPI(users=300) as api:
        run = run_spec(SPECS / "zendesk_users.json", **_config(api))
        seen = [r for r in api.requests if r["path"].startswith("/api/v2/search/export")]
    assert len(run.records("zendesk_users")) == 300
    assert len(seen) == 1, [r["query"] for r in seen]


def test_zendesk_spec_with_the_end_condition_makes_no_extra_request(run_spec):
    """The shipped spec plus `endConditionName: $.meta.has_more`, `endConditionValue: Const:false`."""
    document = json.loads((SPECS / "zendesk_users.json").read_text())
    pagination = document["sourceSpec"]["attributes"]["paginationParams"]
    pagination.update(
        endConditionName="$.meta.has_more", endConditionValue="Const:false", delayRequestMillis=0
    )
    with DemoAPI(users=2500) as api:  # three pages: 1000, 1000, 500 (has_more false, a cursor)
        run = run_spec(document, name="zendesk_users.json", **_config(api))
        seen = [r for r in api.requests if r["path"].startswith("/api/v2/search/export")]
    assert len(run.records("zendesk_users")) == 2500
    assert len(seen) == 3
    assert ["page[after]" in r["params"] for r in seen] == [False, True, True]


# --- relative POINTER links (RFC 3986) --------------------------------------------------------------


CONTACTS = "/crm/v3/objects/contacts"


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(lambda seen, after: f"{CONTACTS}?after={after}", id="origin-relative"),
        pytest.param(lambda seen, after: f"?after={after}", id="query-only-as-hubspot-docs-print-it"),
        pytest.param(lambda seen, after: f"contacts?after={after}", id="path-relative"),
        pytest.param(lambda seen, after: f"//{seen.host}{CONTACTS}?after={after}", id="network-path"),
        pytest.param(lambda seen, after: f"  {CONTACTS}?after={after}  ", id="spaces-around"),
    ],
)
def test_relative_pointer_links_resolve_against_the_url_that_returned_them(serve, run_spec, link):
    def contacts(seen):
        if seen.route != CONTACTS:
            return Reply(404, body={"status": "error", "message": f"no route {seen.route}"})
        start = int(seen.q("after") or 0)
        rows = [{"id": str(i)} for i in range(start, min(start + 10, 25))]
        body: dict[str, Any] = {"results": rows}
        if start + 10 < 25:
            body["paging"] = {"next": {"after": str(start + 10), "link": link(seen, start + 10)}}
        return Reply(body=body)

    server = serve(contacts)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": CONTACTS, "method": "GET"},
                "contentPath": "$.results",
                "paginationParams": {
                    "type": "POINTER",
                    "limitName": "limit",
                    "limitValue": 10,
                    "pointerPath": "$.paging.next.link",
                },
            }
        }
    }
    run = run_spec(document)
    assert [r["id"] for r in run.records()] == [str(i) for i in range(25)]
    assert [s.route for s in server.seen] == [CONTACTS] * 3
    assert [s.q("after") for s in server.seen] == [None, "10", "20"]


def test_shipped_hubspot_spec_follows_the_docs_relative_after_links_on_the_demo():
    """The demo's relative mode answers `"link": "?after=..."`, as HubSpot's reference prints it."""
    from tests.helpers import run_tap

    with DemoAPI(hubspot_links="relative", contacts=230) as api:
        run = run_tap(api.tap_config(specs=[str(SPECS / "hubspot_contacts.json")]))
        seen = api.requests
    assert sorted(r["id"] for r in run.records("hubspot_contacts")) == sorted(api.ids("hubspot_contacts"))
    assert {r["path"] for r in seen} == {CONTACTS}  # never the host root
    assert {r["status"] for r in seen} == {200}
    assert seen[0]["params"]["limit"] == ["100"]
    assert all("after" in r["params"] for r in seen[1:])


def test_shipped_hubspot_spec_follows_absolute_links_with_the_limit_kept(demo_api):
    from tests.helpers import run_tap

    demo_api.clear_requests()
    run = run_tap(demo_api.tap_config(specs=[str(SPECS / "hubspot_contacts.json")]))
    seen = demo_api.requests
    assert len(run.records()) == len(demo_api.ids("hubspot_contacts"))
    assert [r["params"].get("limit") for r in seen] == [["100"]] * len(seen)


# --- headers.<name> and the Link header --------------------------------------------------------------


@pytest.mark.parametrize("name", ["headers.X-Next-Cursor", "headers.x-next-cursor", "HEADERS.X-NEXT-CURSOR"])
def test_continuation_token_from_a_response_header(serve, run_spec, name):
    server = serve(Catalog())
    pagination = {
        "type": "CONTINUATION_TOKEN",
        "continuationTokenPath": name,
        "parameterType": "QUERYPARAM",
        "parameterName": "cursor",
    }
    assert ids(run_spec(items_spec(server.url, pagination))) == list(range(25))
    assert [s.q("cursor") for s in server.seen] == [None, "10", "20"]


def github_issues(per_page_default: int = 30):
    """`GET /repos/o/r/issues?page=N&per_page=M` with GitHub's `Link` header: prev, next, last, first."""
    total = 25

    def answer(seen: Seen) -> Reply:
        page, per = int(seen.q("page") or 1), int(seen.q("per_page") or per_page_default)
        last = -(-total // per)
        rows = [{"id": i, "number": i + 1} for i in range((page - 1) * per, min(page * per, total))]

        def url(n: int) -> str:
            return seen.link(seen.route, [("per_page", str(per)), ("page", str(n))])

        rels = []
        if page > 1:
            rels += [f'<{url(page - 1)}>; rel="prev"']
        if page < last:
            rels += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            rels += [f'<{url(1)}>; rel="first"']
        return Reply(body=rows, headers={"Link": ", ".join(rels)} if rels else {})

    return answer


def test_pointer_from_an_rfc8288_link_header_with_several_rels(serve, run_spec):
    server = serve(github_issues())
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/repos/octocat/hello/issues", "method": "GET"},
                "contentPath": "$",
                "paginationParams": {
                    "type": "POINTER",
                    "limitName": "per_page",
                    "limitValue": 10,
                    "pointerPath": "headers.link",
                },
            }
        }
    }
    run = run_spec(document)
    assert ids(run) == list(range(25))
    assert [(s.q("page"), s.q("per_page")) for s in server.seen] == [(None, "10"), ("2", "10"), ("3", "10")]


@pytest.mark.parametrize("rel", ['rel="next last"', 'rel="Next"', "rel=next"])
def test_link_header_next_among_several_rel_types_in_any_case(serve, run_spec, rel):
    """RFC 8288: a link may carry several space-separated relation types, compared in any case."""

    def answer(seen: Seen) -> Reply:
        start = int(seen.q("from") or 0)
        link = f'<{seen.link("/items", [("from", str(start + 10))])}>; {rel}, </items>; rel="first"'
        headers = {"Link": link} if start < 20 else {}
        return Reply(body={"items": [{"id": i} for i in range(start, min(start + 10, 25))]}, headers=headers)

    server = serve(answer)
    run = run_spec(items_spec(server.url, {"type": "POINTER", "pointerPath": "headers.link"}))
    assert ids(run) == list(range(25))
    assert [s.q("from") for s in server.seen] == [None, "10", "20"]


def test_pointer_from_a_link_header_with_a_relative_target(serve, run_spec):
    def answer(seen: Seen) -> Reply:
        start = int(seen.q("from") or 0)
        headers = (
            {"Link": f'</items?from={start + 10}>; rel="next", </items>; rel="first"'} if start < 20 else {}
        )
        return Reply(body={"items": [{"id": i} for i in range(start, min(start + 10, 25))]}, headers=headers)

    server = serve(answer)
    run = run_spec(items_spec(server.url, {"type": "POINTER", "pointerPath": "headers.Link"}))
    assert ids(run) == list(range(25))


def test_pointer_from_a_named_header(serve, run_spec):
    def answer(seen: Seen) -> Reply:
        start = int(seen.q("from") or 0)
        headers = {"X-Next-Page": f"/items?from={start + 10}"} if start < 20 else {}
        return Reply(body={"items": [{"id": i} for i in range(start, min(start + 10, 25))]}, headers=headers)

    server = serve(answer)
    run = run_spec(items_spec(server.url, {"type": "POINTER", "pointerPath": "headers.x-next-page"}))
    assert ids(run) == list(range(25))
