"""`OAuth2RefreshCode`: the authSpec entry, its checks, and the authenticator it builds.

The token flow itself (refresh on a 401 or at expiry, shared per set of credentials)
is in `tokens.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from requests.auth import AuthBase

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present
from tap_restspec.auth.tokens import OAuth2Refresh, TokenEndpoint, TokenState, shared_state
from tap_restspec.expr import adf, dates
from tap_restspec.expr.template import TemplateError
from tap_restspec.redact import REDACTOR

LOGGER = logging.getLogger("tap-restspec")
TOKEN_METHODS = ("POST", "GET", "BasicAuthentication")
OVERRIDES = (
    "accessTokenField",
    "refreshTokenField",
    "expireInField",
    "clientId",
    "clientSecret",
    "authenticationMethod",
)


@dataclass(frozen=True)
class OAuth2(AuthType):
    """`OAuth2RefreshCode`, with `requestParameterOverride` renames of the token request's fields."""

    type = "OAuth2RefreshCode"
    default_required: ClassVar[tuple[str, ...]] = ("accessToken",)
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
            **field_names(overrides),
            context=context,
        )
        expires_at = dates.parse_datetime(str(expiration)) if present(expiration) else None
        state = TokenState(
            str(access) if present(access) else None, str(refresh) if present(refresh) else None, expires_at
        )
        key = (endpoint.url, endpoint.client_id, state.access_token, state.refresh_token, expires_at)
        return OAuth2Refresh(endpoint, shared_state(key, state))


def field_names(overrides: Mapping[str, Any]) -> dict[str, str]:
    """The token answer's and request's field names, as `requestParameterOverride` renames them."""
    return {
        "access_field": overrides.get("accessTokenField", "access_token"),
        "refresh_field": overrides.get("refreshTokenField", "refresh_token"),
        "expires_field": overrides.get("expireInField", "expires_in"),
        "client_id_field": overrides.get("clientId", "client_id"),
        "client_secret_field": overrides.get("clientSecret", "client_secret"),
    }


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
