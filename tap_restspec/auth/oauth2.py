"""`OAuth2RefreshCode`: a bearer token, refreshed once on a 401 or once it has expired.

Token state is shared in the process per set of credentials, so the streams of one
source make one refresh; every token, old or new, is registered with the redactor.
The token request goes through the same `Client` as every request (one origin,
deadline, size limit, the shared retry policy with its Retry-After floor).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_restspec import adf, dates
from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present, register
from tap_restspec.client import Client, Sending
from tap_restspec.errors import StreamError
from tap_restspec.http import Limits, origin_of
from tap_restspec.pacing import PACER
from tap_restspec.redact import REDACTOR
from tap_restspec.retry import RetryPolicy
from tap_restspec.templating import TemplateError

LOGGER = logging.getLogger("tap-restspec")
EXPIRY_SKEW = timedelta(seconds=30)  # refresh a little early, so a token does not expire in flight
MAX_LIFETIME = 366 * 86400.0  # an `expires_in` beyond a year is taken as a year
TOKEN_METHODS = ("POST", "GET", "BasicAuthentication")
OVERRIDES = (
    "accessTokenField",
    "refreshTokenField",
    "expireInField",
    "clientId",
    "clientSecret",
    "authenticationMethod",
)


@register
@dataclass(frozen=True)
class OAuth2(AuthType):
    """`OAuth2RefreshCode`, with `requestParameterOverride` renames of the token request's fields."""

    type = "OAuth2RefreshCode"
    default_required = ("accessToken",)
    override_defaults: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, fields: Any, common: dict[str, Any]) -> AuthType:
        """`requestParameterOverride`: its sub-properties' defaults, then its own object default."""
        declared = fields.object("spec").object("properties").object("requestParameterOverride")
        merged: dict[str, Any] = {}
        for key, sub in declared.object("properties").items():
            if isinstance(sub, dict) and "default" in sub:
                merged[key] = sub["default"]
        if isinstance(declared.value("default"), dict):
            merged.update(declared.value("default"))
        return cls(**common, override_defaults=merged)

    def overrides(self, values: AuthValues) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The renames in force (defaults, then `params.requestParameterOverride`) and any problems."""
        merged = dict(self.override_defaults)
        given = values.given.get("requestParameterOverride")
        bad: list[tuple[str, str]] = []
        if isinstance(given, dict):
            merged.update(given)
        elif given is not None:
            bad.append(("requestParameterOverride", "params.requestParameterOverride must be an object"))
        out = {}
        for key, value in merged.items():
            if isinstance(value, str) and value:
                out[key] = value
            elif value is not None:
                bad.append((f"requestParameterOverride.{key}", f"{value!r} is not a string"))
        return out, bad

    def usable(self, values: AuthValues) -> list[tuple[str, str]]:
        """Required values, and a token at hand or a way to fetch one."""
        out = super().usable(values)
        no_token = "accessToken" not in self.required and not present(values.get(self, "accessToken"))
        if no_token and not self._can_refresh(values):
            hint = "set the access_token setting, or the refresh_token setting and params.accessTokenUrl"
            out.append(("accessToken", f"has no value and none can be fetched ({hint})"))
        return out

    def _can_refresh(self, values: AuthValues) -> bool:
        try:
            url = values.get(self, "refreshTokenUrl") or values.get(self, "accessTokenUrl")
        except (TemplateError, adf.ExpressionError):
            return False
        return present(url) and present(values.get(self, "refreshToken"))

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """Token, expiration date, renames, token method and URLs."""
        out: list[tuple[str, str]] = []
        token = values.get(self, "accessToken")
        if isinstance(token, str) and any(c in token for c in "\r\n\0"):
            out.append(("accessToken", "value contains a line break"))
        expiration = values.get(self, "expirationDate")
        if present(expiration):
            try:
                dates.parse_datetime(str(expiration))
            except ValueError:
                out.append(
                    ("expirationDate", f"{expiration!r} is not a date-time (e.g. 2024-01-31T12:00:00Z)")
                )
        overrides, bad = self.overrides(values)
        out.extend(bad)
        method = overrides.get("authenticationMethod")
        if method is not None and token_method(method) is None:
            out.append(
                (
                    "requestParameterOverride.authenticationMethod",
                    f"{method!r} is not one of {', '.join(TOKEN_METHODS)}",
                )
            )
        for prop in ("refreshTokenUrl", "accessTokenUrl", "authorizationTestUrl"):
            try:
                values.get(self, prop)
            except (TemplateError, adf.ExpressionError) as exc:
                out.append((prop, str(exc)))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The bearer authenticator, its token state shared per set of credentials."""
        overrides, _ = self.overrides(values)
        url = values.get(self, "refreshTokenUrl") or values.get(self, "accessTokenUrl")
        access, refresh = values.get(self, "accessToken"), values.get(self, "refreshToken")
        client_id, client_secret = values.get(self, "clientId"), values.get(self, "clientSecret")
        expiration = values.get(self, "expirationDate")
        REDACTOR.add(*(str(v) for v in (access, refresh, client_secret) if present(v)))
        endpoint = TokenEndpoint(
            stream=context.stream,
            url=absolute(str(url), context.host) if present(url) else None,
            method=token_method(overrides.get("authenticationMethod", "POST")) or "POST",
            client_id=str(client_id) if present(client_id) else None,
            client_secret=str(client_secret) if present(client_secret) else None,
            access_field=overrides.get("accessTokenField", "access_token"),
            refresh_field=overrides.get("refreshTokenField", "refresh_token"),
            expires_field=overrides.get("expireInField", "expires_in"),
            client_id_field=overrides.get("clientId", "client_id"),
            client_secret_field=overrides.get("clientSecret", "client_secret"),
            context=context,
        )
        expires_at = dates.parse_datetime(str(expiration)) if present(expiration) else None
        state = TokenState(
            str(access) if present(access) else None, str(refresh) if present(refresh) else None, expires_at
        )
        key = (endpoint.url, endpoint.client_id, state.access_token, state.refresh_token, expires_at)
        return OAuth2Refresh(endpoint, shared_state(key, state))


def token_method(value: str) -> str | None:
    """`POST` or `GET` (the token request's method), or `BASIC` (client credentials as Basic)."""
    upper = value.strip().upper()
    if upper in ("POST", "GET"):
        return upper
    if upper in ("BASICAUTHENTICATION", "BASIC", "CLIENT_SECRET_BASIC"):
        return "BASIC"
    return None


def absolute(url: str, host: str) -> str:
    """An authSpec URL; one that starts with `/` is relative to the spec's host."""
    return host.rstrip("/") + url if url.startswith("/") else url


@dataclass(frozen=True)
class TokenEndpoint:
    """How one OAuth2RefreshCode entry refreshes its access token."""

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
        self.stop = threading.Event()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the bearer token, refreshing first if it has expired."""
        request.headers["Authorization"] = f"Bearer {self._current()}"
        return request

    @property
    def can_refresh(self) -> bool:
        """A token URL and a refresh token are at hand."""
        return bool(self.endpoint.url and self.state.refresh_token)

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
        assert endpoint.url is not None and state.refresh_token is not None
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
                f"stream {endpoint.stream}: token refresh at {where} failed: "
                f"HTTP {reply.status_code}: the reply {what}"
            )
        REDACTOR.add(token)
        state.access_token = token
        state.refreshes += 1
        state.warned_expiry = False
        seconds = _seconds(_field(body, endpoint.expires_field))
        state.expires_at = _now() + timedelta(seconds=seconds) if seconds is not None else None
        rotated = _field(body, endpoint.refresh_field)
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
            "Stream %s: refreshed the access token at %s%s",
            endpoint.stream,
            where,
            f" (valid for {seconds:.0f}s)" if seconds is not None else "",
        )

    def _request(self, where: str) -> requests.Response:
        """The token request: form fields (or query for GET), through the shared client."""
        endpoint, state = self.endpoint, self.state
        assert endpoint.url is not None
        fields = {"grant_type": "refresh_token", endpoint.refresh_field: state.refresh_token or ""}
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
        who = f"stream {endpoint.stream}: token refresh at {where} failed"
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
