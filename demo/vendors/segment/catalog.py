"""The rest of a Segment workspace, beside its sources: records shaped as the Public API's
objects (``segmentio/public-api-sdk-go`` models, API version 73.2.0), consistent with each other.

``generate(rng, data, workspace_id, now, sizes)`` fills every dataset but the sources and the
audit events, from the sources already in ``data``: destinations belong to existing sources,
warehouses are connected to existing sources, syncs report on those connections, rules
belong to tracking plans, versions to functions, group members are workspace users,
audiences belong to spaces.
Fields that link a record to its parent but are not in the API's object are kept under
``PARENT`` and stripped when served. The ``Segment`` vendor declares which dataset hangs off
which (``Dataset.links``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from demo.data.times import fmt_ms
from demo.data.words import DOMAINS, FIRST, LAST
from demo.vendors.segment.access import people, spaces
from demo.vendors.segment.words import DESTINATION_KINDS, EVENTS, FUNCTION_TYPES, WAREHOUSE_KINDS, b62

PARENT = "__parent"  # a parent's id that the API's object does not carry (never served)

#: Record counts (children per parent are drawn from small ranges; ``DemoAPI(extra=...)``).
SIZES: dict[str, int] = {
    "destinations": 70,
    "warehouses": 3,
    "tracking_plans": 4,
    "functions": 10,
    "transformations": 6,
    "users": 24,
    "invites": 5,
    "groups": 4,
    "reverse_etl_models": 4,
    "spaces": 2,
}


class Catalog:
    """One generator drawing a workspace's records in order (``access.Draw``)."""

    def __init__(
        self, rng: random.Random, data: dict[str, list[Any]], workspace_id: str, now: datetime
    ) -> None:
        self.rng, self.data, self.workspace_id, self.now = rng, data, workspace_id, now

    def moment(self, days: float = 30) -> str:
        return fmt_ms(self.now - timedelta(seconds=self.rng.random() * days * 86400))

    def logos(self) -> dict[str, str]:
        return {"default": f"https://cdn.filepicker.io/api/file/{b62(self.rng, 20)}", "mark": "", "alt": ""}

    def person(self, n: int) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return f"{first} {last}", f"{first}.{last}{n}@{self.rng.choice(DOMAINS)}".lower()

    def destinations(self, total: int) -> None:
        sources, rows, subs = self.data["segment_sources"], [], []
        for n in range(total if sources else 0):
            slug, name, category, actions = self.rng.choice(DESTINATION_KINDS)
            source = sources[n % len(sources)] if n < len(sources) else self.rng.choice(sources)
            destination = {
                "id": b62(self.rng, 24),
                "name": f"{name} {n + 1}",
                "enabled": self.rng.random() < 0.8,
                "metadata": {
                    "id": b62(self.rng, 24),
                    "name": name,
                    "slug": slug,
                    "description": f"Send your Segment data to {name}.",
                    "logos": self.logos(),
                    "options": [],
                    "categories": [category],
                    "website": f"https://www.example.com/{slug}",
                    "status": "PUBLIC",
                },
                "sourceId": source["id"],
                "settings": {},
            }
            rows.append(destination)
            for k in range(self.rng.randint(1, 3) if actions else 0):
                event = self.rng.choice(EVENTS)
                subs.append(
                    {
                        "id": b62(self.rng, 22),
                        "name": f"Send {event} {k + 1}",
                        "actionId": b62(self.rng, 22),
                        "actionSlug": "sendEvent",
                        "destinationId": destination["id"],
                        "enabled": True,
                        "settings": {},
                        "trigger": f'type = "track" and event = "{event}"',
                    }
                )
        self.data["segment_destinations"], self.data["segment_destination_subscriptions"] = rows, subs

    def warehouses(self, total: int) -> None:
        sources, rows, links, syncs = self.data["segment_sources"], [], [], []
        for n in range(total):
            slug, name = WAREHOUSE_KINDS[n % len(WAREHOUSE_KINDS)]
            rows.append(
                {
                    "id": b62(self.rng, 22),
                    "metadata": {
                        "id": b62(self.rng, 10),
                        "slug": slug,
                        "name": name,
                        "description": f"{name} as a Segment warehouse.",
                        "logos": self.logos(),
                        "options": [],
                    },
                    "workspaceId": self.workspace_id,
                    "enabled": True,
                    "settings": {"name": f"{name} {n + 1}"},
                }
            )
        for source in sources:  # every source goes to one or two warehouses, or none
            for warehouse in self.rng.sample(rows, min(len(rows), self.rng.choice((0, 1, 1, 2)))):
                links.append({"sourceId": source["id"], "warehouseId": warehouse["id"]})
                for hours in (24, 12):  # the last two syncs of that source
                    start = self.now - timedelta(hours=hours, minutes=self.rng.randint(0, 50))
                    seconds = self.rng.randint(40, 900)
                    failed = self.rng.random() < 0.1
                    syncs.append(
                        {
                            "sourceId": source["id"],
                            "start": fmt_ms(start),
                            "end": fmt_ms(start + timedelta(seconds=seconds)),
                            "status": "FAILED" if failed else "SUCCESS",
                            "duration": seconds * 1000,
                            "humanDuration": f"{seconds // 60}m {seconds % 60}s",
                            "count": 0 if failed else self.rng.randint(100, 90000),
                            "notices": [],
                            PARENT: warehouse["id"],
                        }
                    )
        self.data["segment_warehouses"], self.data["segment_source_warehouses"] = rows, links
        self.data["segment_warehouse_syncs"] = syncs

    def tracking_plans(self, total: int) -> None:
        plans, rules = [], []
        for n in range(total):
            created = self.moment()
            plan = {
                "id": "tp_" + b62(self.rng, 24),
                "name": f"Tracking plan {n + 1}",
                "slug": f"tracking-plan-{n + 1}",
                "description": "Events the web and mobile sources may send.",
                "type": "LIVE" if n else "PROPERTY_LIBRARY",
                "updatedAt": created,
                "createdAt": created,
            }
            plans.append(plan)
            for event in self.rng.sample(EVENTS, self.rng.randint(2, 5)):
                properties = {"revenue": {"type": "number"}} if event == "Order Completed" else {}
                rules.append(
                    {
                        "key": event,
                        "type": "TRACK",
                        "version": 1,
                        "jsonSchema": {"properties": {"context": {}, "traits": {}, "properties": properties}},
                        "createdAt": created,
                        "updatedAt": created,
                        "deprecatedAt": "0001-01-01T00:00:00.000Z",
                        PARENT: plan["id"],
                    }
                )
        self.data["segment_tracking_plans"], self.data["segment_tracking_plan_rules"] = plans, rules

    def functions(self, total: int) -> None:
        functions, versions = [], []
        for n in range(total):
            kind = FUNCTION_TYPES[n % len(FUNCTION_TYPES)]
            author, _ = self.person(n)
            created = self.moment()
            function = {
                "id": "sfnc_" + b62(self.rng, 22),
                "resourceType": kind,
                "createdAt": created,
                "createdBy": b62(self.rng, 27),
                "displayName": f"{kind.title().replace('_', ' ')} function {n + 1}",
                "description": "Enriches events before they leave Segment.",
                "logoUrl": "",
                "catalogId": b62(self.rng, 24),
            }
            functions.append(function)
            count = self.rng.randint(1, 3)
            for k in range(count):
                versions.append(
                    {
                        "id": b62(self.rng, 27),
                        "author": author,
                        "code": f"async function onTrack(event) {{\n  // v{k + 1}\n  return event\n}}\n",
                        "isDeployed": k == count - 1,
                        "createdAt": created,
                        "updatedAt": created,
                        "deployedAt": created,
                        PARENT: function["id"],
                    }
                )
        self.data["segment_functions"], self.data["segment_function_versions"] = functions, versions

    def transformations(self, total: int) -> None:
        sources = self.data["segment_sources"]
        self.data["segment_transformations"] = [
            {
                "id": b62(self.rng, 27),
                "name": f"Rename {event}",
                "sourceId": self.rng.choice(sources)["id"],
                "enabled": self.rng.random() < 0.7,
                "if": f'event = "{event}"',
                "drop": False,
                "newEventName": event.replace(" ", "_").lower(),
                "propertyRenames": [{"oldName": "total", "newName": "revenue"}],
                "propertyValueTransformations": [],
                "fqlDefinedProperties": [],
                "allowProperties": [],
            }
            for event in (self.rng.choice(EVENTS) for _ in range(total if sources else 0))
        ]

    def models(self, total: int) -> None:
        sources = self.data["segment_sources"]
        self.data["segment_reverse_etl_models"] = [
            {
                "id": b62(self.rng, 22),
                "sourceId": self.rng.choice(sources)["id"],
                "name": f"Model {n + 1}",
                "description": "Customers with a lifetime value above 1000.",
                "enabled": True,
                "query": "SELECT id, email, ltv FROM analytics.customers WHERE ltv > 1000",
                "queryIdentifierColumn": "id",
            }
            for n in range(total if sources else 0)
        ]


def generate(
    rng: random.Random,
    data: dict[str, list[Any]],
    workspace_id: str,
    now: datetime,
    sizes: dict[str, int] | None = None,
) -> None:
    """Fill every dataset but the sources and audit events (the sources must be in ``data``)."""
    size = {**SIZES, **(sizes or {})}
    data["segment_workspace"] = [{"id": workspace_id, "slug": "demo-workspace", "name": "Demo Workspace"}]
    catalog = Catalog(rng, data, workspace_id, now)
    catalog.destinations(size["destinations"])
    catalog.warehouses(size["warehouses"])
    catalog.tracking_plans(size["tracking_plans"])
    catalog.functions(size["functions"])
    catalog.transformations(size["transformations"])
    people(catalog, size["users"], size["invites"], size["groups"])
    catalog.models(size["reverse_etl_models"])
    spaces(catalog, size["spaces"])
