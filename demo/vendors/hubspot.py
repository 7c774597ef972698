"""HubSpot CRM v3: its contacts, ``GET /crm/v3/objects/contacts`` (``limit`` 1..100, ``after``,
property selection and the next link) and ``POST /crm/v3/objects/contacts/search`` (filters,
sorts and paging in a JSON body); Bearer auth.

https://developers.hubspot.com/docs/api/crm/contacts. The live API sends
``paging.next.link`` as an absolute URL; HubSpot's reference docs print it relative, query
only: ``"link": "?after=NTI1Cg%3D%3D"``. The switch ``hubspot_links`` picks one.

Search (https://developers.hubspot.com/docs/api/crm/search): the body's ``filterGroups`` are
ORed, the filters of a group ANDed; a filter without the value its operator needs is a 400
(HubSpot answers "operator GTE requires a value", PipedreamHQ/pipedream#18339); ``after`` is
the offset of the next page, given back as ``paging.next.after``.
"""

from __future__ import annotations

import functools
import random
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from demo.core.messages import ApiError, Reply, Request, json_reply
from demo.data.store import Dataset, Row
from demo.data.times import epoch, fmt_ms
from demo.data.words import person
from demo.rest.endpoint import Endpoint
from demo.rest.paging import After, Page
from demo.rest.vendor import Option, Vendor

#: Date-time properties: filter values are Unix milliseconds ("HubSpot API endpoints accept UNIX
#: formatted timestamps in milliseconds", developers.hubspot.com/docs/faq/how-should-timestamps-be-
#: formatted-for-hubspots-apis); a date string such as "2020-11-15" is a 400 (HubSpot/hubspot-api-ruby#62).
DATE_PROPERTIES = frozenset({"createdate", "lastmodifieddate", "hs_lastmodifieddate"})
#: Returned with every result, whatever ``properties`` asks for.
ALWAYS = ("createdate", "hs_object_id", "lastmodifieddate")
SEARCH_LIMIT = 10_000  # a search reaches at most this many results, however it pages
VALUED = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
COMPARE = {
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
}


def bad_request(message: str = "There was a problem with the request.") -> ApiError:
    """HubSpot's 400 (``HubSpot.error``'s shape)."""
    return ApiError(400, _error_body(400, message, "VALIDATION_ERROR"))


def _error_body(status: int, message: str, category: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}


def _operand(name: str, raw: Any) -> Any:
    """A filter value as the property's values compare: epoch ms for date-times, else text."""
    if name in DATE_PROPERTIES:
        text = str(raw).strip()
        if not text.lstrip("-").isdigit():
            raise bad_request()
        return int(text)
    return str(raw).lower()


def _value(contact: Row, name: str) -> Any:
    value = contact["properties"].get(name)
    if value is None or name not in DATE_PROPERTIES:
        return None if value is None else str(value).lower()
    return int(epoch(value) * 1000 + 0.5)


def _holds(contact: Row, spec: Any) -> bool:
    if not isinstance(spec, dict) or not isinstance(spec.get("propertyName"), str):
        raise bad_request()
    name, operator = spec["propertyName"], str(spec.get("operator", "EQ")).upper()
    value = _value(contact, name)
    if operator == "HAS_PROPERTY":
        return value is not None
    if operator == "NOT_HAS_PROPERTY":
        return value is None
    if operator in ("IN", "NOT_IN"):
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            raise bad_request(f"operator {operator} requires values")
        inside = value in {_operand(name, v) for v in values}
        return inside if operator == "IN" else not inside
    if operator not in VALUED:
        raise bad_request()
    if spec.get("value") in (None, ""):
        raise bad_request(f"operator {operator} requires a value")
    operand = _operand(name, spec["value"])
    if operator == "BETWEEN":
        if spec.get("highValue") in (None, ""):
            raise bad_request("operator BETWEEN requires a highValue")
        return value is not None and operand <= value <= _operand(name, spec["highValue"])
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = value is not None and str(operand).strip("*") in str(value)
        return found if operator == "CONTAINS_TOKEN" else not found
    return value is not None and COMPARE[operator](value, operand)


def _sort_value(contact: Row, name: str) -> tuple[bool, Any]:
    """Contacts without the property last (ascending), then by its value."""
    value = _value(contact, name)
    return value is None, value if value is not None else 0


def _sort_key(sort: Any) -> tuple[str, bool]:
    """A sort as ``{"propertyName", "direction"}`` (HubSpot's guide) or a property name (its reference)."""
    if isinstance(sort, str) and sort:
        return sort.lstrip("-"), sort.startswith("-")
    if isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        direction = str(sort.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise bad_request()
        return sort["propertyName"], direction == "DESCENDING"
    raise bad_request()


class HubSpot(Vendor):
    """HubSpot CRM v3: contacts, listed and searched."""

    name = "hubspot"
    prefix = "/crm/"
    datasets = (Dataset("hubspot_contacts", change_key="updatedAt", size="contacts"),)
    options = (Option("contacts", 230), Option("hubspot_links", "absolute", choices=("absolute", "relative")))

    # ---------------------------------------------------------------- error shapes

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        category = extra.pop("category", "VALIDATION_ERROR" if status == 400 else "ERROR")
        return ApiError(status, _error_body(status, message, category))

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            category="INVALID_AUTHENTICATION",
        )

    def not_found(self, path: str) -> ApiError:
        return self.error(404, f"Resource not found: {path}", category="OBJECT_NOT_FOUND")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        first, last, email = person(rng, n, tag="h")
        contact_id = str(1001 + n)
        created_s = fmt_ms(created + timedelta(milliseconds=rng.randint(0, 999)))
        changed_s = fmt_ms(changed + timedelta(milliseconds=rng.randint(0, 999)))
        return {
            "id": contact_id,
            "properties": {
                "createdate": created_s,
                "email": email,
                "firstname": first,
                "hs_object_id": contact_id,
                "lastmodifieddate": changed_s,
                "lastname": last,
            },
            "createdAt": created_s,
            "updatedAt": changed_s,
            "archived": False,
        }

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        stamp = fmt_ms(moment)
        row["updatedAt"] = stamp
        row["properties"]["lastmodifieddate"] = stamp

    # ---------------------------------------------------------------- answers

    def endpoints(self) -> tuple[Endpoint, ...]:
        return (
            # limit 1..100 (default 10), after = the next id, paging.next.link.
            Endpoint(
                "GET",
                r"/crm/v3/objects/contacts",
                self,
                "bearer",
                dataset="hubspot_contacts",
                paging=After("limit", "after", default=10, hi=100),
                select=self.unarchived,
                envelope=self.contacts,
            ),
            # CRM search: filters, sorts, properties, limit and after in a JSON body.
            Endpoint("POST", r"/crm/v3/objects/contacts/search", self, "bearer", handler=self.search),
        )

    def unarchived(self, request: Request, rows: list[Row]) -> list[Row]:
        """``archived=true`` lists the archived contacts: the demo has none."""
        return [] if (request.q("archived") or "false").lower() == "true" else rows

    def contacts(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        wanted = [p for v in request.query.get("properties", []) for p in v.split(",") if p]
        rows = page.rows
        if wanted:
            rows = [{**c, "properties": {p: c["properties"].get(p) for p in wanted}} for c in rows]
        result: dict[str, Any] = {"results": rows}
        if page.next is not None:
            if self.settings["hubspot_links"] == "relative":
                link = f"?after={quote(page.next, safe='')}"
            else:
                link = request.link(request.route, [*request.kept("after"), ("after", page.next)])
            result["paging"] = {"next": {"after": page.next, "link": link}}
        return result

    def search(self, request: Request) -> Reply:
        """``POST /crm/v3/objects/contacts/search``: ``filterGroups`` (OR of ANDs), ``sorts``,
        ``properties``, ``limit`` (1..200, default 10) and ``after`` (the previous page's
        ``paging.next.after``), all in the JSON body."""
        try:
            body = request.json() if request.body.strip() else {}
        except ValueError:
            raise bad_request("Invalid input JSON") from None
        if not isinstance(body, dict):
            raise bad_request("Invalid input JSON")
        limit, after = body.get("limit", 10), str(body.get("after") or "0")
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= 200
            or not after.isdigit()
        ):
            raise bad_request()
        offset = int(after)
        if offset >= SEARCH_LIMIT:
            raise bad_request(f"the search endpoints are limited to {SEARCH_LIMIT} results")
        groups = body.get("filterGroups") or []
        if not isinstance(groups, list) or any(not isinstance(g, dict) for g in groups):
            raise bad_request()
        with self.store.lock:
            result = found(self.store.rows("hubspot_contacts"), body, groups, offset, limit)
        if offset + limit < result["total"]:
            token = str(offset + limit)
            result["paging"] = {"next": {"after": token, "link": f"?after={quote(token, safe='')}"}}
        return json_reply(result)


def found(
    contacts: list[Row], body: dict[str, Any], groups: list[Any], offset: int, limit: int
) -> dict[str, Any]:
    """The search's ``total`` and one page of ``results``: filtered, sorted, properties picked."""
    rows = [
        c
        for c in contacts
        if not groups or any(all(_holds(c, f) for f in g.get("filters") or []) for g in groups)
    ]
    for name, descending in reversed([_sort_key(s) for s in body.get("sorts") or []]):
        rows.sort(key=functools.partial(_sort_value, name=name), reverse=descending)
    page = rows[offset : offset + limit]
    wanted = body.get("properties") or []
    if wanted:
        keep = [*wanted, *(p for p in ALWAYS if p not in wanted)]
        page = [{**c, "properties": {p: c["properties"].get(p) for p in keep}} for c in page]
    return {"total": len(rows), "results": page}
