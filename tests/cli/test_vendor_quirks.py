"""Records, authentication and rate limits as real APIs answer (issue 11, parts 3 to 5).

Help Scout leaves `_embedded` out of an empty page; a `contentPath` that matches a number,
string or boolean is an error; the `auth_spec` setting picks an authSpec entry by name or
type; `requestParameterOverride` renames the token request's form fields; `--test` finds
the host as a sync does; Segment nests `msBeforeNext` in `errors[].data`; `Retry-After`
dates, `RateLimit-Reset` headers, and hints above `max_retry_wait`. Waits are measured
with the server's own clock (when each request arrived).
"""

from __future__ import annotations

import base64
import json
import logging
import math
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from demo.api import DemoAPI
from tests.cli.test_adobe_documents import (
    API_KEY,
    BASIC,
    LIST_ID,
    Mailchimp,
    adobe,
    adobe_document,
    problem_lines,
)
from tests.helpers import ROOT, Reply, Seen, run_tap

SPECS = ROOT / "specs"
FIXTURES = ROOT / "tests" / "fixtures"


def warnings_about(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and text in r.getMessage()]


# --- 3. records: Help Scout's empty page --------------------------------------------------------------


@pytest.mark.parametrize(("size", "pages"), [(50, 3), (25, 2), (0, 1)])
def test_helpscout_mailbox_whose_size_is_a_multiple_of_25_ends_on_the_page_without_embedded(
    caplog, size, pages
):
    caplog.set_level(logging.INFO, logger="tap-restspec")
    with DemoAPI(conversations=size) as api:
        run = run_tap(api.tap_config(specs=[str(SPECS / "helpscout_conversations.json")]))
        seen = [r for r in api.requests if r["path"] == "/v2/conversations"]
    assert len(run.records("helpscout_conversations")) == size
    assert [r["params"]["page"] for r in seen] == [[str(n)] for n in range(1, pages + 1)]
    assert {r["status"] for r in seen} == {200}
    warned = warnings_about(caplog, "matched nothing")
    assert len(warned) == 1, warned
    assert "helpscout_conversations" in warned[0]
    assert "$._embedded.conversations" in warned[0]
    assert "_links, page" in warned[0]  # the body's keys, so a wrong path is still visible
    # the stream completed: a full-table stream says so with ACTIVATE_VERSION
    assert any(m["type"] == "ACTIVATE_VERSION" for m in run.messages)


def test_one_warning_a_run_however_many_empty_pages(serve, run_spec, caplog):
    """Three daily slices, each ending on a Help Scout style page without `_embedded`."""
    caplog.set_level(logging.INFO, logger="tap-restspec")

    def helpscout(seen: Seen) -> Reply:
        page = int(seen.q("page"))
        body: dict[str, Any] = {"_links": {}, "page": {"size": 25, "number": page}}
        if page == 1:
            body["_embedded"] = {
                "conversations": [{"id": f"{seen.q('modifiedSince')}-{i}"} for i in range(25)]
            }
        return Reply(body=body)

    server = serve(helpscout)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/v2/conversations", "method": "GET"},
                "contentPath": {"path": "$._embedded.conversations"},
                "paginationParams": {
                    "type": "PAGE",
                    "limitName": "pageSize",
                    "limitValue": 25,
                    "pageParamName": "page",
                    "initialPageIndex": 1,
                },
                "scheduleParams": {
                    "scheduleStartParamName": "modifiedSince",
                    "scheduleEndParamName": "until",
                    "scheduleStartParamFormat": "yyyy-MM-ddTHH:mm:ssZ",
                },
            }
        },
        "singer": {"name": "conversations", "windowStep": "P1D"},
    }
    run = run_spec(document, start_date="2024-01-01T00:00:00Z", end_date="2024-01-04T00:00:00Z")
    assert len(run.records()) == 75
    assert len(server.seen) == 6  # two pages a slice
    assert len(warnings_about(caplog, "matched nothing")) == 1
    assert run.bookmark("conversations")["replication_key_value"] == "2024-01-04T00:00:00Z"


@pytest.mark.parametrize(
    ("content", "value"),
    [
        pytest.param("$.page.totalElements", 50, id="number"),
        pytest.param("$.status", "ok", id="string"),
        pytest.param("$.done", True, id="boolean"),
    ],
)
def test_a_content_path_matching_a_scalar_is_one_error_line(serve, run_spec, content, value):
    server = serve(lambda seen: Reply(body={"page": {"totalElements": 50}, "status": "ok", "done": True}))
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/v2/conversations", "method": "GET"},
                "contentPath": content,
                "scheduleParams": {"scheduleStartParamName": "from", "scheduleEndParamName": "to"},
            }
        },
        "singer": {"name": "conversations"},
    }
    state = {
        "bookmarks": {
            "conversations": {
                "replication_key": "window_end",
                "replication_key_value": "2024-01-01T00:00:00Z",
            }
        }
    }
    result = run_spec.cli(document, state=state, max_retries=0)
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith("stream conversations: ")
    assert f"contentPath {content!r} matched a" in lines[0]
    assert "not an array or object of records" in lines[0]
    assert len(server.seen) == 1  # not retried
    messages = result.messages()
    assert not [m for m in messages if m["type"] == "RECORD"]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    assert all(s == state or s == {} for s in states), states  # the bookmark does not move


# --- 4. auth ----------------------------------------------------------------------------------------


class MailchimpAnyAuth(Mailchimp):
    """Mailchimp's members endpoint, which takes an OAuth token as a bearer too."""

    def __call__(self, seen: Seen) -> Reply:
        if seen.headers.get("Authorization") == "Bearer oauth-token":
            saved, self.auth = self.auth, False
            try:
                return super().__call__(seen)
            finally:
                self.auth = saved
        return super().__call__(seen)


def two_entries(oauth_host: str, basic_host: str) -> dict[str, Any]:
    """Adobe's PUT request, each authSpec entry with its own `host` default."""
    document = adobe_document("update-request")
    document["authSpec"][0]["spec"]["properties"]["host"]["default"] = oauth_host
    document["authSpec"][1]["spec"]["properties"]["host"]["default"] = basic_host
    return document


ALL_CREDENTIALS = {**BASIC, "access_token": "oauth-token"}


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        pytest.param(None, "oauth", id="default-first-usable"),
        pytest.param("Basic Authentication", "basic", id="by-name"),
        pytest.param("basic authentication", "basic", id="by-name-any-case"),
        pytest.param("BasicAuthentication", "basic", id="by-type"),
        pytest.param("OAuth2 Refresh Code", "oauth", id="oauth-by-name"),
        pytest.param("oauth2refreshcode", "oauth", id="oauth-by-type-any-case"),
    ],
)
def test_auth_spec_setting_picks_the_entry_and_its_host(serve, run_spec, wanted, chosen):
    oauth, basic = serve(MailchimpAnyAuth()), serve(MailchimpAnyAuth())
    config: dict[str, Any] = {"params": {"listId": LIST_ID}, **ALL_CREDENTIALS}
    if wanted is not None:
        config["auth_spec"] = wanted
    run = run_spec(two_entries(oauth.url, basic.url), **config)
    assert len(run.records()) == 250
    used, unused = (oauth, basic) if chosen == "oauth" else (basic, oauth)
    assert unused.seen == [] and len(used.seen) == 3
    expected = (
        "Bearer oauth-token"
        if chosen == "oauth"
        else "Basic " + base64.b64encode(f"anystring:{API_KEY}".encode()).decode()
    )
    assert {s.headers["Authorization"] for s in used.seen} == {expected}


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        pytest.param("oAuth2RefreshCode", "oauth", id="specName-of-adobes-oauth2-base-connection"),
        pytest.param("OAuth 2 Refresh Code", "oauth", id="as-adobes-submit-page-spells-it"),
        pytest.param("oAuth2-refresh-code", "oauth", id="as-adobes-beta-template-types-it"),
        pytest.param(
            adobe_document("base-connection-basic-request")["auth"]["specName"], "basic", id="basic-specName"
        ),
    ],
)
def test_auth_spec_as_adobes_base_connections_name_it(serve, run_spec, wanted, chosen):
    """AEP's `auth.specName` of a base connection, copied into the `auth_spec` setting."""
    oauth, basic = serve(MailchimpAnyAuth()), serve(MailchimpAnyAuth())
    run = run_spec(
        two_entries(oauth.url, basic.url), params={"listId": LIST_ID}, auth_spec=wanted, **ALL_CREDENTIALS
    )
    assert len(run.records()) == 250
    used, unused = (oauth, basic) if chosen == "oauth" else (basic, oauth)
    assert unused.seen == [] and len(used.seen) == 3


def test_the_beta_templates_oauth2_type_spelling_is_an_oauth2_entry(serve, run_spec):
    """Adobe's beta template types its entry `oAuth2-refresh-code`."""
    beta = json.loads((FIXTURES / "adobe" / "generic-source-beta-template.json").read_text())
    assert beta["authSpec"][0]["type"] == "oAuth2-refresh-code"
    server = serve(MailchimpAnyAuth())
    document = adobe_document("update-request")
    document["authSpec"] = [{**beta["authSpec"][0]}]
    run = run_spec(document, params={"listId": LIST_ID, "host": server.url}, access_token="oauth-token")
    assert len(run.records()) == 250
    assert {s.headers["Authorization"] for s in server.seen} == {"Bearer oauth-token"}


def test_auth_spec_naming_no_entry_is_a_startup_error_listing_the_entries(serve, run_spec, tmp_path):
    oauth, basic = serve(MailchimpAnyAuth()), serve(MailchimpAnyAuth())
    result = run_spec.cli(
        two_entries(oauth.url, basic.url),
        name="mc.json",
        params={"listId": LIST_ID},
        auth_spec="Digest",
        **ALL_CREDENTIALS,
    )
    assert result.code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("config: auth_spec: 'Digest' ")
    assert str(tmp_path / "mc.json") in line
    assert "OAuth2 Refresh Code" in line and "OAuth2RefreshCode" in line
    assert "Basic Authentication" in line and "BasicAuthentication" in line
    assert oauth.seen == [] and basic.seen == []


def test_auth_spec_names_an_entry_whose_values_are_missing(serve, run_spec):
    oauth, basic = serve(MailchimpAnyAuth()), serve(MailchimpAnyAuth())
    result = run_spec.cli(
        two_entries(oauth.url, basic.url),
        name="mc.json",
        params={"listId": LIST_ID},
        auth_spec="Basic Authentication",
        access_token="oauth-token",
    )
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert any("authSpec[1].username" in line and "username setting" in line for line in lines), lines
    assert not any("authSpec[0]" in line for line in lines), lines
    assert oauth.seen == [] and basic.seen == []


class TokenAPI:
    """A resource at `/v1/items` that takes only the fresh token, and a token endpoint that
    answers with the field names the spec renames (`token`, `ttl`)."""

    def __init__(self) -> None:
        self.forms: list[dict[str, list[str]]] = []

    def __call__(self, seen: Seen) -> Reply:
        if seen.route == "/oauth/token":
            form = parse_qs(seen.text)
            self.forms.append(form)
            if form.get("app_id") != ["my-client"] or form.get("app_secret") != ["my-secret"]:
                return Reply(401, body={"error": "invalid_client"})
            return Reply(body={"token": "fresh-token", "ttl": 3600, "rt": "refresh-1"})
        if seen.headers.get("Authorization") != "Bearer fresh-token":
            return Reply(401, body={"error": "invalid_token"})
        return Reply(body={"items": [{"id": 1}, {"id": 2}]})


def oauth_document(url: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Adobe's OAuth 2 refresh code authSpec entry, as its documentation prints it."""
    entry = json.loads((FIXTURES / "adobe" / "authspec-oauth2-refresh-code-template.json").read_text())
    if overrides is not None:
        props = entry["spec"]["properties"]["requestParameterOverride"]["properties"]
        for key, value in overrides.items():
            props[key]["default"] = value
    return {
        "name": "Items",
        "authSpec": [entry],
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/v1/items", "method": "GET"},
                "contentPath": "$.items",
            }
        },
    }


RENAMES = {
    "clientId": "app_id",
    "clientSecret": "app_secret",
    "refreshTokenField": "rt",
    "accessTokenField": "token",
    "expireInField": "ttl",
}
OAUTH_SETTINGS = {
    "access_token": "stale-token",
    "refresh_token": "refresh-0",
    "client_id": "my-client",
    "client_secret": "my-secret",
}


@pytest.mark.parametrize("where", ["params", "spec-defaults"])
def test_request_parameter_override_renames_the_token_form_fields(serve, run_spec, where):
    api = TokenAPI()
    server = serve(api)
    params: dict[str, Any] = {"accessTokenUrl": f"{server.url}/oauth/token"}
    if where == "params":  # as a base connection's auth.params gives it
        document = oauth_document(server.url)
        params["requestParameterOverride"] = RENAMES
    else:
        document = oauth_document(server.url, RENAMES)
    run = run_spec(document, params=params, **OAUTH_SETTINGS)
    assert run.records() == [{"id": 1}, {"id": 2}]
    assert api.forms == [
        {
            "grant_type": ["refresh_token"],
            "rt": ["refresh-0"],
            "app_id": ["my-client"],
            "app_secret": ["my-secret"],
        }
    ]
    items = [s for s in server.seen if s.route == "/v1/items"]
    assert [s.headers["Authorization"] for s in items] == ["Bearer stale-token", "Bearer fresh-token"]


def test_connection_test_finds_the_host_in_the_authspec(serve, run_spec):
    server = serve(Mailchimp())
    result = run_spec.cli(
        adobe("update-request"), "--test", params={"listId": LIST_ID, "host": server.url}, **BASIC
    )
    assert result.code == 0, result.stderr
    assert {s.route for s in server.seen} == {f"/3.0/lists/{LIST_ID}/members"}
    assert {s.headers["Authorization"][:6] for s in server.seen} == {"Basic "}
    assert "first page read" in result.stderr


def test_connection_test_makes_one_request_per_stream(serve, run_spec):
    """connection.py: "One request per stream, no records"."""
    server = serve(Mailchimp())
    result = run_spec.cli(
        adobe("update-request"), "--test", params={"listId": LIST_ID, "host": server.url}, **BASIC
    )
    assert result.code == 0, result.stderr
    assert len(server.seen) == 1, [(s.route, s.raw_query) for s in server.seen]
    assert '"type":"RECORD"' not in result.stdout.replace(" ", "")


def test_connection_test_sends_the_first_page_as_a_sync_does(serve, run_spec):
    """Segment's list endpoints refuse a request without pagination parameters: the check must
    send the spec's limit (and first offset), or it fails where a sync works."""
    server = serve(Mailchimp())
    result = run_spec.cli(
        adobe("update-request"), "--test", params={"listId": LIST_ID, "host": server.url}, **BASIC
    )
    assert result.code == 0, result.stderr
    assert [(s.q("count"), s.q("offset")) for s in server.seen] == [("100", "0")] * len(server.seen)


def test_connection_test_uses_the_authspec_host_default_and_a_relative_test_url(serve, run_spec):
    """The OAuth2 entry's `authorizationTestUrl` relative to the host its own default gives."""

    members = MailchimpAnyAuth()

    def api(seen: Seen) -> Reply:
        if seen.route == "/3.0/ping" and seen.headers.get("Authorization") == "Bearer oauth-token":
            return Reply(body={"health_status": "Everything's Chimpy!"})
        return members(seen)

    server = serve(api)
    document = adobe_document("update-request")
    document["authSpec"][0]["spec"]["properties"]["host"]["default"] = server.url
    document["authSpec"][0]["spec"]["properties"]["authorizationTestUrl"]["default"] = "/3.0/ping"
    result = run_spec.cli(document, "--test", params={"listId": LIST_ID}, access_token="oauth-token")
    assert result.code == 0, result.stderr
    assert "/3.0/ping" in [s.route for s in server.seen]
    assert "authorization test GET" in result.stderr and "passed" in result.stderr


def test_connection_test_without_a_host_is_the_same_startup_error(serve, run_spec):
    server = serve(Mailchimp())
    result = run_spec.cli(adobe("update-request"), "--test", params={"listId": LIST_ID}, **BASIC)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert any("urlParams.host" in line and "params.host" in line for line in problem_lines(result.stderr))
    assert server.seen == []


# --- 5. rate limits -----------------------------------------------------------------------------------


def gap(seen: list[Any], index: int = 1) -> float:
    """Seconds between the arrival of request `index - 1` and request `index` (server clock)."""
    times = [s["time"] if isinstance(s, dict) else s.time for s in seen]
    return times[index] - times[index - 1]


def test_segment_nested_ms_before_next_is_waited_for(demo_api):
    demo_api.clear_requests()
    demo_api.fail_next(status=429, path="/sources", ms_before_next=1800)
    run = run_tap(demo_api.tap_config(specs=[str(SPECS / "segment_sources.json")]))
    seen = [r for r in demo_api.requests if r["path"] == "/sources"]
    assert seen[0]["status"] == 429 and seen[1]["status"] == 200
    assert gap(seen) >= 1.8  # the tap's backoff alone would be 0.5..1 s
    assert len(run.records("segment_sources")) == len(demo_api.ids("segment_sources"))


def test_segment_429_body_is_the_one_segment_documents():
    """What the demo answers is what docs.segmentapis.com prints (the wait aside)."""
    documented = json.loads((FIXTURES / "api" / "segment" / "rate-limit-429.json").read_text())
    with DemoAPI() as api:
        api.fail_next(status=429, path="/sources", ms_before_next=57647)
        answer = requests.get(f"{api.url}/sources", headers={"Authorization": "Bearer x"}, timeout=10)
    assert answer.status_code == 429
    assert answer.json() == documented


def sequence(*replies: Reply):
    """Answer with `replies` in turn, then with one page of items."""
    queue = list(replies)

    def answer(seen: Seen) -> Reply:
        return queue.pop(0) if queue else Reply(body={"items": [{"id": 1}]})

    return answer


def items_document(url: str) -> dict[str, Any]:
    return {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/items", "method": "GET"},
                "contentPath": "$.items",
            }
        }
    }


def next_whole_second(ahead: float) -> float:
    """An epoch second `ahead` seconds or a little less from now (HTTP dates have no fractions)."""
    return float(math.floor(time.time() + ahead))


@pytest.mark.parametrize(
    "hint",
    [
        pytest.param(
            lambda: ({"Retry-After": formatdate(when := next_whole_second(2), usegmt=True)}, when),
            id="retry-after-http-date",
        ),
        pytest.param(lambda: ({"RateLimit-Reset": "2"}, time.time() + 2), id="ratelimit-reset-seconds"),
        pytest.param(
            lambda: ({"X-RateLimit-Reset": str(int(when := next_whole_second(2)))}, when),
            id="x-ratelimit-reset-epoch",
        ),
        pytest.param(
            lambda: ({"X-RateLimit-Reset": formatdate(when := next_whole_second(2), usegmt=True)}, when),
            id="x-ratelimit-reset-date-as-segment-sends-it",
        ),
    ],
)
def test_a_429_header_hint_is_never_undercut(serve, run_spec, hint):
    headers, not_before = hint()
    server = serve(sequence(Reply(429, body={"message": "slow down"}, headers=headers)))
    run = run_spec(items_document(server.url))
    assert run.records() == [{"id": 1}]
    assert len(server.seen) == 2
    assert server.seen[1].time >= not_before - 0.01  # 10 ms for the two clocks' reading order


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"retry_after": 1.6}, id="retry_after-seconds"),
        pytest.param({"error": {"details": [{"meta": {"retryAfter": 1.6}}]}}, id="retryAfter-deep"),
        pytest.param({"errors": [{"data": {"msBeforeNext": 1600}}]}, id="msBeforeNext-ms"),
    ],
)
def test_a_json_hint_at_any_depth_is_never_undercut(serve, run_spec, body):
    server = serve(sequence(Reply(429, body=body)))
    run_spec(items_document(server.url))
    assert len(server.seen) == 2
    assert gap(server.seen) >= 1.6


def test_rate_limit_reset_on_a_success_is_not_a_wait(serve, run_spec):
    """Segment sends X-RateLimit-Reset on every answer; only a 429 makes it a wait."""

    def answer(seen: Seen) -> Reply:
        start = int(seen.q("cursor") or 0)
        headers = {"X-RateLimit-Reset": formatdate(time.time() + 30, usegmt=True), "RateLimit-Reset": "30"}
        return Reply(
            body={"items": [{"id": start}], "next": str(start + 1) if start < 2 else None}, headers=headers
        )

    server = serve(answer)
    document = items_document(server.url)
    document["sourceSpec"]["attributes"]["paginationParams"] = {
        "type": "CONTINUATION_TOKEN",
        "continuationTokenPath": "$.next",
        "parameterName": "cursor",
    }
    began = time.monotonic()
    assert [r["id"] for r in run_spec(document).records()] == [0, 1, 2]
    assert time.monotonic() - began < 5


@pytest.mark.parametrize(
    ("reply", "asked"),
    [
        pytest.param(
            Reply(429, body={"message": "slow"}, headers={"Retry-After": "30"}), "30s", id="retry-after"
        ),
        pytest.param(
            Reply(429, body=json.loads((FIXTURES / "api" / "segment" / "rate-limit-429.json").read_text())),
            "58s",
            id="segment-documented-57647ms",
        ),
        pytest.param(
            Reply(429, body={"m": 1}, headers={"RateLimit-Reset": "600"}), "600s", id="ratelimit-reset"
        ),
    ],
)
def test_a_hint_above_max_retry_wait_fails_the_stream_with_one_line(serve, run_spec, reply, asked):
    server = serve(sequence(reply))
    document = items_document(server.url)
    document["sourceSpec"]["attributes"]["scheduleParams"] = {
        "scheduleStartParamName": "from",
        "scheduleEndParamName": "to",
    }
    state = {
        "bookmarks": {
            "items": {"replication_key": "window_end", "replication_key_value": "2024-01-01T00:00:00Z"}
        }
    }
    began = time.monotonic()
    result = run_spec.cli(document, state=state, max_retry_wait="10")
    assert time.monotonic() - began < 15  # it did not wait
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith("stream items: ")
    assert f"asks to wait {asked}" in lines[0] and "max_retry_wait (10s)" in lines[0]
    assert len(server.seen) == 1
    states = [m["value"] for m in result.messages() if m["type"] == "STATE"]
    assert all(s in (state, {}) for s in states), states  # the bookmark stays where it was


def test_a_fractional_max_retry_wait_is_shown_as_set(serve, run_spec):
    """`max_retry_wait` takes fractions: 1.5 is not shown as 2 beside a wait of 2."""
    server = serve(sequence(Reply(429, body={"m": 1}, headers={"Retry-After": "2"})))
    result = run_spec.cli(items_document(server.url), max_retry_wait="1.5")
    assert result.code == 1
    (line,) = problem_lines(result.stderr)
    assert line.endswith("the API asks to wait 2s before retrying, more than max_retry_wait (1.5s)")
    assert len(server.seen) == 1
