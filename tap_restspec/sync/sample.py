"""A stream's sample: the first page of its run's first unit and slice, fetched once, to infer its
schema (and for `--test`), and kept so that the sync's first request reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap_restspec.extract.passes import Page, signature
from tap_restspec.http.client import SkippedAnswer
from tap_restspec.sync.bookmarks import windows
from tap_restspec.sync.children import child_contexts_here
from tap_restspec.sync.host import UnitHost
from tap_restspec.sync.share import contexts_here


def sample(stream: UnitHost) -> Page | None:
    """The first page of the run's first unit and slice, fetched once and kept for the sync."""
    run = stream.run
    if run.sample_page is None and not run.sampled:
        run.sampled = True
        run.sample_page = _fetch(stream)
    return run.sample_page


def _fetch(stream: UnitHost) -> Page | None:
    plan = stream.plan
    context = first_context(stream)
    if context is None and (stream.parent is not None or plan.binding.partitioned):
        return None
    slices = windows(stream, context)
    if not slices:
        return None
    first = plan.pass_for(plan.values_for(context), slices[0], stream.extractor)
    kept: list[tuple[Any, Any]] = []

    def fetch(request: Any) -> Any:
        try:
            response = stream.fetch(request)
        except SkippedAnswer as skip:  # kept too: the sync's first request ends its pass on it
            kept.append((signature(request), skip))
            raise
        kept.append((signature(request), response))
        return response

    try:
        page = next(iter(first.pages(fetch)), None)
    except SkippedAnswer:
        page = None
    if kept:
        stream.run.kept = kept[0]
    return page


def skipped(stream: UnitHost) -> SkippedAnswer | None:
    """The error status of the sample's request that the spec's `singer.onHttpError` skips, if any."""
    kept = stream.run.kept
    return kept[1] if kept is not None and isinstance(kept[1], SkippedAnswer) else None


def first_context(stream: UnitHost) -> dict[str, Any] | None:
    """The context of the run's first unit in this process: its first partition, or the values of
    the first parent record whose child pass runs here (`share.py`).
    """
    if stream.parent is not None:
        return next(child_contexts_here(stream, sample_records(stream.parent)), None)
    if stream.plan.binding.partitioned:
        return next(contexts_here(stream), None)
    return None


def sample_records(stream: UnitHost) -> Iterator[dict[str, Any]]:
    """The records of the stream's sample page, with its partition's values."""
    page = sample(stream)
    if page is None:
        return
    context = first_context(stream)
    for record in stream.extractor.records(page.raw):
        yield {**context, **record} if context else record
