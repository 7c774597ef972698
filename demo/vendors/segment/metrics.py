"""A Segment workspace's operational metrics, drawn by ``generate`` after the rest of its data.

* Usage (``segment_*_usage``): one snapshot a day, cumulative within its month ("Provides daily
  cumulative API call counts for a usage period", Get Daily Workspace API Calls Usage), for
  every day from the first day of the month ``USAGE_DAYS`` back to today (today's: the day so
  far; Segment's own counts may only come after midnight UTC). Per source, and for the
  workspace: the sum of the sources' API calls, nine tenths of their MTUs (a user seen by two
  sources counts once).
* Event counts: day buckets for the ``DAYS`` days Delivery Overview keeps, today included, kept
  as the first bucket's day (``first``) and one count a day (``counts``; ``series`` spells them
  out as the API does, ``{"time", "count"}``). ``segment_event_volume``: per source, event type
  and event name (track events only have one). ``segment_delivery_overview``: per Delivery
  Overview step (``metric``: the endpoint's last path segment), source, destination, event
  type, event name and discard reason; what a source received is its event volume.

``observability`` answers from these rows.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from demo.data.store import Row
from demo.vendors.segment.words import DISCARD_REASONS, EVENT_TYPES, EVENTS

DAYS = 30  # day buckets kept: Delivery Overview reaches 30 days back
USAGE_DAYS = 60  # usage: from the first day of the month this many days back
SOURCE_STEPS = ("successfully-received", "failed-on-ingest", "filtered-at-source")
DESTINATION_STEPS = ("successful-delivery", "failed-delivery", "filtered-at-destination")


def day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(moment: datetime) -> datetime:
    return day_start(moment).replace(day=1)


def next_month(moment: datetime) -> datetime:
    return (month_start(moment) + timedelta(days=32)).replace(day=1)


def stamp(moment: datetime) -> str:
    """``2025-03-01T00:00:00Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(rng: random.Random, data: dict[str, list[Any]], now: datetime) -> None:
    """Fill the usage, event volume and Delivery Overview datasets (sources and destinations exist)."""
    usage(rng, data, now)
    data["segment_event_volume"] = volume(rng, data["segment_sources"], now)
    data["segment_delivery_overview"] = delivery(rng, data, now)


def usage(rng: random.Random, data: dict[str, list[Any]], now: datetime) -> None:
    today = day_start(now)
    first = month_start(today - timedelta(days=USAGE_DAYS))
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    sources = [(s["id"], rng.randint(200, 20000), rng.randint(20, 800)) for s in data["segment_sources"]]
    calls: list[Row] = []
    users: list[Row] = []
    workspace_calls: list[Row] = []
    workspace_users: list[Row] = []
    running: dict[str, list[int]] = {}
    for day in days:
        if day.day == 1:
            running = {}
        start, end = month_start(day), next_month(day)
        period = {"periodStart": int(start.timestamp()), "periodEnd": int(end.timestamp())}
        total = [0, 0, 0, 0, 0]
        for source_id, rate, audience in sources:
            counts = running.setdefault(source_id, [0, 0, 0, 0, 0])
            counts[0] += int(rate * rng.uniform(0.6, 1.4))
            for k in range(1, 5):
                counts[k] += rng.randint(0, audience // (k + 1))
            total = [a + b for a, b in zip(total, counts, strict=True)]
            calls.append({"sourceId": source_id, "apiCalls": str(counts[0]), "timestamp": stamp(day)})
            users.append({"sourceId": source_id, **period, **mtu(counts[1:]), "timestamp": stamp(day)})
        workspace_calls.append({"apiCalls": str(total[0]), "timestamp": stamp(day)})
        deduplicated = [n * 9 // 10 for n in total[1:]]
        workspace_users.append({**period, **mtu(deduplicated), "timestamp": stamp(day)})
    data["segment_api_calls_usage"], data["segment_workspace_api_calls_usage"] = calls, workspace_calls
    data["segment_mtu_usage"], data["segment_workspace_mtu_usage"] = users, workspace_users


def mtu(counts: list[int]) -> dict[str, str]:
    """``MtuSnapshotV1``'s counts, bigints written as strings."""
    names = ("anonymous", "anonymousIdentified", "identified", "neverIdentified")
    return {name: str(count) for name, count in zip(names, counts, strict=True)}


def buckets(rng: random.Random, now: datetime, base: int, spread: float = 0.5) -> dict[str, Any]:
    """``DAYS`` day buckets ending today, each about ``base`` events."""
    first = day_start(now) - timedelta(days=DAYS - 1)
    return {
        "first": stamp(first),
        "counts": [int(base * rng.uniform(1 - spread, 1 + spread)) for _ in range(DAYS)],
    }


def series(row: Row) -> list[dict[str, Any]]:
    """A row's day buckets as the API writes a series: ``{"time", "count"}``, oldest first."""
    first = datetime.fromisoformat(row["first"].replace("Z", "+00:00"))
    return [{"time": stamp(first + timedelta(days=n)), "count": c} for n, c in enumerate(row["counts"])]


def volume(rng: random.Random, sources: list[Row], now: datetime) -> list[Row]:
    """Each source sends track events (of one to three names) and one to three other types."""
    rows = []
    for source in sources:
        kinds = ["track", *rng.sample(EVENT_TYPES[1:], rng.randint(1, 3))]
        for kind in kinds:
            names: list[str | None] = rng.sample(EVENTS, rng.randint(1, 3)) if kind == "track" else [None]
            for name in names:
                counts = buckets(rng, now, rng.randint(10, 5000))
                rows.append({"sourceId": source["id"], "eventType": kind, "eventName": name, **counts})
    return rows


def step(metric: str, source: str, destination: str | None, event: Row, reason: str | None) -> Row:
    return {
        "metric": metric,
        "sourceId": source,
        "destinationConfigId": destination,
        "eventType": event.get("eventType", "track"),
        "eventName": event.get("eventName"),
        "discardReason": reason,
    }


def delivery(rng: random.Random, data: dict[str, list[Any]], now: datetime) -> list[Row]:
    """What each source received (its volume), dropped and filtered; what each destination got."""
    by_source: dict[str, list[Row]] = {}
    for row in data["segment_event_volume"]:
        by_source.setdefault(row["sourceId"], []).append(row)
    rows = []
    for n, source in enumerate(data["segment_sources"]):
        received = by_source.get(source["id"], [])
        for event in received:
            counts = {"first": event["first"], "counts": list(event["counts"])}
            rows.append({**step("successfully-received", source["id"], None, event, None), **counts})
        for metric in SOURCE_STEPS[1:]:
            rows += losses(rng, now, metric, source["id"], None, least=int(n == 0))
    for n, destination in enumerate(data["segment_destinations"]):
        source_id = destination["sourceId"]
        for event in by_source.get(source_id, []):
            reason = rng.choice(DISCARD_REASONS["successful-delivery"])
            delivered = [int(c * rng.uniform(0.9, 1)) for c in event["counts"]]
            counts = {"first": event["first"], "counts": delivered}
            rows.append(
                {**step("successful-delivery", source_id, destination["id"], event, reason), **counts}
            )
        for metric in DESTINATION_STEPS[1:]:
            rows += losses(rng, now, metric, source_id, destination["id"], least=int(n == 0))
    return rows


def losses(
    rng: random.Random, now: datetime, metric: str, source: str, destination: str | None, least: int = 0
) -> list[Row]:
    """``least`` (none, or for the first source and destination one) to two discard reasons of
    one step, a few track events each: a tap samples a child's first parent for its schema."""
    reasons = rng.sample(DISCARD_REASONS[metric], rng.randint(least, 2))
    return [
        {**step(metric, source, destination, {}, reason), **buckets(rng, now, rng.randint(1, 40), 1)}
        for reason in reasons
    ]
