"""A requests session that a hostile server cannot lead astray.

`GuardedSession.send` talks to one origin only (redirects to any other are refused,
never followed with the request's credentials), bounds each whole request by one
deadline (connect to the last body byte) and bounds the decompressed body's size. It
verifies certificates with the CA bundle the environment names, as `requests.get` does.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse

import requests
import urllib3
from requests.cookies import extract_cookies_to_jar, merge_cookies
from requests.utils import requote_uri, rewind_body
from urllib3.exceptions import HeaderParsingError

from tap_restspec.http.deadline import Adapter, Watch, watching
from tap_restspec.http.origin import Origin, TransportError, UnsafeURL, origin_of, pool_origin

REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 256 * 1024
MAX_TIMEOUT = 7 * 86400.0
# Where a CA bundle may be named, in this order: requests' own two, then OpenSSL's.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


class OriginRefused(TransportError):  # noqa: N818
    """A request to another origin than the session's own."""


class RedirectRefused(TransportError):  # noqa: N818
    """A redirect to another origin (or to an unsafe URL): not followed."""


class UnfollowedRedirect(TransportError):  # noqa: N818
    """A 3xx that cannot be followed (no Location, 300, 304, too many hops); `.response` holds it."""

    def __init__(self, message: str, response: requests.Response | None = None) -> None:
        self.response = response
        super().__init__(message)


class BodyTooLarge(TransportError):  # noqa: N818
    """A response body larger than the limit after decompression."""


class CABundleMissing(TransportError):  # noqa: N818
    """The CA bundle the environment names is not there."""


class BodyMemoryError(TransportError):
    """A response body that does not fit in memory."""


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole request (connect to last body byte) did not finish in time; retriable."""


@dataclass(frozen=True)
class Limits:
    """Bounds of one request: whole-request seconds, decompressed body bytes, redirect hops."""

    timeout: float
    max_bytes: int
    max_redirects: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= MAX_TIMEOUT:  # also refuses NaN
            raise ValueError(f"timeout must be between 0 and {MAX_TIMEOUT:.0f} seconds")
        if self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects not negative")


class GuardedSession(requests.Session):
    """A session bound to one origin, with a whole-request deadline and a body size limit."""

    def __init__(self, allowed: Origin | str, limits: Limits) -> None:
        super().__init__()
        self.allowed = allowed if isinstance(allowed, Origin) else origin_of(allowed)
        self.limits = limits
        self.max_redirects = limits.max_redirects
        adapter = Adapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send to the allowed origin only; follow same-origin redirects; read the whole body.

        `allow_redirects` and `stream` are ignored; a numeric `timeout` may only shorten the
        deadline. The body is in `response.content` (a bytearray) when this returns.
        """
        origin = origin_of(request.url or "")
        pool = pool_origin(request.url or "")  # the same unless `url` was changed after preparing
        if origin != self.allowed or pool != self.allowed:
            elsewhere = origin if origin != self.allowed else pool or "an origin it cannot read"
            raise OriginRefused(f"refused a request to another origin: {elsewhere}")
        kwargs.pop("allow_redirects", None)
        kwargs.pop("stream", None)
        if "verify" not in kwargs:
            kwargs["verify"] = self._verify()
        budget = self.limits.timeout
        asked = kwargs.pop("timeout", None)
        if isinstance(asked, (int, float)) and 0 < asked < budget:
            budget = float(asked)
        deadline = time.monotonic() + budget
        history: list[requests.Response] = []
        while True:
            response = self._send_once(request, deadline, budget, kwargs)
            if not 300 <= response.status_code < 400:
                response.history = history
                return response
            request = self._next_hop(request, response, len(history))
            history.append(response)

    def _verify(self) -> bool | str | None:
        """The CA bundle for https: `verify`, else the one the environment names.

        requests reads `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` in `Session.request` only
        (`merge_environment_settings`), and the tap sends prepared requests, so they are read
        here; `SSL_CERT_FILE` too, which requests never reads (it brings its own bundle).
        """
        if self.verify is not True or not self.trust_env or self.allowed.scheme != "https":
            return self.verify
        for name in CA_BUNDLE_VARIABLES:
            path = os.environ.get(name, "").strip()
            if path:
                if not os.path.exists(path):
                    raise CABundleMissing(f"{name} names a CA bundle that does not exist: {path!r}")
                return path
        return True

    def _send_once(
        self, request: requests.PreparedRequest, deadline: float, budget: float, kwargs: Mapping[str, Any]
    ) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded(_late(self.allowed, budget), request=request)
        with watching(deadline) as watch:
            return self._send_watched(request, deadline, budget, remaining, watch, kwargs)

    def _send_watched(
        self,
        request: requests.PreparedRequest,
        deadline: float,
        budget: float,
        remaining: float,
        watch: Watch,
        kwargs: Mapping[str, Any],
    ) -> requests.Response:
        try:
            response = super().send(
                request, stream=True, allow_redirects=False, timeout=(remaining, remaining), **kwargs
            )
            try:
                self._read_body(response)
                if watch.fired:  # a body read "to the end" may only have been cut by the watchdog
                    raise DeadlineExceeded(_late(self.allowed, budget), request=request)
            except BaseException:
                response.close()
                raise
            return response
        except (requests.exceptions.RequestException, OSError, urllib3.exceptions.HTTPError):
            if watch.fired or time.monotonic() >= deadline:  # socket timeouts are set to end there too
                raise DeadlineExceeded(_late(self.allowed, budget), request=request) from None
            raise

    def _read_body(self, response: requests.Response) -> None:
        """Read and decompress the body into one bytearray, stopping at `max_bytes`."""
        limit = self.limits.max_bytes
        head = response.request is not None and response.request.method == "HEAD"
        length = None if head else _content_length(response.headers.get("Content-Length"))
        encoded = response.headers.get("Content-Encoding", "identity").strip().lower() != "identity"
        if length is not None and length > limit and not encoded:
            raise BodyTooLarge(_too_large(self.allowed, limit))
        size = 0
        try:  # iter_content decompresses (bounded per chunk) and maps urllib3's errors to requests'
            body = bytearray(length if length and not encoded else 0)  # length <= limit here
            for chunk in response.iter_content(CHUNK):
                end = size + len(chunk)
                if end > limit:
                    raise BodyTooLarge(_too_large(self.allowed, limit))
                body[size:end] = chunk
                size = end
            del body[size:]
        except MemoryError:
            raise BodyMemoryError(
                f"the response from {self.allowed} does not fit in memory ({size >> 20} MB read)"
            ) from None
        response._content = body  # type: ignore[assignment]  # a bytearray: no second copy
        response.raw.release_conn()

    def _next_hop(
        self, request: requests.PreparedRequest, response: requests.Response, hops: int
    ) -> requests.PreparedRequest:
        """The request a same-origin redirect asks for; an error for any other 3xx."""
        status = response.status_code
        location = self.get_redirect_target(response) if status in REDIRECTS else None
        if not location:
            why = "has no Location header" if status in REDIRECTS else "is not a redirect the tap follows"
            raise UnfollowedRedirect(f"HTTP {status} from {self.allowed} {why}", response)
        if hops >= self.limits.max_redirects:
            raise UnfollowedRedirect(
                f"more than {self.limits.max_redirects} redirects from {self.allowed}", response
            )
        target = _resolve(location, response.url or request.url or "")
        try:
            origin = origin_of(target)
        except UnsafeURL as exc:
            why = str(exc).removeprefix("URL refused: ")
            raise RedirectRefused(f"refused a redirect to an unsafe URL ({why})") from None
        if origin != self.allowed:
            raise RedirectRefused(f"refused a redirect to another origin: {origin}")
        hop = request.copy()
        hop.prepare_url(target, None)
        self.rebuild_method(hop, response)
        if status not in (307, 308):
            for name in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                hop.headers.pop(name, None)
            hop.body = None
        elif hop.body is not None and hasattr(hop.body, "read"):
            if hop._body_position is None:  # type: ignore[attr-defined]
                raise UnfollowedRedirect(f"HTTP {status} from {self.allowed}: the body cannot be resent")
            rewind_body(hop)
        hop.headers.pop("Cookie", None)
        jar = hop._cookies  # type: ignore[attr-defined]
        extract_cookies_to_jar(jar, request, response.raw)
        merge_cookies(jar, self.cookies)
        hop.prepare_cookies(jar)
        return hop


class HeaderWarning(logging.Filter):
    """urllib3's warning about an answer's malformed headers, as one line once per origin.

    urllib3 logs it with the library's traceback (`exc_info=True`) on every answer, from inside
    `HTTPConnection.getresponse`, where no hook of its own reaches: this filter on its logger
    makes it one line without a traceback, naming the origin only (the URL's query may hold a
    secret), once per origin and process.
    """

    _LINE = re.compile(r"unparsed data: (['\"])(.*?)(?:\\r|\\n|\1)")

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the header-parsing warning; drop its repeats; pass anything else."""
        error = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        if not (isinstance(error, (HeaderParsingError, TypeError)) and message.startswith("Failed to parse")):
            return True
        url = re.search(r"url=(\S+?)\)", message)
        parts = urlparse(url.group(1) if url else "")
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "a server"
        with self._lock:
            if origin in self._seen:
                return False
            self._seen.add(origin)
        line = self._LINE.search(message)
        detail = (
            f"a header line that is not 'Name: value' ({line.group(2)[:80]!r}): it and the lines after it "
            "are not read as headers"
            if line
            else "malformed headers"
        )
        record.msg, record.args = f"The answer from {origin} has {detail}", None
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("urllib3.connection").addFilter(HeaderWarning())


def _resolve(location: str, base: str) -> str:
    """A Location resolved as requests resolves it."""
    if location.startswith("//"):
        location = f"{urlparse(base).scheme}:{location}"
    if not urlparse(location).netloc:
        return urljoin(base, requote_uri(location))
    return requote_uri(location)


def _content_length(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value)


def _late(origin: Origin, budget: float) -> str:
    return f"the request to {origin} did not complete within {budget:g}s (request_timeout)"


def _too_large(origin: Origin, limit: int) -> str:
    return f"the response from {origin} is larger than {limit / 2**20:g} MB after decompression"
