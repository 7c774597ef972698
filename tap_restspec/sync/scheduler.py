"""Runs units on threads: a stream's partitions and child passes in parallel, state kept safe.

A unit is `stream.sync(context)`: the SDK's public entry (SCHEMA, then our record
loop, `unit.py`). Up to `max_parallel` requests are in flight at once (`pacing.Slots`), from up to twice
as many units; a parent's records hand child units
to the queue as they are read. STATE messages describe only completed work: a
window's bookmark moves when its slice is done, and every STATE is written whole
under one lock. A stream's `ACTIVATE_VERSION` goes out once all of its units (and
its parent's) are done without error. A failed unit keeps its bookmark; the others
go on, and the run fails at the end with every error line.

Memory stays flat however many units there are: a top-level stream's partitions are taken one
at a time as threads come free, never all queued; child units wait in a queue of at most
`MAX_QUEUED`, beyond which the thread that hands on one more runs the deepest one waiting itself
(a leaf, usually: the recursion is at most as deep as the family of streams).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tap_restspec.sync.bookmarks import report_filtered
from tap_restspec.sync.host import UnitHost
from tap_restspec.sync.runs import TapRun
from tap_restspec.sync.share import contexts_here, list_in_state

LOGGER = logging.getLogger("tap-restspec")
MAX_QUEUED = 1000  # child units waiting at once
Context = dict[str, Any] | None
Unit = tuple[UnitHost, Context]
FED = object()  # after a top-level stream's last unit: every unit of it was handed out


class Scheduler:
    """Runs units on up to `units` threads; a stream's children go before later streams' units."""

    def __init__(self, streams: Sequence[UnitHost], units: int, stop: threading.Event) -> None:
        self.streams = streams
        self.order = {s.plan.name: i for i, s in enumerate(streams)}
        self.units = max(1, units)
        self.stop = stop
        self._depth: dict[str, tuple[int, int]] = {s.plan.name: _depth(s, self.order) for s in streams}
        self._queues: dict[int, list[tuple[int, int, UnitHost, Context]]] = {}  # depth -> heap
        self._queued = 0
        self._tops: Iterator[tuple[UnitHost, Any]] | None = None
        self._top: Unit | None = None  # the next top-level unit, taken from `_tops`
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._pending: dict[str, int] = {s.plan.name: 0 for s in streams}
        self._started: set[str] = set()  # top-level streams whose every unit was handed out
        self._done: set[str] = set()
        self._running = 0
        self._workers: list[threading.Thread] = []  # started as work comes, up to `units`
        self._idle = 0  # workers waiting for a unit

    def submit(self, stream: UnitHost, context: Context) -> None:
        """Queue one child unit of `stream`; past `MAX_QUEUED` waiting, run the deepest one here."""
        root, depth = self._depth[stream.plan.name]
        list_in_state(stream, context)
        with self._cond:
            self._pending[stream.plan.name] += 1
            heapq.heappush(self._queues.setdefault(depth, []), (root, next(self._seq), stream, context))
            self._queued += 1
            self._cond.notify()
            self._grow()
            if self._queued <= MAX_QUEUED or self.stop.is_set():
                return
            unit = self._pop(max(d for d, q in self._queues.items() if q))
            self._running += 1
        self._run(unit)

    def run(self, tops: Sequence[UnitHost]) -> None:
        """Run every unit of `tops` (and the child units they spawn) until none is left, or a stop."""
        self._tops = self._feed(tops)
        with self._cond:
            self._advance()
            self._grow()
        joined = 0
        while True:
            with self._cond:  # only a live worker starts another: none is added once all ended
                if joined == len(self._workers):
                    return
                worker = self._workers[joined]
            while worker.is_alive():
                worker.join(0.2)
            joined += 1

    def _grow(self) -> None:
        """One more worker if a unit waits, no worker is idle and fewer than `units` run (under the
        lock). Threads are started as work comes, not all at once: each reserves its stack and
        its allocator arena, which a run of one unit under a container's memory limit cannot spare.
        """
        if self._idle or len(self._workers) >= self.units or not (self._queued or self._top is not None):
            return
        worker = threading.Thread(target=self._work, name=f"restspec-{len(self._workers)}", daemon=True)
        try:
            worker.start()
        except RuntimeError:  # no room for one more thread: those started go on
            if not self._workers:
                raise
            return
        self._workers.append(worker)

    def _feed(self, tops: Sequence[UnitHost]) -> Iterator[tuple[UnitHost, Any]]:
        """The top-level units in order, made one at a time; FED after each stream's last."""
        for stream in tops:
            for context in contexts_here(stream):
                yield stream, context
            yield stream, FED

    def _advance(self) -> None:
        """Take the next top-level unit from the feed (under the lock); mark streams fed."""
        while self._top is None and self._tops is not None:
            item = next(self._tops, None)
            if item is None:
                self._tops = None
            elif item[1] is FED:
                self._started.add(item[0].plan.name)
                self._settle()
            else:
                list_in_state(*item)
                self._pending[item[0].plan.name] += 1
                self._top = item

    def _take(self) -> Unit | None:
        """The next unit by (root stream, depth, arrival), or None (under the lock)."""
        best = min((q[0][0], d) for d, q in self._queues.items() if q) if self._queued else None
        top = self._top
        if top is not None and (best is None or (self._depth[top[0].plan.name][0], 0) < best):
            self._top = None
            self._advance()
            return top
        return self._pop(best[1]) if best is not None else None

    def _pop(self, depth: int) -> Unit:
        _, _, stream, context = heapq.heappop(self._queues[depth])
        self._queued -= 1
        return stream, context

    def _work(self) -> None:
        while True:
            with self._cond:
                unit = self._take()
                self._idle += 1
                while unit is None and self._running and not self.stop.is_set():
                    self._cond.wait(0.2)
                    unit = self._take()
                self._idle -= 1
                if self.stop.is_set() or unit is None:
                    self._cond.notify_all()
                    return
                self._running += 1
                self._grow()
            self._run(unit)

    def _run(self, unit: Unit) -> None:
        """One unit, counted as running (by the caller, under the lock) until it ends."""
        stream, context = unit
        try:
            stream.sync(context)
        except Exception as exc:  # the SDK's own steps around our record loop
            stream.run.outcome.failed = True
            if not self.stop.is_set():
                name = stream.plan.name
                LOGGER.exception("Stream %s: unexpected error", name)
                stream.run.shared.failures.append(f"stream {name}: {type(exc).__name__}: {exc}")
        finally:
            with self._cond:
                self._running -= 1
                self._pending[stream.plan.name] -= 1
                self._settle()
                self._cond.notify_all()

    def _settle(self) -> None:
        """Finish every started stream whose units (and its parent's) are all done."""
        changed = True
        while changed:
            changed = False
            for stream in self.streams:
                name = stream.plan.name
                if name in self._done or self._pending[name]:
                    continue
                if stream.parent is not None:
                    if stream.parent.plan.name not in self._done:
                        continue
                elif name not in self._started:
                    continue
                if not (stream.selected or stream.has_selected_descendents):
                    continue
                self._done.add(name)
                changed = True
                finish_stream(stream, self.stop.is_set())


def _depth(stream: UnitHost, order: dict[str, int]) -> tuple[int, int]:
    """The stream's root's place among the streams, and how many parents up the root is."""
    depth, root = 0, stream
    while root.parent is not None:
        depth, root = depth + 1, root.parent
    return order[root.plan.name], depth


def finish_stream(stream: UnitHost, stopped: bool) -> None:
    """A stream all of whose units are done: its ACTIVATE_VERSION (a full table read whole), its state.

    A read that was cut, skipped, failed, stopped, or whose parent's read was incomplete (its child passes
    for the parent's unread records never ran) sends no ACTIVATE_VERSION: the rows it did not
    read would be marked deleted (contract, "End of data").
    """
    run = stream.run
    outcome = run.outcome
    if stopped:
        outcome.failed = True
    announced = outcome.cut or outcome.skipped  # a unit's own cut or skip said its consequence already
    parent = stream.parent
    if parent is not None and not parent.run.outcome.complete:
        outcome.mark_cut(f"its parent {parent.plan.name} was not read whole")
    versioned = (
        stream.selected
        and stream.replication_method == "FULL_TABLE"
        and stream.plan.settings.activate_versions
        and not stream.plan.elsewhere  # a parent read here only for its children
    )
    if versioned and outcome.complete:
        stream.activate_version(run.version)
    elif versioned and not stopped and (outcome.failed or announced is None):
        LOGGER.warning(
            "Stream %s: not every page was read (%s); deletions are not applied this run "
            "(no ACTIVATE_VERSION)",
            stream.plan.name,
            "a part of it failed" if outcome.failed else outcome.cut,
        )
    report_filtered(stream)
    run.write_state(force=True)


def run_all(
    shared: TapRun, streams: Sequence[UnitHost], max_parallel: int, stop: threading.Event
) -> list[str]:
    """Sync every selected stream (children through their parents); the failure lines, if any."""
    # Requests in flight are bounded by the tap's request slots (max_parallel); twice as many
    # units run, so that one unit's parsing and writing overlap other units' waiting for answers.
    units = 1 if max_parallel <= 1 else 2 * max_parallel  # 1: one unit, one request, in order
    scheduler = Scheduler(streams, units, stop)
    shared.submit = scheduler.submit
    if shared.tap.state:  # the state given, at once (as the SDK does); none when there is none
        shared.write_state(force=True)
    if units > 1:
        shared.ahead = ThreadPoolExecutor(units, thread_name_prefix="restspec-ahead")
    tops = [s for s in streams if s.parent is None and (s.selected or s.has_selected_descendents)]
    for stream in streams:
        if not (stream.selected or stream.has_selected_descendents):
            LOGGER.info("Skipping deselected stream '%s'.", stream.plan.name)
        elif stream.plan.elsewhere and not stream.has_selected_descendents:
            tops.remove(stream)
            LOGGER.info(
                "Skipping stream '%s': another shard reads it (shard %s).",
                stream.plan.name,
                stream.plan.settings.shard,
            )
    try:
        scheduler.run(tops)
    finally:
        shared.submit = None
        if shared.ahead is not None:
            shared.ahead.shutdown(wait=True, cancel_futures=True)
            shared.ahead = None
        shared.write_state(force=True)
    return list(shared.failures)
