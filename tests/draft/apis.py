"""Local servers that answer as nine real list APIs do, for `tap-restspec draft`: their envelopes,
pagination, authentication and quirks as the vendors document them, with a few records each.

Each `Api` says what a user would type (`path` with its query, `headers`), the secret the server
insists on, every record it holds, and what a draft should find. The servers refuse requests
without the right credential (401), as the real APIs do.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.helpers import Reply, Seen

Answer = Callable[[Seen], Reply]
START = datetime(2024, 3, 1, tzinfo=timezone.utc)


def at(hours: int, style: str = "z") -> str:
    """A time `hours` after START: `z` RFC 3339 with Z, `offset` with +00:00, `sf` Salesforce's."""
    moment = START + timedelta(hours=hours)
    if style == "offset":
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if style == "sf":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Api:
    """One API shape: what to draft, what it holds, and what a draft of it should say."""

    name: str
    path: str  # path and query, as a user types it after the host
    headers: list[str]
    secret: str
    answer: Answer
    records: list[dict[str, Any]]
    key: str
    pagination: dict[str, Any]  # the paginationParams a draft should write
    records_path: str
    replication: tuple[str, str | None] | None = None  # (replicationKey, recordOrder)
    run_requests: list[str] = field(default_factory=list)  # path?query of each request of a run
    api_key: str = ""  # the api_key setting: the token after "Bearer ", else the header's whole value

    def __post_init__(self) -> None:
        self.api_key = self.api_key or self.secret

    @property
    def ids(self) -> list[Any]:
        return [record[self.key] for record in self.records]


def _refused(status: int = 401, body: Any = None) -> Reply:
    return Reply(status, body if body is not None else {"message": "Requires authentication"})


def github() -> Api:
    """GitHub's `GET /repos/{owner}/{repo}/issues`: a bare array, `Link` header paging (`page`,
    `per_page`, default 30: 3 here), `sort`/`direction`, bearer token.
    """
    secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    issues = [
        {
            "id": 1_000_000 + n,
            "node_id": f"I_kwDO{n:04d}",
            "number": n + 1,
            "title": f"Issue {n + 1}",
            "state": "closed" if n % 3 == 0 else "open",
            "user": {"login": "octo", "id": 1},
            "labels": [],
            "assignee": None,
            "comments": n,
            "created_at": at(n),
            "updated_at": at(40 + 5 * n),
            "closed_at": at(20 + n) if n % 3 == 0 else None,
            "body": f"Body of issue {n + 1}",
        }
        for n in range(8)
    ]

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}
            )
        if seen.route != "/repos/octo/hello/issues":
            return Reply(404, {"message": "Not Found"})
        per, page = int(seen.q("per_page") or 3), int(seen.q("page") or 1)
        key = "updated_at" if seen.q("sort") == "updated" else "created_at"
        rows = sorted(issues, key=lambda r: r[key], reverse=seen.q("direction") != "asc")
        last = max(1, -(-len(rows) // per))

        def url(n: int) -> str:
            return seen.link(seen.route, [*seen.kept("page"), ("page", str(n))])

        links = []
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        return Reply(
            body=rows[(page - 1) * per : page * per], headers={"Link": ", ".join(links)} if links else {}
        )

    query = "state=all&sort=updated&direction=desc"
    return Api(
        "github",
        f"/repos/octo/hello/issues?{query}",
        [
            f"Authorization: Bearer {secret}",
            "Accept: application/vnd.github+json",
            "X-GitHub-Api-Version: 2022-11-28",
        ],
        secret,
        answer,
        issues,
        "id",
        {"type": "POINTER", "pointerPath": "headers.link"},
        "$",
        ("updated_at", "newest_first"),
        [
            f"/repos/octo/hello/issues?{query}",
            f"/repos/octo/hello/issues?{query}&page=2",
            f"/repos/octo/hello/issues?{query}&page=3",
        ],
    )


def stripe() -> Api:
    """Stripe's `GET /v1/customers`: `{"object": "list", "data", "has_more"}`, `limit` and
    `starting_after` (the last object's id), newest first, unknown parameters refused (400).
    """
    secret = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    customers = [
        {
            "id": f"cus_P{n:013d}",
            "object": "customer",
            "created": 1_709_251_200 - 3600 * n,
            "email": f"c{n}@example.com",
            "name": f"Customer {n}",
            "balance": 0,
            "metadata": {},
            "livemode": False,
        }
        for n in range(8)
    ]
    known = {"limit", "starting_after", "ending_before", "email", "created"}

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(
                401, {"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}
            )
        unknown = sorted(set(seen.query) - known)
        if unknown:
            message = f"Received unknown parameter: {unknown[0]}"
            return Reply(
                400, {"error": {"message": message, "param": unknown[0], "type": "invalid_request_error"}}
            )
        limit, after = int(seen.q("limit") or 10), seen.q("starting_after")
        start = next(i + 1 for i, c in enumerate(customers) if c["id"] == after) if after else 0
        page = customers[start : start + limit]
        more = start + limit < len(customers)
        return Reply(body={"object": "list", "url": "/v1/customers", "has_more": more, "data": page})

    return Api(
        "stripe",
        "/v1/customers?limit=3",
        [f"Authorization: Bearer {secret}"],
        secret,
        answer,
        customers,
        "id",
        {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.data[-1:].id",
            "parameterType": "QUERYPARAM",
            "parameterName": "starting_after",
            "endConditionName": "$.has_more",
            "endConditionValue": "Const:false",
        },
        "$.data",
        None,
        [
            "/v1/customers?limit=3",
            f"/v1/customers?limit=3&starting_after={customers[2]['id']}",
            f"/v1/customers?limit=3&starting_after={customers[5]['id']}",
        ],
    )


def zendesk() -> Api:
    """Zendesk's `GET /api/v2/users` with cursor pagination: `users`, `meta.has_more`,
    `meta.after_cursor`, `links.next`; the last page still carries a cursor and a next link (as
    Adobe's Zendesk example shows); HTTP Basic with `<email>/token` and an API token.
    """
    secret = "wTk9" + "ZendeskApiToken0123456789abcdef"
    users = [
        {
            "id": 1_500_000_000_000 + 7919 * n,
            "url": f"https://acme.zendesk.com/api/v2/users/{1_500_000_000_000 + 7919 * n}.json",
            "name": f"User {n}",
            "email": f"user{n}@example.com",
            "created_at": at(n),
            "updated_at": at(100 - 7 * n if n % 2 else 3 * n),
            "role": "end-user",
            "verified": n % 2 == 0,
            "tags": ["vip"] if n == 1 else [],
            "organization_id": None,
        }
        for n in range(8)
    ]
    basic = "Basic " + b64(f"agent@example.com/token:{secret}")

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != basic:
            return _refused(401, {"error": "Couldn't authenticate you"})
        size = int(seen.q("page[size]") or 100)
        after = seen.q("page[after]")
        start = int(base64.b64decode(after).decode()) if after else 0
        page = users[start : start + size]
        cursor = b64(str(start + len(page))) if page else None
        next_link = (
            seen.link(seen.route, [*seen.kept("page[after]"), ("page[after]", cursor)]) if cursor else None
        )
        meta = {
            "has_more": start + size < len(users),
            "after_cursor": cursor,
            "before_cursor": b64(str(start)),
        }
        return Reply(body={"users": page, "meta": meta, "links": {"prev": None, "next": next_link}})

    return Api(
        "zendesk",
        "/api/v2/users?page[size]=3",
        [f"Authorization: {basic}"],
        secret,
        answer,
        users,
        "id",
        {
            "type": "POINTER",
            "pointerPath": "$.links.next",
            "endConditionName": "$.meta.has_more",
            "endConditionValue": "Const:false",
        },
        "$.users",
        ("updated_at", None),
        [
            "/api/v2/users?page%5Bsize%5D=3",
            "/api/v2/users?page%5Bsize%5D=3&page%5Bafter%5D=Mw%3D%3D",
            "/api/v2/users?page%5Bsize%5D=3&page%5Bafter%5D=Ng%3D%3D",
        ],
        basic,
    )


def hubspot() -> Api:
    """HubSpot's `GET /crm/v3/objects/contacts`: `results`, `paging.next.after` and
    `paging.next.link`, `limit`, a private app's bearer token.
    """
    secret = "pat-na1-" + "11111111-2222-3333-4444-555555555555"
    contacts = [
        {
            "id": str(51 + n),
            "properties": {
                "createdate": at(n),
                "email": f"contact{n}@example.com",
                "firstname": f"First{n}",
                "lastname": f"Last{n}",
                "hs_object_id": str(51 + n),
                "lastmodifieddate": at(50 - 3 * n if n % 2 else 10 + n),
            },
            "createdAt": at(n),
            "updatedAt": at(50 - 3 * n if n % 2 else 10 + n),
            "archived": False,
        }
        for n in range(8)
    ]

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(401, {"status": "error", "message": "Authentication credentials not found."})
        limit, after = int(seen.q("limit") or 10), int(seen.q("after") or 0)
        body: dict[str, Any] = {"results": contacts[after : after + limit]}
        if after + limit < len(contacts):
            token = str(after + limit)
            link = seen.link(seen.route, [*seen.kept("after"), ("after", token)])
            body["paging"] = {"next": {"after": token, "link": link}}
        return Reply(body=body)

    path = "/crm/v3/objects/contacts"
    return Api(
        "hubspot",
        f"{path}?limit=3&archived=false",
        [f"Authorization: Bearer {secret}"],
        secret,
        answer,
        contacts,
        "id",
        {"type": "POINTER", "pointerPath": "$.paging.next.link"},
        "$.results",
        ("updatedAt", None),
        [
            f"{path}?limit=3&archived=false",
            f"{path}?limit=3&archived=false&after=3",
            f"{path}?limit=3&archived=false&after=6",
        ],
    )


def mailchimp() -> Api:
    """Mailchimp's `GET /3.0/lists/{list_id}/members`: `members`, `total_items`, `count`
    (default 10) and `offset`, HAL-ish `_links` (an array), Basic with any user and the API key.
    """
    secret = "0123456789abcdef0123456789abcdef-us21"
    members = [
        {
            "id": hashlib.md5(f"member{n}@example.com".encode()).hexdigest(),
            "email_address": f"member{n}@example.com",
            "unique_email_id": f"u{n:09d}",
            "status": "subscribed",
            "merge_fields": {"FNAME": f"F{n}", "LNAME": f"L{n}"},
            "stats": {"avg_open_rate": 0.5, "avg_click_rate": 0},
            "last_changed": at((n * 37) % 23, "offset"),
            "tags": [],
            "list_id": "abc123",
        }
        for n in range(23)
    ]
    basic = "Basic " + b64(f"anystring:{secret}")
    links = [
        {"rel": "self", "href": "https://us21.api.mailchimp.com/3.0/lists/abc123/members", "method": "GET"}
    ]

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != basic:
            return _refused(
                401,
                {
                    "title": "API Key Missing",
                    "status": 401,
                    "detail": "Your request did not include an API key.",
                },
            )
        count, offset = int(seen.q("count") or 10), int(seen.q("offset") or 0)
        page = members[offset : offset + count]
        return Reply(
            body={"members": page, "list_id": "abc123", "total_items": len(members), "_links": links}
        )

    path = "/3.0/lists/abc123/members"
    return Api(
        "mailchimp",
        path,
        [f"Authorization: {basic}"],
        secret,
        answer,
        members,
        "id",
        {"type": "OFFSET", "limitName": "count", "limitValue": 10, "offsetName": "offset"},
        "$.members",
        ("last_changed", None),
        [f"{path}?count=10&offset=0", f"{path}?count=10&offset=10", f"{path}?count=10&offset=20"],
        basic,
    )


def helpscout() -> Api:
    """Help Scout's `GET /v2/conversations`: HAL `_embedded.conversations`, `_links.next.href`,
    `page.totalPages` and `page.number` (from 1), a fixed page size (25: 3 here), bearer token.
    """
    secret = "hs-" + "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"
    conversations = [
        {
            "id": 2_000_000 + n,
            "number": 100 + n,
            "subject": f"Subject {n}",
            "status": "active",
            "createdAt": at(n),
            "userUpdatedAt": at(30 - n if n % 2 else 2 * n),
            "closedAt": None,
            "customer": {"id": 900 + n, "email": f"c{n}@example.com"},
            "tags": [],
        }
        for n in range(8)
    ]
    size = 3

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(401, {"error": "invalid_token"})
        number = int(seen.q("page") or 1)
        pages = -(-len(conversations) // size)
        kept = seen.kept("page")

        def link(n: int) -> dict[str, str]:
            return {"href": seen.link(seen.route, [*kept, ("page", str(n))])}

        links: dict[str, Any] = {"self": link(number), "first": link(1), "last": link(pages)}
        if number < pages:
            links["next"] = link(number + 1)
        links["page"] = {"href": seen.link(seen.route, kept) + "{?page}", "templated": True}
        body: dict[str, Any] = {}
        rows = conversations[(number - 1) * size : number * size]
        if rows:
            body["_embedded"] = {"conversations": rows}
        body["_links"] = links
        body["page"] = {
            "size": size,
            "totalElements": len(conversations),
            "totalPages": pages,
            "number": number,
        }
        return Reply(body=body)

    return Api(
        "helpscout",
        "/v2/conversations?status=all",
        [f"Authorization: Bearer {secret}"],
        secret,
        answer,
        conversations,
        "id",
        {"type": "POINTER", "pointerPath": "$._links.next.href"},
        "$._embedded.conversations",
        ("userUpdatedAt", None),
        [
            "/v2/conversations?status=all",
            "/v2/conversations?status=all&page=2",
            "/v2/conversations?status=all&page=3",
        ],
    )


def segment() -> Api:
    """Segment's Public API `GET /sources`: `data.sources`, `data.pagination.next` (an opaque
    cursor, null on the last page), `pagination.count` (required) and `pagination.cursor`.
    """
    secret = "sgp_" + "QW4gb3BhcXVlIHNlZ21lbnQgdG9rZW4"
    sources = [
        {
            "id": f"src{n:04d}Xy",
            "slug": f"source-{n}",
            "name": f"Source {n}",
            "workspaceId": "ws123",
            "enabled": True,
            "writeKeys": [f"wk{n}"],
            "metadata": {"id": "meta1", "slug": "javascript", "name": "Javascript"},
            "settings": {},
            "labels": [],
        }
        for n in range(8)
    ]

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(401, {"errors": [{"type": "unauthorized", "message": "Unauthorized"}]})
        count = seen.q("pagination.count")
        if not count:
            return Reply(400, {"errors": [{"type": "validation", "message": "pagination.count is required"}]})
        cursor = seen.q("pagination.cursor")
        start = int(base64.b64decode(cursor).decode()) if cursor else 0
        end = start + int(count)
        pagination = {
            "current": b64(str(start)),
            "next": b64(str(end)) if end < len(sources) else None,
            "previous": b64(str(max(0, start - int(count)))) if start else None,
            "totalEntries": len(sources),
        }
        return Reply(body={"data": {"sources": sources[start:end], "pagination": pagination}})

    return Api(
        "segment",
        "/sources?pagination.count=3",
        [f"Authorization: Bearer {secret}", "Accept: application/json"],
        secret,
        answer,
        sources,
        "id",
        {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.data.pagination.next",
            "parameterType": "QUERYPARAM",
            "parameterName": "pagination.cursor",
        },
        "$.data.sources",
        None,
        [
            "/sources?pagination.count=3",
            "/sources?pagination.count=3&pagination.cursor=Mw%3D%3D",
            "/sources?pagination.count=3&pagination.cursor=Ng%3D%3D",
        ],
    )


def salesforce() -> Api:
    """Salesforce's `GET /services/data/vXX.X/query?q=SOQL`: `records` with `attributes`, `Id`,
    `totalSize`, `done`, and `nextRecordsUrl` (relative) until the last batch; bearer token.
    """
    secret = "00D5g000004abcd!" + "AQ4AQFakeSessionTokenForTests"
    accounts = [
        {
            "attributes": {
                "type": "Account",
                "url": f"/services/data/v58.0/sobjects/Account/0015g00000{n:08d}",
            },
            "Id": f"0015g00000{n:08d}",
            "Name": f"Account {n}",
            "LastModifiedDate": at(10 * n, "sf"),
        }
        for n in range(8)
    ]
    batch = 3
    locator = "01gRM000000AbCdYAK"

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {secret}":
            return _refused(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
        start = 0 if seen.route.endswith("/query") else int(seen.route.rsplit("-", 1)[1])
        end = start + batch
        body: dict[str, Any] = {"totalSize": len(accounts), "done": end >= len(accounts)}
        if end < len(accounts):
            body["nextRecordsUrl"] = f"/services/data/v58.0/query/{locator}-{end}"
        body["records"] = accounts[start:end]
        return Reply(body=body)

    query = "q=SELECT+Id%2C+Name%2C+LastModifiedDate+FROM+Account+ORDER+BY+LastModifiedDate"
    return Api(
        "salesforce",
        f"/services/data/v58.0/query?{query}",
        [f"Authorization: Bearer {secret}"],
        secret,
        answer,
        accounts,
        "Id",
        {
            "type": "POINTER",
            "pointerPath": "$.nextRecordsUrl",
            "endConditionName": "$.done",
            "endConditionValue": "Const:true",
        },
        "$.records",
        ("LastModifiedDate", "oldest_first"),
        [
            f"/services/data/v58.0/query?{query}",
            f"/services/data/v58.0/query/{locator}-3",
            f"/services/data/v58.0/query/{locator}-6",
        ],
    )


def numbered() -> Api:
    """A plain page-number API: `items`, `page` (from 1), `per_page`, `total`, `total_pages`, and
    the key in the query (`api_key=`).
    """
    secret = "key-" + "6f1d2c3b4a5e6f7a8b9c"
    items = [{"id": n + 1, "name": f"Item {n + 1}", "price": 10 + n, "added": at(n)} for n in range(8)]

    def answer(seen: Seen) -> Reply:
        if seen.q("api_key") != secret:
            return _refused(401, {"error": "invalid api_key"})
        page, per = int(seen.q("page") or 1), int(seen.q("per_page") or 3)
        rows = items[(page - 1) * per : page * per]
        pages = -(-len(items) // per)
        return Reply(
            body={"items": rows, "page": page, "per_page": per, "total": len(items), "total_pages": pages}
        )

    return Api(
        "numbered",
        f"/api/items?api_key={secret}",
        [],
        secret,
        answer,
        items,
        "id",
        {
            "type": "PAGE",
            "limitName": "per_page",
            "limitValue": 3,
            "pageParamName": "page",
            "initialPageIndex": 1,
        },
        "$.items",
        None,
        [f"/api/items?api_key={secret}&per_page=3&page={n}" for n in (1, 2, 3)],
    )


APIS: dict[str, Callable[[], Api]] = {
    "github": github,
    "stripe": stripe,
    "zendesk": zendesk,
    "hubspot": hubspot,
    "mailchimp": mailchimp,
    "helpscout": helpscout,
    "segment": segment,
    "salesforce": salesforce,
    "numbered": numbered,
}
