"""Sending one request the way every request of the tap is sent: guarded, paced, retried.

`Client.send` is used by the streams and by the OAuth2 token request alike: one
retry policy (`retry.py`), per-origin pacing shared by every thread (`pacing.py`),
the guarded transport (`session.py`: one origin, whole-request deadline, size limit),
a stop flag (SIGTERM, a closed pipe), and one-line errors.
"""

from __future__ import annotations

import http.client
import logging
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3

from tap_restspec.errors import StreamError, http_status, one_line
from tap_restspec.http.origin import Origin, TransportError
from tap_restspec.http.pacing import Pacer, Slots
from tap_restspec.http.retry import GiveUp, RetryPolicy, asked_wait, cause_of, is_retriable, rate_limited
from tap_restspec.http.session import GuardedSession, Limits
from tap_restspec.redact import REDACTOR

LOGGER = logging.getLogger("tap-restspec")
# OpenSSL's verify codes for a certificate that is wrong, not unknown: expired, not yet valid,
# issued for another host name or address.
INVALID_CERTIFICATE = frozenset({9, 10, 62, 64})


class Stopped(Exception):  # noqa: N818 (a signal, not an error)
    """The run was asked to stop (SIGTERM, SIGINT, a closed output pipe); nothing is wrong.

    `signum` is why (SIGPIPE for a closed output), when the stop flag knows it.
    """

    def __init__(self, signum: int | None = None) -> None:
        super().__init__(signum)
        self.signum = signum


class StopFlag(threading.Event):
    """The run's stop flag, set once with the reason: a signal's number (SIGPIPE: the output closed).

    Every wait of the tap (pacing, retries, rate-limit holds, the token request's) sleeps on it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.signum: int | None = None

    def halt(self, signum: int) -> bool:
        """Set the flag for `signum`; False when it was set already (the first reason stays)."""
        if self.is_set():
            return False
        self.signum = signum
        self.set()
        return True


class SkippedAnswer(StreamError):  # noqa: N818 (an answer the spec expects, not an error)
    """An error status the spec's `singer.onHttpError` skips: the pass ends with no error."""

    def __init__(self, status: int, line: str) -> None:
        super().__init__(line)
        self.status = status


@dataclass(frozen=True)
class Sending:
    """How one client sends: its limits, retries and pause between requests."""

    limits: Limits
    policy: RetryPolicy
    pacer: Pacer
    stop: threading.Event
    delay: float = 0.0  # seconds between two requests to the origin (delayRequestMillis)
    slots: Slots | None = None  # the tap's requests in flight (max_parallel); None: unbounded
    skips: Callable[[int], bool] | None = None  # error statuses that end a pass (`singer.onHttpError`)


Reauth = Callable[[requests.Response, requests.PreparedRequest], bool]  # a 401: re-sign, True: send again


class Client:
    """Sends requests to one origin for one stream (or one token endpoint)."""

    def __init__(self, who: str, origin: Origin, sending: Sending, *, show_url: bool = True) -> None:
        self.who = who  # "stream users", or "stream users: token refresh at <url> failed"
        self.show_url = show_url
        self.origin = origin
        self.sending = sending
        self.session = GuardedSession(origin, sending.limits)

    def send(self, prepared: requests.PreparedRequest, reauth: Reauth | None = None) -> requests.Response:
        """The response to `prepared` (2xx); retried on 429, 5xx, a rate-limited 403 and network
        faults; else an error (`SkippedAnswer` for a status the spec skips, once any retries are spent).
        """
        sending = self.sending
        attempt = 0
        refreshed = False
        while True:
            if sending.stop.is_set():
                raise self._stopped()
            try:
                response = self._exchange(prepared)
            except TransportError as exc:
                raise StreamError(f"{self.who}: {REDACTOR.redact(str(exc))}") from None
            except Exception as exc:
                if sending.stop.is_set():
                    raise self._stopped() from None
                if not is_retriable(exc):
                    raise StreamError(f"{self.who}: {REDACTOR.redact(reason(exc))}") from None
                attempt = self._wait(attempt, None, reason(exc))
                continue
            status = response.status_code
            if status == 401 and reauth is not None and not refreshed and reauth(response, prepared):
                refreshed = True
                continue
            if status == 429 or status >= 500 or rate_limited(response):
                if attempt >= sending.policy.max_retries:
                    self._skip(response)
                asked = asked_wait(response)
                if asked:
                    sending.pacer.hold(self.origin, min(asked, sending.policy.max_wait))
                attempt = self._wait(attempt, asked, self.failure(response, named=False))
                continue
            if status >= 400:
                self._skip(response)
                raise StreamError(self.failure(response))
            return response

    def _skip(self, response: requests.Response) -> None:
        """Raise `SkippedAnswer` when the spec's `singer.onHttpError` skips this error status."""
        skips = self.sending.skips
        if skips is not None and skips(response.status_code):
            raise SkippedAnswer(response.status_code, self.failure(response))

    def _exchange(self, prepared: requests.PreparedRequest) -> requests.Response:
        """Send once, in this origin's turn and in one of the tap's request slots."""
        sending = self.sending
        if not sending.pacer.wait_turn(self.origin, sending.delay, sending.stop, sending.slots):
            raise self._stopped()
        try:
            response = self.session.send(prepared)
            if sending.delay:  # the pause runs from the answer, as the server sees it
                sending.pacer.hold(self.origin, sending.delay)
            return response
        finally:
            if sending.slots is not None:
                sending.slots.release()

    def _wait(self, attempt: int, asked: float | None, why: str) -> int:
        """Sleep before the next try, or give up; returns the next attempt number."""
        policy = self.sending.policy
        if attempt >= policy.max_retries:
            raise StreamError(f"{self.who}: gave up after {attempt + 1} tries: {REDACTOR.redact(why)}")
        try:
            wait = policy.wait(attempt, asked)
        except GiveUp as exc:
            raise StreamError(f"{self.who}: {exc}") from None
        LOGGER.warning(
            "%s: retry %d of %d in %.1fs after %s",
            self.who[:1].upper() + self.who[1:],
            attempt + 1,
            policy.max_retries,
            wait,
            REDACTOR.redact(why),
        )
        if self.sending.stop.wait(wait):
            raise self._stopped()
        return attempt + 1

    def _stopped(self) -> Stopped:
        return Stopped(getattr(self.sending.stop, "signum", None))

    def failure(self, response: requests.Response, *, named: bool = True) -> str:
        """One line: who (unless not `named`), the status, the redacted URL and the API's message."""
        method = response.request.method if response.request is not None else "GET"
        where = f" from {method} {response.url}" if self.show_url else ""
        text = http_status(response, where)
        return REDACTOR.redact(f"{self.who}: {text}" if named else text)

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()


def reason(exc: BaseException) -> str:
    """A failed request in a few words (requests' messages nest the URL and the cause)."""
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})" if not str(exc) else f"timed out: {exc}"
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None) if request is not None else None
    certificate = cause_of(exc, ssl.SSLCertVerificationError)
    if certificate is not None:
        return certificate_problem(urlsplit(str(url or "")).hostname or "the server", certificate)
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    http_error = cause_of(exc, http.client.HTTPException) or cause_of(exc, urllib3.exceptions.InvalidHeader)
    why = errno.group(1).strip() if errno else str(http_error)[:120] if http_error is not None else ""
    why = one_line(why)  # a status line the server wrote may hold line breaks: never a log line of its own
    return type(exc).__name__ + (f" calling {url}" if url else "") + (f" ({why})" if why else "")


def certificate_problem(host: str, error: ssl.SSLCertVerificationError) -> str:
    """Why a server's certificate was refused, and, when it is only unknown, how to trust it."""
    why = str(error.verify_message or error.reason or "").rstrip(".")
    if error.verify_code in INVALID_CERTIFICATE:  # trusting another CA would not help
        return f"the certificate of {host} is not valid ({why})"
    return (
        f"the certificate of {host} is not trusted ({why}): to trust it, set REQUESTS_CA_BUNDLE or "
        "SSL_CERT_FILE to a CA bundle (a PEM file) that holds it or its issuer"
    )
