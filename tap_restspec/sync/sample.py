"""A stream's sample: the first pages of its run's first unit and slice, fetched once, to infer its
schema (the first page also answers `--test` and a child's first context), and kept so that the
sync reuses each of them.

A schema is inferred from up to `SAMPLE_SIZE` records. When the first page holds fewer and more
pages follow, the schema asks for more pages of the same pass, up to `SAMPLE_PAGES` pages in all
(and `SAMPLE_BYTES` of bodies): a field that only a later page shows is then typed from the
start instead of widened later. Each sampled response is kept for the sync, whose requests are
the same pass's, so a sync makes no extra request; a `--discover` (and a `--test`, whose tap
builds its catalog first) makes the sampled ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap_restspec.errors import StreamError
from tap_restspec.extract.passes import Page, signature
from tap_restspec.http.client import SkippedAnswer
from tap_restspec.model.spec import NEWEST_FIRST
from tap_restspec.sync.bookmarks import key_filter, windows
from tap_restspec.sync.children import child_contexts
from tap_restspec.sync.host import UnitHost

SAMPLE_SIZE = 100  # records a schema is inferred from; a first page with fewer is thin
SAMPLE_PAGES = 5  # pages at most: the first and up to four more (each reused by the sync)
SAMPLE_BYTES = 16 * 1024 * 1024  # bodies kept for the sync, at most (pages are held until then)


def sample(stream: UnitHost) -> Page | None:
    """The first page of the run's first unit and slice, fetched once and kept for the sync."""
    run = stream.run
    if run.sample_page is None and not run.sampled:
        run.sampled = True
        run.sample_page = _fetch(stream)
    return run.sample_page


def sampled_records(stream: UnitHost) -> list[Any]:
    """The raw records a schema is inferred from: the first page's and, when it is thin, those of the
    pages after it, up to `SAMPLE_SIZE` records, `SAMPLE_PAGES` pages and `SAMPLE_BYTES`.

    Sampling stops where the sync would: at the end of the pass, or (records newest first) at a
    page whose records are all not after the bookmark. A later page that fails is left to the sync
    to report: the schema is inferred from the pages read.
    """
    run = stream.run
    if run.sample_records is None:
        page = sample(stream)
        records = list(page.raw) if page is not None else []
        more, run.sample_more = run.sample_more, None
        pages = 1
        while more is not None and page is not None and len(records) < SAMPLE_SIZE and pages < SAMPLE_PAGES:
            if _last(stream, page) or _kept_bytes(stream) >= SAMPLE_BYTES:
                break
            try:
                page = next(more, None)
            except StreamError:
                break
            if page is not None:
                records += page.raw
                pages += 1
        run.sample_records = records[:SAMPLE_SIZE]
    return run.sample_records


def _last(stream: UnitHost, page: Page) -> bool:
    """Records newest first and a page all of whose records are not after the bookmark: the sync
    stops there, so the sample does too.
    """
    if stream.plan.spec.record_order != NEWEST_FIRST:
        return False
    fresh = key_filter(stream, first_context(stream))
    return fresh is not None and fresh.split(list(stream.extractor.records(page.raw)))[1]


def _kept_bytes(stream: UnitHost) -> int:
    return sum(len(getattr(response, "content", None) or b"") for _, response in stream.run.kept)


def _fetch(stream: UnitHost) -> Page | None:
    plan = stream.plan
    context = first_context(stream)
    if context is None and (stream.parent is not None or plan.binding.partitioned):
        return None
    slices = windows(stream, context, said=False)
    if not slices:
        return None
    first = plan.pass_for(plan.values_for(context), slices[0], stream.extractor)
    run = stream.run

    def fetch(request: Any) -> Any:
        try:
            response = stream.fetch(request)
        except SkippedAnswer as skip:  # kept too: the sync's request ends its pass on it
            with run.state_lock:
                run.kept.append((signature(request), skip))
            raise
        with run.state_lock:
            run.kept.append((signature(request), response))
        return response

    pages = iter(first.pages(fetch))
    try:
        page = next(pages, None)
    except SkippedAnswer:
        page = None
    run.sample_more = pages if page is not None else None
    return page


def skipped(stream: UnitHost) -> SkippedAnswer | None:
    """The error status of the sample's first request that the spec's `singer.onHttpError` skips, if any."""
    kept = stream.run.kept
    return kept[0][1] if kept and isinstance(kept[0][1], SkippedAnswer) else None


def first_context(stream: UnitHost) -> dict[str, Any] | None:
    """The context of the run's first unit, whatever the shard: the first partition, or the values
    of the first parent record. Every shard samples the same pass, so the shards infer the same
    schema as one process would (their tables agree, column for column); a shard that does not own
    that pass reads it for the schema only, and emits none of it (`share.py`).
    """
    binding = stream.plan.binding
    if stream.parent is not None:
        return next(child_contexts(stream, sample_records(stream.parent)), None)
    if binding.partitioned:
        return next(iter(binding.partitions), None)
    return None


def sample_records(stream: UnitHost) -> Iterator[dict[str, Any]]:
    """The records of the stream's sample page, with its partition's values."""
    page = sample(stream)
    if page is None:
        return
    context = first_context(stream)
    for record in stream.extractor.records(page.raw):
        yield {**context, **record} if context else record
