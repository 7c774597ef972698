"""HubSpot CRM v3 ``GET /crm/v3/objects/contacts`` (property selection and the next link) and
``POST /crm/v3/objects/contacts/search`` (filters, sorts and paging in a JSON body).

https://developers.hubspot.com/docs/api/crm/contacts. The live API sends
``paging.next.link`` as an absolute URL; HubSpot's reference docs print it relative, query
only: ``"link": "?after=NTI1Cg%3D%3D"``. ``Settings.hubspot_links`` picks one.

Search (https://developers.hubspot.com/docs/api/crm/search): the body's ``filterGroups`` are
ORed, the filters of a group ANDed; a filter without the value its operator needs is a 400
(HubSpot answers "operator GTE requires a value", PipedreamHQ/pipedream#18339); ``after`` is
the offset of the next page, given back as ``paging.next.after``.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from demo.messages import ApiError, Reply, Request, json_reply
from demo.paging import Page, Row
from demo.store import Context
from demo.times import epoch
from demo.vendors import HUBSPOT


def contacts_filter(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """``archived=true`` lists the archived contacts: the demo has none."""
    return [] if (request.q("archived") or "false").lower() == "true" else rows


def contacts(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
    wanted = [p for v in request.query.get("properties", []) for p in v.split(",") if p]
    rows = page.rows
    if wanted:
        rows = [{**c, "properties": {p: c["properties"].get(p) for p in wanted}} for c in rows]
    result: dict[str, Any] = {"results": rows}
    if page.next is not None:
        if ctx.settings.hubspot_links == "relative":
            link = f"?after={quote(page.next, safe='')}"
        else:
            link = request.link(request.route, [*request.kept("after"), ("after", page.next)])
        result["paging"] = {"next": {"after": page.next, "link": link}}
    return result


# --------------------------------------------------------------------------- search

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
    return HUBSPOT.error(400, message)


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


def search(request: Request, ctx: Context) -> Reply:
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
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200 or not after.isdigit():
        raise bad_request()
    offset = int(after)
    if offset >= SEARCH_LIMIT:
        raise bad_request(f"the search endpoints are limited to {SEARCH_LIMIT} results")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or any(not isinstance(g, dict) for g in groups):
        raise bad_request()
    wanted = body.get("properties") or []
    with ctx.store.lock:
        rows = [
            c
            for c in ctx.store.rows("hubspot_contacts")
            if not groups or any(all(_holds(c, f) for f in g.get("filters") or []) for g in groups)
        ]
        for name, descending in reversed([_sort_key(s) for s in body.get("sorts") or []]):
            rows.sort(key=functools.partial(_sort_value, name=name), reverse=descending)
        page = rows[offset : offset + limit]
        if wanted:
            keep = [*wanted, *(p for p in ALWAYS if p not in wanted)]
            page = [{**c, "properties": {p: c["properties"].get(p) for p in keep}} for c in page]
        result: dict[str, Any] = {"total": len(rows), "results": page}
    if offset + limit < len(rows):
        token = str(offset + limit)
        result["paging"] = {"next": {"after": token, "link": f"?after={quote(token, safe='')}"}}
    return json_reply(result)
