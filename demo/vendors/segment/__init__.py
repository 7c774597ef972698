"""Segment Public API: a workspace, its sources and audit trail, and the rest of its catalog.

https://docs.segmentapis.com: Bearer auth; ``pagination.count`` 1..1000 and
``pagination.cursor`` from ``data.pagination.next``; ``startTime`` inclusive, ``endTime``
exclusive on the audit trail; errors are ``{"errors": [...]}``, and a 429 nests
``msBeforeNext`` in ``errors[].data``. Its paths are at the root of the host, so every path
no other API claims is Segment's.

``routes``: the endpoints; ``records``: sources and audit events (what a tick changes);
``catalog``: the rest of the workspace; ``workspace``: its regulations, settings, filters and
the public catalog; ``metrics`` and ``observability``: its usage, event volume and Delivery
Overview; ``words``: its word lists. The switch ``segment_plan`` (``business``, ``team``,
``starter``, ``free``) makes the plan-limited endpoints answer 403 on the last two.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from demo.core.messages import ApiError, Reply, Request
from demo.core.server import Fault
from demo.data.store import Changes, Dataset, Row
from demo.rest.endpoint import Endpoint
from demo.rest.vendor import Option, Vendor
from demo.vendors.segment import catalog, metrics, records, workspace
from demo.vendors.segment.catalog import PARENT
from demo.vendors.segment.observability import Observability
from demo.vendors.segment.routes import Routes
from demo.vendors.segment.words import FUNCTION_TYPES

# The field that identifies a record is "id", except where none does (None: the record itself,
# as an invite's email). Deleting a parent deletes the records that link to it.
BY_SOURCE = ("sourceId", "segment_sources")
DATASETS = (
    Dataset("segment_sources", size="sources"),
    # Newest first, like an audit trail; a tick adds events about the sources it changed.
    Dataset(
        "segment_audit_events", change_key="timestamp", size="audit_events", ticks=False, newest_first=True
    ),
    Dataset("segment_workspace"),
    Dataset("segment_destinations", links=(BY_SOURCE,)),
    Dataset("segment_destination_subscriptions", links=(("destinationId", "segment_destinations"),)),
    Dataset("segment_warehouses"),
    Dataset(
        "segment_source_warehouses", id_key=None, links=(BY_SOURCE, ("warehouseId", "segment_warehouses"))
    ),
    Dataset("segment_warehouse_syncs", id_key=None, links=((PARENT, "segment_warehouses"), BY_SOURCE)),
    Dataset("segment_tracking_plans"),
    Dataset("segment_tracking_plan_rules", id_key=None, links=((PARENT, "segment_tracking_plans"),)),
    Dataset("segment_functions"),
    Dataset("segment_function_versions", links=((PARENT, "segment_functions"),)),
    Dataset("segment_transformations", links=(BY_SOURCE,)),
    Dataset("segment_users"),
    Dataset("segment_invites", id_key=None),
    Dataset("segment_groups"),
    Dataset(
        "segment_group_members",
        id_key=None,
        links=(("userGroupId", "segment_groups"), ("userId", "segment_users")),
    ),
    Dataset("segment_roles"),
    Dataset("segment_labels", id_key=None),
    Dataset("segment_reverse_etl_models", links=(BY_SOURCE,)),
    Dataset("segment_spaces"),
    Dataset("segment_space_audiences", links=(("spaceId", "segment_spaces"),)),
    # The rest of the configuration (``workspace``), drawn after the above.
    Dataset("segment_catalog_sources"),
    Dataset("segment_catalog_destinations"),
    Dataset("segment_catalog_warehouses"),
    Dataset("segment_regulations"),
    Dataset("segment_suppressions", id_key=None),
    Dataset("segment_source_settings", id_key="sourceId", links=(BY_SOURCE,)),
    Dataset("segment_destination_filters", links=(("destinationId", "segment_destinations"),)),
    Dataset(
        "segment_tracking_plan_sources",
        id_key=None,
        links=(("trackingPlanId", "segment_tracking_plans"), BY_SOURCE),
    ),
    Dataset("segment_computed_traits", links=(("spaceId", "segment_spaces"),)),
    # Operational metrics (``metrics``): history, kept when a source or destination goes.
    Dataset("segment_workspace_api_calls_usage", id_key=None),
    Dataset("segment_api_calls_usage", id_key=None),
    Dataset("segment_workspace_mtu_usage", id_key=None),
    Dataset("segment_mtu_usage", id_key=None),
    Dataset("segment_event_volume", id_key=None),
    Dataset("segment_delivery_overview", id_key=None),
)
#: Plans whose workspaces get a 403 from the plan-limited endpoints (``Routes.observability``).
LIMITED_PLANS = ("starter", "free")


class Segment(Vendor):
    """Segment: the workspace's catalog, its sources and its audit trail."""

    name = "segment"
    prefix = ""
    datasets = DATASETS
    options = (
        Option("sources", 45),
        Option("audit_events", 500),
        Option("workspace_id", "9aQ1Lj62S4bomZKLF4DPqW", flag=False),
        Option(
            "segment_plan",
            "business",
            choices=("business", "team", "starter", "free"),
            help="Segment: the workspace's plan (starter, free: the metrics and audit trail answer 403)",
        ),
    )
    #: The demo's clock: the data's ``now`` and the monotonic time it was taken at.
    _clock: tuple[datetime, float] = (datetime.now(timezone.utc), time.monotonic())

    # ---------------------------------------------------------------- error shapes

    bad_time = '"{name}" must be a valid ISO 8601 date-time'

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        kind = extra.pop("kind", "input-validation" if status == 422 else "error")
        error: dict[str, Any] = {"type": kind, "message": message, **extra}
        return ApiError(status, {"errors": [error]})

    def invalid(self, name: str, message: str) -> ApiError:
        return self.error(422, message.replace(name, f'"{name}"', 1), field=name)

    def forbidden(self, request: Request) -> None:
        """Segment's 403 for an endpoint the workspace's plan does not include (``segment_plan``)."""
        if self.settings["segment_plan"] in LIMITED_PLANS:
            plan = self.settings["segment_plan"]
            raise self.error(
                403, f"Forbidden: a {plan} workspace has no access to this endpoint", kind="forbidden"
            )

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Unauthorized: a valid Public API token is required", kind="unauthorized")

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "Resource not found", kind="not-found")

    def fault(self, request: Request, fault: Fault) -> Reply:
        if fault.status != 429 or fault.body is not None:
            return super().fault(request, fault)
        # Segment Public API, "Rate Limits" (https://docs.segmentapis.com/tag/Rate-Limits):
        # a 429 whose body nests the wait in errors[].data.msBeforeNext (milliseconds), with
        # remainingPoints / consumedPoints; the documented example has no Retry-After.
        wait = fault.hint.get("ms_before_next")
        if wait is None:
            wait = int(fault.retry_after * 1000) if fault.retry_after is not None else 1000
        data = {"remainingPoints": 0, "msBeforeNext": int(wait), "consumedPoints": 21}
        return fault.reply(
            {"errors": [{"type": "RequestError", "message": "Too many requests", "data": data}]}
        )

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        if dataset == "segment_sources":
            return records.source(rng, n, self.settings["workspace_id"])
        return records.audit_event(rng, n, created, self.store.data.get("segment_sources") or [])

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        records.touch_source(row)

    def build(self, now: datetime) -> None:
        rng = random.Random(f"{self.name}:{self.store.seed}")
        catalog.generate(rng, self.store.data, self.settings["workspace_id"], now, self.extra)
        more = random.Random(f"{self.name}:more:{self.store.seed}")  # the datasets drawn since
        workspace.generate(more, self.store.data, now, self.extra)
        metrics.generate(more, self.store.data, now)
        self._clock = (now, time.monotonic())

    def loaded(self) -> None:
        """Data read from a state file: its clock is the real one."""
        self._clock = (datetime.now(timezone.utc), time.monotonic())

    def clock(self) -> datetime:
        """The demo's now: the data's ``now``, moved on by the time since it was taken."""
        moment, taken = self._clock
        return moment + timedelta(seconds=time.monotonic() - taken)

    def ticked(self, rng: random.Random, moment: datetime, changes: Changes) -> None:
        """Every source a tick changed or added gets an audit event, newest first; an added one
        gets the default schema settings."""
        sources = changes["segment_sources"]
        by_id = {s["id"]: s for s in self.store.data["segment_sources"]}
        added = []
        for source_id in sources["updated"] + sources["added"]:
            kind = "Source Created" if source_id in sources["added"] else "Source Modified"
            event = self.store.make("segment_audit_events", rng, moment, moment)
            self.store.data["segment_audit_events"].insert(
                0, records.event_about(event, by_id[source_id], kind, moment)
            )
            added.append(event["id"])
        changes["segment_audit_events"] = {"updated": [], "added": added}
        settings = self.store.data["segment_source_settings"]
        settings += [workspace.schema_settings(source_id) for source_id in sources["added"]]

    def deleted(self, dataset: str, gone: list[Row], record_id: Any, moment: datetime) -> None:
        """A deleted source gets a ``Source Deleted`` audit event."""
        if dataset != "segment_sources":
            return
        rng = random.Random(f"delete:{self.store.seed}:{record_id}")
        event = self.store.make("segment_audit_events", rng, moment, moment)
        self.store.data["segment_audit_events"].insert(
            0, records.event_about(event, gone[0], "Source Deleted", moment)
        )

    # ---------------------------------------------------------------- answers

    def params(self) -> dict[str, Any]:
        """``resourceType``: every kind of function, one partition each."""
        return {"api_host": "api.segmentapis.com", "resourceType": list(FUNCTION_TYPES)}

    def endpoints(self) -> tuple[Endpoint, ...]:
        return Routes(self, Observability(self, self.clock), self.forbidden).endpoints()
