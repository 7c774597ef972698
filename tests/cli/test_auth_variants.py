"""The authentication of 2026-12-07, through the CLI against local servers: KeyBased keys in the
query or the JSON body (HubSpot's legacy `hapikey`), the OAuth2 refresh by GET, the
`authorizationTestUrl` of `--test`, and `OAuth2ClientCredentials` (form fields or HTTP Basic, a
scope, a new token on a 401 and at its expiry, stopped at once by SIGTERM). No key, secret or
token reaches stdout or stderr, in any encoding.
"""

from __future__ import annotations

import base64
import signal
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import pytest

from tests.helpers import Cli, Reply, Seen, Server, run_cli, source_spec, start_tap, write_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
OFFSET = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}
ITEMS = [{"id": i} for i in range(5)]
FAST = {"max_retries": 0, "max_retry_wait": 2}


def unique(prefix: str) -> str:
    """A fresh secret per test (token state is shared per set of credentials within a process)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]


def leaks(result: Cli, *secrets: str) -> list[str]:
    text = result.stdout + result.stderr
    return [form for secret in secrets for form in encodings(secret) if form in text]


def form(seen: Seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body.decode())) if seen.body else dict(parse_qsl(seen.raw_query))


def pages(seen: Seen) -> Reply:
    offset = int(seen.q("offset") or 0)
    return Reply(body={"items": ITEMS[offset : offset + 2]})


def write(tmp_path, url: str, entry: dict[str, Any], **attrs: Any) -> str:
    document = source_spec(url, pagination=attrs.pop("pagination", OFFSET), schema=SCHEMA, **attrs)
    document.update({"name": "items", "authSpec": [entry]})
    return write_spec(tmp_path, "items.json", document)


# --- KeyBased in the query or the body ----------------------------------------------------------


def key_entry(**rest: str) -> dict[str, Any]:
    return {
        "name": "API Key",
        "type": "KeyBased",
        "spec": {
            "type": "object",
            "properties": {"authKey1": {"type": "string", "format": "password", "restAttributes": rest}},
            "required": ["authKey1"],
        },
    }


def test_a_key_in_the_query_is_sent_on_every_page_once_and_masked_everywhere(tmp_path):
    """HubSpot's legacy `hapikey`, whose next-page links carry it back: replaced, never doubled."""
    key = unique("hub/key+=&x")

    def api(seen: Seen) -> Reply:
        if seen.query.get("hapikey") != [key]:
            return Reply(401, body={"message": f"bad hapikey {seen.raw_query}"})
        after = int(seen.q("after") or 0)
        if after == 4:
            return Reply(500, body={"message": f"failed at {seen.path}?{seen.raw_query}"})
        link = f"/items?hapikey={quote(key, safe='')}&after={after + 2}"
        return Reply(body={"items": ITEMS[after : after + 2], "paging": {"next": {"link": link}}})

    with Server(api) as server:
        pointer = {"type": "POINTER", "pointerPath": "$.paging.next.link"}
        spec = write(tmp_path, server.url, key_entry(queryParamName="hapikey"), pagination=pointer)
        result = run_cli(tmp_path, {"specs": [spec], "api_key": key, **FAST})
    assert [s.query["hapikey"] for s in server.seen] == [[key]] * 3
    assert [r["id"] for r in result.records()] == [0, 1, 2, 3]
    assert result.code == 1 and "HTTP 500" in result.stderr  # an error line that names the URL ...
    assert leaks(result, key) == []  # ... with the key masked, as in every line


def test_a_key_in_the_body_joins_the_json_body_and_its_page_tokens(tmp_path):
    key = unique("body-key")

    def api(seen: Seen) -> Reply:
        body = seen.json()
        if body.get("api_key") != key or body.get("filters") != [{"propertyName": "x"}]:
            return Reply(401, body={"message": "no key in the body"})
        after = int(body.get("after") or 0)
        more = after + 2 < len(ITEMS)
        return Reply(body={"items": ITEMS[after : after + 2], "next": str(after + 2) if more else None})

    with Server(api) as server:
        token = {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.next",
            "parameterType": "BODYPARAM",
            "parameterName": "after",
        }
        spec = write(
            tmp_path,
            server.url,
            key_entry(bodyParamName="api_key"),
            pagination=token,
            method="POST",
            bodyParams={"filters": [{"propertyName": "x"}]},
        )
        result = run_cli(tmp_path, {"specs": [spec], "api_key": key, **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [0, 1, 2, 3, 4]
    assert [s.json().get("after") for s in server.seen] == [None, "2", "4"]
    assert all(s.headers.get("Content-Type") == "application/json" for s in server.seen)
    assert leaks(result, key) == []


@pytest.mark.parametrize(
    ("rest", "attrs", "line"),
    [
        pytest.param(
            {"bodyParamName": "api_key"},
            {},
            "authSpec[0].authKey1.restAttributes.bodyParamName: needs a JSON object in bodyParams",
            id="body-without-a-json-body",
        ),
        pytest.param(
            {"headerParamName": "X-Key", "queryParamName": "key"},
            {},
            "authSpec[0].spec.properties.authKey1.restAttributes.queryParamName: headerParamName is given "
            "too; a key goes in one place",
            id="two-places",
        ),
        pytest.param(
            {"queryParamName": " "},
            {},
            "authSpec[0].spec.properties.authKey1.restAttributes.queryParamName: must not be empty",
            id="empty-name",
        ),
        pytest.param(
            {"queryParamNme": "key"},
            {},
            "authSpec[0].spec.properties.authKey1.restAttributes.queryParamNme: unknown key; "
            "did you mean 'queryParamName'?",
            id="misspelt",
        ),
    ],
)
def test_a_key_that_cannot_be_placed_is_a_start_up_error(tmp_path, rest, attrs, line):
    with Server(pages) as server:
        spec = write(tmp_path, server.url, key_entry(**rest), **attrs)
        result = run_cli(tmp_path, {"specs": [spec], "api_key": unique("k"), **FAST})
    assert result.code == 1 and not server.seen and "Traceback" not in result.stderr
    assert f"{spec}: {line}" in result.stderr, result.stderr[-2000:]


# --- OAuth2RefreshCode: the refresh by GET, and --test's authorizationTestUrl -----------------------


def refresh_entry() -> dict[str, Any]:
    secret = {"type": "string", "format": "password"}
    props = {name: dict(secret) for name in ("clientSecret", "accessToken", "refreshToken")}
    props.update(
        clientId={"type": "string"},
        accessTokenUrl={"type": "string", "default": "/oauth/token"},
        authorizationTestUrl={"type": "string", "default": "/me"},
        requestParameterOverride={
            "type": "object",
            "properties": {"authenticationMethod": {"type": "string", "default": "GET"}},
        },
    )
    return {"name": "OAuth2", "type": "OAuth2RefreshCode", "spec": {"type": "object", "properties": props}}


def test_cli_test_checks_the_token_at_the_authorization_test_url_refreshing_it_by_get(tmp_path):
    secrets = {"old": unique("old"), "new": unique("new"), "refresh": unique("rt"), "secret": unique("cs")}

    def api(seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            if seen.method != "GET" or form(seen).get("refresh_token") != secrets["refresh"]:
                return Reply(400, body={"error": "invalid_request"})
            return Reply(body={"access_token": secrets["new"], "expires_in": 3600})
        if seen.headers.get("Authorization") != f"Bearer {secrets['new']}":
            return Reply(401, body={"message": "expired"})
        return Reply(body={"ok": True} if seen.path == "/me" else {"items": []})

    with Server(api) as server:
        spec = write(tmp_path, server.url, refresh_entry())
        settings = {
            "specs": [spec],
            "access_token": secrets["old"],
            "refresh_token": secrets["refresh"],
            "client_id": "app",
            "client_secret": secrets["secret"],
            **FAST,
        }
        result = run_cli(tmp_path, settings, "--test")
    assert result.code == 0, result.stderr[-2000:]
    assert [s.path for s in server.seen] == ["/me", "/oauth/token", "/me"]
    assert {s.method for s in server.seen} == {"GET"}
    assert form(server.seen[1]) == {
        "grant_type": "refresh_token",
        "refresh_token": secrets["refresh"],
        "client_id": "app",
        "client_secret": secrets["secret"],
    }
    assert "authorization test GET" in result.stderr and "/me passed (HTTP 200)" in result.stderr
    assert not result.stdout.strip()  # no records: a connection test
    assert leaks(result, *secrets.values()) == []


# --- OAuth2ClientCredentials ----------------------------------------------------------------------


def client_entry(method: str | None = None, scope: str | None = None, **more: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "clientId": {"type": "string"},
        "clientSecret": {"type": "string", "format": "password"},
        "accessTokenUrl": {"type": "string", "default": "/oauth/token"},
        **more,
    }
    if scope is not None:
        props["scope"] = {"type": "string", "default": scope}
    if method is not None:
        props["requestParameterOverride"] = {
            "type": "object",
            "properties": {"authenticationMethod": {"type": "string", "default": method}},
        }
    spec = {"type": "object", "properties": props}
    return {"name": "Client", "type": "OAuth2ClientCredentials", "spec": spec}


class TokenApi:
    """Pages of ITEMS for a token it issued; a client-credentials token endpoint at /oauth/token."""

    def __init__(self, client_id: str, secret: str, lifetime: int = 3600) -> None:
        self.client_id, self.secret, self.lifetime = client_id, secret, lifetime
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.revoke_after: int | None = None  # pages a token serves before the API refuses it
        self.served = 0

    def __call__(self, seen: Seen) -> Reply:
        if seen.path == "/oauth/token":
            return self.token(seen)
        header = seen.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ")
        if token not in self.issued or token in self.revoked:
            return Reply(401, body={"message": "invalid token"})
        self.served += 1
        if self.revoke_after is not None and self.served % self.revoke_after == 0:
            self.revoked.add(token)
        return pages(seen)

    def token(self, seen: Seen) -> Reply:
        fields = form(seen)
        basic = seen.headers.get("Authorization")
        if basic is not None:
            user, _, password = base64.b64decode(basic.removeprefix("Basic ")).decode().partition(":")
            fields = {**fields, "client_id": user, "client_secret": password}
        client = (fields.get("client_id"), fields.get("client_secret"))
        if fields.get("grant_type") != "client_credentials" or client != (self.client_id, self.secret):
            return Reply(401, body={"error": "invalid_client", "echo": seen.text})
        token = unique("cc-token")
        self.issued.append(token)
        return Reply(body={"access_token": token, "token_type": "bearer", "expires_in": self.lifetime})


def client_settings(spec: str, client_id: str, secret: str, **more: Any) -> dict[str, Any]:
    return {"specs": [spec], "client_id": client_id, "client_secret": secret, **FAST, **more}


def token_requests(server: Server) -> list[Seen]:
    return [s for s in server.seen if s.path == "/oauth/token"]


@pytest.mark.parametrize(
    ("method", "scope", "fields", "basic"),
    [
        pytest.param(None, None, {"grant_type", "client_id", "client_secret"}, False, id="form-fields"),
        pytest.param(
            None, "read:items write", {"grant_type", "client_id", "client_secret", "scope"}, False, id="scope"
        ),
        pytest.param("basic", "read:items", {"grant_type", "scope"}, True, id="http-basic"),
    ],
)
def test_client_credentials_obtain_a_token_before_the_first_request(tmp_path, method, scope, fields, basic):
    secret = unique("client-secret")
    api = TokenApi("the-client", secret)
    with Server(api) as server:
        spec = write(tmp_path, server.url, client_entry(method, scope))
        result = run_cli(tmp_path, client_settings(spec, "the-client", secret))
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [0, 1, 2, 3, 4]
    (token,) = token_requests(server)
    assert server.seen[0] is token and token.method == "POST"  # before the first request, once
    assert set(form(token)) == fields and form(token)["grant_type"] == "client_credentials"
    if scope is not None:
        assert form(token)["scope"] == scope
    assert (token.headers.get("Authorization") is not None) == basic
    assert {s.headers["Authorization"] for s in server.seen[1:]} == {f"Bearer {api.issued[0]}"}
    assert leaks(result, secret, *api.issued) == []


def test_client_credentials_obtain_a_new_token_on_a_401_and_at_expiry(tmp_path):
    secret = unique("client-secret")
    api = TokenApi("c", secret)
    api.revoke_after = 2  # the API refuses each token after two pages: a 401, a new token, again
    with Server(api) as server:
        spec = write(tmp_path, server.url, client_entry())
        result = run_cli(tmp_path, client_settings(spec, "c", secret))
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [0, 1, 2, 3, 4]
    paths = [s.path for s in server.seen]
    assert paths == ["/oauth/token", "/items", "/items", "/items", "/oauth/token", "/items"]
    assert leaks(result, secret, *api.issued) == []

    expiring = TokenApi("c", secret, lifetime=30)  # expires within the tap's 30 s of margin: at once
    with Server(expiring) as server:
        spec = write(tmp_path, server.url, client_entry())
        again = run_cli(tmp_path, client_settings(spec, "c", secret))
    assert again.code == 0, again.stderr[-2000:]
    assert [s.path for s in server.seen] == ["/oauth/token", "/items"] * 3  # a new token for each page
    assert len(set(expiring.issued)) == 3


def test_client_credentials_refused_fail_with_one_line_and_no_secret(tmp_path):
    secret = unique("client-secret")
    with Server(TokenApi("c", unique("the-right-one"))) as server:
        spec = write(tmp_path, server.url, client_entry())
        result = run_cli(tmp_path, client_settings(spec, "c", secret))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "stream items: token request (client credentials) at" in result.stderr
    assert "HTTP 401" in result.stderr and "invalid_client" in result.stderr  # the body echoes the secret ...
    assert leaks(result, secret) == []  # ... masked
    assert [s.path for s in server.seen] == ["/oauth/token"]


def test_client_credentials_need_the_client_id_secret_and_token_url(tmp_path):
    entry = client_entry()
    del entry["spec"]["properties"]["accessTokenUrl"]["default"]
    entry["spec"]["required"] = ["clientId"]  # the entry's own list leaves the others out
    with Server(pages) as server:
        spec = write(tmp_path, server.url, entry)
        result = run_cli(tmp_path, {"specs": [spec], "client_id": "c", **FAST})
    assert result.code == 1 and not server.seen
    assert f"{spec}: authSpec[0].clientSecret: has no value (set the client_secret setting)" in result.stderr
    assert f"{spec}: authSpec[0].accessTokenUrl: has no value (set params.accessTokenUrl)" in result.stderr


def test_streams_with_the_same_client_share_one_token(tmp_path):
    secret = unique("client-secret")
    api = TokenApi("c", secret)
    with Server(api) as server:
        specs = []
        for name in ("first", "second"):
            document = source_spec(server.url, pagination=OFFSET, schema=SCHEMA, singer={"name": name})
            document["authSpec"] = [client_entry()]
            specs.append(write_spec(tmp_path, f"{name}.json", document))
        result = run_cli(tmp_path, {**client_settings(specs[0], "c", secret), "specs": specs})
    assert result.code == 0, result.stderr[-2000:]
    assert len(token_requests(server)) == 1 and len(result.records()) == 10


def test_sigterm_stops_a_client_credentials_token_wait_within_a_second(tmp_path):
    def api(seen: Seen) -> Reply:
        return Reply(429, headers={"Retry-After": "60"}, body={"error": "slow_down"})

    with Server(api) as server:
        spec = write(tmp_path, server.url, client_entry())
        config = client_settings(spec, "c", unique("s"), max_retries=3, max_retry_wait=120)
        process = start_tap(tmp_path, config)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not server.seen:
                time.sleep(0.02)
            time.sleep(0.5)  # the 429 is in; the tap waits 60 s for the token
            assert process.poll() is None, "the tap ended before the signal"
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=10)
            stopped_in = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 143, err.decode()[-2000:]
    assert stopped_in < 1.0, stopped_in
    assert "Traceback" not in err.decode() and len(server.seen) == 1
