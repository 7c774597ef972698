"""How a stream's read went so far: the one small type the unit marks and the scheduler reads.

A read is complete until a unit fails, is cut short (a pass stopped by `maximumRequest`, or a
parent read only in part) or is skipped (an error status the spec's `singer.onHttpError`
skips); only a complete full-table read sends ACTIVATE_VERSION, and only a completed slice
moves a bookmark (contract, "End of data", "Error actions").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """One stream's read in this run: failed, cut short or skipped (and why), or complete so far."""

    failed: bool = False
    cut: str | None = None  # why a unit read only part of its data (None: none was cut)
    skipped: str | None = None  # why a pass ended on an error status onHttpError skips (None: none)
    skipped_statuses: set[int] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """Every unit so far ended on evidence that the API had no more."""
        return not self.failed and self.cut is None and self.skipped is None

    def mark_cut(self, why: str) -> None:
        """A unit read only part of its data: the stream's read is incomplete (the first reason stays)."""
        self.cut = self.cut or why

    def mark_skipped(self, status: int, why: str) -> bool:
        """A pass ended on a skipped error status: the read is incomplete, not failed (the first
        reason stays). True the first time `status` is skipped in this stream's run.
        """
        self.skipped = self.skipped or why
        first = status not in self.skipped_statuses
        self.skipped_statuses.add(status)
        return first
