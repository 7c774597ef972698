"""One retry policy for every request of the tap: what to retry, and how long to wait first.

Retriable: 429, 5xx, a 403 that says it is a rate limit (GitHub's), timeouts (the transport's
whole-request deadline included), dropped, refused or reset connections, and bodies cut short
or garbled in transit. Not retriable: other 4xx, 3xx, and the transport's refusals
(`origin.TransportError`: another origin, a redirect not followed, a body over the limit).
"""

from __future__ import annotations

import http.client
import json
import math
import random
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
import urllib3

from tap_restspec.errors import StreamError

DAY = 86400.0  # a wait above this is absurd: capped here (and so, in practice, "more than max_wait")
HINT_BODY_BYTES = 1 << 20  # a larger 429/503 body is not searched for hints
HINT_NODES = 10_000
HINT_DEPTH = 32
MS_KEYS = frozenset({"msBeforeNext", "retryAfterMs", "retry_after_ms"})
S_KEYS = frozenset({"retry_after", "retryAfter"})
RESET_HEADERS = ("RateLimit-Reset", "X-RateLimit-Reset")
E = TypeVar("E", bound=BaseException)
RETRIABLE_ERRORS = (
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.TimeoutError,
    urllib3.exceptions.NewConnectionError,
    http.client.IncompleteRead,
    http.client.RemoteDisconnected,
    ConnectionError,  # the builtin: reset, refused, aborted, broken pipe
    TimeoutError,
)


class GiveUp(StreamError):  # noqa: N818 (the name the integrator uses)
    """The API asks to wait longer than the policy allows."""


@dataclass(frozen=True)
class RetryPolicy:
    """`max_retries` retries after the first try, exponential backoff with jitter, capped waits."""

    max_retries: int
    max_wait: float
    base: float = 1.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or not 0 <= self.max_wait <= DAY or not 0 <= self.base <= DAY:
            raise ValueError("max_retries, max_wait and base must be non-negative (waits at most a day)")

    def backoff(self, attempt: int) -> float:
        """`min(max_wait, base * 2**attempt)` with jitter: times 0.5 to 1.0."""
        step = self.base * 2.0 ** min(max(attempt, 0), 64)
        return min(self.max_wait, step) * random.uniform(0.5, 1.0)

    def wait(self, attempt: int, asked: float | None = None) -> float:
        """Seconds before retry number `attempt + 1`: the backoff, never less than `asked`.

        `GiveUp` when the API asks for more than `max_wait`.
        """
        if asked is not None and asked > self.max_wait:
            what = "more than a day" if asked >= DAY else f"{_seconds_text(asked, up=True)}s"
            limit = f"max_retry_wait ({_seconds_text(self.max_wait, up=False)}s)"
            raise GiveUp(f"the API asks to wait {what} before retrying, more than {limit}")
        return max(self.backoff(attempt), asked or 0.0)

    def delay(self, attempt: int, outcome: requests.Response | BaseException) -> float | None:
        """Seconds to wait before retrying `outcome` (a response or an exception), or None: do not retry."""
        if attempt >= self.max_retries or not is_retriable(outcome):
            return None
        response = outcome if isinstance(outcome, requests.Response) else getattr(outcome, "response", None)
        return self.wait(attempt, asked_wait(response) if isinstance(response, requests.Response) else None)


def _seconds_text(seconds: float, up: bool) -> str:
    """Seconds for a message: whole from 10 s on, tenths below; a wait asked rounded up, a limit
    down, so the two never read the same (a `max_retry_wait` of 1.5 was shown as 2 beside a 2).
    """
    whole = math.ceil if up else math.floor
    if seconds >= 10 or float(seconds).is_integer():
        return str(whole(seconds))
    return f"{whole(round(seconds * 10, 6)) / 10:g}"


def is_retriable(outcome: requests.Response | BaseException) -> bool:
    """True for 429, 5xx, a rate-limited 403 and transient network faults; False for anything else."""
    if isinstance(outcome, requests.Response):
        return outcome.status_code == 429 or 500 <= outcome.status_code <= 599 or rate_limited(outcome)
    if isinstance(outcome, StreamError):  # the transport's refusals, GiveUp: final
        return False
    if isinstance(outcome, requests.exceptions.SSLError) and _caused_by(outcome, ssl.CertificateError):
        return False  # a certificate that does not verify will not verify on the next try either
    if isinstance(outcome, RETRIABLE_ERRORS):
        return True
    response = getattr(outcome, "response", None)  # HTTPError, the SDK's RetriableAPIError
    return isinstance(response, requests.Response) and is_retriable(response)


def rate_limited(response: requests.Response) -> bool:
    """A 403 that is a rate limit, as GitHub answers its primary and secondary limits: it carries
    `Retry-After`, or `X-RateLimit-Remaining: 0` with a reset time. Any other 403 is fatal.
    """
    if response.status_code != 403:
        return False
    if _header_wait(response.headers.get("Retry-After"), epoch=False) is not None:
        return True
    return _exhausted(response) and any(hint is not None for hint in _reset_waits(response))


def _exhausted(response: requests.Response) -> bool:
    """`X-RateLimit-Remaining` (or `RateLimit-Remaining`) says no request is left."""
    remaining = (response.headers.get(name) for name in ("X-RateLimit-Remaining", "RateLimit-Remaining"))
    return any(value is not None and _number(value) == 0 for value in remaining)


def _reset_waits(response: requests.Response) -> list[float | None]:
    return [_header_wait(response.headers.get(name), epoch=True) for name in RESET_HEADERS]


def asked_wait(response: requests.Response | None) -> float | None:
    """Seconds the answer asks to wait before the next try (the largest hint), or None.

    `Retry-After` (seconds or an HTTP date); on a 429, or a 403 with no request remaining,
    also `RateLimit-Reset` and `X-RateLimit-Reset` (seconds, an epoch time, or an HTTP date);
    on a 429 or 503 a JSON body's `msBeforeNext`, `retryAfterMs`, `retry_after_ms` (ms) or
    `retry_after`, `retryAfter` (s) at any depth. Negative, non-finite or non-numeric values
    are ignored; more than a day counts as a day.
    """
    if response is None:
        return None
    hints = [_header_wait(response.headers.get("Retry-After"), epoch=False)]
    if response.status_code == 429 or (response.status_code == 403 and _exhausted(response)):
        hints += _reset_waits(response)
    if response.status_code in (429, 503):
        hints.append(_body_wait(response))
    found = [hint for hint in hints if hint is not None]
    return min(max(found), DAY) if found else None


def _number(value: Any) -> float | None:
    """A finite, non-negative number from a JSON value or header text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) > 15:
            return DAY  # a whole number of absurd size
        if not text or len(text) > 40:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a float: absurd
        return DAY
    return number if math.isfinite(number) and number >= 0 else None


def _header_wait(value: str | None, *, epoch: bool) -> float | None:
    """A header's wait in seconds: a number (an epoch time if `epoch` and it is one) or an HTTP date."""
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        if epoch and number > 1e11:  # epoch milliseconds
            number = number / 1000 - time.time()
        elif epoch and number > 1e9:  # epoch seconds (after 2001): seconds from now
            number -= time.time()
        return min(max(number, 0.0), DAY)
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max((when - datetime.now(timezone.utc)).total_seconds(), 0.0), DAY)


def _body_wait(response: requests.Response) -> float | None:
    """The largest wait a JSON body names at any depth (bounded walk), or None."""
    content = response.content
    if not content or len(content) > HINT_BODY_BYTES:
        return None
    try:
        body = json.loads(content)
    except (ValueError, RecursionError, UnicodeError):
        return None
    best: float | None = None
    stack: list[tuple[Any, int]] = [(body, 0)]
    nodes = 0
    while stack and nodes < HINT_NODES:
        node, depth = stack.pop()
        nodes += 1
        if isinstance(node, dict):
            items: Any = node.items()
        elif isinstance(node, list):
            items = ((None, value) for value in node)
        else:
            continue
        for key, value in items:
            if key in MS_KEYS or key in S_KEYS:
                number = _number(value)
                if number is not None:
                    seconds = number / 1000 if key in MS_KEYS else number
                    best = seconds if best is None else max(best, seconds)
            elif isinstance(value, (dict, list)) and depth < HINT_DEPTH:
                if len(stack) >= HINT_NODES:
                    break
                stack.append((value, depth + 1))
    return best


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is among the causes requests and urllib3 wrap around `exc` (a few levels)."""
    return cause_of(exc, kind) is not None


def cause_of(exc: BaseException, kind: type[E]) -> E | None:
    """The first `kind` among the causes requests and urllib3 wrap around `exc` (a few levels)."""
    seen: list[Any] = [exc]
    for _ in range(16):
        if not seen:
            return None
        current = seen.pop()
        if isinstance(current, kind):
            return current
        if isinstance(current, BaseException):
            seen += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return None
