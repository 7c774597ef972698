"""One unit of work: a stream for one partition (or the whole stream), through its window's slices.

The unit reads its bookmark, makes its window, and runs one pass per slice; after each
slice the bookmark moves to the slice's end and a STATE message goes out, so a run
that dies part-way resumes at the next slice. Records get the partition's values,
are checked for their primary keys, emitted, and handed to child streams.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import AbortedSyncPausedException

from tap_restspec.errors import StreamError
from tap_restspec.expr import dates
from tap_restspec.expr.template import as_text
from tap_restspec.extract.passes import missing_warning
from tap_restspec.extract.window import Window, make_window, slices
from tap_restspec.sync.bookmarks import KeyMax

if TYPE_CHECKING:
    from tap_restspec.stream import SpecStream

LOGGER = logging.getLogger("tap-restspec")
WINDOW_KEY = "window_end"


def stored(stream: SpecStream, context: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of this unit's state; `{}` for a child pass of a full-table stream, which keeps none
    (it would add an entry per parent record to every STATE message: contract, "Traffic").
    """
    if not stream.spec.incremental and stream.parent is not None:
        return {}
    with stream.run.state_lock:  # reading adds the partition's entry to the state
        return dict(stream.get_context_state(dict(context) if context else None))


def bookmark(stream: SpecStream, context: Mapping[str, Any] | None) -> datetime | None:
    """The window start the state gives this unit: our window end, a bare Singer bookmark, or a
    replication key's value (when it is a date-time).
    """
    state = stored(stream, context)
    spec = stream.spec
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
    try:
        return dates.parse_datetime(str(value))
    except ValueError:
        LOGGER.warning("Stream %s: bookmark %r is not a date-time; ignoring it", stream.name, value)
        return None


def windows(stream: SpecStream, context: Mapping[str, Any] | None) -> list[Window]:
    """The slices this unit reads; [] when the bookmark is already past the window's end."""
    settings, spec = stream.settings, stream.spec
    if spec.schedule is None:
        return [Window(None, stream.now.replace(microsecond=0))]
    start = bookmark(stream, context)
    window = make_window(
        bookmark=start,
        start_date=settings.start_date,
        end_date=settings.end_date,
        lookback_seconds=settings.lookback,
        now=stream.now,
    )
    where = f" {dict(context)}" if context else ""
    if start is not None and start > window.end:
        LOGGER.warning(
            "Stream %s%s: the bookmark %s is later than the window's end %s; nothing to read, "
            "the bookmark stays",
            stream.name,
            where,
            dates.to_iso(start),
            dates.to_iso(window.end),
        )
        return []
    span = f"{dates.to_iso(window.start) if window.start else '(beginning)'} .. {dates.to_iso(window.end)}"
    if window.empty:
        LOGGER.info("Stream %s%s: the window %s is empty; nothing to read", stream.name, where, span)
        return []
    step = settings.window_step or spec.window_step
    parts = slices(window, step)
    sliced = f" in {len(parts)} slices of {step.text}" if step and len(parts) > 1 else ""
    LOGGER.info("Stream %s%s: window %s%s", stream.name, where, span, sliced)
    return parts


def run_unit(
    stream: SpecStream, context: Mapping[str, Any] | None, *, write_messages: bool = True
) -> Iterator[dict[str, Any]]:
    """Every record of one unit, emitted (when selected and `write_messages`) and yielded.

    Each slice's bookmark moves only when its pass ended on evidence that the API has no more;
    a pass cut by `maximumRequest` ends the unit there (contract, "End of data").
    """
    spec = stream.spec
    run = stream.run
    selected = stream.selected and write_messages
    state_context = dict(context) if context else None
    values = stream.values_for(context)
    added = {k: as_text(v) for k, v in (context or {}).items()}
    keys = spec.primary_keys
    tracker = record_key_start(stream, context) if selected else None
    children = bool(stream.children)
    limit = stream.ABORT_AT_RECORD_COUNT  # the SDK's dry run (its test harness) caps every stream
    counted = 0
    emit = stream.emitter.emit if selected else None
    with stream.get_record_counter() as counter, stream.get_http_request_counter() as http:
        counter.with_context(state_context)
        http.with_context(state_context)
        for window in windows(stream, context):
            slice_pass = stream.pass_for(values, window)
            for page in slice_pass.pages(stream.fetch, run.shared.ahead):
                http.increment()
                if page.missing:
                    run.warn_once("missing", missing_warning(spec, page))
                raw = page.raw
                if None in raw:
                    run.warn_once(
                        "nulls", f"Stream {spec.name}: null elements in the content array are skipped"
                    )
                extracted_at = run.clock()
                count = 0
                records = list(stream.extractor.records(raw))
                for record in records:
                    for name, value in added.items():
                        if name not in record:
                            record[name] = value
                    for key in keys:
                        if record.get(key) is None:
                            raise StreamError(missing_key(spec.name, key, record))
                if emit is not None:
                    stream.emitter.fit_page(records)  # at most one SCHEMA for the page
                for record in records:
                    if emit is not None:
                        emit(record, extracted_at, fitted=True)
                        if tracker is not None:
                            tracker.offer(record.get(tracker.key))
                    if children:
                        run.offer_children(stream, record)
                    count += 1
                    if limit is not None and count + counted >= limit:
                        counter.increment(count)
                        raise AbortedSyncPausedException(
                            f"stream {spec.name}: stopped at {limit} records (dry run)"
                        )
                    yield record
                counter.increment(count)
                counted += count
            if slice_pass.cut:
                cut_slice(stream, context, window)
                return
            if selected:
                finish_slice(stream, state_context, window, tracker)


def missing_key(stream: str, key: str, record: Mapping[str, Any]) -> str:
    """The error for a record whose primary key is missing or null."""
    if key in record:
        return f"stream {stream}: a record's primary key {key!r} is null (singer.primaryKeys)"
    return (
        f"stream {stream}: a record has no primary key {key!r} "
        f"(singer.primaryKeys); its keys: {', '.join(sorted(record))[:200]}"
    )


def record_key_start(stream: SpecStream, context: Mapping[str, Any] | None) -> KeyMax | None:
    """The largest replication-key value so far: the state's, then every record's."""
    key = stream.spec.replication_key
    if not key:
        return None
    state = stored(stream, context)
    start = state.get("replication_key_value") if state.get("replication_key") == key else None
    return KeyMax(stream.name, key, start)


def cut_slice(stream: SpecStream, context: Mapping[str, Any] | None, window: Window) -> None:
    """A slice whose pass was cut: the unit ends, its bookmark stays, the stream is incomplete."""
    where = f" {dict(context)}" if context else ""
    limit = stream.spec.pagination.maximum_request
    if stream.spec.incremental:
        start = dates.to_iso(window.start) if window.start else "the beginning"
        meaning = f"the bookmark stays at {start}, and the next run reads from there again"
    elif stream.settings.activate_versions and stream.selected:
        meaning = "deletions are not applied this run (no ACTIVATE_VERSION)"
    else:
        meaning = "the rest is not read"
    LOGGER.warning(
        "Stream %s%s: stopped after maximumRequest=%d requests; more pages may exist, so %s",
        stream.name,
        where,
        limit,
        meaning,
    )
    stream.run.mark_cut(f"cut by maximumRequest={limit}")


def finish_slice(
    stream: SpecStream, context: dict[str, Any] | None, window: Window, tracker: KeyMax | None
) -> None:
    """Move the bookmark past a completed slice and write the state (full-table streams keep none)."""
    run = stream.run
    if stream.spec.windowed:
        with run.state_lock:
            state = stream.get_context_state(context)
            state["replication_key"] = WINDOW_KEY
            state["replication_key_value"] = dates.to_iso(window.end)
        LOGGER.info("Stream %s: bookmark moves to %s", stream.name, state["replication_key_value"])
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
