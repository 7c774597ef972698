"""The share of the work of this process (the `shard` setting): the units it runs, and those it emits.

A unit runs here when its shard is this one (`Plan.owns`: its context's stable hash, or, for a
stream without partitions, its name's), or when its stream has selected children: a parent is
read by every shard, for the child passes that fall to each, and its records are emitted only
by the shard that owns them (contract, "Shards"). Without a `shard` setting every unit is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tap_restspec.sync.host import UnitHost


def runs_here(stream: UnitHost, context: Mapping[str, Any] | None) -> bool:
    """Whether this process runs the unit: it emits it, or the stream's children need its records."""
    return stream.has_selected_descendents or (stream.selected and stream.plan.owns(context))


def contexts_here(stream: UnitHost) -> Iterator[dict[str, Any] | None]:
    """The units of a top-level stream that run here: its partitions, or the whole stream."""
    binding = stream.plan.binding
    units: Iterable[dict[str, Any] | None] = binding.partitions if binding.partitioned else (None,)
    return (context for context in units if runs_here(stream, context))


def list_in_state(stream: UnitHost, context: Mapping[str, Any] | None) -> None:
    """Give a unit its entry in the state as it is queued, so that the state lists units in the
    order they were handed out, whatever order the threads run them in: a run resumed from any
    STATE ends with the same state. The units that keep one: a bookmark (an incremental stream),
    or a top-level full-table partition of this shard's, listed with none.
    """
    spec = stream.plan.spec
    if not (context and stream.selected):
        return
    if spec.incremental or (stream.parent is None and stream.plan.owns(context)):
        with stream.run.state_lock:
            stream.get_context_state(dict(context))
