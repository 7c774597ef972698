"""Per-origin pacing shared by every thread: a minimum interval between request starts, and holds.

`wait_turn(origin, min_interval_s, stop)` returns once `min_interval_s` have passed since
the previous request start to that origin by any thread, and any hold on it is over; it
records the new start. `hold(origin, seconds)` makes every caller to that origin wait until
then (a 429's Retry-After seen by one stream pauses all streams on that origin). Origins
never wait for each other; waiting sleeps (no polling) and ends early when `stop` is set.
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
        self, origin: Hashable, min_interval_s: float = 0.0, stop: threading.Event | None = None
    ) -> bool:
        """Block until this origin may be sent a request, and record its start.

        Returns True once the turn is taken, False (without taking it) as soon as `stop` is set.
        """
        interval = _seconds(min_interval_s)
        slot = self._slot(origin)
        sleeper = stop if stop is not None else threading.Event()
        while True:
            if stop is not None and stop.is_set():
                return False
            with slot.lock:
                now = time.monotonic()
                ready = max(slot.last_start + interval, slot.held_until)
                if now >= ready:
                    slot.last_start = now
                    return True
            # Nothing but another start or a new hold changes `ready`, and both only move it
            # later: sleeping until it, then looking again, never starts too soon.
            if sleeper.wait(ready - now):
                return False

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


def _seconds(value: float) -> float:
    """A wait in seconds, bounded: negative or NaN is 0, more than a day is a day."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(number, MAX_SECONDS) if number > 0 else 0.0  # NaN > 0 is False


PACER = Pacer()
