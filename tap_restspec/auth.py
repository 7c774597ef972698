"""Authentication from a connection spec's `authSpec` (headers with placeholders need none of this).

Three entry types are honoured, each fed from the tap's settings:

- `BasicAuthentication`: the `username` and `password` settings;
- `KeyBased`: `authKey1` from the `api_key` setting, `authKeyN` from `params.authKeyN`, each sent
  in the header its `restAttributes.headerParamName` names;
- `OAuth2RefreshCode`: the `access_token` setting as a bearer token, refreshed with
  `refresh_token`, `client_id` and `client_secret` on a 401 or once `expirationDate` has passed.

A property with no setting behind it (`accessTokenUrl`, `refreshTokenUrl`, `expirationDate`,
`authorizationTestUrl`, `requestParameterOverride`, `authKey2`...) comes from `params`, else from
its `default` in the entry, else from a `default` in the spec's `spec.properties`. A `default` in
the entry may hold placeholders: `"username": {"default": "{email}/token"}` builds Zendesk's user
name from `params.email` when the `username` setting is not set.

A spec's first entry whose required values are all at hand is used. Every credential and token,
including those issued during the run, is registered with the redactor.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_restspec import adf, dates
from tap_restspec.errors import SpecError, StreamError, http_status
from tap_restspec.oauth2 import BASIC, OAuth2Refresh, TokenEndpoint, TokenState, shared_state
from tap_restspec.redact import REDACTOR
from tap_restspec.spec import SECRET_SETTINGS, StreamSpec
from tap_restspec.templating import TemplateError, compile_template, encode_host_value

LOGGER = logging.getLogger("tap-restspec")

KEY_BASED, OAUTH2 = "KeyBased", "OAuth2RefreshCode"
TYPES = (BASIC, KEY_BASED, OAUTH2)
DEFAULT_REQUIRED = {BASIC: ("username", "password"), KEY_BASED: ("authKey1",), OAUTH2: ("accessToken",)}
SETTINGS = {
    "username": "username",
    "password": "password",
    "authKey1": "api_key",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "accessToken": "access_token",
    "refreshToken": "refresh_token",
}
AUTH_KEY = re.compile(r"authKey\d+")
AUTH_HEADER = re.compile(r"(?i)auth|token|api[-_]?key|secret|cookie|session")
TOKEN_METHODS = ("POST", "GET", BASIC)


# --- which entry, and its values ------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One authSpec entry: its position, type, declared properties and required names."""

    index: int
    type: str
    properties: Mapping[str, Any]
    required: tuple[str, ...]


def _entries(spec: StreamSpec) -> list[_Entry]:
    entries = []
    for index, raw in enumerate(spec.auth):
        schema = _mapping(raw.get("spec"))
        properties = _mapping(schema.get("properties"))
        kind = str(raw.get("type", ""))
        declared = schema.get("required")
        required = (
            tuple(str(name) for name in declared)
            if isinstance(declared, list)
            else DEFAULT_REQUIRED.get(kind, ())
        )
        if kind == BASIC and "username" not in required:
            required = ("username", *required)
        entries.append(_Entry(index, kind, properties, required))
    return entries


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


class _Values:
    """Where each authSpec property's value comes from (settings, params, defaults)."""

    def __init__(self, spec: StreamSpec, values: Mapping[str, Any]) -> None:
        self.spec = spec
        self.given = values
        self.merged = {**spec.defaults, **values}

    def get(self, entry: _Entry, prop: str) -> Any:
        """The value of `prop` for `entry`, or None."""
        setting = _setting(prop)
        if setting is not None:
            value = self.merged.get(setting)
        else:
            value = self.given.get(prop)
            if prop in self.spec.defaults and value == self.spec.defaults[prop]:
                value = None  # a spec.properties default ranks below the entry's own default
        if _present(value):
            return self._fill(value) if isinstance(value, str) and _is_url(prop) else value
        declared = entry.properties.get(prop)
        default = declared.get("default") if isinstance(declared, dict) else None
        if isinstance(default, str):
            try:
                return self._fill(default)
            except (TemplateError, adf.ExpressionError):
                return None
        if default is not None:
            return default
        fallback = self.spec.defaults.get(prop) if setting is None else None
        if isinstance(fallback, str) and _is_url(prop):
            return self._fill(fallback)
        return fallback if _present(fallback) else None

    def hint(self, entry: _Entry, prop: str) -> str:
        """How the user gives `prop` a value."""
        setting = _setting(prop)
        hint = f"set the {setting} setting" if setting else f"set params.{prop}"
        declared = entry.properties.get(prop)
        default = declared.get("default") if isinstance(declared, dict) else None
        if isinstance(default, str):
            try:
                names = compile_template(default).names
            except adf.ExpressionError:
                names = frozenset()
            missing = sorted(n for n in names if not _present(self.merged.get(n)))
            if missing:
                needed = " and ".join(_place(n) for n in missing)
                hint += f", or {needed} for its default {default!r}"
        return hint

    def _fill(self, text: str) -> str:
        return compile_template(text).render(
            self.merged, adf_parameters=self.merged, now=datetime.now(timezone.utc)
        )


def _setting(prop: str) -> str | None:
    return SETTINGS.get(prop)


def _place(name: str) -> str:
    return f"the {name} setting" if name in SECRET_SETTINGS else f"params.{name}"


def _is_url(prop: str) -> bool:
    return prop.lower().endswith("url")


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _missing(values: _Values, entry: _Entry) -> list[tuple[str, str]]:
    """(property, message) for each required value of `entry` that has none."""
    out = []
    for prop in entry.required:
        try:
            value = values.get(entry, prop)
        except (TemplateError, adf.ExpressionError) as exc:
            out.append((prop, str(exc)))
            continue
        if not _present(value):
            out.append((prop, f"has no value ({values.hint(entry, prop)})"))
    if (
        entry.type == OAUTH2
        and "accessToken" not in entry.required
        and not _present(values.get(entry, "accessToken"))
        and not _can_refresh(values, entry)
    ):
        hint = "set the access_token setting, or the refresh_token setting and params.accessTokenUrl"
        out.append(("accessToken", f"has no value and none can be fetched ({hint})"))
    return out


def _can_refresh(values: _Values, entry: _Entry) -> bool:
    try:
        url = values.get(entry, "refreshTokenUrl") or values.get(entry, "accessTokenUrl")
    except (TemplateError, adf.ExpressionError):
        return False
    return _present(url) and _present(values.get(entry, "refreshToken"))


def _headers_carry_auth(spec: StreamSpec) -> bool:
    return any(AUTH_HEADER.search(name) for name, _ in spec.request.headers)


def _choose(spec: StreamSpec, values: _Values) -> tuple[_Entry | None, list[str]]:
    """The first usable entry; else, unless the headers authenticate, the problems of the first one."""
    entries = _entries(spec)
    supported = [e for e in entries if e.type in TYPES]
    for entry in supported:
        if not _missing(values, entry):
            return entry, []
    if not entries or _headers_carry_auth(spec):
        return None, []
    if not supported:
        return None, [
            f"{spec.file}: authSpec[{e.index}].type: {e.type!r} is not one of {', '.join(TYPES)} "
            "(send credentials with headerParams instead)"
            for e in entries
        ]
    first = supported[0]
    return None, [f"{spec.file}: authSpec[{first.index}].{p}: {m}" for p, m in _missing(values, first)]


# --- start-up checks ----------------------------------------------------------------------------


def problems(spec: StreamSpec, values: Mapping[str, Any]) -> list[str]:
    """Start-up problems with the spec's authSpec, one line each: `file: authSpec[i].prop: message`."""
    resolved = _Values(spec, values)
    entry, lines = _choose(spec, resolved)
    if entry is None:
        return lines
    return [f"{spec.file}: authSpec[{entry.index}].{p}: {m}" for p, m in _check(resolved, entry)]


def _check(values: _Values, entry: _Entry) -> list[tuple[str, str]]:
    """What is wrong with a usable entry's values (formats, header names)."""
    out: list[tuple[str, str]] = []
    if entry.type == KEY_BASED:
        for prop in _key_props(entry):
            value = values.get(entry, prop)
            if not _present(value):
                continue
            if not _header_name(entry, prop):
                out.append((f"{prop}.restAttributes.headerParamName", "required property is missing"))
            if _breaks_line(value):
                out.append((prop, "value contains a line break"))
    if entry.type == OAUTH2:
        if _breaks_line(values.get(entry, "accessToken")):
            out.append(("accessToken", "value contains a line break"))
        expiration = values.get(entry, "expirationDate")
        if _present(expiration):
            try:
                dates.parse_datetime(str(expiration))
            except ValueError:
                out.append(
                    ("expirationDate", f"{expiration!r} is not a date-time (e.g. 2024-01-31T12:00:00Z)")
                )
        overrides, bad = _overrides(values, entry)
        out.extend(bad)
        method = overrides.get("authenticationMethod")
        if method is not None and _token_method(method) is None:
            out.append(
                (
                    "requestParameterOverride.authenticationMethod",
                    f"{method!r} is not one of {', '.join(TOKEN_METHODS)}",
                )
            )
        for prop in ("refreshTokenUrl", "accessTokenUrl", "authorizationTestUrl"):
            try:
                values.get(entry, prop)
            except (TemplateError, adf.ExpressionError) as exc:
                out.append((prop, str(exc)))
    return out


def _breaks_line(value: Any) -> bool:
    return isinstance(value, str) and ("\r" in value or "\n" in value)


def _key_props(entry: _Entry) -> list[str]:
    names = {p for p in entry.properties if AUTH_KEY.fullmatch(p)} | {
        p for p in entry.required if AUTH_KEY.fullmatch(p)
    }
    return sorted(names, key=lambda p: int(p[len("authKey") :]))


def _header_name(entry: _Entry, prop: str) -> str | None:
    declared = entry.properties.get(prop)
    rest = declared.get("restAttributes") if isinstance(declared, dict) else None
    name = rest.get("headerParamName") if isinstance(rest, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _overrides(values: _Values, entry: _Entry) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """`requestParameterOverride`: sub-defaults in the entry, its object default, then params."""
    merged: dict[str, Any] = {}
    declared = entry.properties.get("requestParameterOverride")
    if isinstance(declared, dict):
        inner = declared.get("properties")
        if isinstance(inner, dict):
            merged.update(
                {k: v["default"] for k, v in inner.items() if isinstance(v, dict) and "default" in v}
            )
        if isinstance(declared.get("default"), dict):
            merged.update(declared["default"])
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


def _token_method(value: str) -> str | None:
    """`POST` or `GET` (the token request's method), or `BASIC` (client credentials as Basic)."""
    upper = value.strip().upper()
    if upper in ("POST", "GET"):
        return upper
    if upper in ("BASICAUTHENTICATION", "BASIC", "CLIENT_SECRET_BASIC"):
        return BASIC
    return None


# --- authenticators -----------------------------------------------------------------------------


class NoAuth(AuthBase):
    """Leaves the request as it is."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Return the request unchanged."""
        return request


class KeyHeaders(AuthBase):
    """`KeyBased`: each key in the header its `restAttributes.headerParamName` names."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the key headers."""
        request.headers.update(self.headers)
        return request


# --- building -----------------------------------------------------------------------------------


def build(spec: StreamSpec, values: Mapping[str, Any], tap_config: Mapping[str, Any]) -> AuthBase:
    """The authenticator of the first authSpec entry whose values are all at hand.

    NoAuth when the spec has no authSpec, or none of its entries is usable and its headers carry
    the credentials. Raises SpecError when neither (`problems` reports the same at start-up).
    """
    resolved = _Values(spec, values)
    entry, lines = _choose(spec, resolved)
    if entry is None:
        if lines:
            raise SpecError(lines)
        return NoAuth()
    bad = _check(resolved, entry)
    if bad:
        raise SpecError([f"{spec.file}: authSpec[{entry.index}].{p}: {m}" for p, m in bad])
    if len(spec.auth) > 1:
        LOGGER.info("Stream %s: authenticating with authSpec[%d] (%s)", spec.name, entry.index, entry.type)
    if entry.type == BASIC:
        username = str(resolved.get(entry, "username"))
        password = resolved.get(entry, "password")
        password = "" if password is None else str(password)
        REDACTOR.add_basic(username, password)
        return HTTPBasicAuth(username, password)
    if entry.type == KEY_BASED:
        headers = {}
        for prop in _key_props(entry):
            value = resolved.get(entry, prop)
            name = _header_name(entry, prop)
            if _present(value) and name:
                REDACTOR.add(str(value))
                headers[name] = str(value)
        return KeyHeaders(headers)
    return _oauth2(spec, resolved, entry, tap_config)


def _oauth2(spec: StreamSpec, values: _Values, entry: _Entry, tap_config: Mapping[str, Any]) -> OAuth2Refresh:
    overrides, _ = _overrides(values, entry)
    method = _token_method(overrides.get("authenticationMethod", "POST")) or "POST"
    url = values.get(entry, "refreshTokenUrl") or values.get(entry, "accessTokenUrl")
    access, refresh = values.get(entry, "accessToken"), values.get(entry, "refreshToken")
    client_id, client_secret = values.get(entry, "clientId"), values.get(entry, "clientSecret")
    expiration = values.get(entry, "expirationDate")
    REDACTOR.add(*(str(v) for v in (access, refresh, client_secret) if _present(v)))
    endpoint = TokenEndpoint(
        stream=spec.name,
        url=_absolute(str(url), spec, values.merged, tap_config.get("base_url")) if _present(url) else None,
        method=method,
        client_id=str(client_id) if _present(client_id) else None,
        client_secret=str(client_secret) if _present(client_secret) else None,
        access_field=overrides.get("accessTokenField", "access_token"),
        refresh_field=overrides.get("refreshTokenField", "refresh_token"),
        expires_field=overrides.get("expireInField", "expires_in"),
        client_id_field=overrides.get("clientId", "client_id"),
        client_secret_field=overrides.get("clientSecret", "client_secret"),
        timeout=float(tap_config.get("request_timeout") or 300),
        max_retries=int(tap_config.get("max_retries", 5)),
        max_wait=float(tap_config.get("max_retry_wait") or 120),
    )
    expires_at = dates.parse_datetime(str(expiration)) if _present(expiration) else None
    state = TokenState(
        str(access) if _present(access) else None, str(refresh) if _present(refresh) else None, expires_at
    )
    key = (endpoint.url, endpoint.client_id, state.access_token, state.refresh_token, expires_at)
    return OAuth2Refresh(endpoint, shared_state(key, state))


def _absolute(url: str, spec: StreamSpec, values: Mapping[str, Any], base_url: Any = None) -> str:
    """An authSpec URL; one that starts with `/` is relative to the spec's host (or `base_url`)."""
    if not url.startswith("/"):
        return url
    host = spec.request.host.render(values, encode=encode_host_value).rstrip("/")
    if base_url:
        base, parts = urlsplit(str(base_url).rstrip("/")), urlsplit(host)
        host = urlunsplit((base.scheme, base.netloc, base.path + parts.path, "", ""))
    return host + url


# --- the connection test ------------------------------------------------------------------------


def test_request(
    spec: StreamSpec, values: Mapping[str, Any], *, base_url: str | None = None
) -> tuple[str, str] | None:
    """(method, url) of the chosen entry's `authorizationTestUrl`, or None when it has none.

    A URL starting with `/` is relative to the spec's host (its origin replaced by `base_url`).
    """
    resolved = _Values(spec, values)
    entry, _ = _choose(spec, resolved)
    if entry is None:
        return None
    try:
        url = resolved.get(entry, "authorizationTestUrl")
    except (TemplateError, adf.ExpressionError):
        return None
    if not _present(url):
        return None
    return "GET", _absolute(str(url), spec, resolved.merged, base_url)


test_request.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name


def check_connection(
    spec: StreamSpec,
    values: Mapping[str, Any],
    authenticator: AuthBase,
    *,
    base_url: str | None = None,
    timeout: float = 300.0,
) -> bool:
    """`--test`: request the `authorizationTestUrl` with the stream's authenticator.

    Returns False when the spec has no test URL (the caller then tests otherwise), True when the
    URL answered 2xx; raises StreamError with the status and the API's message otherwise.
    """
    target = test_request(spec, values, base_url=base_url)
    if target is None:
        return False
    method, url = target
    where = REDACTOR.redact(url)
    headers = {"Accept": "application/json"}
    merged = {**spec.defaults, **values}
    for name, template in spec.request.headers:
        try:
            headers[name] = template.render(merged)
        except (TemplateError, adf.ExpressionError):
            continue  # a header that needs the run's window is not part of this check
    try:
        response = requests.request(method, url, headers=headers, auth=authenticator, timeout=timeout)
    except requests.RequestException as exc:
        raise StreamError(
            f"stream {spec.name}: authorization test {method} {where} failed: {type(exc).__name__}"
        ) from None
    if not response.ok:
        raise StreamError(
            REDACTOR.redact(
                f"stream {spec.name}: authorization test {method} {where} failed: {http_status(response)}"
            )
        )
    LOGGER.info(
        "Stream %s: authorization test %s %s passed (HTTP %d)", spec.name, method, where, response.status_code
    )
    return True
