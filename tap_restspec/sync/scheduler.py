"""The tap's run: units of work (a stream's partitions and child passes) in parallel, state kept safe.

A unit is `stream.sync(context)`: the SDK's public entry (SCHEMA, then our record
loop). Up to `max_parallel` requests are in flight at once (`pacing.Slots`), from up to twice
as many units; a parent's records hand child units
to the queue as they are read. STATE messages describe only completed work: a
window's bookmark moves when its slice is done, and every STATE is written whole
under one lock. A stream's `ACTIVATE_VERSION` goes out once all of its units (and
its parent's) are done without error. A failed unit keeps its bookmark; the others
go on, and the run fails at the end with every error line.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.singerlib import ActivateVersionMessage

from tap_restspec.sync.runs import TapRun

if TYPE_CHECKING:
    from tap_restspec.stream import SpecStream

LOGGER = logging.getLogger("tap-restspec")


class Interrupted(Exception):  # noqa: N818 (a signal, not an error)
    """The run stopped on SIGTERM or SIGINT; the exit code is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Scheduler:
    """Runs units on up to `units` threads; a stream's children go before later streams' units."""

    def __init__(self, streams: list[SpecStream], units: int, stop: threading.Event) -> None:
        self.streams = streams
        self.order = {s.name: i for i, s in enumerate(streams)}
        self.units = max(1, units)
        self.stop = stop
        self._queue: list[tuple[int, int, int, SpecStream, dict[str, Any] | None]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._pending: dict[str, int] = {s.name: 0 for s in streams}
        self._started: set[str] = set()
        self._done: set[str] = set()
        self._running = 0

    def submit(self, stream: SpecStream, context: dict[str, Any] | None) -> None:
        """Queue one unit of `stream`."""
        depth, root = 0, stream
        while root.parent is not None:
            depth, root = depth + 1, root.parent
        with self._cond:
            self._pending[stream.name] += 1
            heapq.heappush(self._queue, (self.order[root.name], depth, next(self._seq), stream, context))
            self._cond.notify()

    def run(self, tops: list[SpecStream]) -> None:
        """Run every unit of `tops` (and the child units they spawn) until none is left, or a stop."""
        for stream in tops:
            self._started.add(stream.name)
            partitions = stream.partitions
            contexts: list[dict[str, Any] | None] = list(partitions) if partitions is not None else [None]
            for context in contexts:
                self.submit(stream, context)
        with self._cond:
            self._settle()
        workers = [
            threading.Thread(target=self._work, name=f"restspec-{i}", daemon=True)
            for i in range(min(self.units, max(1, len(self._queue))))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            while worker.is_alive():
                worker.join(0.2)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and self._running and not self.stop.is_set():
                    self._cond.wait(0.2)
                if self.stop.is_set() or not self._queue:
                    self._cond.notify_all()
                    return
                _, _, _, stream, context = heapq.heappop(self._queue)
                self._running += 1
            try:
                stream.sync(context)
            except Exception as exc:  # the SDK's own steps around our record loop
                stream.run.failed = True
                if not self.stop.is_set():
                    LOGGER.exception("Stream %s: unexpected error", stream.name)
                    stream.run.shared.failures.append(f"stream {stream.name}: {type(exc).__name__}: {exc}")
            finally:
                with self._cond:
                    self._running -= 1
                    self._pending[stream.name] -= 1
                    self._settle()
                    self._cond.notify_all()

    def _settle(self) -> None:
        """Finish every started stream whose units (and its parent's) are all done."""
        changed = True
        while changed:
            changed = False
            for stream in self.streams:
                name = stream.name
                if name in self._done or self._pending[name]:
                    continue
                if stream.parent is not None:
                    if stream.parent.name not in self._done:
                        continue
                elif name not in self._started:
                    continue
                if not (stream.selected or stream.has_selected_descendents):
                    continue
                self._done.add(name)
                changed = True
                finish_stream(stream, self.stop.is_set())


def finish_stream(stream: SpecStream, stopped: bool) -> None:
    """A stream all of whose units are done: its ACTIVATE_VERSION (a full table read whole), its state.

    A read that was cut, failed, stopped, or whose parent's read was incomplete (its child passes
    for the parent's unread records never ran) sends no ACTIVATE_VERSION: the rows it did not
    read would be marked deleted (contract, "End of data").
    """
    run = stream.run
    if stopped:
        run.failed = True
    cut_before = run.cut  # a unit's own cut was announced with its consequence already
    parent = stream.parent
    if parent is not None and not parent.run.complete:
        run.mark_cut(f"its parent {parent.name} was not read whole")
    versioned = (
        stream.selected and stream.replication_method == "FULL_TABLE" and stream.settings.activate_versions
    )
    if versioned and run.complete:
        for stream_map in stream.stream_maps:
            if not isinstance(stream_map, RemoveRecordTransform):
                stream.tap.write_message(
                    ActivateVersionMessage(stream=stream_map.stream_alias, version=run.version)
                )
    elif versioned and not stopped and (run.failed or cut_before is None):
        LOGGER.warning(
            "Stream %s: not every page was read (%s); deletions are not applied this run "
            "(no ACTIVATE_VERSION)",
            stream.name,
            "a part of it failed" if run.failed else run.cut,
        )
    run.write_state(force=True)


def run_all(tap: Any, streams: list[SpecStream], max_parallel: int, stop: threading.Event) -> list[str]:
    """Sync every selected stream (children through their parents); the failure lines, if any."""
    shared = getattr(tap, "tap_run", None) or TapRun(tap)
    tap.tap_run = shared
    # Requests in flight are bounded by the tap's request slots (max_parallel); twice as many
    # units run, so that one unit's parsing and writing overlap other units' waiting for answers.
    units = 1 if max_parallel <= 1 else 2 * max_parallel  # 1: one unit, one request, in order
    scheduler = Scheduler(streams, units, stop)
    shared.scheduler = scheduler
    if tap.state:  # the state given, at once (as the SDK does); none when there is none
        shared.write_state(force=True)
    if units > 1:
        shared.ahead = ThreadPoolExecutor(units, thread_name_prefix="restspec-ahead")
    tops = [s for s in streams if s.parent is None and (s.selected or s.has_selected_descendents)]
    for stream in streams:
        if not (stream.selected or stream.has_selected_descendents):
            LOGGER.info("Skipping deselected stream '%s'.", stream.name)
    try:
        scheduler.run(tops)
    finally:
        shared.scheduler = None
        if shared.ahead is not None:
            shared.ahead.shutdown(wait=True, cancel_futures=True)
            shared.ahead = None
        shared.write_state(force=True)
    return list(shared.failures)
