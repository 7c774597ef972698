"""Stripe ``GET /v1/customers``: an account's customers, newest first, with cursor pagination.

List all customers (https://docs.stripe.com/api/customers/list): "sorted by creation date,
with the most recent customers appearing first"; ``limit`` from 1 to 100 (10 by default);
``starting_after``, the id of an object of the list: the page after it (this demo does not
page backwards with ``ending_before``); ``created[gt]``, ``created[gte]``, ``created[lt]``,
``created[lte]`` in Unix seconds; ``email``. The answer is a list object (Pagination,
https://docs.stripe.com/api/pagination): ``{"object": "list", "url": "/v1/customers",
"has_more": ..., "data": [...]}``. A customer has no change timestamp: ``created`` (Unix
seconds) is the only time it carries, so an update is seen only by reading the customer again.

Authentication (https://docs.stripe.com/api/authentication): HTTP Basic with the secret key
as the user name and no password, or the key as a bearer token. Errors
(https://docs.stripe.com/api/errors): ``{"error": {"type", "message", "param"?, "code"?}}``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row
from demo.data.words import person
from demo.rest.checks import int_param
from demo.rest.endpoint import Endpoint
from demo.rest.errors import ErrorShapes
from demo.rest.paging import Match, Page, WindowParam
from demo.rest.vendor import Option, Vendor

ID_CHARS = string.ascii_letters + string.digits
CITIES = (("Rome", "IT", "00184"), ("London", "GB", "SW1A 1AA"), ("Austin", "US", "78701"))


@dataclass(frozen=True)
class Limit:
    """``limit``: 1 to 100, 10 by default (the cursor is applied by ``Stripe.select``)."""

    default: int = 10
    hi: int = 100

    def read(self, request: Request, errors: ErrorShapes) -> int:
        return int_param(request, "limit", errors.invalid, default=self.default, lo=1, hi=self.hi)

    def cut(self, rows: list[Row], limit: int) -> Page:
        return Page(rows[:limit], len(rows), limit=limit, more=len(rows) > limit)


def order(row: Row) -> tuple[int, str]:
    """The list's order, newest first: by ``created``, then by id."""
    return row["created"], row["id"]


class Stripe(Vendor):
    """Stripe: the customers of one account."""

    name = "stripe"
    prefix = "/v1/"
    datasets = (Dataset("stripe_customers", size="customers", newest_first=True),)
    options = (Option("customers", 230),)

    # ---------------------------------------------------------------- error shapes

    bad_epoch = "Invalid integer: {raw}"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        kind = extra.pop("type", "invalid_request_error")
        return ApiError(status, {"error": {**extra, "message": message, "type": kind}})

    def invalid(self, name: str, message: str) -> ApiError:
        return self.error(400, message, param=name, code="parameter_invalid_integer")

    def unauthorized(self, missing: bool) -> ApiError:
        if missing:
            return self.error(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization "
                "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        return self.error(401, "Invalid API Key provided: sk_****")

    def not_found(self, path: str) -> ApiError:
        return self.error(404, f"Unrecognized request URL (GET: {path}).")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        first, last, email = person(rng, n, tag="s")
        city, country, code = rng.choice(CITIES)
        has_address = rng.random() < 0.6
        return {
            "id": "cus_" + "".join(rng.choice(ID_CHARS) for _ in range(14)),
            "object": "customer",
            "address": (
                {
                    "city": city,
                    "country": country,
                    "line1": f"{rng.randint(1, 99)} Main St",
                    "line2": None,
                    "postal_code": code,
                    "state": None,
                }
                if has_address
                else None
            ),
            "balance": 0,
            "created": int(created.timestamp()),
            "currency": rng.choice([None, "usd", "eur"]),
            "default_source": None,
            "delinquent": False,
            "description": None,
            "discount": None,
            "email": email,
            "invoice_prefix": "".join(rng.choice(string.ascii_uppercase) for _ in range(8)),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": {"crm_id": str(70000 + n)} if rng.random() < 0.3 else {},
            "name": f"{first} {last}",
            "next_invoice_sequence": 1,
            "phone": None,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        """An update changes what a customer holds; nothing in it says when."""
        row["email"] = row["email"].replace("@", "+new@", 1)
        row["balance"] = rng.choice([-500, 0, 1200])
        row["metadata"] = {**row["metadata"], "updated": "yes"}

    # ---------------------------------------------------------------- answers

    def endpoints(self) -> tuple[Endpoint, ...]:
        window = tuple(
            WindowParam(f"created[{op}]", "created", sign, epoch=True)
            for op, sign in (("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<="))
        )
        return (
            Endpoint(
                "GET",
                r"/v1/customers",
                self,
                "secret_key",
                dataset="stripe_customers",
                paging=Limit(),
                window=window,
                filters=(Match("email"),),
                select=self.select,
                envelope=self.envelope,
            ),
        )

    def select(self, request: Request, rows: list[Row]) -> list[Row]:
        """Newest first, after the ``starting_after`` customer (a cursor that names none is Stripe's
        400); this demo does not page backwards (``ending_before``).
        """
        rows = sorted(rows, key=order, reverse=True)
        if request.q("ending_before"):
            raise self.error(400, "This demo API does not page backwards", param="ending_before")
        after = request.q("starting_after")
        if not after:
            return rows
        cursor = next((r for r in self.store.rows("stripe_customers") if r["id"] == after), None)
        if cursor is None:
            raise self.error(
                400, f"No such customer: '{after}'", param="starting_after", code="resource_missing"
            )
        return [r for r in rows if order(r) < order(cursor)]

    def envelope(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        return {"object": "list", "url": "/v1/customers", "has_more": page.more, "data": page.rows}
