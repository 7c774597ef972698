"""Adobe's own MailChimp Members documents, unmodified, against a server that answers as Mailchimp does.

Issue 11, part 1: the documents in `tests/fixtures/adobe/` are run through the real tap as
Adobe printed them; the host comes from `params.host`, `params.domain` (whatever the
document declares) or an authSpec `default`, never from an edit to the document. Also:
enumerations in any case, `contentPath` as a plain string, legacy `headerParams` strings,
numbers as numbers or strings. The last part is bad input: documents that no reading can
run are refused at start-up, one line per problem, before any request.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import ROOT, Reply, Seen

ADOBE = ROOT / "tests" / "fixtures" / "adobe"
LIST_ID = "a1b2c3d4e5"
API_KEY = "0123456789abcdef-us21"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| ")


def members(count: int = 250) -> list[dict]:
    """Members as Mailchimp lists them: one changed every two hours from 2024-01-01."""
    out = []
    for i in range(count):
        day, hour = 1 + (i * 2) // 24, (i * 2) % 24
        out.append(
            {
                "id": f"{i:032x}",
                "email_address": f"member{i}@example.org",
                "status": "subscribed",
                "last_changed": f"2024-01-{day:02d}T{hour:02d}:00:00+00:00",
                "list_id": LIST_ID,
                "_links": [{"rel": "self", "href": f"https://us21.api.mailchimp.com/3.0/lists/{LIST_ID}"}],
            }
        )
    return out


def parse_when(text: str) -> datetime:
    """ISO 8601, and Adobe's own `yyyy-MM-ddTHH:mm:ss:fffffffK` (a colon before the fraction)."""
    text = re.sub(r"(T\d\d:\d\d:\d\d):(\d+)", r"\1.\2", text.strip())
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Mailchimp:
    """`GET /3.0/lists/{list_id}/members` as Mailchimp answers it.

    Basic auth (any user name, the API key as password), `count` (default 10, at most 1000)
    and `offset`, `since_last_changed` (inclusive) and `before_last_changed` (exclusive), a
    page of `members` with `list_id`, `total_items` and `_links`; 401 and 404 bodies as
    Mailchimp's problem documents.
    """

    def __init__(self, rows: list[dict] | None = None, *, auth: bool = True) -> None:
        self.rows = members() if rows is None else rows
        self.auth = auth

    def problem(self, status: int, title: str, detail: str) -> Reply:
        return Reply(
            status,
            body={
                "type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": title,
                "status": status,
                "detail": detail,
                "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219",
            },
        )

    def __call__(self, seen: Seen) -> Reply:
        if self.auth:
            header = seen.headers.get("Authorization") or ""
            if not header.startswith("Basic "):
                return self.problem(401, "API Key Missing", "Your request did not include an API key.")
            _, _, password = base64.b64decode(header[6:]).decode().partition(":")
            if password != API_KEY:
                return self.problem(401, "API Key Invalid", "Your API key may be invalid.")
        if seen.route != f"/3.0/lists/{LIST_ID}/members":
            return self.problem(404, "Resource Not Found", "The requested resource could not be found.")
        count, offset = int(seen.q("count") or 10), int(seen.q("offset") or 0)
        if count > 1000:
            return self.problem(400, "Invalid Resource", "count: must be at most 1000")
        rows = self.rows
        since, before = seen.q("since_last_changed"), seen.q("before_last_changed")
        if since:
            rows = [r for r in rows if parse_when(r["last_changed"]) >= parse_when(since)]
        if before:
            rows = [r for r in rows if parse_when(r["last_changed"]) < parse_when(before)]
        return Reply(
            body={
                "members": rows[offset : offset + count],
                "list_id": LIST_ID,
                "total_items": len(rows),
                "_links": [{"rel": "self", "href": f"/3.0/lists/{LIST_ID}/members", "method": "GET"}],
            }
        )


def adobe(name: str) -> str:
    return str(ADOBE / f"mailchimp-members-{name}.json")


def adobe_document(name: str) -> dict:
    return json.loads(Path(adobe(name)).read_text())


def problem_lines(stderr: str) -> list[str]:
    """What the tap printed on stderr besides its log records."""
    return [line for line in stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]


BASIC = {"username": "anystring", "password": API_KEY}
WINDOW = {"start_date": "2024-01-10T00:00:00Z", "end_date": "2024-01-20T00:00:00Z"}
ADOBE_FORMAT = {
    "since_last_changed": "2024-01-10T00:00:00:0000000Z",
    "before_last_changed": "2024-01-20T00:00:00:0000000Z",
}  # yyyy-MM-ddTHH:mm:ss:fffffffK


def in_window(rows: list[dict]) -> list[str]:
    low, high = parse_when(WINDOW["start_date"]), parse_when(WINDOW["end_date"])
    return sorted(r["id"] for r in rows if low <= parse_when(r["last_changed"]) < high)


# --- 1. the documents as Adobe writes them ----------------------------------------------------

# (document, how the user gives the host, whether it has an authSpec, contentPath form)
DOCUMENTS = [
    pytest.param("create-request", "domain", True, id="create-request:host-template-with-domain"),
    pytest.param("create-response", "host", True, id="create-response:host-in-authspec"),
    pytest.param("create-request-beta", "host", True, id="create-request-beta:contentPath-string"),
    pytest.param("create-response-beta", "host", True, id="create-response-beta:contentPath-string"),
    pytest.param("update-request", "host", True, id="put-request:host-in-authspec"),
    pytest.param("update-response", "host", True, id="put-response:contentPath-string"),
    pytest.param("sourcespec-appendix-current", "domain", False, id="appendix-current:single-brace-domain"),
    pytest.param("sourcespec-appendix-older", "host", False, id="appendix-older:no-host-no-authspec"),
]


@pytest.mark.parametrize(("name", "given", "has_auth"), DOCUMENTS)
def test_adobe_mailchimp_members_documents_read_the_window_page_by_page(
    serve, run_spec, name, given, has_auth
):
    api = Mailchimp(auth=has_auth)
    server = serve(api)
    if given == "host":  # the document declares `host` (authSpec) or nothing: params.host
        config = {"params": {"listId": LIST_ID, "host": server.url}}
    else:  # `https://${domain}.api.mailchimp.com`: params.domain, and base_url for the local server
        config = {"params": {"listId": LIST_ID, "domain": "us21"}, "base_url": server.url}
    run = run_spec(adobe(name), **config, **BASIC, **WINDOW)

    stream = next(iter(run.schemas()))
    records = run.records(stream)
    assert sorted(r["id"] for r in records) == in_window(api.rows)
    assert len(records) == 120  # 2024-01-10 .. 2024-01-20, one member every two hours
    # skipAttributes (object form) drops _links, total_items, list_id; the string form keeps all
    if isinstance(adobe_document(name).get("sourceSpec", {}).get("attributes", {}).get("contentPath"), dict):
        assert not {"_links", "list_id"} & set(records[0])
    assert [s.route for s in server.seen] == [f"/3.0/lists/{LIST_ID}/members"] * 2
    assert [(s.q("count"), s.q("offset")) for s in server.seen] == [("100", "0"), ("100", "100")]
    for seen in server.seen:
        assert {k: seen.q(k) for k in ADOBE_FORMAT} == ADOBE_FORMAT
        if has_auth:
            expected = base64.b64encode(f"anystring:{API_KEY}".encode()).decode()
            assert seen.headers["Authorization"] == f"Basic {expected}"
        else:  # a bare sourceSpec carries no authSpec: nothing to authenticate with
            assert "Authorization" not in seen.headers
    assert run.bookmark(stream)["replication_key_value"] == "2024-01-20T00:00:00Z"


def test_create_request_endcondition_on_an_absent_hasmore_does_not_end_the_stream(serve, run_spec):
    """Adobe's create request ends on `$.hasMore` `Const:false`, a field Mailchimp never sends."""
    pagination = adobe_document("create-request")["sourceSpec"]["attributes"]["paginationParams"]
    assert pagination["endConditionName"] == "$.hasMore"
    server = serve(Mailchimp())
    run = run_spec(
        adobe("create-request"), params={"listId": LIST_ID, "domain": "us21"}, base_url=server.url, **BASIC
    )
    assert len(run.records()) == 250
    assert [s.q("offset") for s in server.seen] == ["0", "100", "200"]


def test_the_host_comes_from_the_chosen_authspec_entrys_default(serve, run_spec, tmp_path):
    """Only a `default` for `host` in the Basic entry (Adobe's PUT request, one default added)."""
    server = serve(Mailchimp())
    document = adobe_document("update-request")
    document["authSpec"][1]["spec"]["properties"]["host"]["default"] = server.url
    run = run_spec(document, params={"listId": LIST_ID}, **BASIC)
    assert len(run.records()) == 250
    assert {s.route for s in server.seen} == {f"/3.0/lists/{LIST_ID}/members"}


def test_domain_placeholder_comes_from_the_chosen_authspec_entrys_default(serve, run_spec):
    """Adobe's create request declares `domain` in each authSpec entry: its default fills `${domain}`."""
    server = serve(Mailchimp())
    document = adobe_document("create-request")
    document["authSpec"][1]["spec"]["properties"]["domain"]["default"] = "us21"
    run = run_spec(document, params={"listId": LIST_ID}, base_url=server.url, **BASIC)
    assert len(run.records()) == 250


def test_params_host_wins_over_the_authspec_default(serve, run_spec):
    wrong, right = serve(Mailchimp()), serve(Mailchimp())
    document = adobe_document("update-request")
    document["authSpec"][1]["spec"]["properties"]["host"]["default"] = wrong.url
    run = run_spec(document, params={"listId": LIST_ID, "host": right.url}, **BASIC)
    assert len(run.records()) == 250
    assert wrong.seen == [] and len(right.seen) == 3


@pytest.mark.parametrize(
    ("name", "credentials", "entry"),
    [
        pytest.param("update-request", BASIC, "authSpec[1]", id="put-request-basic"),
        pytest.param("update-request", {"access_token": "t"}, "authSpec[0]", id="put-request-oauth2"),
        pytest.param("create-request-beta", BASIC, "authSpec[1]", id="create-request-beta-basic"),
        pytest.param("sourcespec-appendix-older", BASIC, None, id="appendix-older-no-authspec"),
    ],
)
def test_no_host_anywhere_is_one_startup_error_naming_both_places(serve, run_spec, name, credentials, entry):
    """One line, and only one: the host is one problem, whichever entry the credentials choose."""
    server = serve(Mailchimp())
    result = run_spec.cli(adobe(name), params={"listId": LIST_ID}, **credentials)
    assert result.code == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith(adobe(name) + ": urlParams.host: ")
    assert "params.host" in lines[0] and "spec.properties" in lines[0]  # both places
    if entry is not None:  # the entry whose credentials were given is where a default would go
        assert f"{entry}.spec.properties" in lines[0]
    assert server.seen == []


def test_create_request_without_its_domain_names_domain_and_sends_nothing(serve, run_spec):
    """`https://${domain}.api.mailchimp.com`, `domain` declared in each authSpec entry, none given."""
    server = serve(Mailchimp())
    result = run_spec.cli(adobe("create-request"), params={"listId": LIST_ID}, base_url=server.url, **BASIC)
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert lines and all(line.startswith(adobe("create-request") + ": ") for line in lines), lines
    assert all("domain" in line for line in lines), lines  # nothing about an OAuth2 token nobody meant
    assert any("params.domain" in line for line in lines), lines
    assert server.seen == []


def test_get_connection_spec_response_says_to_save_the_item_itself(serve, run_spec):
    """`GET /connectionSpecs/{id}` wraps the spec in `{"items": [...]}`, none of the three forms
    of section 1: one line that says what the file is and what to save instead."""
    serve(Mailchimp())
    result = run_spec.cli(adobe("get-response"), params={"listId": LIST_ID}, **BASIC)
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith(adobe("get-response") + ": items")
    assert "items[0]" in lines[0]  # what to save as the spec file


def test_the_item_of_the_get_response_saved_by_itself_runs(serve, run_spec):
    server = serve(Mailchimp())
    (item,) = adobe_document("get-response")["items"]
    run = run_spec(item, params={"listId": LIST_ID, "host": server.url}, **BASIC, **WINDOW)
    assert sorted(r["id"] for r in run.records()) == in_window(server.handler.rows)


# --- enumerations, contentPath strings, legacy strings, numbers -------------------------------


def members_spec(url: str, **attributes) -> dict:
    """A bare sourceSpec for the Mailchimp members endpoint, as Adobe's older table writes one."""
    attrs = {
        "urlParams": {"host": url, "path": f"/3.0/lists/{LIST_ID}/members", "method": "get"},
        "headerParams": {"Authorization": "Basic ${auth}"},
        "contentPath": "$.members",
        "paginationParams": {
            "type": "offset",
            "limitName": "count",
            "limitValue": 100,
            "offsetName": "offset",
        },
    }
    attrs.update(attributes)
    return {"sourceSpec": {"attributes": attrs}}


AUTH_PARAM = {"auth": base64.b64encode(f"x:{API_KEY}".encode()).decode()}


@pytest.mark.parametrize("spelling", ["offset", "Offset", "OFFSET", "oFfSeT"])
@pytest.mark.parametrize("method", ["get", "Get", "GET"])
def test_offset_and_get_in_any_case(serve, run_spec, spelling, method):
    server = serve(Mailchimp())
    document = members_spec(server.url)
    document["sourceSpec"]["attributes"]["paginationParams"]["type"] = spelling
    document["sourceSpec"]["attributes"]["urlParams"]["method"] = method
    run = run_spec(document, params=AUTH_PARAM)
    assert len(run.records()) == 250
    assert [(s.method, s.q("offset")) for s in server.seen] == [("GET", "0"), ("GET", "100"), ("GET", "200")]


def pointer_api(seen: Seen) -> Reply:
    start = int(seen.q("from") or 0)
    rows = [{"id": i} for i in range(start, min(start + 10, 25))]
    following = {"next": f"/items?from={start + 10}"} if start + 10 < 25 else {}
    return Reply(body={"items": rows, "paging": following})


def token_api(seen: Seen) -> Reply:
    body = seen.json() if seen.body else {}
    start = int(seen.q("cursor") or seen.headers.get("X-Cursor") or body.get("cursor") or 0)
    rows = [{"id": i} for i in range(start, min(start + 10, 25))]
    return Reply(body={"items": rows, "next": str(start + 10) if start + 10 < 25 else None})


@pytest.mark.parametrize(
    ("handler", "pagination", "sent"),
    [
        pytest.param(
            pointer_api, {"type": "pointer", "pointerPath": "paging.next"}, [None, "10", "20"], id="pointer"
        ),
        pytest.param(
            pointer_api,
            {"type": "Pointer", "pointerName": "$.paging.next"},
            [None, "10", "20"],
            id="Pointer-pointerName",
        ),
        pytest.param(
            token_api,
            {
                "type": "continuation_token",
                "continuationTokenPath": "next",
                "parameterType": "queryparam",
                "parameterName": "cursor",
            },
            [None, "10", "20"],
            id="queryparam",
        ),
        pytest.param(
            token_api,
            {
                "type": "Continuation_Token",
                "continuationTokenPath": "$.next",
                "parameterType": "HeaderParam",
                "parameterName": "X-Cursor",
            },
            [None, "10", "20"],
            id="headerparam",
        ),
    ],
)
def test_pointer_and_parameter_types_in_any_case(serve, run_spec, handler, pagination, sent):
    server = serve(handler)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/items", "method": "get"},
                "contentPath": "$.items",
                "paginationParams": pagination,
            }
        }
    }
    run = run_spec(document)
    assert [r["id"] for r in run.records()] == list(range(25))
    if "X-Cursor" in json.dumps(pagination):
        assert [s.headers.get("X-Cursor") for s in server.seen] == sent
    else:
        assert [s.q("from") or s.q("cursor") for s in server.seen] == sent


@pytest.mark.parametrize("spelling", ["advance", "Advance", "ADVANCE"])
def test_advance_schedule_in_any_case(serve, run_spec, spelling):
    server = serve(lambda seen: Reply(body={"results": [{"id": 1}]}))
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {
                    "host": server.url,
                    "path": "/api/v2/search/export",
                    "method": "GET",
                    "queryParams": {"query": "{SCHEDULE_QUERY}", "filter[type]": "user"},
                },
                "contentPath": "$.results",
                "scheduleParams": {
                    "type": spelling,
                    "paramFormat": "yyyy-MM-ddTHH:mm:ssK",
                    "incremental": "type:user updated > {START_TIME} updated < {END_TIME}",
                    "backfill": "type:user updated < {END_TIME}",
                },
            }
        }
    }
    run_spec(document, start_date="2024-01-01T00:00:00Z", end_date="2024-02-01T00:00:00Z")
    assert (
        server.seen[0].q("query") == "type:user updated > 2024-01-01T00:00:00Z updated < 2024-02-01T00:00:00Z"
    )


def test_legacy_header_and_query_strings_with_comma_and_ampersand(serve, run_spec):
    """The legacy string of section 1 of the contract (from Adobe's older table):
    `Content-Type=application/json,foo=bar&userHeader={{USER_HEADER_VALUE}}`, plus a value
    with `=` in it (base64 padding), which only the first `=` of a pair separates."""
    server = serve(Mailchimp(auth=False))
    document = members_spec(
        server.url,
        headerParams="Content-Type=application/json,foo=bar&userHeader={{USER_HEADER_VALUE}}&X-Key=YTpi==",
    )
    document["sourceSpec"]["attributes"]["urlParams"]["queryParams"] = (
        "status=subscribed,fields=members&sort_dir=ASC"
    )
    run = run_spec(document, params={"USER_HEADER_VALUE": "from-params"})
    assert len(run.records()) == 250
    for seen in server.seen:
        assert seen.headers["Content-Type"] == "application/json"
        assert seen.headers["foo"] == "bar"
        assert seen.headers["userHeader"] == "from-params"
        assert seen.headers["X-Key"] == "YTpi=="
        assert (seen.q("status"), seen.q("fields"), seen.q("sort_dir")) == ("subscribed", "members", "ASC")


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param({"limitValue": 100, "delayRequestMillis": 300, "maximumRequest": 2}, id="numbers"),
        pytest.param({"limitValue": "100", "delayRequestMillis": "300", "maximumRequest": "2"}, id="strings"),
        pytest.param({"limitValue": 100.0, "delayRequestMillis": "300", "maximumRequest": 2.0}, id="floats"),
    ],
)
def test_numbers_as_numbers_or_strings(serve, run_spec, numbers):
    server = serve(Mailchimp())
    document = members_spec(server.url)
    document["sourceSpec"]["attributes"]["paginationParams"].update(numbers)
    run = run_spec(document, params=AUTH_PARAM)
    assert len(run.records()) == 200  # maximumRequest 2: two pages of 100
    assert [(s.q("count"), s.q("offset")) for s in server.seen] == [("100", "0"), ("100", "100")]
    assert server.seen[1].time - server.seen[0].time >= 0.22  # delayRequestMillis, less a first connect


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param({"initialPageIndex": 1, "endPageIndex": 2, "limitValue": 10}, id="numbers"),
        pytest.param({"initialPageIndex": "1", "endPageIndex": "2", "limitValue": "10"}, id="strings"),
    ],
)
def test_page_numbers_as_numbers_or_strings(serve, run_spec, numbers):
    def pages(seen):
        page = int(seen.q("page"))
        return Reply(body={"records": [{"id": page * 100 + i} for i in range(10)]})

    server = serve(pages)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/r", "method": "GET"},
                "contentPath": "$.records",
                "paginationParams": {"type": "page", "limitName": "size", "pageParamName": "page", **numbers},
            }
        }
    }
    run = run_spec(document)
    assert len(run.records()) == 20
    assert [s.q("page") for s in server.seen] == ["1", "2"]


# --- 6. bad input: refused at start-up, one line per problem ---------------------------------------


def test_a_document_no_reading_can_run_is_refused_one_line_per_problem(serve, run_spec, tmp_path):
    server = serve(Mailchimp())
    document = adobe_document("update-request")  # host only in the authSpec, and none given
    attrs = document["sourceSpec"]["attributes"]
    attrs["paginationParams"] = {"type": "Cursor", "limitName": "count", "limitValue": "100"}
    attrs["urlParams"]["method"] = "put"
    attrs["scheduleParams"]["type"] = "advanced"
    result = run_spec.cli(document, name="mailchimp.json", params={"listId": LIST_ID}, **BASIC)
    assert result.code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    file = str(tmp_path / "mailchimp.json")
    assert all(line.startswith(f"{file}: ") for line in lines), lines
    expected = {
        "paginationParams.type": "'Cursor' is not one of OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE",
        "urlParams.method": "'put' is not one of GET, POST",
        "scheduleParams.type": "'advanced' is not one of ADVANCE",
    }
    for prop, message in expected.items():
        assert f"{file}: {prop}: {message}" in lines, lines
    assert len(lines) == len(set(lines))
    assert server.seen == []


def test_the_missing_host_is_reported_together_with_the_other_problems(serve, run_spec, tmp_path):
    """Every problem at once: a document with a typo and no host says both, not one per round."""
    server = serve(Mailchimp())
    document = adobe_document("update-request")
    document["sourceSpec"]["attributes"]["paginationParams"]["type"] = "Cursor"
    result = run_spec.cli(document, name="mailchimp.json", params={"listId": LIST_ID}, **BASIC)
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    file = str(tmp_path / "mailchimp.json")
    assert any(line.startswith(f"{file}: paginationParams.type: ") for line in lines), lines
    assert any(line.startswith(f"{file}: urlParams.host: ") for line in lines), lines
    assert server.seen == []


@pytest.mark.parametrize(
    ("placement", "message"),
    [
        pytest.param("bodyparam", "is not one of QUERYPARAM, HEADERPARAM, BODYPARAM", id="lower-case-ok"),
        pytest.param("BODY_PARAM", "is not one of QUERYPARAM, HEADERPARAM, BODYPARAM", id="unknown"),
    ],
)
def test_parameter_type_unknown_in_any_case(serve, run_spec, tmp_path, placement, message):
    server = serve(token_api)
    document = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": server.url, "path": "/items", "method": "POST"},
                "bodyParams": {"query": "x"},
                "contentPath": "$.items",
                "paginationParams": {
                    "type": "CONTINUATION_TOKEN",
                    "continuationTokenPath": "$.next",
                    "parameterType": placement,
                    "parameterName": "cursor",
                },
            }
        }
    }
    result = run_spec.cli(document, name="t.json")
    if placement == "bodyparam":  # a known value in lower case: it runs
        assert result.code == 0, result.stderr
        assert [s.json().get("cursor") for s in server.seen] == [None, "10", "20"]
        return
    assert result.code == 1 and "Traceback" not in result.stderr
    assert problem_lines(result.stderr) == [
        f"{tmp_path / 't.json'}: paginationParams.parameterType: {placement!r} {message}"
    ]
    assert server.seen == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(None, id="no-body"),
        pytest.param("after=${x}", id="string-body"),
    ],
)
def test_bodyparam_without_a_json_body_is_a_startup_error(serve, run_spec, tmp_path, body):
    server = serve(token_api)
    attrs = {
        "urlParams": {"host": server.url, "path": "/crm/v3/objects/contacts/search", "method": "POST"},
        "contentPath": "$.results",
        "paginationParams": {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": "$.paging.next.after",
            "parameterType": "BODYPARAM",
            "parameterName": "after",
        },
    }
    if body is not None:
        attrs["bodyParams"] = body
    result = run_spec.cli({"sourceSpec": {"attributes": attrs}}, name="search.json", params={"x": "1"})
    assert result.code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{tmp_path / 'search.json'}: paginationParams.parameterType: ")
    assert "bodyParams" in lines[0]
    assert server.seen == []


def test_every_bad_file_is_reported_at_once(serve, run_spec, tmp_path):
    server = serve(Mailchimp())
    no_host = adobe("sourcespec-appendix-older")
    bad_type = members_spec(server.url)
    bad_type["sourceSpec"]["attributes"]["paginationParams"]["type"] = "offest"
    result = run_spec.cli([no_host, bad_type], name="typo.json", params={"listId": LIST_ID, **AUTH_PARAM})
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 2, lines
    assert any(line.startswith(f"{no_host}: urlParams.host: ") for line in lines), lines
    assert (
        f"{tmp_path / '1-typo.json'}: paginationParams.type: 'offest' is not one of "
        "OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE"
    ) in lines
    assert server.seen == []


def test_startup_errors_happen_before_any_request_in_process(serve, run_spec):
    from tap_restspec.errors import SpecError

    server = serve(Mailchimp())
    run, error = run_spec.partial(adobe("update-response"), params={"listId": LIST_ID}, **BASIC)
    assert isinstance(error, SpecError)
    assert run.records() == [] and server.seen == []
    assert all("urlParams.host" in line or "authSpec[" in line for line in error.lines)
