"""Adobe's beta dialect (2026-12-07), run unmodified: the Sources SDK beta pages write
`urlParams.hostname` for `host`, `paginationParams.paginationType` for `type`, `queryParams`,
`headerParams` and `bodyParams` as strings beside `urlParams` (`""` for none), `{{name}}`
placeholders, and the auth types `oAuth2-refresh-code` and `apiKey` (`keyName` in a header or
the query, as `attributes.authParams.addTo` says, holding the `api_key` setting).

The documents are Adobe's own (tests/fixtures/adobe/, see its README); the server answers as
Mailchimp's `GET /3.0/lists/{list_id}/members` does, and checks what it is sent.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from tests.helpers import ROOT, Reply, Seen, Server, run_cli, write_spec

ADOBE = ROOT / "tests" / "fixtures" / "adobe"
CONNECTOR = "mailchimp-connector-create-beta.json"  # oAuth2-refresh-code and apiKey
SOURCE = "mailchimp-create-source-beta.json"  # oAuth2-refresh-code only
LIST_ID = "a1b2c3d4e5"
KEY = "beta-k3y-5ecret-us21"
TOKEN = "beta-acc3ss-t0ken"
WINDOW = {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-02-01T00:00:00Z"}
FAST = {"max_retries": 0, "max_retry_wait": 2}


def document(name: str) -> dict:
    return json.loads((ADOBE / name).read_text())


def members(count: int) -> list[dict]:
    """Adobe's beta response example's member, `count` times with ids of their own."""
    (member,) = document("mailchimp-members-response-example-beta.json")["members"]
    return [{**member, "id": f"{i:032x}"} for i in range(count)]


class Members:
    """Mailchimp's list members: `count` and `offset`, Adobe's beta example as each member."""

    def __init__(self, count: int = 1) -> None:
        self.rows = members(count)

    def __call__(self, seen: Seen) -> Reply:
        if seen.route != f"/3.0/lists/{LIST_ID}/members":
            return Reply(404, body={"title": "Resource Not Found", "status": 404})
        count, offset = int(seen.q("count") or 10), int(seen.q("offset") or 0)
        return Reply(body={"members": self.rows[offset : offset + count], "list_id": LIST_ID})


def config(server: Server, spec: str, **extra) -> dict:
    params = {"domain": "us21", "listId": LIST_ID}
    return {"specs": [spec], "base_url": server.url, "params": params, **WINDOW, **FAST, **extra}


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " WARNING " in line or " ERROR " in line]


# --- the documents as Adobe printed them ------------------------------------------------------------


def test_the_beta_connector_runs_unmodified_with_its_api_key(tmp_path):
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, str(ADOBE / CONNECTOR), api_key=KEY))
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == []  # every beta key is read: none is unknown
    (seen,) = server.seen
    assert seen.route == f"/3.0/lists/{LIST_ID}/members"  # urlParams.hostname and {{listId}}
    assert seen.query == {  # queryParams beside urlParams, the window, the pagination (paginationType)
        "excludes": ["id"],
        "since_last_changed": ["2024-01-01T00:00:00Z"],
        "before_last_changed": ["2024-02-01T00:00:00Z"],
        "count": ["100"],
        "offset": ["0"],
    }
    assert seen.headers.get("apiKey") == KEY  # apiKey: keyName's default, in a header
    assert "authorization" not in {k.lower() for k in seen.headers}
    assert seen.method == "GET" and not seen.body  # bodyParams "" is none
    assert [r["id"] for r in result.records()] == [f"{0:032x}"]
    assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("name", [CONNECTOR, SOURCE])
def test_the_beta_documents_oauth2_refresh_code_entry_sends_the_access_token(tmp_path, name):
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, str(ADOBE / name), access_token=TOKEN))
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == []
    (seen,) = server.seen
    assert seen.headers.get("Authorization") == f"Bearer {TOKEN}"
    assert seen.q("excludes") == "id" and seen.headers.get("apiKey") is None
    assert TOKEN not in result.stdout + result.stderr


def test_the_hostname_placeholders_need_their_values_before_any_request(tmp_path):
    with Server(Members()) as server:
        settings = config(server, str(ADOBE / CONNECTOR), api_key=KEY)
        settings["params"] = {"listId": LIST_ID}
        result = run_cli(tmp_path, settings)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "domain" in result.stderr and not server.seen


def test_without_base_url_the_requests_go_to_the_hostname(tmp_path):
    """No base_url: the host is `https://{{domain}}.api.mailchimp.com`, filled in; the check of
    the host before any request names it (here the domain makes no host name)."""
    spec = str(ADOBE / CONNECTOR)
    settings = {"specs": [spec], "params": {"domain": "exa mple", "listId": LIST_ID}, "api_key": KEY, **FAST}
    result = run_cli(tmp_path, settings)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "'https://{{domain}}.api.mailchimp.com' with domain='exa mple' does not make a usable URL" in (
        result.stderr
    )


# --- apiKey in the query ------------------------------------------------------------------------------


def test_an_api_key_added_to_the_query_goes_there_masked_in_every_encoding(tmp_path):
    beta = document(CONNECTOR)
    beta["authSpec"][1]["attributes"]["authParams"]["addTo"] = "QUERY"
    key = "k3y/with+odd=chars"
    spec = write_spec(tmp_path, "beta.json", beta)
    with Server(lambda seen: Reply(500, body={"detail": f"bad key {seen.q('apiKey')}"})) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=key))
    assert result.code == 1 and "HTTP 500" in result.stderr
    assert server.seen[0].q("apiKey") == key and server.seen[0].headers.get("apiKey") is None
    for form in (key, quote(key, safe=""), quote(key), base64.b64encode(key.encode()).decode()):
        assert form not in result.stdout + result.stderr, form


def test_an_api_key_entry_without_a_key_name_says_where_to_give_one(tmp_path):
    beta = document(CONNECTOR)
    del beta["authSpec"][1]["spec"]["properties"]["keyName"]["default"]
    spec = write_spec(tmp_path, "beta.json", beta)
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=KEY, auth_spec="apiKey"))
    assert result.code == 1 and not server.seen
    assert f"{spec}: authSpec[1].keyName: has no value (set params.keyName)" in result.stderr


@pytest.mark.parametrize("add_to", ["cookie", 7])
def test_an_api_key_added_elsewhere_is_a_start_up_error(tmp_path, add_to):
    beta = document(CONNECTOR)
    beta["authSpec"][1]["attributes"]["authParams"]["addTo"] = add_to
    spec = write_spec(tmp_path, "beta.json", beta)
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=KEY))
    assert result.code == 1 and not server.seen
    assert f"{spec}: authSpec[1].attributes.authParams.addTo: " in result.stderr
    assert "is not one of header, query" in result.stderr


# --- the offset fragment, and the keys ----------------------------------------------------------------


def test_adobes_beta_offset_fragment_is_read_and_its_template_values_are_named(tmp_path):
    """`pagination-offset-beta.json` prints `{LIMIT_NAME}`-style stand-ins for the author to fill:
    put in a beta document as printed, the one value that cannot be sent is named."""
    beta = document(CONNECTOR)
    beta["sourceSpec"]["attributes"]["paginationParams"] = document("pagination-offset-beta.json")
    spec = write_spec(tmp_path, "beta.json", beta)
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=KEY))
    assert result.code == 1 and not server.seen and "Traceback" not in result.stderr
    assert f"{spec}: paginationParams.limitValue: '{{LIMIT_VALUE}}' is not an integer" in result.stderr
    assert "unknown key" not in result.stderr  # paginationType and offSetName are read


def test_adobes_beta_offset_fragment_filled_as_its_table_says_pages_by_offset(tmp_path):
    fragment = document("pagination-offset-beta.json")
    filled = {**fragment, "limitName": "count", "limitValue": "100", "offSetName": "offset"}  # the table
    beta = document(CONNECTOR)
    beta["sourceSpec"]["attributes"]["paginationParams"] = filled
    spec = write_spec(tmp_path, "beta.json", beta)
    with Server(Members(150)) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=KEY))
    assert result.code == 0, result.stderr[-2000:]
    assert [(s.q("count"), s.q("offset")) for s in server.seen] == [("100", "0"), ("100", "100")]
    assert len(result.records()) == 150


def beta_variant(tmp_path, change) -> str:
    beta = document(CONNECTOR)
    change(beta["sourceSpec"]["attributes"])
    return write_spec(tmp_path, "beta.json", beta)


@pytest.mark.parametrize(
    ("change", "line"),
    [
        pytest.param(
            lambda a: a["urlParams"].update(host="https://us21.api.mailchimp.com"),
            "urlParams.hostname: host is given too; give one of host, hostname, hostName",
            id="host-and-hostname",
        ),
        pytest.param(
            lambda a: a["paginationParams"].update(type="PAGE"),
            "paginationParams.paginationType: type is given too; give one of type, paginationType",
            id="type-and-paginationType",
        ),
        pytest.param(
            lambda a: a["paginationParams"].update(paginationTyp=a["paginationParams"].pop("paginationType")),
            "paginationParams.paginationTyp: unknown key; did you mean 'paginationType'?",
            id="misspelt-paginationType",
        ),
        pytest.param(
            lambda a: a.update(queryParam=a.pop("queryParams")),
            "attributes.queryParam: unknown key; did you mean 'queryParams'?",
            id="misspelt-queryParams",
        ),
        pytest.param(
            lambda a: a.update(queryParams="excludes"),
            "queryParams: 'excludes' is not key=value",
            id="queryParams-not-pairs",
        ),
    ],
)
def test_beta_keys_are_checked_like_every_key(tmp_path, change, line):
    spec = beta_variant(tmp_path, change)
    with Server(Members()) as server:
        result = run_cli(tmp_path, config(server, spec, api_key=KEY))
    assert result.code == 1 and not server.seen and "Traceback" not in result.stderr
    assert f"{spec}: {line}" in result.stderr, result.stderr[-2000:]


def test_beta_strings_beside_url_params_join_the_contracts_own(tmp_path):
    """`queryParams` and `headerParams` beside urlParams, with `&` or `,` between pairs and
    `{{name}}` placeholders; urlParams' own queryParams too; `hostName`, as the beta table writes it."""

    def change(attributes):
        url = attributes["urlParams"]
        url["hostName"] = url.pop("hostname")
        url["queryParams"] = {"status": "subscribed"}
        attributes["queryParams"] = "excludes=id&fields={{fields}}"
        attributes["headerParams"] = "Accept=application/json,X-Trace={{trace}}"

    spec = beta_variant(tmp_path, change)
    with Server(Members()) as server:
        settings = config(server, spec, api_key=KEY)
        settings["params"].update(fields="members.id", trace="t-1")
        result = run_cli(tmp_path, settings)
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == []
    (seen,) = server.seen
    assert (seen.q("status"), seen.q("excludes"), seen.q("fields")) == ("subscribed", "id", "members.id")
    assert seen.headers.get("Accept") == "application/json" and seen.headers.get("X-Trace") == "t-1"
