"""Zendesk Support ``GET /api/v2/search/export``: its users, the query grammar and its cursors.

Export Search Results
(https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#export-search-results):
``filter[type]`` is required, ``query`` holds terms such as ``type:user``,
``updated>2024-01-01T00:00:00Z`` or ``updated < ...`` (``>`` and ``<`` are strict, ``:``
is the same day), ``page[size]`` up to 1000, and ``page[after]`` takes the opaque
``meta.after_cursor``. Results come in creation order. Basic (email/token and a token) or
Bearer auth.

The last page says ``"has_more": false`` and still carries a non-null ``after_cursor``
(and ``links.next``), as Adobe's own Zendesk example response shows (Self-Serve Sources
(Batch SDK), CONTINUATION_TOKEN: ``"meta": {"has_more": false, "after_cursor":
"eyJmaWVsZCI6ImNyZWF0ZWRfYXQiLCJk", "before_cursor": null}``); asking with that cursor
answers an empty ``results`` page, ``has_more: false``, no cursor.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row
from demo.data.times import epoch, fmt_z, parse_time
from demo.data.words import TIMEZONES, person
from demo.rest.checks import Bound, int_param
from demo.rest.endpoint import Endpoint
from demo.rest.errors import ErrorShapes
from demo.rest.paging import Page, b64, unb64
from demo.rest.vendor import Option, Vendor

_TERM = re.compile(r"([A-Za-z_]+)\s*(>=|<=|>|<|:)\s*(\"[^\"]*\"|\S+)")
_COLUMNS = {"updated": "updated_at", "created": "created_at"}
KINDS = ("ticket", "user", "organization", "group")


def parse_query(query: str) -> tuple[list[Bound], bool]:
    """The query's time bounds, and False if its ``type:`` term excludes users.

    A date that does not parse is a ValueError naming the term.
    """
    bounds: list[Bound] = []
    users = True
    for name, op, raw in _TERM.findall(query):
        value = raw.strip('"')
        if name == "type":
            users = users and value == "user"
        elif name in _COLUMNS:
            try:
                moment = parse_time(value).timestamp()
            except ValueError:
                raise ValueError(f"Invalid date in query: {name}{op}{value}") from None
            bounds.append(Bound(_COLUMNS[name], op, moment))
    return bounds, users


@dataclass(frozen=True)
class Keyset:
    """``page[size]`` and ``page[after]``: a cursor on (created_at, id) of the last record."""

    size: str = "page[size]"
    after: str = "page[after]"
    default: int = 100
    hi: int = 1000

    def read(self, request: Request, errors: ErrorShapes) -> tuple[int, tuple[float, int] | None]:
        size = int_param(request, self.size, errors.invalid, default=self.default, lo=1, hi=self.hi)
        raw = request.q(self.after)
        if not raw:
            return size, None
        try:
            cursor = json.loads(unb64(raw))
            return size, (epoch(cursor["value"]), int(cursor["id"]))
        except (ValueError, KeyError, TypeError):
            raise errors.invalid(self.after, f"{self.after} is not a valid cursor") from None

    def cut(self, rows: list[Row], params: tuple[int, tuple[float, int] | None]) -> Page:
        size, position = params
        if position is not None:
            rows = [r for r in rows if (epoch(r["created_at"]), r["id"]) > position]
        page = rows[:size]
        cursor = None
        if page:  # a cursor whenever the page holds records, the last page's too
            last = page[-1]
            state = {"field": "created_at", "desc": False, "value": last["created_at"], "id": last["id"]}
            cursor = b64(json.dumps(state, separators=(",", ":")))
        return Page(page, len(rows), limit=size, next=cursor, more=len(rows) > size)


class Zendesk(Vendor):
    """Zendesk Support: users through the search export."""

    name = "zendesk"
    prefix = "/api/v2/"
    datasets = (Dataset("zendesk_users", change_key="updated_at", size="users"),)
    options = (Option("users", 300), Option("subdomain", "demo", flag=False))

    # ---------------------------------------------------------------- error shapes

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        title = extra.pop("title", "Invalid attribute")
        return ApiError(status, {"error": {"title": title, "message": message}})

    def unauthorized(self, missing: bool) -> ApiError:
        return ApiError(401, {"error": "Couldn't authenticate you"})

    def not_found(self, path: str) -> ApiError:
        return ApiError(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def search_error(self, message: str) -> ApiError:
        return self.error(400, message, title="Invalid search")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        first, last, email = person(rng, n, tag="z")
        user_id = 1500000000000 + n * 7919
        role = rng.choices(["end-user", "agent", "admin"], weights=[80, 15, 5])[0]
        tz_name, iana = rng.choice(TIMEZONES)
        staff = role != "end-user"
        return {
            "id": user_id,
            "url": f"https://{self.settings['subdomain']}.zendesk.com/api/v2/users/{user_id}.json",
            "name": f"{first} {last}",
            "email": email,
            "created_at": fmt_z(created),
            "updated_at": fmt_z(changed),
            "time_zone": tz_name,
            "iana_time_zone": iana,
            "locale": "en-US",
            "locale_id": 1,
            "organization_id": rng.choice([None, 360000123451, 360000123452, 360000123453]),
            "role": role,
            "verified": rng.random() < 0.8,
            "active": True,
            "shared": False,
            "shared_agent": False,
            "tags": rng.sample(["vip", "trial", "enterprise", "churn-risk"], rng.randint(0, 2)),
            "suspended": rng.random() < 0.02,
            "restricted_agent": role != "admin",
            "moderator": role == "admin",
            "only_private_comments": False,
            "report_csv": role == "admin",
            "ticket_restriction": "requested" if not staff else (None if role == "admin" else "groups"),
            "two_factor_auth_enabled": (rng.random() < 0.5) if staff else None,
            "result_type": "user",
        }

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        row["updated_at"] = fmt_z(moment)
        row["verified"] = True
        row["tags"] = sorted({*row["tags"], "updated"})

    # ---------------------------------------------------------------- answers

    def params(self) -> dict[str, Any]:
        return {"subdomain": self.settings["subdomain"]}

    def endpoints(self) -> tuple[Endpoint, ...]:
        # The query grammar and the keyset cursors are Zendesk's own (above).
        return (
            Endpoint(
                "GET",
                r"/api/v2/search/export(?:\.json)?",
                self,
                "basic_or_bearer",
                dataset="zendesk_users",
                paging=Keyset(),
                select=self.search,
                envelope=self.export,
            ),
        )

    def search(self, request: Request, rows: list[Row]) -> list[Row]:
        """The users the ``filter[type]`` and ``query`` select, oldest created first."""
        kind = request.q("filter[type]")
        if not kind:
            raise self.search_error("filter[type] is required")
        if kind not in KINDS:
            raise self.search_error(f"filter[type] {kind!r} is not supported")
        query = request.q("query")
        if query is None:
            raise self.search_error("query is required")
        try:
            bounds, users = parse_query(query)
        except ValueError as err:
            raise self.search_error(str(err)) from None
        if kind != "user" or not users:
            return []
        kept = [r for r in rows if all(b.holds(r) for b in bounds)]
        return sorted(kept, key=lambda r: (epoch(r["created_at"]), r["id"]))

    def export(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        next_link = None
        if page.next:
            pairs = [*request.kept("page[after]"), ("page[after]", page.next)]
            next_link = request.link("/api/v2/search/export.json", pairs)
        return {
            "results": page.rows,
            "facets": None,
            "meta": {"has_more": page.more, "after_cursor": page.next, "before_cursor": None},
            "links": {"prev": None, "next": next_link},
        }
