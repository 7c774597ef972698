"""What one run keeps: the state every stream shares (`TapRun`), and each stream's own (`StreamRun`).

`TapRun` holds the state lock, writes whole STATE messages, and says how child units run:
through the scheduler's `submit`, or at once when the SDK's own `sync()` drives a stream.
`StreamRun` keeps one stream's schema sample (reused by its first request), its once-a-run
warnings, the child contexts it handed on, and its `Outcome`. Both are plain state: the
engine's functions (`unit.py`, `sample.py`, `children.py`) act on them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from singer_sdk.singerlib import Message, StateMessage

from tap_restspec.config.shard import context_digest
from tap_restspec.extract.passes import Page
from tap_restspec.http.pacing import Slots
from tap_restspec.sync.outcome import Outcome

LOGGER = logging.getLogger("tap-restspec")
STATE_EVERY = 1.0  # seconds between two large STATE messages while units complete
SMALL_STATE = 4096  # bytes: a state this small goes out after every slice
STATE_BUDGET = 256  # bytes of STATE each completed slice earns, once the state is large

# Queue one unit: a stream (a `host.UnitHost`) and its context. Typed loosely here: the host's
# Protocol names this module's `StreamRun`, so this module cannot name the host.
Submit = Callable[[Any, dict[str, Any] | None], None]


class Output(Protocol):
    """Where a run's state and messages go: the tap."""

    @property
    def state(self) -> Any:
        """The Singer state, bookmarks and more (the SDK's `Tap.state`)."""
        ...

    def write_message(self, message: Message) -> None:
        """Write one Singer message."""
        ...

    def flush_output(self) -> None:
        """Write out the RECORD lines gathered so far."""
        ...


@dataclass
class TapRun:
    """What every stream of one tap run shares; the tap makes one, its streams get it when made."""

    tap: Output
    slots: Slots | None = None  # requests in flight at once, across every stream (`max_parallel`)
    stop: threading.Event = field(default_factory=threading.Event)  # the tap's: SIGTERM, a closed output
    version: int = field(default_factory=lambda: int(time.time() * 1000))  # table version, ms
    state_lock: threading.RLock = field(default_factory=threading.RLock)
    submit: Submit | None = None  # the scheduler's queue; None: the SDK's own `sync()` drives
    ahead: Executor | None = None  # fetches each unit's next page while its current one is written
    failures: list[str] = field(default_factory=list)
    _last_digest: bytes = b""
    _last_time: float = 0.0
    _last_size: int = 0
    _credit: int = 0  # bytes of STATE the slices completed so far have earned, less those written

    def write_state(self, *, force: bool = False) -> None:
        """A STATE message with the whole state, if it changed (taken and written under the lock).

        A small state goes out after every slice. A large one holds every partition's and child
        pass's bookmark, so one per completed slice would make the run's STATE traffic grow with
        the square of its units (contract, "Traffic"): unless `force`d (a stream's end, the run's
        end), it goes out at most once a second, and only once the slices completed since have
        earned its size at `STATE_BUDGET` bytes each: the traffic is at most `STATE_BUDGET` bytes
        a slice, and 100,000 partitions get a STATE every few thousand slices.
        """
        with self.state_lock:
            self._credit += STATE_BUDGET
            now = time.monotonic()
            large = self._last_size > SMALL_STATE
            if (
                not force
                and large
                and (now - self._last_time < STATE_EVERY or self._credit < self._last_size)
            ):
                return
            state = self.tap.state
            encoded = msgspec.json.encode(state)  # in C, whole: no thread changes the state meanwhile
            digest, size = hashlib.sha1(encoded).digest(), len(encoded)
            del encoded  # 11 MB at 100,000 partitions: not held while the writer encodes the message
            if digest == self._last_digest:
                return
            self._last_digest, self._last_time, self._last_size = digest, now, size
            self._credit = max(0, self._credit - size)
            self.tap.write_message(LiveState(value=state))


class LiveState(StateMessage):
    """A STATE message of the state as it is, written under the state lock: the SDK's `to_dict`
    would copy the whole state first (`dataclasses.asdict`), 100,000 partitions' entries a time.
    """

    def to_dict(self) -> dict[str, Any]:
        """The message as the writer serialises it."""
        return {"type": "STATE", "value": self.value}


class ContextStates:
    """Each unit's entry in its stream's state `partitions`, found by its context in one step.

    The SDK finds one by comparing the context with every entry of the list: with 100,000
    partitions, 100,000 comparisons for each of a unit's look-ups. Entries are indexed by the
    context's stable hash and checked by equality, as the SDK compares them.
    """

    def __init__(self) -> None:
        self._list: list[dict[str, Any]] | None = None  # the list indexed, and its length then
        self._size = 0
        self._index: dict[int, dict[str, Any]] = {}

    def find(self, partitions: list[dict[str, Any]], context: Mapping[str, Any]) -> dict[str, Any]:
        """The entry of `context` in `partitions`, added when there is none."""
        if partitions is not self._list or len(partitions) != self._size:
            self._reindex(partitions)
        key = context_digest(context)
        entry = self._index.get(key)
        if entry is not None and entry["context"] == context:
            return entry
        if entry is not None:  # another context with the same hash, or 1 where this one has "1"
            found = next((e for e in partitions if isinstance(e, dict) and e.get("context") == context), None)
            if found is not None:
                return found
        entry = {"context": dict(context)}
        partitions.append(entry)
        self._index.setdefault(key, entry)
        self._size += 1
        return entry

    def _reindex(self, partitions: list[dict[str, Any]]) -> None:
        self._index = {}
        for entry in partitions:
            context = entry.get("context") if isinstance(entry, dict) else None
            if isinstance(context, dict):
                self._index.setdefault(context_digest(context), entry)
        self._list, self._size = partitions, len(partitions)


class StreamRun:
    """One stream's state for one run: its sample page, once-a-run warnings, its units' outcome."""

    def __init__(self, shared: TapRun) -> None:
        self.shared = shared
        self.state_lock = shared.state_lock
        self.version = shared.version
        self.outcome = Outcome()
        self.sampled = False  # the sample was asked for (it may be None: nothing to read)
        self.sample_page: Page | None = None
        self.sample_more: Iterator[Page] | None = None  # the sampled pass's next pages, read on demand
        self.sample_records: list[Any] | None = None  # the raw records of every page sampled
        self.kept: list[tuple[Any, Any]] = []  # each sampled page's (request signature, response)
        self.not_after = 0  # records the key filter kept out (one INFO line a run)
        self.states = ContextStates()  # each partition's or child pass's state entry, by context
        self.seen_children: dict[str, set[int]] = {}  # child name -> hashes of the contexts handed on
        self._warned: set[str] = set()

    def warn_once(self, key: str, message: str) -> None:
        """Log `message` as a WARNING the first time `key` comes up in this run."""
        if key not in self._warned:
            self._warned.add(key)
            LOGGER.warning("%s", message)

    def write_state(self, *, force: bool = False) -> None:
        """Write the tap's state (at most once a second unless `force`d)."""
        self.shared.write_state(force=force)

    def take_sample(self, signature: Any) -> Any:
        """A sampled page's response, once, if `signature` is its request."""
        if not self.kept:
            return None
        with self.state_lock:
            for index, (kept, response) in enumerate(self.kept):
                if kept == signature:
                    del self.kept[index]
                    return response
        return None
