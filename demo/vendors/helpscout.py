"""Help Scout Mailbox API 2.0: its conversations, ``GET /v2/conversations``, and the OAuth 2.0
``POST /v2/oauth2/token`` that issues its bearer tokens (with ``strict_tokens``, only those
are accepted).

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

import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row, Store
from demo.data.times import epoch, fmt_z
from demo.data.words import person
from demo.rest.credentials import credentials
from demo.rest.endpoint import Endpoint
from demo.rest.oauth import TokenEndpoint, Tokens
from demo.rest.paging import Numbered, Page, WindowParam
from demo.rest.vendor import Option, Vendor

HAL_ERROR_TYPE = "application/vnd.error+json; charset=utf-8"
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
SUBJECTS = (
    "Cannot log in",
    "Refund request",
    "Question about my invoice",
    "Feature request: dark mode",
    "Order has not arrived",
    "How do I export my data?",
    "Password reset email never came",
    "Upgrade to the annual plan",
)


class HelpScout(Vendor):
    """Help Scout's conversations, and the token endpoint of its OAuth 2.0 apps."""

    name = "helpscout"
    prefix = "/v2/"
    datasets = (Dataset("helpscout_conversations", change_key="userUpdatedAt", size="conversations"),)
    options = (
        Option("conversations", 110),
        Option("strict_tokens", False, choices=(False, True), help="Help Scout: only issued tokens"),
    )

    def __init__(self, store: Store, settings: Mapping[str, Any], extra: Mapping[str, int]) -> None:
        super().__init__(store, settings, extra)
        self.tokens = Tokens()  # the tokens it issued (``strict_tokens``)

    # ---------------------------------------------------------------- error shapes

    bad_time = "Malformed date: expected yyyy-MM-dd'T'HH:mm:ss'Z'"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        """``application/vnd.error+json``, field errors under ``_embedded``."""
        body: dict[str, Any] = {"logRef": str(uuid.uuid4()), "message": message}
        if extra.get("errors"):
            body["_embedded"] = {"errors": extra["errors"]}
        body["_links"] = {"about": {"href": "http://developer.helpscout.net/mailbox-api/overview/errors"}}
        return ApiError(status, body, {"Content-Type": HAL_ERROR_TYPE})

    def invalid(self, name: str, message: str, value: str | None = None) -> ApiError:
        error: dict[str, Any] = {"path": name, "message": message.removeprefix(f"{name} "), "source": "QUERY"}
        if value is not None:
            error["rejectedValue"] = value
        return self.error(400, "Bad request", errors=[error])

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Unauthorized: invalid or expired access token")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        first, last, email = person(rng, n, tag="c")
        conv_id = 2000000000 + n * 17
        number = 1001 + n
        status = rng.choices(["active", "pending", "closed", "spam"], weights=[35, 15, 45, 5])[0]
        customer_id = 300000000 + n * 3
        mailbox = rng.choice([101, 102])
        customer = {
            "id": customer_id,
            "type": "customer",
            "first": first,
            "last": last,
            "email": email,
        }
        record: dict[str, Any] = {
            "id": conv_id,
            "number": number,
            "threads": rng.randint(1, 8),
            "type": rng.choices(["email", "chat", "phone"], weights=[80, 15, 5])[0],
            "folderId": 5000000 + mailbox,
            "status": status,
            "state": "published",
            "subject": rng.choice(SUBJECTS),
            "preview": "Hello, I need some help with my account...",
            "mailboxId": mailbox,
            "createdBy": {"id": customer_id, "type": "customer", "email": email},
            "createdAt": fmt_z(created),
            "closedBy": 0,
            "userUpdatedAt": fmt_z(changed),
            "customerWaitingSince": {"time": fmt_z(changed), "friendly": "recently"},
            "source": {"type": "email", "via": "customer"},
            "tags": [{"id": 9001, "color": "#929499", "tag": "billing"}] if rng.random() < 0.3 else [],
            "cc": [],
            "bcc": [],
            "primaryCustomer": customer,
            "customFields": [],
            "_links": {
                "self": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}"},
                "mailbox": {"href": f"https://api.helpscout.net/v2/mailboxes/{mailbox}"},
                "primaryCustomer": {"href": f"https://api.helpscout.net/v2/customers/{customer_id}"},
                "threads": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}/threads/"},
                "web": {"href": f"https://secure.helpscout.net/conversation/{conv_id}/{number}/"},
            },
        }
        if status == "closed":
            record["closedBy"] = 4001
            record["closedAt"] = fmt_z(changed)
        if rng.random() < 0.7:
            record["assignee"] = {
                "id": 4001,
                "type": "user",
                "first": "Grace",
                "last": "Hopper",
                "email": "grace.hopper@example.com",
            }
        return record

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        row["userUpdatedAt"] = fmt_z(moment)
        row["customerWaitingSince"] = {"time": fmt_z(moment), "friendly": "just now"}
        row["threads"] += 1
        if row["status"] == "closed":
            row["status"] = "active"
            row.pop("closedAt", None)
            row["closedBy"] = 0

    # ---------------------------------------------------------------- answers

    def tap_params(self, url: str) -> dict[str, Any]:
        return {"accessTokenUrl": f"{url}/v2/oauth2/token"}

    def endpoints(self) -> tuple[Endpoint, ...]:
        return (
            # 25 a page from page 1, modifiedSince inclusive; status and sort are its own.
            Endpoint(
                "GET",
                r"/v2/conversations",
                self,
                "bearer",
                dataset="helpscout_conversations",
                paging=Numbered("page", PAGE_SIZE),
                window=(WindowParam("modifiedSince", "userUpdatedAt", ">="),),
                select=self.select,
                envelope=self.conversations,
                authorized=self.authorized,
            ),
            TokenEndpoint(r"/v2/oauth2/token", self.tokens).endpoint(),
        )

    def authorized(self, request: Request) -> None:
        """With ``strict_tokens``, only tokens the demo issued are valid."""
        if self.settings["strict_tokens"] and not self.tokens.valid(credentials(request)[1]):
            raise self.unauthorized(False)

    def select(self, request: Request, rows: list[Row]) -> list[Row]:
        """``status``, ``mailbox`` and the sort."""
        statuses = [s for s in (request.q("status") or "active").split(",") if s]
        for item in statuses:
            if item not in STATUSES:
                raise self.invalid("status", f"Expected one of these: {', '.join(STATUSES)}", item)
        if "open" in statuses:
            statuses += ["active", "pending"]
        field = request.q("sortField") or "createdAt"
        order = (request.q("sortOrder") or "desc").lower()
        if field not in SORTS or order not in ("asc", "desc"):
            raise self.invalid("sortField", "Invalid sort", field)
        mailboxes = {
            int(m) for v in request.query.get("mailbox", []) for m in v.split(",") if m.strip().isdigit()
        }
        kept = [
            c
            for c in rows
            if ("all" in statuses or c["status"] in statuses)
            and (not mailboxes or c["mailboxId"] in mailboxes)
        ]
        return sorted(kept, key=SORTS[field], reverse=order == "desc")

    def conversations(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        kept = request.kept("page")

        def link(n: int) -> dict[str, str]:
            return {"href": request.link(request.route, [*kept, ("page", str(n))])}

        links: dict[str, Any] = {
            "self": link(page.number),
            "first": link(1),
            "last": link(max(page.pages, 1)),
        }
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
