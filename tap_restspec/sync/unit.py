"""One unit of work: a stream for one partition (or parent record, or the whole stream), through
its window's slices.

The unit reads its bookmark, makes its window, and runs one pass per slice; after each
slice the bookmark moves to the slice's end and a STATE message goes out, so a run
that dies part-way resumes at the next slice. Records get the partition's values,
are checked for their primary keys, emitted, and handed to child streams. A pass cut
by `maximumRequest` ends the unit and marks the stream's `Outcome` cut.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from operator import methodcaller
from typing import Any

from singer_sdk.exceptions import AbortedSyncPausedException

from tap_restspec.errors import StreamError, UserError
from tap_restspec.expr import dates
from tap_restspec.expr.template import as_text
from tap_restspec.extract.passes import missing_warning
from tap_restspec.extract.window import Window
from tap_restspec.http.client import SkippedAnswer, Stopped
from tap_restspec.model.spec import NEWEST_FIRST, OLDEST_FIRST
from tap_restspec.redact import REDACTOR
from tap_restspec.sync.bookmarks import checkpoint, finish_slice, key_filter, record_key_start, windows
from tap_restspec.sync.children import offer_children
from tap_restspec.sync.host import UnitHost

LOGGER = logging.getLogger("tap-restspec")


def unit_pages(
    stream: UnitHost, context: dict[str, Any] | None, write_messages: bool
) -> Iterator[list[dict[str, Any]]]:
    """One unit's records, a page at a time; when the scheduler drives the run, its failure is
    recorded for the run's end (the other units go on), else it is raised (the SDK's own `sync()`).
    """
    run = stream.run
    scheduled = run.shared.submit is not None
    try:
        yield from run_unit(stream, context, write_messages=write_messages)
    except Stopped:
        run.outcome.failed = True
        if not scheduled:
            raise
    except SkippedAnswer as skip:
        skipped_pass(stream, context, skip)
    except UserError as exc:
        run.outcome.failed = True
        if not scheduled:
            raise
        where = f" (partition {context})" if context else ""
        for line in exc.lines:
            text = REDACTOR.redact(line + where)
            LOGGER.error("%s", text)
            run.shared.failures.append(text)
    except Exception:
        run.outcome.failed = True
        if not scheduled:
            raise
        name = stream.plan.name
        LOGGER.exception("Stream %s: unexpected error", name)
        run.shared.failures.append(f"stream {name}: unexpected error (see the log above)")


def run_unit(
    stream: UnitHost, context: Mapping[str, Any] | None, *, write_messages: bool = True
) -> Iterator[list[dict[str, Any]]]:
    """Every record of one unit, emitted (when selected and `write_messages`) and yielded a page at
    a time.

    Each slice's bookmark moves only when its pass ended on evidence that the API has no more;
    a pass cut by `maximumRequest` ends the unit there (contract, "End of data").
    """
    plan = stream.plan
    spec = plan.spec
    run = stream.run
    owned = plan.owns(context)  # another shard's unit is read only for its child passes
    selected = stream.selected and write_messages and (owned or spec.incremental)
    state_context = dict(context) if context else None
    values = plan.values_for(context)
    added = {k: as_text(v) for k, v in (context or {}).items()}
    keys = spec.primary_keys
    tracker = record_key_start(stream, context) if selected else None
    fresh = key_filter(stream, context)  # records not after the bookmark are not emitted
    per_page = tracker is not None and spec.record_order == OLDEST_FIRST  # a STATE after every page
    newest_first = spec.record_order == NEWEST_FIRST  # no page read ahead: paging may stop early
    children = bool(stream.children)
    limit = stream.ABORT_AT_RECORD_COUNT  # the SDK's dry run (its test harness) caps every stream
    counted = 0
    emit = stream.emitter.emit if selected and owned else None
    whole_pages = emit is not None and tracker is None and not children and limit is None
    with stream.get_record_counter() as counter, stream.get_http_request_counter() as http:
        counter.with_context(state_context)
        http.with_context(state_context)
        for window in windows(stream, context):
            slice_pass = plan.pass_for(values, window, stream.extractor)
            older = False  # a page whose records are all not after the bookmark, newest first: the end
            for page in slice_pass.pages(stream.fetch, None if newest_first else run.shared.ahead):
                http.increment()
                if page.missing:
                    run.warn_once("missing", missing_warning(spec, page))
                raw = page.raw
                if None in raw:
                    run.warn_once(
                        "nulls", f"Stream {spec.name}: null elements in the content array are skipped"
                    )
                extracted_at = datetime.now(timezone.utc)
                count = 0
                records = stream.extractor.page(raw)
                if fresh is not None:
                    records, older = fresh.split(records)
                complete(records, added, keys, spec.name)
                if emit is not None:
                    stream.emitter.fit_page(records)  # at most one SCHEMA for the page
                if whole_pages:  # nothing to do record by record
                    stream.emitter.emit_page(records, extracted_at)
                    count = len(records)
                for record in [] if whole_pages else records:
                    if emit is not None:
                        emit(record, extracted_at, fitted=True)
                    if tracker is not None:
                        tracker.offer(record.get(tracker.key))
                    if children:
                        offer_children(stream, record)
                    count += 1
                    if limit is not None and count + counted >= limit:
                        counter.increment(count)
                        raise AbortedSyncPausedException(
                            f"stream {spec.name}: stopped at {limit} records (dry run)"
                        )
                counter.increment(count)
                counted += count
                if per_page and tracker is not None:
                    per_page = checkpoint(stream, state_context, tracker)
                yield records
                if older and newest_first:
                    break
            if fresh is not None:
                with run.state_lock:
                    run.not_after += fresh.dropped
                fresh.dropped = 0
            if slice_pass.cut and not (older and newest_first):
                cut_slice(stream, context, window)
                return
            if selected:
                finish_slice(stream, state_context, window, tracker)


def complete(
    records: list[dict[str, Any]], added: Mapping[str, str], keys: Sequence[str], stream: str
) -> None:
    """Give `records` the partition's values they lack; stop on one without a primary key."""
    for record in records if added else ():
        for name, value in added.items():
            if name not in record:
                record[name] = value
    if not any(None in map(methodcaller("get", key), records) for key in keys):
        return
    for record in records:  # the first record, in order, with a key missing
        for key in keys:
            if record.get(key) is None:
                raise StreamError(missing_key(stream, key, record))


def missing_key(stream: str, key: str, record: Mapping[str, Any]) -> str:
    """The error for a record whose primary key is missing or null."""
    if key in record:
        return f"stream {stream}: a record's primary key {key!r} is null (singer.primaryKeys)"
    return (
        f"stream {stream}: a record has no primary key {key!r} "
        f"(singer.primaryKeys); its keys: {', '.join(sorted(record))[:200]}"
    )


def cut_slice(stream: UnitHost, context: Mapping[str, Any] | None, window: Window) -> None:
    """A slice whose pass was cut: the unit ends, its bookmark stays, the stream is incomplete."""
    plan = stream.plan
    where = f" {dict(context)}" if context else ""
    limit = plan.spec.pagination.maximum_request
    if plan.spec.incremental:
        start = dates.to_iso(window.start) if window.start else "the beginning"
        meaning = f"the bookmark stays at {start}, and the next run reads from there again"
    elif plan.settings.activate_versions and stream.selected:
        meaning = "deletions are not applied this run (no ACTIVATE_VERSION)"
    else:
        meaning = "the rest is not read"
    LOGGER.warning(
        "Stream %s%s: stopped after maximumRequest=%d requests; more pages may exist, so %s",
        plan.name,
        where,
        limit,
        meaning,
    )
    stream.run.outcome.mark_cut(f"cut by maximumRequest={limit}")


def skipped_pass(stream: UnitHost, context: Mapping[str, Any] | None, skip: SkippedAnswer) -> None:
    """A pass ended on an error status the spec's `singer.onHttpError` skips: the unit ends with
    no error, its bookmark stays, the stream's read is incomplete; one WARNING a run per status
    (an INFO line for each later one).
    """
    plan, run = stream.plan, stream.run
    line = skip.lines[0]
    said = REDACTOR.redact(line[:1].upper() + line[1:] + (f" (partition {dict(context)})" if context else ""))
    with run.state_lock:
        first = run.outcome.mark_skipped(skip.status, f"HTTP {skip.status} skipped")
    if not first:
        LOGGER.info("%s; skipped (singer.onHttpError)", said)
        return
    if plan.spec.incremental:
        meaning = "its bookmark stays, and the next run reads it again"
    elif plan.settings.activate_versions and stream.selected:
        meaning = "deletions are not applied this run (no ACTIVATE_VERSION)"
    else:
        meaning = "the pass ends there"
    LOGGER.warning("%s; skipped, as singer.onHttpError says: %s", said, meaning)
