"""Segment Public API's endpoints: the workspace and every list a Segment connector reads.

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
  ``/spaces/{spaceId}/audiences``;
* the public catalog (``/catalog/sources``, ``/catalog/destinations``, ``/catalog/warehouses``:
  ``data.sourcesCatalog``, ...), ``/regulations`` (filters ``status``, ``regulationTypes``),
  ``/suppressions`` (``data.suppressed``), and the children ``/sources/{sourceId}/settings``
  (one object: ``data.sourceId``, ``data.settings``; no pagination),
  ``/destination/{destinationId}/filters`` (``destination``, singular, as Segment writes it),
  ``/tracking-plans/{trackingPlanId}/sources``, ``/spaces/{spaceId}/computed-traits``;
* the operational metrics (``observability``): usage, event volume, Delivery Overview. With the
  switch ``segment_plan`` at ``free`` or ``starter``, those and the audit trail answer 403 (Qlik:
  "Free and Starter plans have limited Segment Public API support, and some streams may return
  403 errors"), as a workspace without that plan would.
"""

from __future__ import annotations

from typing import Any

from demo.core.messages import Reply, Request, json_reply
from demo.data.store import Row
from demo.rest.endpoint import Check, Endpoint, Envelope, Handler, Scope, Select
from demo.rest.paging import Cursor, Match, Page, Paging, WindowParam
from demo.rest.vendor import Vendor
from demo.vendors.segment.catalog import PARENT
from demo.vendors.segment.observability import STEPS, Observability, values
from demo.vendors.segment.words import FUNCTION_TYPES
from demo.vendors.segment.workspace import schema_settings

PAGING = Cursor("pagination.count", "pagination.cursor", hi=1000)
AUDIENCE_PAGING = Cursor("pagination.count", "pagination.cursor", hi=200)
ID = r"(?P<arg>[^/]+)"


def served(row: Any) -> Any:
    """A record as the API sends it: without the demo's own parent link."""
    return {k: v for k, v in row.items() if k != PARENT} if isinstance(row, dict) else row


def envelope(key: str) -> Envelope:
    """``data.<key>`` and ``data.pagination``."""

    def wrap(request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        pagination = {
            "current": page.current,
            "next": page.next,
            "previous": page.previous,
            "totalEntries": page.total,
        }
        return {"data": {key: [served(r) for r in page.rows], "pagination": pagination}}

    return wrap


class Routes:
    """Segment's endpoints over the vendor's store, in its error shapes."""

    def __init__(self, vendor: Vendor, metrics: Observability, gate: Check) -> None:
        """``metrics`` answers the metrics endpoints; ``gate`` refuses what the workspace's plan lacks."""
        self.vendor = vendor
        self.store = vendor.store
        self.metrics = metrics
        self.gate = gate

    def endpoints(self) -> tuple[Endpoint, ...]:
        vendor = self.vendor
        return (
            Endpoint("GET", r"", vendor, "bearer", handler=self.workspace),
            self.listing(r"/sources", "segment_sources", "sources"),
            self.listing(r"/destinations", "segment_destinations", "destinations"),
            self.listing(r"/warehouses", "segment_warehouses", "warehouses"),
            self.listing(
                r"/tracking-plans", "segment_tracking_plans", "trackingPlans", filters=(Match("type"),)
            ),
            self.listing(r"/functions", "segment_functions", "functions", select=self.function_type),
            self.listing(r"/transformations", "segment_transformations", "transformations"),
            self.listing(r"/users", "segment_users", "users"),
            self.listing(r"/invites", "segment_invites", "invites"),
            self.listing(r"/groups", "segment_groups", "userGroups"),
            self.listing(r"/roles", "segment_roles", "roles"),
            Endpoint("GET", r"/labels", vendor, "bearer", handler=self.labels),
            # startTime inclusive, endTime exclusive; newest first, like an audit trail.
            self.listing(
                r"/audit-events",
                "segment_audit_events",
                "events",
                window=(
                    WindowParam("startTime", "timestamp", ">="),
                    WindowParam("endTime", "timestamp", "<"),
                ),
                filters=(Match("resourceId"), Match("resourceType", casefold=True)),
                authorized=self.gate,
            ),
            self.listing(r"/reverse-etl-models", "segment_reverse_etl_models", "models"),
            self.listing(r"/spaces", "segment_spaces", "spaces"),
            self.listing(
                rf"/sources/{ID}/connected-destinations",
                "segment_destinations",
                "destinations",
                scope=self.children("segment_destinations", "segment_sources", "sourceId"),
            ),
            self.listing(
                rf"/sources/{ID}/connected-warehouses",
                "segment_warehouses",
                "warehouses",
                scope=self.connected_warehouses,
            ),
            self.listing(
                rf"/destinations/{ID}/subscriptions",
                "segment_destination_subscriptions",
                "subscriptions",
                scope=self.children(
                    "segment_destination_subscriptions", "segment_destinations", "destinationId"
                ),
            ),
            self.listing(
                rf"/warehouses/{ID}/syncs",
                "segment_warehouse_syncs",
                "reports",
                scope=self.children("segment_warehouse_syncs", "segment_warehouses", PARENT),
            ),
            self.listing(
                rf"/tracking-plans/{ID}/rules",
                "segment_tracking_plan_rules",
                "rules",
                scope=self.children("segment_tracking_plan_rules", "segment_tracking_plans", PARENT),
            ),
            self.listing(
                rf"/functions/{ID}/versions",
                "segment_function_versions",
                "versions",
                scope=self.children("segment_function_versions", "segment_functions", PARENT),
            ),
            self.listing(rf"/groups/{ID}/users", "segment_users", "users", scope=self.group_users),
            self.listing(
                rf"/spaces/{ID}/audiences",
                "segment_space_audiences",
                "audiences",
                scope=self.children("segment_space_audiences", "segment_spaces", "spaceId"),
                paging=AUDIENCE_PAGING,
            ),
            *self.configuration(),
            *self.observability(),
        )

    def configuration(self) -> tuple[Endpoint, ...]:
        """The public catalog, regulations, suppressions and the configuration children."""
        return (
            self.listing(r"/catalog/sources", "segment_catalog_sources", "sourcesCatalog"),
            self.listing(r"/catalog/destinations", "segment_catalog_destinations", "destinationsCatalog"),
            self.listing(r"/catalog/warehouses", "segment_catalog_warehouses", "warehousesCatalog"),
            self.listing(r"/regulations", "segment_regulations", "regulations", select=self.regulations),
            self.listing(r"/suppressions", "segment_suppressions", "suppressed"),
            Endpoint("GET", rf"/sources/{ID}/settings", self.vendor, "bearer", handler=self.source_settings),
            self.listing(
                rf"/destination/{ID}/filters",
                "segment_destination_filters",
                "filters",
                scope=self.children("segment_destination_filters", "segment_destinations", "destinationId"),
            ),
            self.listing(
                rf"/tracking-plans/{ID}/sources",
                "segment_sources",
                "sources",
                scope=self.tracking_plan_sources,
            ),
            self.listing(
                rf"/spaces/{ID}/computed-traits",
                "segment_computed_traits",
                "computedTraits",
                scope=self.children("segment_computed_traits", "segment_spaces", "spaceId"),
            ),
        )

    def observability(self) -> tuple[Endpoint, ...]:
        """Usage, event volume and the six Delivery Overview steps, behind the plan's gate."""
        usage = (
            (r"/usage/api-calls/daily", "segment_workspace_api_calls_usage", "dailyWorkspaceAPICallsUsage"),
            (r"/usage/api-calls/sources/daily", "segment_api_calls_usage", "dailyPerSourceAPICallsUsage"),
            (r"/usage/mtu/daily", "segment_workspace_mtu_usage", "dailyWorkspaceMTUUsage"),
            (r"/usage/mtu/sources/daily", "segment_mtu_usage", "dailyPerSourceMTUUsage"),
        )
        metrics, gate = self.metrics, self.gate
        answers: dict[str, Handler] = {"/events/volume": metrics.event_volume}
        answers.update({f"/delivery-overview/{step}": metrics.delivery(step) for step in STEPS})
        return (
            *(self.listing(p, d, k, select=metrics.by_period, authorized=gate) for p, d, k in usage),
            *(
                Endpoint("GET", p, self.vendor, "bearer", handler=a, authorized=gate)
                for p, a in answers.items()
            ),
        )

    def listing(
        self,
        path: str,
        dataset: str,
        key: str,
        *,
        scope: Scope | None = None,
        paging: Paging = PAGING,
        window: tuple[WindowParam, ...] = (),
        filters: tuple[Match, ...] = (),
        select: Select | None = None,
        authorized: Check | None = None,
    ) -> Endpoint:
        """One Segment list endpoint."""
        return Endpoint(
            "GET",
            path,
            self.vendor,
            "bearer",
            dataset=dataset,
            paging=paging,
            window=window,
            filters=filters,
            scope=scope,
            select=select,
            envelope=envelope(key),
            authorized=authorized,
        )

    def children(self, dataset: str, parent: str, link: str) -> Scope:
        """The rows of ``dataset`` whose ``link`` is the path's id; 404 when no ``parent`` row has it."""

        def scope(request: Request, arg: str | None) -> list[Row]:
            self.known(parent, arg, request)
            return [r for r in self.store.rows(dataset) if r.get(link) == arg]

        return scope

    def known(self, dataset: str, row_id: str | None, request: Request) -> Row:
        """The parent row, or Segment's 404."""
        for row in self.store.rows(dataset):
            if row.get("id") == row_id:
                return row
        raise self.vendor.not_found(request.route)

    def connected_warehouses(self, request: Request, source_id: str | None) -> list[Row]:
        self.known("segment_sources", source_id, request)
        links = self.store.rows("segment_source_warehouses")
        linked = {c["warehouseId"] for c in links if c["sourceId"] == source_id}
        return [w for w in self.store.rows("segment_warehouses") if w["id"] in linked]

    def group_users(self, request: Request, group_id: str | None) -> list[Row]:
        """``MinimalUserV1``: id, name and email of each member."""
        self.known("segment_groups", group_id, request)
        members = self.store.rows("segment_group_members")
        ids = {m["userId"] for m in members if m["userGroupId"] == group_id}
        users = self.store.rows("segment_users")
        return [{"id": u["id"], "name": u["name"], "email": u["email"]} for u in users if u["id"] in ids]

    def function_type(self, request: Request, rows: list[Row]) -> list[Row]:
        """``resourceType`` is required (ListFunctions)."""
        kind = request.q("resourceType")
        if kind not in FUNCTION_TYPES:
            message = f"resourceType must be one of {', '.join(FUNCTION_TYPES)}"
            raise self.vendor.invalid("resourceType", message if kind else "resourceType is required")
        return [r for r in rows if r["resourceType"] == kind]

    def workspace(self, request: Request) -> Reply:
        """Get Workspace: the token's workspace, one object (no list, no pagination)."""
        with self.store.lock:
            return json_reply({"data": {"workspace": dict(self.store.rows("segment_workspace")[0])}})

    def labels(self, request: Request) -> Reply:
        """List Labels takes no pagination and answers none."""
        with self.store.lock:
            return json_reply({"data": {"labels": [dict(r) for r in self.store.rows("segment_labels")]}})

    def regulations(self, request: Request, rows: list[Row]) -> list[Row]:
        """List Workspace Regulations' filters: ``status``, ``regulationTypes`` (a list)."""
        status, kinds = request.q("status"), values(request, "regulationTypes")
        rows = [r for r in rows if status in (None, r["status"])]
        return [r for r in rows if not kinds or r["regulationType"] in kinds]

    def source_settings(self, request: Request) -> Reply:
        """List Schema Settings in Source: one object, no pagination; 404 for an unknown source."""
        source_id = request.route.split("/")[2]
        with self.store.lock:
            self.known("segment_sources", source_id, request)
            rows = [r for r in self.store.rows("segment_source_settings") if r["sourceId"] == source_id]
            return json_reply({"data": rows[0] if rows else schema_settings(source_id)})

    def tracking_plan_sources(self, request: Request, plan_id: str | None) -> list[Row]:
        """The sources connected to a tracking plan (``SourceV1``), in the sources' order."""
        self.known("segment_tracking_plans", plan_id, request)
        links = self.store.rows("segment_tracking_plan_sources")
        linked = {link["sourceId"] for link in links if link["trackingPlanId"] == plan_id}
        return [s for s in self.store.rows("segment_sources") if s["id"] in linked]
