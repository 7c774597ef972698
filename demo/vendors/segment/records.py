"""The records a tick changes in a Segment workspace: sources, and the audit trail of events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo.data.store import Row
from demo.data.times import fmt_ms
from demo.data.words import person
from demo.vendors.segment.words import AUDIT_TYPES, SOURCE_KINDS, b62


def source(rng: random.Random, n: int, workspace_id: str) -> Row:
    """The ``n``-th source (``SourceV1``), in the workspace."""
    slug, kind_name, category = rng.choice(SOURCE_KINDS)
    return {
        "id": b62(rng, 22),
        "slug": f"{slug}-{n + 1}",
        "name": f"{kind_name} source {n + 1}",
        "workspaceId": workspace_id,
        "enabled": rng.random() < 0.85,
        "writeKeys": [b62(rng, 32)],
        "metadata": {
            "id": b62(rng, 10),
            "slug": slug,
            "name": kind_name,
            "categories": [category],
            "description": f"Send events from {kind_name} to Segment.",
            "logos": {
                "default": f"https://cdn.filepicker.io/api/file/{b62(rng, 20)}",
                "mark": "",
                "alt": "",
            },
            "options": [],
            "isCloudEventSource": False,
        },
        "settings": {},
        "labels": [{"key": "environment", "value": rng.choice(["prod", "dev", "staging"])}],
    }


def audit_event(rng: random.Random, n: int, created: datetime, sources: list[Row]) -> Row:
    """The ``n``-th audit event (``AuditEventV1``), about one of the sources, at ``created``."""
    source = rng.choice(sources) if sources else None
    actor_first, actor_last, actor_email = person(rng, n % 7, tag="a")
    moment = created + timedelta(milliseconds=rng.randint(0, 999))
    return {
        "id": b62(rng, 27),
        "timestamp": fmt_ms(moment),
        "type": rng.choice(AUDIT_TYPES),
        "actor": f"{actor_first} {actor_last}",
        "actorEmail": actor_email,
        "resourceId": source["id"] if source else b62(rng, 22),
        "resourceType": "Source",
        "resourceName": source["name"] if source else "Source",
    }


def touch_source(row: Row) -> None:
    """An update: the source is turned on or off, and its name says so."""
    row["enabled"] = not row["enabled"]
    row["name"] = row["name"].split(" (")[0] + f" ({'on' if row['enabled'] else 'off'})"


def event_about(event: Row, source: Row, kind: str, moment: datetime) -> Row:
    """An audit event made about ``source`` at ``moment``."""
    event["resourceId"] = source["id"]
    event["resourceName"] = source["name"]
    event["type"] = kind
    event["timestamp"] = fmt_ms(moment)
    return event
