"""The draft's requests: GET only, to the URL's origin only, at most `MAX_REQUESTS` of them, each
through the tap's own client (the guarded session's deadline, size limit and origin checks, the
retry policy), and each answer kept by request so that a request is never sent twice.

The cap counts what goes on the wire, retries and same-origin redirects included: it is held
by the transport adapter, below the client, where every one of them passes.
"""

from __future__ import annotations

from typing import Any

import requests
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.extract.passes import signature
from tap_restspec.http.client import Client, Sending, StopFlag
from tap_restspec.http.deadline import Adapter
from tap_restspec.http.origin import TransportError, origin_of
from tap_restspec.http.pacing import Pacer
from tap_restspec.http.retry import RetryPolicy
from tap_restspec.http.session import Limits

MAX_REQUESTS = 10
TIMEOUT = 60.0  # seconds for one whole request: a draft is interactive (the tap's default is 300)
MAX_BYTES = 512 * 1024 * 1024  # the tap's default max_response_mb
RETRIES = RetryPolicy(max_retries=2, max_wait=30.0, base=0.5)
USER_AGENT = "tap-restspec-draft"


class RequestsSpent(TransportError):  # noqa: N818 (a refusal, as the transport's others)
    """The draft's requests are all spent."""


class NotAGet(TransportError):  # noqa: N818
    """A draft sends GET requests only."""


class _Counted(Adapter):
    """The guarded session's adapter, counting (and capping) what it sends."""

    def __init__(self, prober: Prober) -> None:
        super().__init__()
        self.prober = prober

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send `request` if it is a GET and the cap allows one more."""
        if request.method != "GET":
            raise NotAGet(f"a draft sends GET requests only, not {request.method}")
        if self.prober.sent >= MAX_REQUESTS:
            self.prober.spent = True
            raise RequestsSpent(f"the draft's {MAX_REQUESTS} requests are spent")
        self.prober.sent += 1
        return super().send(request, *args, **kwargs)


class Prober:
    """Sends a draft's requests to one origin and keeps every answer by its request."""

    def __init__(self, url: str, stop: StopFlag) -> None:
        origin = origin_of(url)
        self.origin = origin
        self.sent = 0  # requests on the wire
        self.spent = False  # a request was refused: all were spent
        self._answers: dict[tuple[Any, ...], requests.Response] = {}
        sending = Sending(limits=Limits(TIMEOUT, MAX_BYTES), policy=RETRIES, pacer=Pacer(), stop=stop)
        self.client = Client("draft", origin, sending)
        adapter = _Counted(self)
        self.client.session.mount("https://", adapter)
        self.client.session.mount("http://", adapter)
        self.client.session.headers["User-Agent"] = USER_AGENT

    @property
    def left(self) -> int:
        """Requests that may still be sent."""
        return MAX_REQUESTS - self.sent

    def fetch(self, request: HTTPRequest) -> requests.Response:
        """The answer to `request`: kept from before, else sent (a 2xx, or a StreamError)."""
        key = signature(request)
        kept = self._answers.get(key)
        if kept is not None:
            return kept
        prepared = self.client.session.prepare_request(
            requests.Request(
                request.method, request.url, params=request.encode_params(), headers=request.headers
            )
        )
        response = self.client.send(prepared)
        self._answers[key] = response
        return response

    def close(self) -> None:
        """Close the connections."""
        self.client.close()
