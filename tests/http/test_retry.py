"""The retry policy: which answers are retried, what they ask to wait, how long we wait."""

from __future__ import annotations

import http.client
import json
import math
import ssl
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
import urllib3

from tap_restspec.errors import StreamError
from tap_restspec.http.origin import UnsafeURL
from tap_restspec.http.retry import DAY, GiveUp, RetryPolicy, asked_wait, is_retriable
from tap_restspec.http.session import (
    BodyMemoryError,
    BodyTooLarge,
    DeadlineExceeded,
    OriginRefused,
    RedirectRefused,
    UnfollowedRedirect,
)


def answer(status: int, body: bytes | str | object = b"", **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    response._content = body.encode() if isinstance(body, str) else body
    return response


def http_date(seconds: float) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds), usegmt=True)


SEGMENT = {"errors": [{"type": "rate-limit", "message": "Too many requests", "data": {"msBeforeNext": 3000}}]}

# (the answer, built when the test runs since some hints are times; expected seconds or None)
HINTS = [
    (lambda: answer(429), None),
    (lambda: answer(200, SEGMENT), None),  # a hint only counts on a 429 or 503
    (lambda: answer(429, Retry_After="7"), 7),
    (lambda: answer(503, Retry_After="0"), 0),
    (lambda: answer(429, Retry_After=" 2.5 "), 2.5),
    (lambda: answer(429, Retry_After="-5"), None),
    (lambda: answer(429, Retry_After="nan"), None),
    (lambda: answer(429, Retry_After="inf"), None),
    (lambda: answer(429, Retry_After="soon"), None),
    (lambda: answer(429, Retry_After="9" * 400), DAY),
    (lambda: answer(429, Retry_After="1e30"), DAY),
    (lambda: answer(429, Retry_After=http_date(30)), 30),
    (lambda: answer(429, Retry_After=http_date(-30)), 0),
    (lambda: answer(429, Retry_After="Mon, 99 Foo 2024 99:99:99 GMT"), None),
    (lambda: answer(429, RateLimit_Reset="12"), 12),
    (lambda: answer(429, X_RateLimit_Reset=str(int(time.time()) + 40)), 40),
    (lambda: answer(429, X_RateLimit_Reset=str(int(time.time() * 1000) + 40_000)), 40),
    (lambda: answer(429, X_RateLimit_Reset=str(int(time.time()) - 40)), 0),
    (lambda: answer(429, RateLimit_Reset=http_date(20)), 20),
    (lambda: answer(200, X_RateLimit_Reset="50"), None),  # a window reset on a success asks nothing
    (lambda: answer(503, X_RateLimit_Reset="50"), None),
    (lambda: answer(429, Retry_After="3", X_RateLimit_Reset="9"), 9),  # the largest hint wins
    (lambda: answer(429, SEGMENT), 3),
    (lambda: answer(503, SEGMENT), 3),
    (lambda: answer(429, SEGMENT, Retry_After="1"), 3),
    (lambda: answer(429, {"retryAfterMs": 1500}), 1.5),
    (lambda: answer(429, {"retry_after_ms": "2500"}), 2.5),
    (lambda: answer(429, {"error": {"retry_after": 4}}), 4),
    (lambda: answer(429, [[{"deep": [{"retryAfter": 6.5}]}]]), 6.5),
    (lambda: answer(429, {"a": {"retryAfter": 2}, "b": [{"msBeforeNext": 8000}]}), 8),
    (lambda: answer(429, {"retry_after": -1, "retryAfter": "x", "msBeforeNext": True}), None),
    (lambda: answer(429, {"retry_after": None, "retryAfterMs": [5]}), None),
    (lambda: answer(429, '{"retry_after": NaN, "retryAfter": Infinity, "msBeforeNext": -Infinity}'), None),
    (lambda: answer(429, '{"retry_after": 1e400}'), None),
    (lambda: answer(429, '{"retry_after": 1' + "0" * 400 + "}"), DAY),
    (lambda: answer(429, "<html>Too many requests</html>"), None),
    (lambda: answer(429, b"\xff\xfe\x00garbage"), None),
    (lambda: answer(429, "[" * 100_000 + "]" * 100_000), None),  # deeper than any parser stack
    (lambda: answer(429, {"x": list(range(100_000)), "retry_after": 5}), 5),
]


@pytest.mark.parametrize(("make", "expected"), HINTS)
def test_asked_wait(make: Callable[[], requests.Response], expected: float | None) -> None:
    got = asked_wait(make())
    if expected is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, expected, abs_tol=1.5)


def test_hints_deeper_than_the_walk_are_ignored_not_fatal() -> None:
    body: object = {"retry_after": 9}
    for _ in range(200):
        body = {"n": body}
    assert asked_wait(answer(429, body)) is None
    shallow: object = {"retry_after": 9}
    for _ in range(20):
        shallow = [shallow]
    assert asked_wait(answer(429, shallow)) == 9


def test_huge_bodies_are_not_searched() -> None:
    assert asked_wait(answer(429, {"pad": "x" * (2 << 20), "retry_after": 5})) is None
    assert asked_wait(None) is None


def test_walk_is_bounded_in_time() -> None:
    wide = answer(429, {"x": [{"y": [{}] * 20} for _ in range(20_000)], "retry_after": 5})
    started = time.monotonic()
    asked_wait(wide)
    assert time.monotonic() - started < 1.0


# --- what is retried -----------------------------------------------------------------------------

def _cert_error() -> requests.exceptions.SSLError:
    cause = urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(1, "certificate verify failed"))
    return requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, "/", cause))


def _http_error(status: int) -> requests.HTTPError:
    return requests.HTTPError("x", response=answer(status))


RETRIABLE = [
    (answer(429), True),
    (answer(500), True),
    (answer(502), True),
    (answer(503), True),
    (answer(599), True),
    (answer(200), False),
    (answer(204), False),
    (answer(301), False),
    (answer(302), False),
    (answer(304), False),
    (answer(400), False),
    (answer(401), False),
    (answer(403), False),
    (answer(404), False),
    (answer(408), False),
    (answer(422), False),
    (answer(600), False),
    (DeadlineExceeded("late"), True),
    (requests.exceptions.Timeout(), True),
    (requests.exceptions.ReadTimeout(), True),
    (requests.exceptions.ConnectTimeout(), True),
    (requests.exceptions.ConnectionError(), True),
    (requests.exceptions.ChunkedEncodingError(), True),
    (requests.exceptions.ContentDecodingError(), True),
    (requests.exceptions.SSLError("EOF occurred in violation of protocol"), True),
    (urllib3.exceptions.ProtocolError("Connection aborted."), True),
    (urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out"), True),
    (http.client.IncompleteRead(b"partial"), True),
    (http.client.RemoteDisconnected("gone"), True),
    (ConnectionResetError(), True),
    (ConnectionRefusedError(), True),
    (BrokenPipeError(), True),
    (TimeoutError(), True),
    (_http_error(503), True),
    (_http_error(404), False),
    (_cert_error(), False),
    (BodyTooLarge("big"), False),
    (BodyMemoryError("big"), False),
    (OriginRefused("elsewhere"), False),
    (RedirectRefused("elsewhere"), False),
    (UnfollowedRedirect("302 without Location"), False),
    (UnsafeURL("backslash"), False),
    (GiveUp("300s"), False),
    (StreamError("bad"), False),
    (requests.exceptions.TooManyRedirects(), False),
    (requests.exceptions.InvalidURL(), False),
    (requests.exceptions.MissingSchema(), False),
    (ValueError("a bug"), False),
    (KeyError("a bug"), False),
]


@pytest.mark.parametrize(("outcome", "expected"), RETRIABLE, ids=lambda v: type(v).__name__ + str(
    getattr(v, "status_code", "")))
def test_is_retriable(outcome: object, expected: bool) -> None:
    assert is_retriable(outcome) is expected  # type: ignore[arg-type]


# --- how long we wait ----------------------------------------------------------------------------

@pytest.mark.parametrize(("attempt", "low", "high"), [
    (0, 0.5, 1.0), (1, 1.0, 2.0), (2, 2.0, 4.0), (5, 16.0, 32.0), (6, 30.0, 60.0), (7, 30.0, 60.0),
    (10_000, 30.0, 60.0), (-3, 0.5, 1.0),
])
def test_backoff_is_exponential_with_jitter_and_capped(attempt: int, low: float, high: float) -> None:
    policy = RetryPolicy(max_retries=5, max_wait=60)
    waits = [policy.wait(attempt) for _ in range(300)]
    assert low <= min(waits) and max(waits) <= high
    assert max(waits) - min(waits) > (high - low) / 4  # jittered, not constant


def test_base_scales_the_backoff() -> None:
    policy = RetryPolicy(3, 120, base=0.25)
    assert all(0.125 <= policy.wait(0) <= 0.25 for _ in range(100))


@pytest.mark.parametrize(("asked", "attempt"), [(3.0, 0), (3.0, 4), (45.0, 0), (120.0, 2), (0.0, 0)])
def test_never_shorter_than_asked(asked: float, attempt: int) -> None:
    policy = RetryPolicy(5, 120)
    for _ in range(100):
        assert policy.wait(attempt, asked) >= asked


@pytest.mark.parametrize(("asked", "text"), [
    (300.0, "the API asks to wait 300s before retrying, more than max_retry_wait (120s)"),
    (120.5, "the API asks to wait 121s before retrying, more than max_retry_wait (120s)"),
    (DAY, "the API asks to wait more than a day before retrying, more than max_retry_wait (120s)"),
])
def test_asking_too_much_gives_up_in_one_line(asked: float, text: str) -> None:
    with pytest.raises(GiveUp) as info:
        RetryPolicy(5, 120).wait(0, asked)
    assert str(info.value) == text
    assert isinstance(info.value, StreamError) and not is_retriable(info.value)


def test_delay_for_an_outcome() -> None:
    policy = RetryPolicy(max_retries=2, max_wait=120)
    assert policy.delay(0, answer(404)) is None
    assert policy.delay(0, BodyTooLarge("x")) is None
    assert 3 <= (policy.delay(0, answer(429, SEGMENT)) or 0) <= 3.0001
    assert 0.5 <= (policy.delay(1, requests.exceptions.ConnectionError()) or 0) <= 2
    assert policy.delay(1, _http_error(503)) is not None
    assert policy.delay(2, answer(503)) is None  # retries used up
    with pytest.raises(GiveUp):
        policy.delay(0, answer(429, Retry_After="3600"))
    with pytest.raises(GiveUp):
        policy.delay(0, requests.HTTPError(response=answer(503, Retry_After="3600")))


@pytest.mark.parametrize("bad", [
    {"max_retries": -1, "max_wait": 1}, {"max_retries": 1, "max_wait": -1},
    {"max_retries": 1, "max_wait": float("nan")}, {"max_retries": 1, "max_wait": 1e20},
    {"max_retries": 1, "max_wait": 1, "base": -1},
])
def test_policy_values_are_validated(bad: dict) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**bad)
