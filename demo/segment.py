"""Segment Public API: the workspace and every list a Segment connector reads.

https://docs.segmentapis.com. Lists answer ``{"data": {"<key>": [...], "pagination":
{"current", "next", "previous", "totalEntries"}}}`` (https://docs.segmentapis.com/tag/Pagination);
``pagination.count`` (1..1000; 1..200 for audiences, ``ListAudiencesPaginationInput``) is
required here, ``pagination.cursor`` is the opaque ``next`` of the page before. Objects and
paths follow the models of Segment's own SDKs (``segmentio/public-api-sdk-go``, API 73.2.0):

* ``GET /`` (Get Workspace): ``data.workspace``, one object; ``GET /labels``: ``data.labels``,
  no pagination; ``GET /invites``: ``data.invites``, an array of email strings;
* ``GET /functions`` needs ``resourceType`` (``DESTINATION``, ``INSERT_DESTINATION``,
  ``INSERT_SOURCE``, ``INSERT_TRANSFORMATION``, ``SOURCE``); ``GET /tracking-plans`` takes ``type``;
* children, 404 for an unknown parent: ``/sources/{sourceId}/connected-destinations`` and
  ``/connected-warehouses``, ``/destinations/{destinationId}/subscriptions``,
  ``/warehouses/{warehouseId}/syncs`` (``data.reports``), ``/tracking-plans/{trackingPlanId}/rules``,
  ``/functions/{functionId}/versions``, ``/groups/{userGroupId}/users``,
  ``/spaces/{spaceId}/audiences``.
"""

from __future__ import annotations

from typing import Any

from demo.endpoint import Endpoint, Envelope, Scope, Select
from demo.messages import Reply, Request, json_reply
from demo.paging import Cursor, Match, Page, Paging, Row, WindowParam
from demo.segment_catalog import FUNCTION_TYPES, PARENT
from demo.store import Context
from demo.vendors import SEGMENT

PAGING = Cursor("pagination.count", "pagination.cursor", hi=1000)
AUDIENCE_PAGING = Cursor("pagination.count", "pagination.cursor", hi=200)


def served(row: Any) -> Any:
    """A record as the API sends it: without the demo's own parent link."""
    return {k: v for k, v in row.items() if k != PARENT} if isinstance(row, dict) else row


def envelope(key: str) -> Envelope:
    """``data.<key>`` and ``data.pagination``."""

    def wrap(request: Request, ctx: Context, page: Page, _arg: str | None) -> dict[str, Any]:
        pagination = {
            "current": page.current,
            "next": page.next,
            "previous": page.previous,
            "totalEntries": page.total,
        }
        return {"data": {key: [served(r) for r in page.rows], "pagination": pagination}}

    return wrap


def children(dataset: str, parent: str, link: str) -> Scope:
    """The rows of ``dataset`` whose ``link`` is the path's id; 404 when no ``parent`` row has it."""

    def scope(request: Request, ctx: Context, arg: str | None) -> list[Row]:
        known(ctx, parent, arg, request)
        return [r for r in ctx.store.rows(dataset) if r.get(link) == arg]

    return scope


def known(ctx: Context, dataset: str, row_id: str | None, request: Request) -> Row:
    """The parent row, or Segment's 404."""
    for row in ctx.store.rows(dataset):
        if row.get("id") == row_id:
            return row
    raise SEGMENT.not_found(request.route)


def connected_warehouses(request: Request, ctx: Context, source_id: str | None) -> list[Row]:
    known(ctx, "segment_sources", source_id, request)
    linked = {
        c["warehouseId"] for c in ctx.store.rows("segment_source_warehouses") if c["sourceId"] == source_id
    }
    return [w for w in ctx.store.rows("segment_warehouses") if w["id"] in linked]


def group_users(request: Request, ctx: Context, group_id: str | None) -> list[Row]:
    """``MinimalUserV1``: id, name and email of each member."""
    known(ctx, "segment_groups", group_id, request)
    members = {m["userId"] for m in ctx.store.rows("segment_group_members") if m["userGroupId"] == group_id}
    users = ctx.store.rows("segment_users")
    return [{"id": u["id"], "name": u["name"], "email": u["email"]} for u in users if u["id"] in members]


def function_type(request: Request, ctx: Context, rows: list[Row]) -> list[Row]:
    """``resourceType`` is required (ListFunctions)."""
    kind = request.q("resourceType")
    if kind not in FUNCTION_TYPES:
        message = f"resourceType must be one of {', '.join(FUNCTION_TYPES)}"
        raise SEGMENT.invalid("resourceType", message if kind else "resourceType is required")
    return [r for r in rows if r["resourceType"] == kind]


def workspace(request: Request, ctx: Context) -> Reply:
    """Get Workspace: the token's workspace, one object (no list, no pagination)."""
    with ctx.store.lock:
        return json_reply({"data": {"workspace": dict(ctx.store.rows("segment_workspace")[0])}})


def labels(request: Request, ctx: Context) -> Reply:
    """List Labels takes no pagination and answers none."""
    with ctx.store.lock:
        return json_reply({"data": {"labels": [dict(r) for r in ctx.store.rows("segment_labels")]}})


def listing(
    path: str,
    dataset: str,
    key: str,
    *,
    scope: Scope | None = None,
    paging: Paging = PAGING,
    window: tuple[WindowParam, ...] = (),
    filters: tuple[Match, ...] = (),
    select: Select | None = None,
) -> Endpoint:
    """One Segment list endpoint."""
    return Endpoint(
        "GET",
        path,
        SEGMENT,
        "bearer",
        dataset=dataset,
        paging=paging,
        window=window,
        filters=filters,
        scope=scope,
        select=select,
        envelope=envelope(key),
    )


ID = r"(?P<arg>[^/]+)"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", r"", SEGMENT, "bearer", handler=workspace),
    listing(r"/sources", "segment_sources", "sources"),
    listing(r"/destinations", "segment_destinations", "destinations"),
    listing(r"/warehouses", "segment_warehouses", "warehouses"),
    listing(r"/tracking-plans", "segment_tracking_plans", "trackingPlans", filters=(Match("type"),)),
    listing(r"/functions", "segment_functions", "functions", select=function_type),
    listing(r"/transformations", "segment_transformations", "transformations"),
    listing(r"/users", "segment_users", "users"),
    listing(r"/invites", "segment_invites", "invites"),
    listing(r"/groups", "segment_groups", "userGroups"),
    listing(r"/roles", "segment_roles", "roles"),
    Endpoint("GET", r"/labels", SEGMENT, "bearer", handler=labels),
    # startTime inclusive, endTime exclusive; newest first, like an audit trail.
    listing(
        r"/audit-events",
        "segment_audit_events",
        "events",
        window=(WindowParam("startTime", "timestamp", ">="), WindowParam("endTime", "timestamp", "<")),
        filters=(Match("resourceId"), Match("resourceType", casefold=True)),
    ),
    listing(r"/reverse-etl-models", "segment_reverse_etl_models", "models"),
    listing(r"/spaces", "segment_spaces", "spaces"),
    listing(
        rf"/sources/{ID}/connected-destinations",
        "segment_destinations",
        "destinations",
        scope=children("segment_destinations", "segment_sources", "sourceId"),
    ),
    listing(
        rf"/sources/{ID}/connected-warehouses", "segment_warehouses", "warehouses", scope=connected_warehouses
    ),
    listing(
        rf"/destinations/{ID}/subscriptions",
        "segment_destination_subscriptions",
        "subscriptions",
        scope=children("segment_destination_subscriptions", "segment_destinations", "destinationId"),
    ),
    listing(
        rf"/warehouses/{ID}/syncs",
        "segment_warehouse_syncs",
        "reports",
        scope=children("segment_warehouse_syncs", "segment_warehouses", PARENT),
    ),
    listing(
        rf"/tracking-plans/{ID}/rules",
        "segment_tracking_plan_rules",
        "rules",
        scope=children("segment_tracking_plan_rules", "segment_tracking_plans", PARENT),
    ),
    listing(
        rf"/functions/{ID}/versions",
        "segment_function_versions",
        "versions",
        scope=children("segment_function_versions", "segment_functions", PARENT),
    ),
    listing(rf"/groups/{ID}/users", "segment_users", "users", scope=group_users),
    listing(
        rf"/spaces/{ID}/audiences",
        "segment_space_audiences",
        "audiences",
        scope=children("segment_space_audiences", "segment_spaces", "spaceId"),
        paging=AUDIENCE_PAGING,
    ),
)
