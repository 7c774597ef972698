"""A pagination guess tried as the tap will run it: the drafted spec parsed by the tap's parser and
read by the tap's own pass (its request rendering, placements, paginator, end conditions and loop
guards) for a few pages, through the draft's prober. What a trial saw decides whether the guess
is kept: the API moved on to new records, or said it had no more.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tap_restspec.draft.document import parsed
from tap_restspec.draft.prober import Prober
from tap_restspec.draft.records import identity
from tap_restspec.errors import StreamError
from tap_restspec.extract.passes import Pass
from tap_restspec.extract.records import Extractor
from tap_restspec.extract.request import url_base
from tap_restspec.extract.window import Window
from tap_restspec.paging.types import PagingType


@dataclass(frozen=True)
class Trial:
    """What a pass of a drafted spec read: each page's raw records, how it ended."""

    pages: list[list[Any]]
    ended: bool  # the pass stopped on evidence that the API has no more
    problem: str | None  # why it failed: an error, a page of records seen before

    @property
    def records(self) -> list[Any]:
        """Every record read, in order."""
        return [record for page in self.pages for record in page]

    @property
    def moved(self) -> bool:
        """A second page was read, with records (none seen before: else `problem` says so)."""
        return self.problem is None and len(self.pages) > 1 and bool(self.pages[1])

    @property
    def good(self) -> bool:
        """The guess held: the API moved on to new records, or said it had no more."""
        return self.problem is None and (self.moved or self.ended)


def run_trial(
    document: dict[str, Any], prober: Prober, values: dict[str, str], pages: int, key: str | None
) -> Trial:
    """Read at most `pages` pages of `document`'s first pass; `key` tells records apart."""
    spec = parsed(document)
    assert isinstance(spec.pagination, PagingType)  # the parser makes only listed types
    spec = dataclasses.replace(
        spec, pagination=dataclasses.replace(spec.pagination, maximum_request=max(1, pages))
    )
    now = datetime.now(timezone.utc)
    assert spec.request.host is not None  # the draft always writes the host
    base = url_base(spec.request.host, values, None)
    reading = Pass(spec, Extractor(spec.content), base, values, Window(None, now), now)
    read: list[list[Any]] = []
    seen: set[str] = set()
    try:
        for page in reading.pages(prober.fetch):
            ids = [identity(record, key) for record in page.raw]
            if seen.intersection(ids) and read:
                return Trial(
                    [*read, page.raw], False, f"page {len(read) + 1} repeats records of an earlier page"
                )
            seen.update(ids)
            read.append(page.raw)
    except StreamError as exc:
        if prober.spent:  # the pages read stand; the pass was cut by the draft's request cap
            return Trial(read, False, None)
        return Trial(read, False, str(exc).removeprefix("stream draft: ").removeprefix("draft: "))
    return Trial(read, not reading.cut, None)
