"""`OAuth2ClientCredentials`, this project's own authSpec type: a bearer token obtained with
`grant_type=client_credentials` (the `client_id` and `client_secret` settings, `accessTokenUrl`,
an optional `scope`) before the first request, and again on a 401 or at its expiry.

The credentials go as form fields, or as HTTP Basic when
`requestParameterOverride.authenticationMethod` is `basic`; the token flow is `tokens.py`'s, the
entry's renames (`accessTokenField`, `expireInField`, `clientId`, `clientSecret`) are
`OAuth2RefreshCode`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from requests.auth import AuthBase

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present
from tap_restspec.auth.oauth2 import OAuth2, absolute, field_names, token_method
from tap_restspec.auth.tokens import (
    CLIENT_CREDENTIALS,
    OAuth2Refresh,
    TokenEndpoint,
    TokenState,
    shared_state,
)
from tap_restspec.redact import REDACTOR


@dataclass(frozen=True)
class OAuth2ClientCredentials(OAuth2):
    """`OAuth2ClientCredentials`: the client's own credentials buy its tokens."""

    type = "OAuth2ClientCredentials"
    default_required: ClassVar[tuple[str, ...]] = ("clientId", "clientSecret", "accessTokenUrl")

    def usable(self, values: AuthValues) -> list[tuple[str, str]]:
        """The client's id and secret and the token URL, whatever the entry's `required` says (no
        access token is needed: the entry fetches its own).
        """
        required = tuple(dict.fromkeys((*self.required, *self.default_required)))
        return AuthType.usable(replace(self, required=required), values)

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """The renames, the token method and the URLs, as `OAuth2RefreshCode` checks them; a scope is text."""
        out = [(p, m) for p, m in super().check(values) if p not in ("accessToken", "expirationDate")]
        scope = values.get(self, "scope")
        if present(scope) and not isinstance(scope, str):
            out.append(("scope", f"{scope!r} is not a string (scopes are separated by spaces)"))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The bearer authenticator, its token state shared per set of credentials."""
        overrides, _ = self.overrides(values)
        url, scope = str(values.get(self, "accessTokenUrl")), values.get(self, "scope")
        client_id, client_secret = str(values.get(self, "clientId")), str(values.get(self, "clientSecret"))
        method = token_method(overrides.get("authenticationMethod", "POST")) or "POST"
        REDACTOR.add(client_secret)
        if method == "BASIC":
            REDACTOR.add_basic(client_id, client_secret)
        endpoint = TokenEndpoint(
            stream=context.stream,
            url=absolute(url, context.host),
            method=method,
            client_id=client_id,
            client_secret=client_secret,
            **field_names(overrides),
            context=context,
            grant=CLIENT_CREDENTIALS,
            scope=str(scope) if present(scope) else None,
        )
        key = (CLIENT_CREDENTIALS, endpoint.url, client_id, client_secret, endpoint.scope)
        return OAuth2Refresh(endpoint, shared_state(key, TokenState(None, None, None)))
