"""How a stream's read went so far: the one small type the unit marks and the scheduler reads.

A read is complete until a unit fails or is cut short (a pass stopped by `maximumRequest`,
or a parent read only in part); only a complete full-table read sends ACTIVATE_VERSION, and
only a completed slice moves a bookmark (contract, "End of data").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    """One stream's read in this run: failed, cut short (and why), or complete so far."""

    failed: bool = False
    cut: str | None = None  # why a unit read only part of its data (None: none was cut)

    @property
    def complete(self) -> bool:
        """Every unit so far ended on evidence that the API had no more."""
        return not self.failed and self.cut is None

    def mark_cut(self, why: str) -> None:
        """A unit read only part of its data: the stream's read is incomplete (the first reason stays)."""
        self.cut = self.cut or why
