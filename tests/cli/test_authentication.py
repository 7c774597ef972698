"""authSpec end to end: Basic, KeyBased and OAuth2RefreshCode against real local servers."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tap_restspec import connection
from tap_restspec.errors import SpecError, StreamError
from tap_restspec.model.spec import SECRET_SETTINGS
from tap_restspec.tap import TapRestSpec
from tests.helpers import Reply, Seen, Server, run_cli, run_partial, run_tap, source_spec, write_spec

ITEMS = [{"id": i} for i in range(5)]
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
PAGINATION = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}
FAST = {"max_retry_wait": 2}


# --- spec documents -------------------------------------------------------------------------------


def basic_entry(**properties: Any) -> dict[str, Any]:
    props = {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}}
    for name, extra in properties.items():
        props[name] = {**props.get(name, {}), **extra}
    return {
        "name": "Basic Authentication",
        "type": "BasicAuthentication",
        "spec": {"type": "object", "properties": props, "required": ["username", "password"]},
    }


def key_entry(headers: dict[str, str | None], required: list[str] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"host": {"type": "string"}}
    for key, header in headers.items():
        props[key] = {"type": "string", "format": "password"}
        if header is not None:
            props[key]["restAttributes"] = {"headerParamName": header}
    return {
        "name": "API Key Authentication",
        "type": "KeyBased",
        "spec": {"type": "object", "properties": props, "required": required or ["authKey1"]},
    }


def oauth_entry(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        name: {"type": "string"}
        for name in ("clientId", "clientSecret", "accessToken", "refreshToken", "expirationDate")
    }
    props["accessTokenUrl"] = {"type": "string"}
    props.update(properties)
    return {
        "name": "OAuth2 Refresh Code",
        "type": "OAuth2RefreshCode",
        "spec": {"type": "object", "properties": props, "required": required or ["accessToken"]},
    }


def write(tmp_path: Path, url: str, entries: list[dict[str, Any]], name: str = "items", **attrs: Any) -> str:
    document = source_spec(url, pagination=PAGINATION, schema=SCHEMA, **attrs)
    document.update({"name": name, "authSpec": entries})
    return write_spec(tmp_path, f"{name}.json", document)


def unique(prefix: str) -> str:
    """A fresh secret per test (token state is shared per set of credentials within a process)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- a scripted API with a token endpoint ----------------------------------------------------------


class Api:
    """Pages of ITEMS for an accepted Authorization header; a token endpoint under /oauth/."""

    def __init__(self, accepted: set[str] | None = None, refresh: str | None = None) -> None:
        self.accepted = accepted  # None: any header at all
        self.refresh = refresh  # the refresh token the endpoint accepts
        self.token_reply: Reply | None = None
        self.rotate = False
        self.lifetime: int | None = None  # pages a token serves before it stops working
        self.issued: list[str] = []
        self.served = 0

    def __call__(self, seen: Seen) -> Reply:
        if seen.path.startswith("/oauth/"):
            return self.token(seen)
        header = seen.headers.get("authorization")
        if self.accepted is not None and header not in self.accepted:
            return Reply(status=401, body={"message": "invalid or expired token"})
        if seen.path == "/me":
            return Reply(body={"ok": True})
        self.served += 1
        if self.lifetime is not None and self.served >= self.lifetime:
            self.accepted = set()  # the token expires after this page
        offset = int(seen.q("offset") or 0)
        return Reply(body={"items": ITEMS[offset : offset + 2]})

    def token(self, seen: Seen) -> Reply:
        if self.token_reply is not None:
            return self.token_reply
        fields = form(seen)
        if self.refresh is not None and fields.get("refresh_token", fields.get("rt")) != self.refresh:
            return Reply(status=400, body={"error": "invalid_grant"})
        token = unique("issued")
        self.issued.append(token)
        self.accepted, self.served = {f"Bearer {token}"}, 0
        body: dict[str, Any] = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        if self.rotate:
            self.refresh = body["refresh_token"] = unique("rotated")
        return Reply(body=body)


def form(seen: Seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body.decode())) if seen.body else dict(parse_qsl(seen.raw_query))


def api_requests(server: Server) -> list[Seen]:
    return [s for s in server.seen if not s.path.startswith("/oauth/")]


def token_requests(server: Server) -> list[Seen]:
    return [s for s in server.seen if s.path.startswith("/oauth/")]


@pytest.fixture
def creds() -> dict[str, str]:
    return {
        "access_token": unique("old-access"),
        "refresh_token": unique("refresh"),
        "client_id": "the-client-id",
        "client_secret": unique("client-secret"),
    }


# --- BasicAuthentication and KeyBased ------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "settings", "expected"),
    [
        pytest.param(
            basic_entry(),
            {"username": "anystring", "password": "0123456789abcdef-us21"},
            basic("anystring", "0123456789abcdef-us21"),
            id="mailchimp-any-user-api-key",
        ),
        pytest.param(
            basic_entry(),
            {"username": "jane@example.com/token", "password": "zendesk-api-token"},
            basic("jane@example.com/token", "zendesk-api-token"),
            id="zendesk-email-token",
        ),
        pytest.param(
            basic_entry(username={"default": "{email}/token"}),
            {"password": "zendesk-api-token", "params": {"email": "jane@example.com"}},
            basic("jane@example.com/token", "zendesk-api-token"),
            id="zendesk-user-from-entry-default-and-params-email",
        ),
        pytest.param(
            basic_entry(username={"default": "{email}/token"}),
            {"username": "other@example.com/token", "password": "zendesk-api-token"},
            basic("other@example.com/token", "zendesk-api-token"),
            id="username-setting-wins-over-entry-default",
        ),
    ],
)
def test_basic_authentication_header(tmp_path, entry, settings, expected):
    with Server(Api({expected})) as server:
        run = run_tap({"specs": [write(tmp_path, server.url, [entry])], **settings})
    assert run.records() == ITEMS
    assert {s.headers["authorization"] for s in server.seen} == {expected}


@pytest.mark.parametrize(
    ("headers", "settings", "expected"),
    [
        pytest.param(
            {"authKey1": "X-Api-Key"}, {"api_key": "key-one-123"}, {"x-api-key": "key-one-123"}, id="one-key"
        ),
        pytest.param(
            {"authKey1": "X-Auth-Key1", "authKey2": "X-Auth-Key2"},
            {"api_key": "key-one-123", "params": {"authKey2": "key-two-456"}},
            {"x-auth-key1": "key-one-123", "x-auth-key2": "key-two-456"},
            id="two-keys-second-from-params",
        ),
        pytest.param(
            {"authKey1": "authKey1", "authKey2": "X-Optional"},
            {"api_key": "key-one-123"},
            {"authkey1": "key-one-123", "x-optional": None},
            id="optional-key-without-value-is-not-sent",
        ),
    ],
)
def test_key_based_headers(tmp_path, headers, settings, expected):
    with Server(Api()) as server:
        run = run_tap({"specs": [write(tmp_path, server.url, [key_entry(headers)])], **settings})
    assert run.records() == ITEMS
    for seen in server.seen:
        assert {name: seen.headers.get(name) for name in expected} == expected


# --- OAuth2RefreshCode ------------------------------------------------------------------------------


def oauth_config(spec: str, server: Server, creds: dict[str, str], **params: Any) -> dict[str, Any]:
    return {
        "specs": [spec],
        **creds,
        "params": {"accessTokenUrl": f"{server.url}/oauth/token", **params},
        **FAST,
    }


def test_bearer_token_is_sent_and_nothing_refreshes_while_it_works(tmp_path, creds):
    api = Api({f"Bearer {creds['access_token']}"}, refresh=creds["refresh_token"])
    with Server(api) as server:
        run = run_tap(oauth_config(write(tmp_path, server.url, [oauth_entry()]), server, creds))
    assert run.records() == ITEMS
    assert len(api_requests(server)) == 3 and not token_requests(server)


def test_401_refreshes_once_retries_and_later_requests_use_the_new_token(tmp_path, creds):
    api = Api(set(), refresh=creds["refresh_token"])  # the configured access token is stale
    with Server(api) as server:
        run = run_tap(oauth_config(write(tmp_path, server.url, [oauth_entry()]), server, creds))
    assert run.records() == ITEMS
    (new,) = api.issued
    assert [s.headers["authorization"] for s in api_requests(server)] == [
        f"Bearer {creds['access_token']}",  # 401
        *[f"Bearer {new}"] * 3,  # the same first page again, then pages 2 and 3
    ]
    assert [s.q("offset") for s in api_requests(server)] == ["0", "0", "2", "4"]
    (refresh,) = token_requests(server)
    assert refresh.method == "POST" and refresh.path == "/oauth/token"
    assert refresh.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(refresh) == {
        "grant_type": "refresh_token",
        "refresh_token": creds["refresh_token"],
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
    }


def test_a_token_that_stops_working_mid_run_is_refreshed_again_with_the_rotated_refresh_token(
    tmp_path, creds
):
    api = Api({f"Bearer {creds['access_token']}"}, refresh=creds["refresh_token"])
    api.rotate, api.lifetime = True, 1
    with Server(api) as server:
        spec = write(tmp_path, server.url, [oauth_entry()])
        run = run_tap(oauth_config(spec, server, creds))
        assert run.records() == ITEMS
        first, second = token_requests(server)
    assert form(first)["refresh_token"] == creds["refresh_token"]
    assert form(second)["refresh_token"] not in (creds["refresh_token"], None)  # the rotated one
    assert [s.q("offset") for s in api_requests(server)] == ["0", "2", "2", "4", "4"]


def test_streams_with_the_same_credentials_share_one_refresh(tmp_path, creds):
    api = Api(set(), refresh=creds["refresh_token"])
    with Server(api) as server:
        specs = [write(tmp_path, server.url, [oauth_entry()], name=n) for n in ("first", "second")]
        run = run_tap({**oauth_config(specs[0], server, creds), "specs": specs, "max_parallel": 1})
    assert len(run.records("first")) == len(run.records("second")) == len(ITEMS)
    assert len(token_requests(server)) == 1
    assert sum(s.headers.get("authorization") == f"Bearer {creds['access_token']}" for s in server.seen) == 1


@pytest.mark.parametrize(
    ("entry", "params", "token_reply", "expect_path", "expect_form", "expect_auth"),
    [
        pytest.param(
            oauth_entry(refreshTokenUrl={"type": "string"}),
            {"refreshTokenUrl": "{host}/oauth/refresh"},
            {"access_token": "NEW"},
            "/oauth/refresh",
            {"grant_type": "refresh_token", "refresh_token": "R", "client_id": "I", "client_secret": "S"},
            None,
            id="refreshTokenUrl-over-accessTokenUrl",
        ),
        pytest.param(
            oauth_entry(
                requestParameterOverride={
                    "type": "object",
                    "properties": {
                        "accessTokenField": {"type": "string", "default": "token"},
                        "refreshTokenField": {"type": "string", "default": "rt"},
                        "expireInField": {"type": "string", "default": "ttl"},
                        "clientId": {"type": "string", "default": "app_id"},
                        "clientSecret": {"type": "string", "default": "app_secret"},
                    },
                }
            ),
            {},
            {"token": "NEW", "ttl": 60},
            "/oauth/token",
            {"grant_type": "refresh_token", "rt": "R", "app_id": "I", "app_secret": "S"},
            None,
            id="field-names-from-entry-defaults",
        ),
        pytest.param(
            oauth_entry(),
            {"requestParameterOverride": {"authenticationMethod": "BasicAuthentication"}},
            {"access_token": "NEW"},
            "/oauth/token",
            {"grant_type": "refresh_token", "refresh_token": "R"},
            basic("I", "S"),
            id="client-credentials-as-basic",
        ),
        pytest.param(
            oauth_entry(),
            {"requestParameterOverride": {"authenticationMethod": "GET", "accessTokenField": "data.token"}},
            {"data": {"token": "NEW"}},
            "/oauth/token",
            {"grant_type": "refresh_token", "refresh_token": "R", "client_id": "I", "client_secret": "S"},
            None,
            id="get-with-query-fields-and-nested-token-field",
        ),
    ],
)
def test_token_request_shape(tmp_path, entry, params, token_reply, expect_path, expect_form, expect_auth):
    new = unique("new-access")
    secrets = {"R": unique("refresh"), "S": unique("secret"), "NEW": new}
    reply = json.loads(json.dumps(token_reply).replace('"NEW"', json.dumps(new)))
    api = Api(set())
    api.token_reply = Reply(body=reply)
    with Server(api) as server:
        api.accepted = {f"Bearer {new}"}  # only the new token works
        params = json.loads(json.dumps(params).replace("{host}", server.url))
        config = oauth_config(
            write(tmp_path, server.url, [entry]),
            server,
            {
                "access_token": unique("old"),
                "refresh_token": secrets["R"],
                "client_id": "I",
                "client_secret": secrets["S"],
            },
            **params,
        )
        run = run_tap(config)
    assert run.records() == ITEMS
    (refresh,) = token_requests(server)
    assert refresh.path == expect_path
    assert refresh.method == ("GET" if "GET" in json.dumps(params) else "POST")
    sent = {k: {secrets["R"]: "R", secrets["S"]: "S"}.get(v, v) for k, v in form(refresh).items()}
    assert sent == expect_form
    assert refresh.headers.get("authorization") == (
        basic("I", secrets["S"]) if expect_auth is not None else None
    )


@pytest.mark.parametrize(
    ("where", "expiration"),
    [
        pytest.param("params", "2020-01-01T00:00:00Z", id="date-time-in-params"),
        pytest.param("params", "2020-01-01", id="date-in-params"),
        pytest.param("entry", "2020-01-01T00:00:00+02:00", id="entry-default"),
    ],
)
def test_expired_expiration_date_refreshes_before_the_first_request(tmp_path, creds, where, expiration):
    api = Api(set(), refresh=creds["refresh_token"])
    entry = (
        oauth_entry(expirationDate={"type": "string", "default": expiration}) if where == "entry" else None
    )
    with Server(api) as server:
        spec = write(tmp_path, server.url, [entry or oauth_entry()])
        extra = {"expirationDate": expiration} if where == "params" else {}
        run = run_tap(oauth_config(spec, server, creds, **extra))
    assert run.records() == ITEMS
    assert server.seen[0].path == "/oauth/token"
    assert len(token_requests(server)) == 1
    assert all(s.headers["authorization"] == f"Bearer {api.issued[0]}" for s in api_requests(server))


def test_future_expiration_date_does_not_refresh(tmp_path, creds):
    api = Api({f"Bearer {creds['access_token']}"}, refresh=creds["refresh_token"])
    with Server(api) as server:
        spec = write(tmp_path, server.url, [oauth_entry()])
        run = run_tap(oauth_config(spec, server, creds, expirationDate="2999-01-01T00:00:00Z"))
    assert run.records() == ITEMS and not token_requests(server)


def test_token_endpoint_503_is_retried(tmp_path, creds):
    api = Api(set(), refresh=creds["refresh_token"])
    answers = iter([Reply(status=503, body={"error": "busy"})])

    def handler(seen: Seen) -> Reply:
        if seen.path.startswith("/oauth/"):
            return next(answers, None) or api(seen)
        return api(seen)

    with Server(handler) as server:
        run = run_tap(oauth_config(write(tmp_path, server.url, [oauth_entry()]), server, creds))
    assert run.records() == ITEMS
    assert len(token_requests(server)) == 2


@pytest.mark.parametrize(
    ("token_reply", "message"),
    [
        pytest.param(
            Reply(status=400, body={"error": "invalid_grant", "error_description": "Refresh token revoked"}),
            "failed: HTTP 400 Bad Request: "
            '{"error": "invalid_grant", "error_description": "Refresh token revoked"}',
            id="400-invalid-grant",
        ),
        pytest.param(
            Reply(status=401, body={"error": "invalid_client"}),
            'failed: HTTP 401 Unauthorized: {"error": "invalid_client"}',
            id="401-invalid-client",
        ),
        pytest.param(
            Reply(body={"token_type": "bearer"}),
            "failed: HTTP 200: the reply has no 'access_token'",
            id="200-without-token",
        ),
        pytest.param(
            Reply(raw=b"<html>login</html>"), "failed: HTTP 200: the reply is not a JSON object", id="html"
        ),
    ],
)
def test_failed_refresh_is_one_clear_error_and_exit_1(tmp_path, creds, token_reply, message):
    api = Api(set())
    api.token_reply = token_reply
    with Server(api) as server:
        spec = write(tmp_path, server.url, [oauth_entry()])
        result = run_cli(tmp_path, oauth_config(spec, server, creds))
    assert result.code == 1
    assert "Traceback" not in result.stderr
    expected = f"stream items: token refresh at {server.url}/oauth/token {message}"
    assert expected in result.stderr.splitlines()
    assert len(api_requests(server)) == 1 and len(token_requests(server)) == 1
    assert not result.records()
    everything = result.stdout + result.stderr
    for name in ("access_token", "refresh_token", "client_secret"):
        assert creds[name] not in everything


def test_401_without_a_way_to_refresh_fails_with_the_401(tmp_path, creds):
    api = Api(set())
    with Server(api) as server:
        spec = write(tmp_path, server.url, [oauth_entry()])
        config = {"specs": [spec], "access_token": creds["access_token"], **FAST}
        run, error = run_partial(config)
    assert isinstance(error, StreamError)
    assert "stream items: HTTP 401" in str(error) and "invalid or expired token" in str(error)
    assert not token_requests(server) and not run.records()


def test_no_token_or_secret_reaches_logs_or_state_even_when_rotated(tmp_path, creds):
    api = Api(set(), refresh=creds["refresh_token"])
    api.rotate = True
    with Server(api) as server:
        spec = write(tmp_path, server.url, [oauth_entry()])
        result = run_cli(tmp_path, oauth_config(spec, server, creds), env={"LOGLEVEL": "DEBUG"})
    assert result.code == 0, result.stderr
    assert len(result.records()) == len(ITEMS)
    assert "issued a new refresh token" in result.stderr and "WARNING" in result.stderr.upper()
    everything = result.stdout + result.stderr
    for secret in (*creds.values(), *api.issued, api.refresh):
        if secret != creds["client_id"]:
            assert secret not in everything
    assert "refreshed the access token" in result.stderr


# --- several entries; missing values --------------------------------------------------------------


OAUTH = oauth_entry()
BASIC = basic_entry()
KEY = key_entry({"authKey1": "X-Api-Key"})


@pytest.mark.parametrize(
    ("entries", "settings", "header", "expected"),
    [
        pytest.param(
            [OAUTH, BASIC], {"username": "u", "password": "pass-word"}, "authorization",
            basic("u", "pass-word"), id="oauth-incomplete-basic-used",
        ),
        pytest.param(
            [OAUTH, BASIC], {"username": "u", "password": "pass-word", "access_token": "tok-1234"},
            "authorization", "Bearer tok-1234", id="both-complete-first-wins",
        ),
        pytest.param(
            [BASIC, KEY], {"username": "u", "api_key": "key-1234"}, "x-api-key", "key-1234",
            id="basic-lacks-password-key-used",
        ),
        pytest.param(
            [{"name": "x", "type": "OAuth2ClientCredentials", "spec": {}}, KEY], {"api_key": "key-1234"},
            "x-api-key", "key-1234", id="unknown-type-skipped",
        ),
    ],
)  # fmt: skip
def test_several_entries_use_the_first_complete_one(tmp_path, entries, settings, header, expected):
    with Server(Api()) as server:
        run = run_tap({"specs": [write(tmp_path, server.url, entries)], **settings})
    assert run.records() == ITEMS
    assert {s.headers.get(header) for s in server.seen} == {expected}


@pytest.mark.parametrize(
    ("entries", "settings", "lines"),
    [
        pytest.param(
            [BASIC], {"username": "u"},
            ["authSpec[0].password: has no value (set the password setting)"],
            id="basic-password",
        ),
        pytest.param(
            [BASIC], {},
            [
                "authSpec[0].username: has no value (set the username setting)",
                "authSpec[0].password: has no value (set the password setting)",
            ],
            id="basic-both",
        ),
        pytest.param(
            [basic_entry(username={"default": "{email}/token"})], {"password": "p-1234"},
            ["authSpec[0].username: has no value (set the username setting, or params.email "
             "for its default '{email}/token')"],
            id="zendesk-default-needs-email",
        ),
        pytest.param(
            [key_entry({"authKey1": "X-A", "authKey2": "X-B"}, required=["authKey1", "authKey2"])],
            {"api_key": "k-1234"},
            ["authSpec[0].authKey2: has no value (set params.authKey2)"],
            id="key-two-from-params",
        ),
        pytest.param(
            [KEY], {}, ["authSpec[0].authKey1: has no value (set the api_key setting)"], id="key-one",
        ),
        pytest.param(
            [oauth_entry(required=["accessToken", "accessTokenUrl", "clientSecret"])],
            {"access_token": "t-1234"},
            [
                "authSpec[0].accessTokenUrl: has no value (set params.accessTokenUrl)",
                "authSpec[0].clientSecret: has no value (set the client_secret setting)",
            ],
            id="oauth-url-and-secret",
        ),
        pytest.param(
            [OAUTH, BASIC], {"username": "u"},
            ["authSpec[0].accessToken: has no value (set the access_token setting)"],
            id="none-complete-first-reported",
        ),
        pytest.param(
            [key_entry({"authKey1": None})], {"api_key": "k-1234"},
            ["authSpec[0].authKey1.restAttributes.headerParamName: required property is missing"],
            id="key-without-header-name",
        ),
        pytest.param(
            [OAUTH], {"access_token": "t-1234", "params": {"expirationDate": "soon"}},
            ["authSpec[0].expirationDate: 'soon' is not a date-time (e.g. 2024-01-31T12:00:00Z)"],
            id="bad-expiration-date",
        ),
        pytest.param(
            [OAUTH],
            {"access_token": "t-1234", "params": {"requestParameterOverride": {"authenticationMethod": "PUT"}}},  # noqa: E501
            ["authSpec[0].requestParameterOverride.authenticationMethod: 'PUT' is not one of "
             "POST, GET, BasicAuthentication"],
            id="bad-authentication-method",
        ),
        pytest.param(
            [{"name": "x", "type": "OAuth1", "spec": {}}], {},
            ["authSpec[0].type: 'OAuth1' is not one of BasicAuthentication, KeyBased, OAuth2RefreshCode, "
             "OAuth2ClientCredentials, apiKey (send credentials with headerParams instead)"],
            id="only-unknown-type",
        ),
    ],
)  # fmt: skip
def test_missing_or_bad_values_fail_at_start_up_naming_the_setting(tmp_path, entries, settings, lines):
    with Server(Api()) as server:
        spec = write(tmp_path, server.url, entries)
        _, error = run_partial({"specs": [spec], **settings})
    assert isinstance(error, SpecError)
    assert error.lines == [f"{spec}: {line}" for line in lines]
    assert not server.seen


def test_missing_value_on_the_command_line_exits_1_without_a_request(tmp_path):
    with Server(Api()) as server:
        spec = write(tmp_path, server.url, [BASIC])
        result = run_cli(tmp_path, {"specs": [spec], "username": "u"})
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert f"{spec}: authSpec[0].password: has no value (set the password setting)" in result.stderr
    assert not server.seen and not result.stdout.strip()


def test_headers_carrying_auth_make_an_incomplete_entry_harmless(tmp_path):
    with Server(Api({"Bearer key-1234"})) as server:
        spec = write(tmp_path, server.url, [BASIC], headerParams={"Authorization": "Bearer ${api_key}"})
        run = run_tap({"specs": [spec], "api_key": "key-1234"})
    assert run.records() == ITEMS


# --- the connection test --------------------------------------------------------------------------


def test_cli_test_exercises_authentication(tmp_path):
    expected = basic("anystring", "key-us21-1234")
    with Server(Api({expected})) as server:
        spec = write(tmp_path, server.url, [BASIC])
        result = run_cli(
            tmp_path, {"specs": [spec], "username": "anystring", "password": "key-us21-1234"}, "--test"
        )
    assert result.code == 0, result.stderr
    assert server.seen and {s.headers["authorization"] for s in server.seen} == {expected}


def test_cli_test_requests_the_authorization_test_url_instead_of_records(tmp_path):
    expected = basic("anystring", "key-us21-1234")
    entry = {
        **BASIC,
        "spec": {
            **BASIC["spec"],
            "properties": {
                **BASIC["spec"]["properties"],
                "authorizationTestUrl": {"type": "string", "default": "/me"},
            },
        },
    }
    with Server(Api({expected})) as server:
        spec = write(tmp_path, server.url, [entry])
        result = run_cli(
            tmp_path, {"specs": [spec], "username": "anystring", "password": "key-us21-1234"}, "--test"
        )
    assert result.code == 0, result.stderr
    assert [s.path for s in server.seen] == ["/me"]
    assert server.seen[0].headers["authorization"] == expected


def stream_of(path: str, settings: dict[str, Any], base_url: str | None = None):
    """The stream the tap makes of one spec file with these settings (params split out)."""
    secrets = {k: v for k, v in settings.items() if k in SECRET_SETTINGS}
    params = {k: v for k, v in settings.items() if k not in SECRET_SETTINGS}
    config = {"specs": [path], "params": params, **secrets, "max_retries": 0, "max_retry_wait": 2}
    if base_url:
        config["base_url"] = base_url
    tap = TapRestSpec(config=config)
    return next(iter(tap.streams.values()))


@pytest.mark.parametrize(
    ("test_url", "params", "base_url", "expected"),
    [
        pytest.param("{host}/me", {}, None, "{host}/me", id="absolute"),
        pytest.param("/me", {}, None, "{host}/me", id="relative-to-spec-host"),
        pytest.param(
            "/me", {}, "http://proxy.local:8080", "http://proxy.local:8080/me", id="relative-base-url"
        ),
        pytest.param("{host}/users/{userId}", {"userId": "u 1"}, None, "{host}/users/u 1", id="placeholder"),
        pytest.param(None, {}, None, None, id="no-test-url"),
    ],
)
def test_test_request_targets_the_authorization_test_url(tmp_path, test_url, params, base_url, expected):
    host = "http://127.0.0.1:9"
    entry = oauth_entry()
    if test_url is not None:
        entry = oauth_entry(
            authorizationTestUrl={"type": "string", "default": test_url.replace("{host}", host)}
        )
    stream = stream_of(write(tmp_path, host, [entry]), {"access_token": "t-1234", **params}, base_url)
    got = connection.test_url(stream)
    assert got == (None if expected is None else expected.replace("{host}", host))


@pytest.mark.parametrize(
    ("case", "outcome", "paths"),
    [
        pytest.param("valid", None, ["/me"], id="token-valid"),
        pytest.param("refresh", None, ["/me", "/oauth/token", "/me"], id="401-refresh-then-valid"),
        pytest.param(
            "no-refresh",
            "stream items: authorization test GET {url}/me failed: HTTP 401 Unauthorized: "
            '{"message": "invalid or expired token"}',
            ["/me"],
            id="rejected-no-refresh-token",
        ),
        pytest.param(
            "refresh-fails",
            "stream items: token refresh at {url}/oauth/token failed: HTTP 400 Bad Request: "
            '{"error": "invalid_grant"}',
            ["/me", "/oauth/token"],
            id="refresh-rejected",
        ),
    ],
)
def test_check_connection_requests_the_authorization_test_url(tmp_path, creds, case, outcome, paths):
    api = Api(
        {f"Bearer {creds['access_token']}"} if case == "valid" else set(),
        refresh=creds["refresh_token"] if case == "refresh" else unique("other"),
    )
    if case == "no-refresh":
        del creds["refresh_token"]
    with Server(api) as server:
        entry = oauth_entry(authorizationTestUrl={"type": "string", "default": "/me"})
        values = {**creds, "accessTokenUrl": f"{server.url}/oauth/token"}
        stream = stream_of(write(tmp_path, server.url, [entry]), values)
        if outcome is None:
            assert connection.check_stream(stream).startswith("authorization test GET")
        else:
            with pytest.raises(StreamError) as failed:
                connection.check_stream(stream)
            assert failed.value.lines == [outcome.replace("{url}", server.url)]
    assert [s.path for s in server.seen] == paths
    if case == "refresh":
        assert server.seen[-1].headers["authorization"] == f"Bearer {api.issued[0]}"


def test_check_connection_without_a_test_url_reads_the_first_page(tmp_path):
    with Server(Api()) as server:
        stream = stream_of(write(tmp_path, server.url, [BASIC]), {"username": "u", "password": "p-1234"})
        assert connection.check_stream(stream) == "first page read (2 records)"
    assert [s.path for s in server.seen] == ["/items"]
