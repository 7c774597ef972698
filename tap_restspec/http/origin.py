"""Which origin a URL goes to, read exactly as urllib3 will connect to it, and the URLs refused.

`origin_of` is the one reading of a URL's scheme, host and port for the whole tap: the
session, next-page links, redirects, settings and spec hosts are all checked with it, so
two parsers can never disagree on where a request goes. `TransportError` is the family of
the transport's refusals (never retried; see `session.py` for the rest of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import requests
import urllib3
from urllib3.exceptions import LocationParseError

from tap_restspec.errors import StreamError

DEFAULT_PORTS = {"http": 80, "https": 443}


# The transport's refusals (here and in session.py) are fatal, never retried; its one retriable
# error is session.DeadlineExceeded. Names say what was refused (N818).
class TransportError(StreamError):
    """A request the transport refuses or stops; never worth retrying."""


class UnsafeURL(TransportError, ValueError):  # noqa: N818
    """A URL whose origin could be read in more than one way, or not http(s)."""


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port, as urllib3 connects to them."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def origin_of(url: str | bytes) -> Origin:
    """The origin urllib3 will connect to for `url`; `UnsafeURL` if it is ambiguous or not http(s)."""
    if isinstance(url, bytes):
        url = url.decode("utf-8", "replace")
    if any(ch <= " " or ch == "\x7f" or ch.isspace() or ch == "\\" for ch in url):
        raise UnsafeURL("URL refused: it holds whitespace, a control character or a backslash")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in DEFAULT_PORTS:
        raise UnsafeURL("URL refused: it must start with http:// or https://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise UnsafeURL("URL refused: it holds a user name or password (userinfo)")
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parsed = urllib3.util.parse_url(prepared.url or "")
    except (requests.exceptions.RequestException, LocationParseError, ValueError, UnicodeError):
        raise UnsafeURL("URL refused: it is not a valid URL") from None
    if parsed.auth is not None:
        raise UnsafeURL("URL refused: it holds a user name or password (userinfo)")
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host or "%" in parsed.host:
        raise UnsafeURL("URL refused: it has no valid http(s) host")
    origin = Origin(parsed.scheme, parsed.host, parsed.port or DEFAULT_PORTS[parsed.scheme])
    if pool_origin(prepared.url or "") != origin:
        raise UnsafeURL("URL refused: its host and port read differently to different parsers")
    return origin


def pool_origin(url: str) -> Origin | None:
    """Where requests' adapter connects: it picks the connection pool with urllib.parse."""
    try:
        parts = urlparse(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return Origin(scheme, host, port or DEFAULT_PORTS.get(scheme, 0))
