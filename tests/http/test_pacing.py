"""Per-origin pacing with real threads and monotonic timestamps."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest

from tap_restspec.http.origin import Origin
from tap_restspec.http.pacing import MAX_SECONDS, PACER, Pacer

API = Origin("https", "api.example.com", 443)
OTHER = Origin("https", "other.example.com", 443)
EPS = 0.005  # monotonic clock and Event.wait granularity


def run_threads(*targets: Callable[[], None], timeout: float = 5.0) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive()


def starts(pacer: Pacer, origin: Origin, interval: float, count: int, out: list[float],
           stop: threading.Event | None = None) -> Callable[[], None]:
    def work() -> None:
        for _ in range(count):
            assert pacer.wait_turn(origin, interval, stop)
            out.append(time.monotonic())

    return work


def gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [b - a for a, b in itertools.pairwise(ordered)]


def test_interval_holds_across_threads() -> None:
    pacer, times = Pacer(), []
    run_threads(*[starts(pacer, API, 0.1, 3, times) for _ in range(4)])
    assert len(times) == 12
    assert min(gaps(times)) >= 0.1 - EPS
    assert sorted(times)[-1] - sorted(times)[0] < 1.1 + 0.3  # no more waiting than needed


def test_many_threads_short_interval_never_too_close() -> None:
    pacer, times = Pacer(), []
    run_threads(*[starts(pacer, API, 0.02, 6, times) for _ in range(8)])
    # timestamps are taken just after each start: allow for a thread switch in between
    assert len(times) == 48 and min(gaps(times)) >= 0.02 - 0.01
    assert sorted(times)[-1] - sorted(times)[0] >= 47 * 0.02 - EPS


def test_origins_never_wait_for_each_other() -> None:
    pacer = Pacer()
    assert pacer.wait_turn(API, 1.0)
    pacer.hold(API, 1.0)
    api_done: list[float] = []
    other: list[float] = []
    started = time.monotonic()
    run_threads(starts(pacer, API, 1.0, 1, api_done), starts(pacer, OTHER, 1.0, 1, other))
    assert other[0] - started < 0.05
    assert api_done[0] - started >= 1.0 - EPS


def test_hold_pauses_every_caller_then_intervals_resume() -> None:
    pacer, times = Pacer(), []
    started = time.monotonic()
    pacer.hold(API, 0.5)
    run_threads(*[starts(pacer, API, 0.1, 1, times) for _ in range(3)])
    assert min(times) - started >= 0.5 - EPS
    assert min(gaps(times)) >= 0.1 - EPS
    assert max(times) - started < 0.5 + 0.2 + 0.15


def test_hold_seen_by_a_caller_already_waiting() -> None:
    pacer, times = Pacer(), []
    assert pacer.wait_turn(API, 0.2)
    started = time.monotonic()
    waiter = threading.Thread(target=starts(pacer, API, 0.2, 1, times))
    waiter.start()
    time.sleep(0.05)
    held_at = time.monotonic()
    pacer.hold(API, 0.6)  # one stream's 429 pauses the stream that is already waiting its interval
    waiter.join(3)
    assert times[0] - held_at >= 0.6 - EPS and times[0] - started < 1.0


def test_holds_only_extend() -> None:
    pacer = Pacer()
    pacer.hold(API, 0.5)
    pacer.hold(API, 0.1)
    assert pacer.held_for(API) > 0.4
    assert pacer.held_for(OTHER) == 0


def test_stop_ends_a_wait_promptly_and_takes_no_turn() -> None:
    pacer, stop = Pacer(), threading.Event()
    pacer.hold(API, 10)
    result: list[tuple[bool, float]] = []

    def waiting() -> None:
        ok = pacer.wait_turn(API, 0, stop)
        result.append((ok, time.monotonic()))

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.2)
    stop.set()
    set_at = time.monotonic()
    thread.join(2)
    assert result and result[0][0] is False and result[0][1] - set_at < 0.05


def test_stop_already_set_returns_at_once_without_a_turn() -> None:
    pacer, stop = Pacer(), threading.Event()
    stop.set()
    started = time.monotonic()
    assert pacer.wait_turn(API, 5.0, stop) is False
    assert pacer.wait_turn(API, 5.0, threading.Event())  # the stopped call took no turn
    assert time.monotonic() - started < 0.05


def test_waiting_does_not_burn_cpu() -> None:
    pacer = Pacer()
    pacer.hold(API, 0.8)
    cpu = time.process_time()
    run_threads(*[starts(pacer, API, 0.0, 1, []) for _ in range(4)])
    assert time.process_time() - cpu < 0.1


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("-inf"), 0.0])
def test_bad_intervals_and_holds_mean_no_wait(bad: float) -> None:
    pacer = Pacer()
    started = time.monotonic()
    pacer.hold(API, bad)
    assert pacer.wait_turn(API, bad) and pacer.wait_turn(API, bad)
    assert time.monotonic() - started < 0.05


def test_huge_values_are_capped_not_overflowing() -> None:
    pacer, stop = Pacer(), threading.Event()
    pacer.hold(API, float("inf"))
    assert MAX_SECONDS - 1 < pacer.held_for(API) <= MAX_SECONDS
    pacer.hold(OTHER, 1e300)
    assert pacer.wait_turn(OTHER.__class__("http", "x", 1), 1e300, stop)
    stop.set()
    assert pacer.wait_turn(API, 1e300, stop) is False


def test_process_wide_pacer() -> None:
    assert isinstance(PACER, Pacer)
