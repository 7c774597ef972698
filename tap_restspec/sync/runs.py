"""What one run of the tap keeps: the state shared by every stream, and each stream's run.

`TapRun` holds the state lock and writes whole STATE messages; `StreamRun` keeps one
stream's schema sample page (reused by its first request), its once-a-run warnings, the
outcome of its units, and hands parent records to child streams.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import msgspec
from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException
from singer_sdk.singerlib import StateMessage

from tap_restspec.errors import UserError
from tap_restspec.extract.passes import Page, signature
from tap_restspec.http.client import Stopped
from tap_restspec.model.jsonpath import first_value
from tap_restspec.redact import REDACTOR
from tap_restspec.sync.unit import run_unit, windows

if TYPE_CHECKING:
    from tap_restspec.stream import SpecStream
    from tap_restspec.sync.scheduler import Scheduler

LOGGER = logging.getLogger("tap-restspec")
STATE_EVERY = 1.0  # seconds between two large STATE messages while units complete
SMALL_STATE = 4096  # bytes: a state this small goes out after every slice


@dataclass
class TapRun:
    """What every stream of one tap run shares."""

    tap: Any
    version: int = field(default_factory=lambda: int(time.time() * 1000))  # table version, ms
    state_lock: threading.RLock = field(default_factory=threading.RLock)
    scheduler: Scheduler | None = None
    ahead: Executor | None = None  # fetches each unit's next page while its current one is written
    failures: list[str] = field(default_factory=list)
    _last_state: Any = None
    _last_time: float = 0.0
    _last_size: int = 0

    def write_state(self, *, force: bool = False) -> None:
        """A STATE message with the whole state, if it changed (taken and written under the lock).

        Once the state is large, at most one a second unless `force`d (a stream's end, the run's
        end): it holds every partition's and child pass's bookmark, so one STATE per completed
        unit would make the run's STATE traffic grow with the square of its units (contract,
        "Traffic"). A small state still goes out after every slice.
        """
        with self.state_lock:
            now = time.monotonic()
            if not force and self._last_size > SMALL_STATE and now - self._last_time < STATE_EVERY:
                return
            state = self.tap.state
            if state == self._last_state:
                return
            snapshot = _copy(state)
            self._last_state = snapshot
            self._last_time = now
            message = StateMessage(value=snapshot)
            self._last_size = len(msgspec.json.encode(snapshot))
            self.tap.write_message(message)


class StreamRun:
    """One stream's state for one run: its sample page, once-a-run warnings, its units' outcomes."""

    def __init__(self, stream: SpecStream, shared: TapRun) -> None:
        self.stream = stream
        self.shared = shared
        self.state_lock = shared.state_lock
        self.version = shared.version
        self._warned: set[str] = set()
        self._sampled = False
        self._sample_page: Page | None = None
        self._kept: tuple[Any, Any] | None = None
        self._seen_children: dict[str, set[tuple[Any, ...]]] = {}
        self.failed = False
        self.cut: str | None = None  # why a unit read only part of its data (None: none was cut)

    @property
    def complete(self) -> bool:
        """Every unit so far ended on evidence that the API had no more."""
        return not self.failed and self.cut is None

    def mark_cut(self, why: str) -> None:
        """A unit read only part of its data: the stream's read is incomplete."""
        self.cut = self.cut or why

    @staticmethod
    def of(stream: SpecStream) -> StreamRun:
        """The run of `stream`, sharing its tap's run."""
        tap: Any = stream.tap
        shared = getattr(tap, "tap_run", None)
        if shared is None:
            shared = tap.tap_run = TapRun(tap)
        return StreamRun(stream, shared)

    def warn_once(self, key: str, message: str) -> None:
        """Log `message` as a WARNING the first time `key` comes up in this run."""
        if key not in self._warned:
            self._warned.add(key)
            LOGGER.warning("%s", message)

    @staticmethod
    def clock() -> datetime:
        """When a page was extracted."""
        return datetime.now(timezone.utc)

    def write_state(self, *, force: bool = False) -> None:
        """Write the tap's state (at most once a second unless `force`d)."""
        self.shared.write_state(force=force)

    def sample(self) -> Page | None:
        """The first page of the run's first unit and slice, fetched once and kept for the sync."""
        if self._sample_page is None and not self._sampled:
            self._sampled = True
            self._sample_page = self._fetch_sample()
        return self._sample_page

    def _fetch_sample(self) -> Page | None:
        stream = self.stream
        context = self.first_context()
        if context is None and (stream.parent is not None or stream.binding.partitioned):
            return None
        slices = windows(stream, context)
        if not slices:
            return None
        values = stream.values_for(context)
        first = stream.pass_for(values, slices[0])
        kept: list[tuple[Any, Any]] = []

        def fetch(request: Any) -> Any:
            response = stream.fetch(request)
            kept.append((signature(request), response))
            return response

        page = next(iter(first.pages(fetch)), None)
        if kept:
            self._kept = kept[0]
        return page

    def take_sample(self, signature: Any) -> Any:
        """The sample's response, once, if `signature` is its request."""
        kept = self._kept
        if kept is not None and kept[0] == signature:
            self._kept = None
            return kept[1]
        return None

    def first_context(self) -> dict[str, Any] | None:
        """The context of the run's first unit: the first partition, or the first parent record's values."""
        stream = self.stream
        if stream.parent is not None:
            record = stream.parent.run.first_record()
            values = child_context(stream, record) if record is not None else None
            if values is None:
                return None
            first = (
                dict(stream.binding.partitions[0])
                if stream.binding.partitioned and stream.binding.partitions
                else {}
            )
            return {**first, **values}
        if stream.binding.partitioned:
            return dict(stream.binding.partitions[0]) if stream.binding.partitions else None
        return None

    def first_record(self) -> dict[str, Any] | None:
        """The first record of the stream's sample page, with its partition's values."""
        page = self.sample()
        if page is None:
            return None
        record = next(iter(self.stream.extractor.records(page.raw)), None)
        context = self.first_context()
        if record is not None and context:
            record = {**{k: v for k, v in context.items()}, **record}
        return record

    def unit(self, context: dict[str, Any] | None, write_messages: bool) -> Iterator[dict[str, Any]]:
        """One unit's records; its failure is recorded for the run's end when a runner drives the run."""
        scheduler = self.shared.scheduler
        try:
            yield from run_unit(self.stream, context, write_messages=write_messages)
        except Stopped:
            self.failed = True
            if scheduler is None:
                raise
        except UserError as exc:
            self.failed = True
            if scheduler is None:
                raise
            where = f" (partition {context})" if context else ""
            for line in exc.lines:
                text = REDACTOR.redact(line + where)
                LOGGER.error("%s", text)
                self.shared.failures.append(text)
        except Exception:
            self.failed = True
            if scheduler is None:
                raise
            LOGGER.exception("Stream %s: unexpected error", self.stream.name)
            self.shared.failures.append(f"stream {self.stream.name}: unexpected error (see the log above)")

    def offer_children(self, stream: SpecStream, record: Mapping[str, Any]) -> None:
        """Hand a parent record to each child stream that will run (one pass per distinct context).

        With a runner, the passes are queued; without one (the SDK's own `sync()` of a parent,
        as its test harness does), they run at once, as the SDK runs child streams.
        """
        for child in stream.children:
            if not (child.selected or child.has_selected_descendents):
                continue
            values = child_context(child, record)
            if values is None:
                paths = ", ".join(p for _, p in child.spec.parent.values) if child.spec.parent else ""
                self.warn_once(
                    f"child:{child.name}",
                    f"Stream {child.name}: a {stream.name} record has no value at {paths}; "
                    "no child pass for it (and others like it)",
                )
                continue
            for partition in child.binding.partitions if child.binding.partitioned else ({},):
                context = {**partition, **values}
                key = tuple(sorted((k, str(v)) for k, v in context.items()))
                seen = self._seen_children.setdefault(child.name, set())
                if key in seen:
                    continue
                seen.add(key)
                scheduler = self.shared.scheduler
                if scheduler is not None:
                    scheduler.submit(child, context)
                else:
                    with contextlib.suppress(AbortedSyncFailedException, AbortedSyncPausedException):
                        child.sync(context)


def child_context(child: SpecStream, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The child's values from a parent record (None when a JSONPath matches nothing)."""
    parent = child.spec.parent
    assert parent is not None
    context: dict[str, Any] = {}
    for name, path in parent.values:
        value = first_value(path, record)
        if value is None or value == "" or isinstance(value, (dict, list)):
            return None
        context[name] = value
    return context


def _copy(state: Any) -> Any:
    """A deep copy of the state; the SDK's own steps may add a key meanwhile, so try again then."""
    for _ in range(9):
        try:
            return copy.deepcopy(state)
        except RuntimeError:  # "dictionary changed size during iteration"
            time.sleep(0.001)
    return copy.deepcopy(state)
