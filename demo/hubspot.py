"""HubSpot CRM v3 ``GET /crm/v3/objects/contacts``: property selection and the next link.

https://developers.hubspot.com/docs/api/crm/contacts. The live API sends
``paging.next.link`` as an absolute URL; HubSpot's reference docs print it relative, query
only: ``"link": "?after=NTI1Cg%3D%3D"``. ``Settings.hubspot_links`` picks one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from demo.messages import Request
from demo.paging import Page, Row
from demo.store import Context


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
