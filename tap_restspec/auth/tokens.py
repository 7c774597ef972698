"""The OAuth2 token flows: a bearer token, fetched (with a refresh token, or with the client's
own credentials: `grant_type=client_credentials`) before the first request when there is none,
and again once on a 401 or once it has expired.

Token state is shared in the process per set of credentials, so the streams of one
source make one refresh; every token, old or new, is registered with the redactor.
The token request goes through the same `Client` as every request (one origin,
deadline, size limit, the shared retry policy with its Retry-After floor).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_restspec.auth.base import BuildContext
from tap_restspec.errors import StreamError
from tap_restspec.http.client import Client, Sending
from tap_restspec.http.origin import origin_of
from tap_restspec.http.pacing import PACER
from tap_restspec.http.retry import RetryPolicy
from tap_restspec.http.session import Limits
from tap_restspec.redact import REDACTOR

LOGGER = logging.getLogger("tap-restspec")
REFRESH_TOKEN, CLIENT_CREDENTIALS = "refresh_token", "client_credentials"  # the grant types
EXPIRY_SKEW = timedelta(seconds=30)  # refresh a little early, so a token does not expire in flight
MAX_LIFETIME = 366 * 86400.0  # an `expires_in` beyond a year is taken as a year


@dataclass(frozen=True)
class TokenEndpoint:
    """How one OAuth2 entry gets its access token: its grant, URL, fields and their names."""

    stream: str
    url: str | None
    method: str  # POST, GET, or BASIC (POST with the client's credentials as HTTP Basic)
    client_id: str | None
    client_secret: str | None
    access_field: str
    refresh_field: str
    expires_field: str
    client_id_field: str
    client_secret_field: str
    context: BuildContext
    grant: str = REFRESH_TOKEN
    scope: str | None = None  # client credentials: the `scope` field, when given


class TokenState:
    """The current access and refresh tokens of one set of credentials, shared by its streams."""

    def __init__(
        self, access_token: str | None, refresh_token: str | None, expires_at: datetime | None
    ) -> None:
        self.lock = threading.Lock()
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.expires_at = expires_at
        self.refreshes = 0
        self.warned_expiry = False


_STATES: dict[tuple[Any, ...], TokenState] = {}
_STATES_LOCK = threading.Lock()


def shared_state(key: tuple[Any, ...], make: TokenState) -> TokenState:
    """One token state per set of credentials in this process, so streams share a refreshed token."""
    with _STATES_LOCK:
        return _STATES.setdefault(key, make)


class OAuth2Refresh(AuthBase):
    """`Authorization: Bearer <token>`; `reauth` refreshes it after a 401 (the client sends again)."""

    def __init__(self, endpoint: TokenEndpoint, state: TokenState) -> None:
        self.endpoint = endpoint
        self.state = state
        self.stop = endpoint.context.stop  # the tap's: SIGTERM ends the token request's waits too

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the bearer token, refreshing first if it has expired."""
        request.headers["Authorization"] = f"Bearer {self._current()}"
        return request

    @property
    def can_refresh(self) -> bool:
        """A token URL, and a refresh token or the client's own credentials, are at hand."""
        own = self.endpoint.grant == CLIENT_CREDENTIALS
        return bool(self.endpoint.url and (own or self.state.refresh_token))

    def _current(self) -> str:
        state, stream = self.state, self.endpoint.stream
        with state.lock:
            expired = state.expires_at is not None and _now() >= state.expires_at - EXPIRY_SKEW
            if (state.access_token is None or expired) and self.can_refresh:
                if expired:
                    LOGGER.info("Stream %s: the access token has expired; refreshing it", stream)
                self._refresh()
            elif expired and not state.warned_expiry:
                state.warned_expiry = True
                LOGGER.warning(
                    "Stream %s: the access token has expired and cannot be refreshed "
                    "(set the refresh_token setting and params.accessTokenUrl); trying it anyway",
                    stream,
                )
            if state.access_token is None:
                raise StreamError(f"stream {stream}: no access token: set the access_token setting")
            return state.access_token

    def reauth(self, response: requests.Response, request: requests.PreparedRequest) -> bool:
        """After a 401: refresh the token (unless another request already did) and re-sign `request`."""
        sent = str(request.headers.get("Authorization", ""))
        state = self.state
        with state.lock:
            if sent == f"Bearer {state.access_token}":
                if not self.can_refresh:
                    LOGGER.warning(
                        "Stream %s: HTTP 401 and the access token cannot be refreshed "
                        "(set the refresh_token setting and params.accessTokenUrl)",
                        self.endpoint.stream,
                    )
                    return False
                LOGGER.info("Stream %s: HTTP 401; refreshing the access token", self.endpoint.stream)
                self._refresh()
            token = state.access_token
        request.headers["Authorization"] = f"Bearer {token}"
        return True

    def _refresh(self) -> None:
        """Fetch a new access token (the caller holds the state's lock)."""
        endpoint, state = self.endpoint, self.state
        assert endpoint.url is not None
        where = REDACTOR.redact(endpoint.url)
        reply = self._request(where)
        try:
            body = reply.json()
        except ValueError:
            body = None
        token = _field(body, endpoint.access_field)
        if not isinstance(token, str) or not token:
            what = (
                "is not a JSON object" if not isinstance(body, dict) else f"has no {endpoint.access_field!r}"
            )
            raise StreamError(
                f"stream {endpoint.stream}: {_asking(endpoint)} at {where} failed: "
                f"HTTP {reply.status_code}: the reply {what}"
            )
        REDACTOR.add(token)
        state.access_token = token
        state.refreshes += 1
        state.warned_expiry = False
        seconds = _seconds(_field(body, endpoint.expires_field))
        state.expires_at = _now() + timedelta(seconds=seconds) if seconds is not None else None
        rotated = _field(body, endpoint.refresh_field) if endpoint.grant == REFRESH_TOKEN else None
        if isinstance(rotated, str) and rotated and rotated != state.refresh_token:
            REDACTOR.add(rotated)
            state.refresh_token = rotated
            LOGGER.warning(
                "Stream %s: the token endpoint issued a new refresh token; this run uses it, but the "
                "tap cannot save it: if the provider has revoked the old one, the refresh_token "
                "setting no longer works, and a new refresh token must be obtained and set",
                endpoint.stream,
            )
        LOGGER.info(
            "Stream %s: %s at %s%s",
            endpoint.stream,
            "refreshed the access token" if endpoint.grant == REFRESH_TOKEN else "obtained an access token",
            where,
            f" (valid for {seconds:.0f}s)" if seconds is not None else "",
        )

    def _request(self, where: str) -> requests.Response:
        """The token request: form fields (or query for GET), through the shared client."""
        endpoint, state = self.endpoint, self.state
        assert endpoint.url is not None
        fields = {"grant_type": endpoint.grant}
        if endpoint.grant == REFRESH_TOKEN:
            fields[endpoint.refresh_field] = state.refresh_token or ""
        elif endpoint.scope:
            fields["scope"] = endpoint.scope
        auth = None
        if endpoint.method == "BASIC":
            auth = HTTPBasicAuth(endpoint.client_id or "", endpoint.client_secret or "")
        else:
            if endpoint.client_id:
                fields[endpoint.client_id_field] = endpoint.client_id
            if endpoint.client_secret:
                fields[endpoint.client_secret_field] = endpoint.client_secret
        get = endpoint.method == "GET"
        context = endpoint.context
        sending = Sending(
            limits=Limits(context.timeout, context.max_bytes),
            policy=RetryPolicy(context.max_retries, context.max_wait, base=0.5),
            pacer=PACER,
            stop=self.stop,
        )
        who = f"stream {endpoint.stream}: {_asking(endpoint)} at {where} failed"
        client = Client(who, origin_of(endpoint.url), sending, show_url=False)
        request = requests.Request(
            "GET" if get else "POST",
            endpoint.url,
            params=fields if get else None,
            data=None if get else fields,
            auth=auth,
            headers={"Accept": "application/json"},
        )
        try:
            return client.send(client.session.prepare_request(request))
        finally:
            client.close()


def _asking(endpoint: TokenEndpoint) -> str:
    """The token request, as errors name it."""
    return "token refresh" if endpoint.grant == REFRESH_TOKEN else "token request (client credentials)"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _field(body: Any, name: str) -> Any:
    """`name` in a JSON reply: a key, else a dotted path (`data.access_token`)."""
    if not isinstance(body, dict):
        return None
    if name in body:
        return body[name]
    current: Any = body
    for part in name.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if seconds != seconds or seconds <= 0:
        return None
    return min(seconds, MAX_LIFETIME)
