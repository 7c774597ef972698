"""Segment's operational metrics endpoints: usage, event volume and Delivery Overview.

https://docs.segmentapis.com (tags API Calls, Monthly Tracked Users, Events, Delivery Overview):

* ``GET /usage/api-calls/daily``, ``/usage/api-calls/sources/daily``, ``/usage/mtu/daily``,
  ``/usage/mtu/sources/daily``: ``period`` (required, "the start of the usage month",
  ``2021-02-01``) picks a month; the answer lists that month's daily cumulative snapshots.
* ``GET /events/volume``: ``granularity`` (``DAY``, ``HOUR``, ``MINUTE``), ``startTime``
  (inclusive), ``endTime`` (exclusive), all required; ``groupBy`` (``eventName``, ``eventType``,
  ``source``) and the filters ``sourceId``, ``eventName``, ``eventType``, ``appVersion`` are
  lists, sent as ``groupBy.0=eventType`` (the Go SDK's form; ``groupBy`` repeated is taken
  too). ``data.result``: one entry a group, ordered by its total, each with its ``series``.
* ``GET /delivery-overview/<step>``: ``sourceId`` (and, for the three destination steps,
  ``destinationConfigId``), ``startTime``, ``endTime``, ``granularity`` required; ``groupBy`` as
  above, among the step's own dimensions. ``data.dataset``, ``data.total``.

Time ranges are those Delivery Overview documents per granularity (``GRANULARITY``): at most
4 hours of minutes starting in the last 48 hours, 14 days of hours or 30 days of days starting
in the last 30 days; event volume documents none, and the demo holds it to the same. A bucket
is answered when it overlaps the range; the demo keeps day buckets and splits a day evenly into
hours and minutes. ``filter`` (Delivery Overview) is not modelled; ``pagination.count`` is
required, as on every Segment list of the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from demo.core.messages import Reply, Request, json_reply
from demo.data.store import Row
from demo.data.times import parse_time
from demo.rest.paging import Cursor, Page
from demo.rest.vendor import Vendor
from demo.vendors.segment.metrics import day_start, next_month, series, stamp

#: A group's fields in the answer, from one dimension and its value.
Label = Callable[[str, Any], dict[str, Any]]
PAGING = Cursor("pagination.count", "pagination.cursor", hi=1000)
DAY = timedelta(days=1)
#: granularity: (bucket, longest range, oldest start), as Delivery Overview documents them.
GRANULARITY = {
    "MINUTE": (timedelta(minutes=1), timedelta(hours=4), timedelta(hours=48)),
    "HOUR": (timedelta(hours=1), timedelta(days=14), timedelta(days=30)),
    "DAY": (DAY, timedelta(days=30), timedelta(days=30)),
}


EVENT_DIMENSIONS = ("eventName", "eventType", "source")
FILTERS = ("sourceId", "eventName", "eventType", "appVersion")  # event volume's list filters
#: Each step's ``groupBy`` options (the Go SDK's doc comments).
SOURCE_DIMENSIONS = ("eventName", "eventType", "discardReason", "appVersion")
DESTINATION_DIMENSIONS = (*SOURCE_DIMENSIONS, "subscriptionId", "activationId", "audienceId", "spaceId")
STEPS = {  # path: (needs a destination, groupBy options)
    "successfully-received": (False, ("eventName", "eventType", "appVersion")),
    "failed-on-ingest": (False, SOURCE_DIMENSIONS),
    "filtered-at-source": (False, SOURCE_DIMENSIONS),
    "successful-delivery": (True, DESTINATION_DIMENSIONS),
    "failed-delivery": (True, DESTINATION_DIMENSIONS),
    "filtered-at-destination": (True, DESTINATION_DIMENSIONS),
}


def spoken(span: timedelta) -> str:
    """``4 hours``, ``30 days``."""
    return f"{span.days} days" if span.days else f"{span.seconds // 3600} hours"


def values(request: Request, name: str) -> list[str]:
    """A list parameter: ``name.0``, ``name.1``, ... in order, else ``name`` (repeated) or ``name[]``."""
    indexed = sorted(
        (int(key.split(".", 1)[1]), value[-1])
        for key, value in request.query.items()
        if key.startswith(f"{name}.") and key.split(".", 1)[1].isdigit()
    )
    return [v for _, v in indexed] or list(request.query.get(name) or request.query.get(f"{name}[]") or [])


def pagination(page: Page) -> dict[str, Any]:
    return {"current": page.current, "next": page.next, "previous": page.previous, "totalEntries": page.total}


@dataclass(frozen=True)
class Frame:
    """A request's buckets: their size and the range they overlap."""

    step: timedelta
    start: datetime
    end: datetime

    def buckets(self) -> list[datetime]:
        """Every bucket start whose bucket overlaps [start, end)."""
        first = day_start(self.start)
        first += self.step * ((self.start - first) // self.step)
        out = []
        while first < self.end:
            out.append(first)
            first += self.step
        return out

    def count(self, days: dict[str, int], bucket: datetime) -> int:
        """Events in one bucket: a day's count, split evenly into hours and minutes."""
        count = days.get(stamp(day_start(bucket)), 0)
        if self.step >= DAY:
            return count
        hour, rest = divmod(count, 24)
        count = hour + (1 if bucket.hour < rest else 0)
        if self.step >= timedelta(hours=1):
            return count
        minute, rest = divmod(count, 60)
        return minute + (1 if bucket.minute < rest else 0)


class Observability:
    """The metrics endpoints' answers over the vendor's store; ``clock`` is the demo's now."""

    def __init__(self, vendor: Vendor, clock: Callable[[], datetime]) -> None:
        self.vendor = vendor
        self.store = vendor.store
        self.clock = clock

    # ---------------------------------------------------------------- usage

    def by_period(self, request: Request, rows: list[Row]) -> list[Row]:
        """The snapshots of the month that ``period`` starts."""
        raw = request.q("period")
        if not raw:
            raise self.vendor.invalid("period", "period is required")
        try:
            start = parse_time(raw)
        except ValueError:
            raise self.vendor.invalid("period", "period must be an ISO 8601 date") from None
        if start != start.replace(day=1, hour=0, minute=0, second=0, microsecond=0):
            raise self.vendor.invalid("period", "period must be the first day of a month (2021-02-01)")
        first, last = stamp(start), stamp(next_month(start))
        return [r for r in rows if first <= r["timestamp"] < last]

    # ---------------------------------------------------------------- time frames

    def frame(self, request: Request) -> Frame:
        """granularity, startTime and endTime, checked against the limits of ``GRANULARITY``."""
        invalid = self.vendor.invalid
        granularity = (request.q("granularity") or "").upper()
        if granularity not in GRANULARITY:
            raise invalid("granularity", "granularity must be one of DAY, HOUR, MINUTE")
        step, longest, oldest = GRANULARITY[granularity]
        start, end = self.moment(request, "startTime"), self.moment(request, "endTime")
        if end <= start:
            raise invalid("endTime", "endTime must be after startTime")
        if end - start > longest:
            raise invalid(
                "startTime", f"the time range of {granularity} granularity is at most {spoken(longest)}"
            )
        if start < self.clock() - oldest:
            message = f"startTime of {granularity} granularity is at most {spoken(oldest)} in the past"
            raise invalid("startTime", message)
        return Frame(step, start, end)

    def moment(self, request: Request, name: str) -> datetime:
        raw = request.q(name)
        if not raw:
            raise self.vendor.invalid(name, f"{name} is required")
        try:
            return parse_time(raw)
        except ValueError:
            raise self.vendor.invalid(name, f"{name} must be a valid ISO 8601 date-time") from None

    def group_by(self, request: Request, options: tuple[str, ...]) -> list[str]:
        dimensions = values(request, "groupBy")
        for dimension in dimensions:
            if dimension not in options:
                raise self.vendor.invalid("groupBy", f"groupBy must be among {', '.join(options)}")
        return dimensions

    def groups(
        self, rows: list[Row], dimensions: list[str], frame: Frame, label: Label
    ) -> list[dict[str, Any]]:
        """One entry per group of rows: its dimensions, its total and its series, largest first."""
        buckets = frame.buckets()
        merged: dict[tuple[Any, ...], list[int]] = {}
        for row in rows:
            key = tuple(row.get(d) for d in dimensions)
            days = {b["time"]: b["count"] for b in series(row)}
            counts = merged.setdefault(key, [0] * len(buckets))
            for n, bucket in enumerate(buckets):
                counts[n] += frame.count(days, bucket)
        entries = []
        for key, counts in merged.items():
            entry: dict[str, Any] = {}
            for dimension, value in zip(dimensions, key, strict=True):
                entry.update(label(dimension, value))
            spelt = [{"time": stamp(b), "count": c} for b, c in zip(buckets, counts, strict=True)]
            entries.append({**entry, "total": sum(counts), "series": spelt})
        entries.sort(key=lambda e: (-e["total"], repr(sorted((k, str(v)) for k, v in e.items()))))
        return entries

    # ---------------------------------------------------------------- event volume

    def event_volume(self, request: Request) -> Reply:
        frame = self.frame(request)
        dimensions = self.group_by(request, EVENT_DIMENSIONS)
        wanted = {name: values(request, name) for name in FILTERS}
        cursor = PAGING.read(request, self.vendor)
        with self.store.lock:
            sources = {s["id"]: s for s in self.store.rows("segment_sources")}
            rows = [r for r in self.store.rows("segment_event_volume") if matches(r, wanted)]
            rows = [{**r, "source": r["sourceId"]} for r in rows]

            def label(dimension: str, value: Any) -> dict[str, Any]:
                if dimension == "source":
                    source = sources.get(value, {"id": value})
                    return {"source": {k: source[k] for k in ("id", "name", "slug") if k in source}}
                return {} if value is None else {dimension: value}

            page = PAGING.cut(self.groups(rows, dimensions, frame, label), cursor)
            workspace = self.store.rows("segment_workspace")[0]["id"]
        query: dict[str, Any] = {
            "workspaceId": workspace,
            "granularity": request.q("granularity"),
            "startTime": request.q("startTime"),
            "endTime": request.q("endTime"),
        }
        query.update({k: v for k, v in (("groupBy", dimensions), *wanted.items()) if v})
        body = {"path": "/observability/event_volume/v2.json", "query": query, "result": page.rows}
        return json_reply({"data": {**body, "pagination": pagination(page)}})

    # ---------------------------------------------------------------- Delivery Overview

    def delivery(self, metric: str) -> Callable[[Request], Reply]:
        """The answer of ``GET /delivery-overview/<metric>``."""
        needs_destination, options = STEPS[metric]

        def answer(request: Request) -> Reply:
            source_id = self.required(request, "sourceId")
            destination_id = self.required(request, "destinationConfigId") if needs_destination else None
            frame = self.frame(request)
            dimensions = self.group_by(request, options)
            cursor = PAGING.read(request, self.vendor)
            with self.store.lock:
                self.known("segment_sources", source_id, request)
                if destination_id is not None:
                    self.known("segment_destinations", destination_id, request, sourceId=source_id)
                rows = [
                    r
                    for r in self.store.rows("segment_delivery_overview")
                    if r["metric"] == metric
                    and r["sourceId"] == source_id
                    and r["destinationConfigId"] == destination_id
                ]
                entries = self.groups(rows, dimensions, frame, lambda d, v: {d: v})
                page = PAGING.cut(entries, cursor)
            data = {"total": sum(e["total"] for e in entries), "dataset": page.rows}
            return json_reply({"data": {**data, "pagination": pagination(page)}})

        return answer

    def required(self, request: Request, name: str) -> str:
        value = request.q(name)
        if not value:
            raise self.vendor.invalid(name, f"{name} is required")
        return value

    def known(self, dataset: str, row_id: str, request: Request, **fields: str) -> None:
        """Segment's 404 unless a row of ``dataset`` has that id (and those fields)."""
        for row in self.store.rows(dataset):
            if row.get("id") == row_id and all(row.get(k) == v for k, v in fields.items()):
                return
        raise self.vendor.not_found(request.route)


def matches(row: Row, wanted: dict[str, list[str]]) -> bool:
    """A row passes every list filter that was given."""
    return all(not allowed or row.get(name) in allowed for name, allowed in wanted.items())
