"""The rest of a Segment workspace's configuration, drawn by ``generate`` after the catalog.

Shaped as the Public API's objects (``segmentio/public-api-sdk-go`` models, API 73.2.0): the
public catalog of integrations (``SourceMetadataV1``, ``DestinationMetadataV1``,
``WarehouseMetadataV1``), regulations (``RegulationListEntryV1``, the last 90 days) and the
suppressions they made (``SuppressedInner``), each source's schema settings
(``ListSchemaSettingsInSourceV1Output``), destination filters (``DestinationFilterV1``), the
sources connected to each tracking plan (links to ``segment_sources``) and each space's computed
traits (``ComputedTraitSummary``). Names and values are synthetic.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from typing import Any

from demo.data.store import Row
from demo.data.times import fmt_ms
from demo.vendors.segment.words import (
    CATALOG_CATEGORIES,
    CATALOG_WORDS,
    DESTINATION_KINDS,
    EVENTS,
    REGULATION_STATUSES,
    REGULATION_TYPES,
    SOURCE_KINDS,
    WAREHOUSE_KINDS,
    b62,
)

#: What a destination filter does (``DestinationFilterActionV1``).
FILTER_ACTIONS: tuple[dict[str, Any], ...] = (
    {"type": "DROP"},
    {"type": "DROP_PROPERTIES", "fields": {"properties": ["email", "phone"]}},
    {"type": "SAMPLE", "percent": 0.5, "path": "userId"},
)
#: Record counts of the public catalog (230 destinations: two pages of 200) and of regulations.
SIZES = {"catalog_sources": 60, "catalog_destinations": 230, "catalog_warehouses": 8, "regulations": 12}


def schema_settings(source_id: str, strict: bool = False) -> Row:
    """A source's schema settings: Protocols' defaults (everything allowed), unless ``strict``."""
    track = {
        "allowUnplannedEvents": not strict,
        "allowUnplannedEventProperties": not strict,
        "allowEventOnViolations": True,
        "allowPropertiesOnViolations": True,
        "commonEventOnViolations": "ALLOW",
    }
    traits = {"allowUnplannedTraits": True, "allowTraitsOnViolations": True}
    return {
        "sourceId": source_id,
        "settings": {"track": track, "identify": dict(traits), "group": dict(traits)},
    }


class Draw:
    """One generator for the workspace's configuration, in a fixed order."""

    def __init__(self, rng: random.Random, data: dict[str, list[Any]], now: datetime) -> None:
        self.rng, self.data, self.now = rng, data, now

    def moment(self, days: float = 30) -> str:
        return fmt_ms(self.now - timedelta(seconds=self.rng.random() * days * 86400))

    def name(self, n: int, kinds: tuple[Any, ...]) -> tuple[str, str]:
        """The ``n``-th integration's slug and name: the known kinds first, then synthetic ones."""
        if n < len(kinds):
            return kinds[n][0], kinds[n][1]
        word = CATALOG_WORDS[n % len(CATALOG_WORDS)]
        name = f"{word} {self.rng.choice(CATALOG_CATEGORIES)} {n}"
        return name.lower().replace(" ", "-").replace("/", ""), name

    def category(self, n: int, kinds: tuple[Any, ...]) -> str:
        """The ``n``-th integration's category: a known kind's, else a drawn one."""
        return str(kinds[n][2]) if n < len(kinds) else self.rng.choice(CATALOG_CATEGORIES)

    def logos(self) -> dict[str, str]:
        return {"default": f"https://cdn.filepicker.io/api/file/{b62(self.rng, 20)}", "mark": "", "alt": ""}

    def metadata(self, n: int, kinds: tuple[Any, ...], what: str) -> Row:
        slug, name = self.name(n, kinds)
        return {
            "id": b62(self.rng, 10),
            "name": name,
            "slug": slug,
            "description": f"{name} as a Segment {what}.",
            "logos": self.logos(),
            "options": [],
        }

    def public_catalog(self, sizes: dict[str, int]) -> None:
        sources = []
        for n in range(sizes["catalog_sources"]):
            row = self.metadata(n, SOURCE_KINDS, "source")
            extra = {"categories": [self.category(n, SOURCE_KINDS)], "isCloudEventSource": n % 7 == 6}
            sources.append({**row, **extra, "status": "PUBLIC"})
        destinations = []
        for n in range(sizes["catalog_destinations"]):
            row = self.metadata(n, DESTINATION_KINDS, "destination")
            category = self.category(n, DESTINATION_KINDS)
            destinations.append(
                {
                    **row,
                    "status": self.rng.choice(("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC_BETA", "DEPRECATED")),
                    "previousNames": [row["name"]],
                    "categories": [category],
                    "website": f"https://www.example.com/{row['slug']}",
                    "components": [],
                    "supportedFeatures": {"cloudModeInstances": "0", "deviceModeInstances": "0"},
                    "supportedMethods": {"track": True, "identify": True, "page": n % 2 == 0},
                    "supportedPlatforms": {"browser": True, "server": True, "mobile": n % 3 == 0},
                    "actions": [],
                    "presets": [],
                }
            )
        warehouses = [
            self.metadata(n, WAREHOUSE_KINDS, "warehouse") for n in range(sizes["catalog_warehouses"])
        ]
        self.data["segment_catalog_sources"] = sources
        self.data["segment_catalog_destinations"] = destinations
        self.data["segment_catalog_warehouses"] = warehouses

    def regulations(self, total: int) -> None:
        """Requests of the last 90 days; the suppressions are the users of finished SUPPRESS_* ones."""
        rows, suppressed = [], []
        for n in range(total):
            kind = REGULATION_TYPES[n % len(REGULATION_TYPES)]
            status = self.rng.choice(REGULATION_STATUSES)
            created = self.now - timedelta(days=self.rng.uniform(1, 89))
            subjects = [f"user-{b62(self.rng, 8)}" for _ in range(self.rng.randint(1, 3))]
            row = {
                "id": b62(self.rng, 27),
                "subjectType": "USER_ID",
                "subjects": subjects,
                "status": status,
                "createdAt": fmt_ms(created),
                "regulationType": kind,
            }
            if status in ("FINISHED", "FAILED", "PARTIAL_SUCCESS"):
                row["finishedAt"] = fmt_ms(created + timedelta(hours=self.rng.randint(1, 72)))
            rows.append(row)
            if kind.startswith("SUPPRESS") and status == "FINISHED":
                suppressed += subjects
        self.data["segment_regulations"] = rows
        self.data["segment_suppressions"] = [{"subjectType": "USER_ID", "subjectIds": suppressed}]

    def source_settings(self) -> None:
        """Every source's schema settings (Protocols' defaults where the source has no plan)."""
        rows = []
        sources = self.data["segment_sources"]
        for source in sources:
            strict = self.rng.random() < 0.3
            row = schema_settings(source["id"], strict)
            if strict:
                row["settings"]["forwardingViolationsTo"] = self.rng.choice(sources)["id"]
            rows.append(row)
        self.data["segment_source_settings"] = rows

    def destination_filters(self) -> None:
        """Half the destinations (and always the first) have one or two filters."""
        rows: list[Row] = []
        for n, destination in enumerate(self.data["segment_destinations"]):
            for k in range(self.rng.choice((1, 2) if n == 0 else (0, 0, 1, 2))):
                event = self.rng.choice(EVENTS)
                created = self.moment()
                actions = [copy.deepcopy(FILTER_ACTIONS[(k + len(rows)) % len(FILTER_ACTIONS)])]
                rows.append(
                    {
                        "id": b62(self.rng, 27),
                        "sourceId": destination["sourceId"],
                        "destinationId": destination["id"],
                        "if": f'event = "{event}"',
                        "actions": actions,
                        "title": f"Filter {event}",
                        "description": f"Keeps {event} events out of this destination.",
                        "enabled": self.rng.random() < 0.8,
                        "createdAt": created,
                        "updatedAt": created,
                    }
                )
        self.data["segment_destination_filters"] = rows

    def tracking_plan_sources(self) -> None:
        """Every live tracking plan is connected to one to four sources."""
        sources = self.data["segment_sources"]
        links = []
        for plan in self.data["segment_tracking_plans"]:
            if plan["type"] != "LIVE" or not sources:
                continue
            for source in self.rng.sample(sources, min(len(sources), self.rng.randint(1, 4))):
                links.append({"trackingPlanId": plan["id"], "sourceId": source["id"]})
        self.data["segment_tracking_plan_sources"] = links

    def computed_traits(self) -> None:
        rows = []
        for space in self.data["segment_spaces"]:
            for k in range(self.rng.randint(2, 4)):
                event = self.rng.choice(EVENTS)
                created = self.moment()
                rows.append(
                    {
                        "id": "ii_" + b62(self.rng, 24),
                        "spaceId": space["id"],
                        "name": f"{event} count {k + 1}",
                        "description": f"How many {event} events a user sent in 30 days.",
                        "key": f"{event.lower().replace(' ', '_')}_count_{k + 1}",
                        "enabled": True,
                        "definition": {"query": f"event('{event}').count() within 30 days", "type": "users"},
                        "status": self.rng.choice(("Live", "Computing", "Backfilling")),
                        "createdBy": b62(self.rng, 27),
                        "updatedBy": b62(self.rng, 27),
                        "createdAt": created,
                        "updatedAt": created,
                        "options": {"includeHistoricalData": True, "includeAnonymousUsers": k % 2 == 0},
                    }
                )
        self.data["segment_computed_traits"] = rows


def generate(
    rng: random.Random, data: dict[str, list[Any]], now: datetime, sizes: dict[str, int] | None = None
) -> None:
    """Fill the configuration datasets (the catalog's datasets must be in ``data``)."""
    size = {**SIZES, **(sizes or {})}
    draw = Draw(rng, data, now)
    draw.public_catalog(size)
    draw.regulations(size["regulations"])
    draw.source_settings()
    draw.destination_filters()
    draw.tracking_plan_sources()
    draw.computed_traits()
