"""A unit's bookmark: where its window starts, its slices, the bookmark a completed slice (or, for
records oldest first, a page) leaves, a replication key's largest value, compared safely, and
the filter that keeps records not after the bookmark out.

A windowed stream's bookmark is its window's end (`window_end`); a record-keyed stream's is
the largest value of the key seen (`KeyMax`). Values are compared as the API wrote them,
with three rules a plain `>` lacks: numbers with numbers (a numeric string too), date-time
strings as instants (whatever their offset), other strings as text. Two values that cannot
be compared (a string and a number, an object) are an error naming the stream and the key,
never a `TypeError` traceback. The SDK's `increment_state`/`finalize_state` are not used:
they compare with `>` and, for unsorted streams, replace a bookmark with a smaller value
when a run sees only older records. A record's key is compared with the bookmark by the same
rules (`KeyFilter`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_restspec.errors import StreamError
from tap_restspec.expr import dates
from tap_restspec.extract.window import Window, make_window, slices
from tap_restspec.model.spec import Schedule
from tap_restspec.sync.host import UnitHost
from tap_restspec.sync.share import runs_here

LOGGER = logging.getLogger("tap-restspec")
WINDOW_KEY = "window_end"
EPOCH_UNITS = {"epoch": 1, "epoch_ms": 1000}  # a schedule format that makes a numeric key Unix time


def _order(value: Any) -> tuple[int, Any] | None:
    """A sort key: (kind, comparable value); None for a value no bookmark can hold."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return (0, float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:
            pass
        try:
            return (1, dates.parse_datetime(text))
        except ValueError:
            return (2, value)
    return None


class KeyMax:
    """The largest replication-key value of one unit: the bookmark it started from, then its records."""

    def __init__(self, stream: str, key: str, start: Any = None) -> None:
        self.stream = stream
        self.key = key
        self.value: Any = None
        self._order: tuple[int, Any] | None = None
        self._floor: tuple[int, Any] | None = None  # the largest key when the last page was done
        self.unsorted = False  # a record came below a written page's largest key
        if start is not None:
            self.offer(start, "the state's bookmark")

    def offer(self, value: Any, where: str = "a record") -> bool:
        """Take `value` if it is later than the largest so far; True when it was taken."""
        if value is None:
            return False
        if self.value is not None and isinstance(value, str) and value == self.value:
            return False
        order = _order(value)
        if order is None:
            raise StreamError(
                f"stream {self.stream}: replicationKey {self.key!r} of {where} is "
                f"{str(value)[:60]!r}, which cannot be a bookmark (a string, number or date-time is)"
            )
        current = self._order
        if current is not None and order[0] != current[0]:
            raise StreamError(
                f"stream {self.stream}: replicationKey {self.key!r} values cannot be compared: "
                f"{str(self.value)[:60]!r} and {str(value)[:60]!r} (from {where}); make every value "
                "of the key one kind (all date-times, all numbers or all text)"
            )
        if self._floor is not None and order[0] == self._floor[0] and order[1] < self._floor[1]:
            self.unsorted = True
        if current is None or order[1] > current[1]:
            self.value, self._order = value, order
            return True
        return False

    def page_done(self) -> None:
        """A page was written: a later record below the largest key so far shows the API does not
        return records oldest first (`unsorted`).
        """
        self._floor = self._order


def stored(stream: UnitHost, context: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of this unit's state; `{}` for a child pass of a full-table stream, which keeps none
    (it would add an entry per parent record to every STATE message: contract, "Traffic").
    """
    if not stream.plan.spec.incremental and stream.parent is not None:
        return {}
    if context and not runs_here(stream, context):  # another shard's unit, sampled here for the schema
        return {}
    with stream.run.state_lock:  # reading adds the partition's entry to the state
        return dict(stream.get_context_state(dict(context) if context else None))


def bookmark(stream: UnitHost, context: Mapping[str, Any] | None) -> datetime | None:
    """The window start the state gives this unit: our window end, a bare Singer bookmark, or a
    replication key's value (a date-time, or Unix time under an `epoch` format).
    """
    state = stored(stream, context)
    spec = stream.plan.spec
    if spec.replication_key:
        value = (
            state.get("replication_key_value")
            if state.get("replication_key") == spec.replication_key
            else None
        )
        if value is None:
            return None
    elif state.get("replication_key", WINDOW_KEY) == WINDOW_KEY and state.get("replication_key_value"):
        value = state["replication_key_value"]
    else:
        return None
    moment = instant(value, spec.schedule)
    if moment is None:
        LOGGER.warning("Stream %s: bookmark %r is not a date-time; ignoring it", stream.plan.name, value)
    return moment


def instant(value: Any, schedule: Schedule | None) -> datetime | None:
    """A bookmark as a moment: a date-time string, or a number when the schedule's format is Unix
    time (`epoch`, `epoch_ms`: Stripe's `created`); None for anything else.
    """
    unit = EPOCH_UNITS.get(schedule.param_format) if schedule is not None else None
    order = _order(value)
    if order is not None and order[0] == 0 and unit:
        try:
            return datetime.fromtimestamp(order[1] / unit, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    return order[1] if order is not None and order[0] == 1 else None


def windows(stream: UnitHost, context: Mapping[str, Any] | None, *, said: bool = True) -> list[Window]:
    """The slices this unit reads; [] when the bookmark is already past the window's end.

    `said=False` (the schema's sample, which the sync's own call follows): the INFO lines are not
    written, so a run says each window once.
    """
    plan = stream.plan
    settings, spec, name = plan.settings, plan.spec, plan.name
    if spec.schedule is None:
        return [Window(None, plan.now.replace(microsecond=0))]
    start = bookmark(stream, context)
    window = make_window(
        bookmark=start,
        start_date=settings.start_date,
        end_date=settings.end_date,
        lookback_seconds=settings.lookback,
        now=plan.now,
    )
    where = f" {dict(context)}" if context else ""
    if start is not None and start > window.end:
        LOGGER.warning(
            "Stream %s%s: the bookmark %s is later than the window's end %s; nothing to read, "
            "the bookmark stays",
            name,
            where,
            dates.to_iso(start),
            dates.to_iso(window.end),
        )
        return []
    span = f"{dates.to_iso(window.start) if window.start else '(beginning)'} .. {dates.to_iso(window.end)}"
    if window.empty:
        if said:
            LOGGER.info("Stream %s%s: the window %s is empty; nothing to read", name, where, span)
        return []
    step = plan.window_step
    parts = slices(window, step)
    sliced = f" in {len(parts)} slices of {step.text}" if step and len(parts) > 1 else ""
    if said:
        LOGGER.info("Stream %s%s: window %s%s", name, where, span, sliced)
    return parts


def record_key_start(stream: UnitHost, context: Mapping[str, Any] | None) -> KeyMax | None:
    """The largest replication-key value so far: the state's, then every record's."""
    key = stream.plan.spec.replication_key
    if not key:
        return None
    state = stored(stream, context)
    start = state.get("replication_key_value") if state.get("replication_key") == key else None
    return KeyMax(stream.plan.name, key, start)


class KeyFilter:
    """The records a unit emits: those whose replication key is after the bookmark it started from,
    less `lookback_window` (contract, 2026-12-07: the API may not filter at all). A record whose key
    is missing, or of another kind than the bookmark, is kept (`KeyMax` then names the problem).
    """

    def __init__(self, key: str, threshold: tuple[int, Any]) -> None:
        self.key = key
        self.threshold = threshold
        self.dropped = 0

    def split(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
        """The records to emit, and whether the page held records all of which were not after."""
        kind, limit = self.threshold
        kept = []
        for record in records:
            order = _order(record.get(self.key))
            if order is None or order[0] != kind or order[1] > limit:
                kept.append(record)
        dropped = len(records) - len(kept)
        self.dropped += dropped
        return kept, dropped > 0 and not kept


def key_filter(stream: UnitHost, context: Mapping[str, Any] | None) -> KeyFilter | None:
    """The filter of a unit with a replication key and a bookmark in the state; else None."""
    spec = stream.plan.spec
    key = spec.replication_key
    if not key:
        return None
    state = stored(stream, context)
    value = state.get("replication_key_value") if state.get("replication_key") == key else None
    order = _order(value)
    if order is None:
        return None
    lookback = stream.plan.settings.lookback
    kind, limit = order
    if lookback > 0 and kind == 1:
        try:
            limit = limit - timedelta(seconds=lookback)
        except OverflowError:
            limit = datetime.min.replace(tzinfo=timezone.utc)
    elif lookback > 0 and kind == 0 and instant(value, spec.schedule) is not None:
        limit = limit - lookback * EPOCH_UNITS[spec.schedule.param_format if spec.schedule else "epoch"]
    return KeyFilter(key, (kind, limit))


def report_filtered(stream: UnitHost) -> None:
    """The one INFO line a run of how many records a stream's key filter kept out."""
    count = stream.run.not_after
    if count:
        LOGGER.info(
            "Stream %s: %d record%s whose %s is not after the bookmark (less lookback_window) %s not emitted",
            stream.plan.name,
            count,
            "" if count == 1 else "s",
            stream.plan.spec.replication_key,
            "was" if count == 1 else "were",
        )


def checkpoint(stream: UnitHost, context: dict[str, Any] | None, tracker: KeyMax) -> bool:
    """Records oldest first: after a page, the bookmark moves to the largest key written and a
    STATE goes out, so a run that dies resumes after the last page written. False once a page
    showed the API does not sort (a WARNING; the bookmark then moves only when the pass ends).
    """
    if tracker.unsorted:
        stream.run.warn_once(
            "unsorted",
            f"Stream {stream.plan.name}: records are not oldest first by {tracker.key} "
            "(singer.recordOrder says they are); the bookmark now moves only when a pass ends",
        )
        return False
    tracker.page_done()
    if tracker.value is not None:
        with stream.run.state_lock:
            state = stream.get_context_state(context)
            state["replication_key"] = tracker.key
            state["replication_key_value"] = tracker.value
        stream.run.write_state()
    return True


def finish_slice(
    stream: UnitHost, context: dict[str, Any] | None, window: Window, tracker: KeyMax | None
) -> None:
    """Move the bookmark past a completed slice and write the state (full-table streams keep none)."""
    run = stream.run
    if stream.plan.spec.windowed:
        with run.state_lock:
            state = stream.get_context_state(context)
            state["replication_key"] = WINDOW_KEY
            state["replication_key_value"] = dates.to_iso(window.end)
        LOGGER.info("Stream %s: bookmark moves to %s", stream.plan.name, state["replication_key_value"])
    elif tracker is not None and tracker.value is not None:
        with run.state_lock:
            state = stream.get_context_state(context)
            state["replication_key"] = tracker.key
            state["replication_key_value"] = tracker.value
    elif stream.parent is None:  # a full-table partition is listed in the state, with no bookmark
        with run.state_lock:
            stream.get_context_state(context)
    else:
        return
    run.write_state()
