"""What one run keeps: the state every stream shares (`TapRun`), and each stream's own (`StreamRun`).

`TapRun` holds the state lock, writes whole STATE messages, and says how child units run:
through the scheduler's `submit`, or at once when the SDK's own `sync()` drives a stream.
`StreamRun` keeps one stream's schema sample (reused by its first request), its once-a-run
warnings, the child contexts it handed on, and its `Outcome`. Both are plain state: the
engine's functions (`unit.py`, `sample.py`, `children.py`) act on them.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from singer_sdk.singerlib import Message, StateMessage

from tap_restspec.extract.passes import Page
from tap_restspec.http.pacing import Slots
from tap_restspec.sync.outcome import Outcome

LOGGER = logging.getLogger("tap-restspec")
STATE_EVERY = 1.0  # seconds between two large STATE messages while units complete
SMALL_STATE = 4096  # bytes: a state this small goes out after every slice

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
        self.seen_children: dict[str, set[tuple[Any, ...]]] = {}  # child name -> contexts handed on
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


def _copy(state: Any) -> Any:
    """A deep copy of the state; the SDK's own steps may add a key meanwhile, so try again then."""
    for _ in range(9):
        try:
            return copy.deepcopy(state)
        except RuntimeError:  # "dictionary changed size during iteration"
            time.sleep(0.001)
    return copy.deepcopy(state)
