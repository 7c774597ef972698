"""Help Scout Mailbox API 2.0: ``GET /v2/conversations`` and ``POST /v2/oauth2/token``.

List conversations (https://developer.helpscout.com/mailbox-api/endpoints/conversations/list/):
``status`` (default ``active``; ``all``, ``open`` = active + pending), ``mailbox``,
``sortField``/``sortOrder`` (default ``createdAt`` descending), ``modifiedSince``
(inclusive), 25 conversations a page numbered from 1, HAL ``_links`` and ``page``
(https://developer.helpscout.com/mailbox-api/overview/pagination/: "not all links will
be present every time", no ``next`` on the last page).

A page with no conversations has no ``_embedded`` key at all, only ``_links`` and
``page``: on an empty mailbox, and on the page after the last when the total is a
multiple of 25. Help Scout's own PHP client had to learn this twice
(helpscout/helpscout-api-php#175 and #177: "empty list endpoints were previously not
returning the ``_embedded`` array"; #187 and #189, ``_embedded`` missing again on an empty
collection).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from demo.core import Reply
from demo.messages import ApiError, Request, json_reply
from demo.paging import Page, Row
from demo.store import Context
from demo.times import epoch
from demo.vendors import HELPSCOUT, OAUTH, credentials

PAGE_SIZE = 25
STATUSES = ("active", "pending", "closed", "spam", "open", "all")

SORTS: dict[str, Callable[[Row], Any]] = {
    "createdAt": lambda c: (epoch(c["createdAt"]), c["id"]),
    "modifiedAt": lambda c: (epoch(c["userUpdatedAt"]), c["id"]),
    "number": lambda c: c["number"],
    "status": lambda c: (c["status"], c["id"]),
    "subject": lambda c: (c["subject"], c["id"]),
    "customerEmail": lambda c: (c["primaryCustomer"]["email"], c["id"]),
    "customerName": lambda c: (c["primaryCustomer"]["last"], c["primaryCustomer"]["first"], c["id"]),
    "mailboxid": lambda c: (c["mailboxId"], c["id"]),
    "waitingSince": lambda c: (epoch(c["customerWaitingSince"]["time"]), c["id"]),
}


def select(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """``status``, ``mailbox`` and the sort."""
    statuses = [s for s in (request.q("status") or "active").split(",") if s]
    for item in statuses:
        if item not in STATUSES:
            raise HELPSCOUT.invalid("status", f"Expected one of these: {', '.join(STATUSES)}", item)
    if "open" in statuses:
        statuses += ["active", "pending"]
    field = request.q("sortField") or "createdAt"
    order = (request.q("sortOrder") or "desc").lower()
    if field not in SORTS or order not in ("asc", "desc"):
        raise HELPSCOUT.invalid("sortField", "Invalid sort", field)
    mailboxes = {
        int(m) for v in request.query.get("mailbox", []) for m in v.split(",") if m.strip().isdigit()
    }
    kept = [
        c
        for c in rows
        if ("all" in statuses or c["status"] in statuses) and (not mailboxes or c["mailboxId"] in mailboxes)
    ]
    return sorted(kept, key=SORTS[field], reverse=order == "desc")


def conversations(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
    kept = request.kept("page")

    def link(n: int) -> dict[str, str]:
        return {"href": request.link(request.route, [*kept, ("page", str(n))])}

    links: dict[str, Any] = {"self": link(page.number), "first": link(1), "last": link(max(page.pages, 1))}
    if page.number < page.pages:
        links["next"] = link(page.number + 1)
    if 1 < page.number <= page.pages + 1:
        links["previous"] = link(page.number - 1)
    links["page"] = {"href": request.link(request.route, kept) + "{?page}", "templated": True}
    body: dict[str, Any] = {}
    if page.rows:  # no conversations: no _embedded at all (see the module's docstring)
        body["_embedded"] = {"conversations": page.rows}
    body["_links"] = links
    body["page"] = {
        "size": PAGE_SIZE,
        "totalElements": page.total,
        "totalPages": page.pages,
        "number": page.number,
    }
    return body


def authorized(request: Request, ctx: Context, token: str) -> None:
    """With ``strict_tokens``, only tokens the demo issued are valid."""
    if ctx.settings.strict_tokens and not ctx.tokens.valid(token):
        raise HELPSCOUT.unauthorized(False)


def authorized_request(request: Request, ctx: Context) -> None:
    """``authorized`` for the request's bearer token."""
    authorized(request, ctx, credentials(request)[1])


def token(request: Request, ctx: Context) -> Reply:
    """``POST /v2/oauth2/token``: form or JSON fields; refresh, client credentials, code."""
    fields: dict[str, str] = {k: v[-1] for k, v in request.query.items() if v}
    content_type = (request.headers.get("Content-Type") or "").lower()
    if request.text.strip():
        if "json" in content_type:
            try:
                parsed = json.loads(request.text)
            except ValueError:
                parsed = {}
            if isinstance(parsed, dict):
                fields.update({k: str(v) for k, v in parsed.items()})
        else:
            fields.update({k: v[-1] for k, v in parse_qs(request.text, keep_blank_values=True).items()})
    grant = fields.get("grant_type")
    if grant not in ("refresh_token", "client_credentials", "authorization_code"):
        raise OAUTH.error(400, f"grant_type {grant!r}", code="unsupported_grant_type")
    if not fields.get("client_id") or not fields.get("client_secret"):
        raise ApiError(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
    if grant == "refresh_token" and not fields.get("refresh_token"):
        raise OAUTH.error(400, "Missing refresh_token")
    if grant == "authorization_code" and not fields.get("code"):
        raise OAUTH.error(400, "Missing code")
    issued = ctx.tokens.issue()
    if grant == "client_credentials":
        issued.pop("refresh_token")
    return json_reply(issued)
