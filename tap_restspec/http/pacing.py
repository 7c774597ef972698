"""Pacing shared by every thread: per-origin intervals and holds, and slots for requests in flight.

`wait_turn(origin, min_interval_s, stop)` returns once `min_interval_s` have passed since
the previous request start to that origin by any thread, and any hold on it is over; it
records the new start. `hold(origin, seconds)` makes every caller to that origin wait until
then (a 429's Retry-After seen by one stream pauses all streams on that origin). Origins
never wait for each other; waiting sleeps (no polling) and ends early when `stop` is set.
`Slots(max_parallel)` bounds the requests in flight in the process, whatever their origin.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Hashable

MAX_SECONDS = 86400.0  # longer intervals and holds are capped (a timer cannot overflow)


class _Slot:
    """The pacing state of one origin."""

    __slots__ = ("held_until", "last_start", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_start = -math.inf
        self.held_until = -math.inf


class Pacer:
    """Pacing state for every origin; thread-safe. `PACER` is the process-wide one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[Hashable, _Slot] = {}

    def _slot(self, origin: Hashable) -> _Slot:
        slot = self._slots.get(origin)
        if slot is None:
            with self._lock:
                slot = self._slots.setdefault(origin, _Slot())
        return slot

    def wait_turn(
        self,
        origin: Hashable,
        min_interval_s: float = 0.0,
        stop: threading.Event | None = None,
        slots: Slots | None = None,
    ) -> bool:
        """Block until this origin may be sent a request, and record its start.

        Returns True once the turn is taken, False (without taking it) as soon as `stop` is set.
        With `slots`, True also means one slot is held (the caller gives it back): it is taken
        before the turn, so two starts to a paced origin are never closer than its interval,
        and given back while the turn is not due, so a paced origin keeps no other waiting.
        """
        sleeper = stop if stop is not None else threading.Event()
        while True:
            if stop is not None and stop.is_set():
                return False
            if slots is not None and not slots.acquire(sleeper):
                return False
            due = self.try_turn(origin, min_interval_s)
            # Nothing but another start or a new hold changes when the turn is due, and both
            # only move it later: sleeping until then, then trying again, never starts too soon.
            if due <= 0:
                return True
            if slots is not None:
                slots.release()
            if sleeper.wait(due):
                return False

    def try_turn(self, origin: Hashable, min_interval_s: float = 0.0) -> float:
        """Take this origin's turn if it is due (0.0); else the seconds until it is, taking nothing."""
        interval = _seconds(min_interval_s)
        slot = self._slot(origin)
        with slot.lock:
            now = time.monotonic()
            ready = max(slot.last_start + interval, slot.held_until)
            if now >= ready:
                slot.last_start = now
                return 0.0
            return ready - now

    def hold(self, origin: Hashable, seconds: float) -> None:
        """No request to `origin` starts (through this pacer) for `seconds` from now."""
        pause = _seconds(seconds)
        if pause <= 0:
            return
        slot = self._slot(origin)
        with slot.lock:
            slot.held_until = max(slot.held_until, time.monotonic() + pause)

    def held_for(self, origin: Hashable) -> float:
        """Seconds left of the hold on `origin` (0 when none)."""
        slot = self._slot(origin)
        with slot.lock:
            return max(0.0, slot.held_until - time.monotonic())


class Slots:
    """At most `size` requests in flight in the process at once, whatever their origin (`max_parallel`)."""

    def __init__(self, size: int) -> None:
        self._free = threading.BoundedSemaphore(max(1, size))

    def acquire(self, stop: threading.Event) -> bool:
        """Take a slot; False (holding none) as soon as `stop` is set."""
        while not self._free.acquire(timeout=0.1):
            if stop.is_set():
                return False
        return True

    def release(self) -> None:
        """Give back a slot."""
        self._free.release()


def _seconds(value: float) -> float:
    """A wait in seconds, bounded: negative or NaN is 0, more than a day is a day."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(number, MAX_SECONDS) if number > 0 else 0.0  # NaN > 0 is False


PACER = Pacer()
