"""`tap-restspec draft` on answers it cannot draft from, hostile servers and bad input: one line each,
exit 1 (2 for a usage error), no traceback, no secret; never more than 10 requests, never a
request to another origin, GET only.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time

import pytest

from tests.draft.drafting import run_draft, shown
from tests.helpers import TAP_BIN, Reply, Seen

TOKEN = "tok_" + "Zm9yIHRoZSBkcmFmdCB0ZXN0cyBvbmx5"
BEARER = f"Authorization: Bearer {TOKEN}"


def one_line(drafted, code: int = 1) -> str:
    assert drafted.code == code, drafted.stderr
    assert "Traceback" not in drafted.stderr
    lines = drafted.stderr.splitlines()
    assert len(lines) == 1, lines
    assert drafted.stdout == ""
    assert shown([TOKEN], drafted.stderr) == []
    return lines[0]


def test_an_answer_that_is_not_json(serve, tmp_path):
    server = serve(lambda seen: Reply(raw="hello, world\n", headers={"Content-Type": "text/plain"}))
    line = one_line(run_draft(tmp_path, f"{server.url}/items", BEARER))
    assert (
        line == f"draft: GET {server.url}/items answered HTTP 200 with text/plain, not JSON: 'hello, world'"
    )
    assert not (tmp_path / "spec.json").exists()


def test_an_html_page(serve, tmp_path):
    page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in</body></html>"
    server = serve(lambda seen: Reply(raw=page, headers={"Content-Type": "text/html; charset=utf-8"}))
    line = one_line(run_draft(tmp_path, f"{server.url}/login?next=/items", BEARER))
    assert line.startswith(f"draft: GET {server.url}/login?next=/items answered HTTP 200 with an HTML page")
    assert "check that the URL is the API's" in line


@pytest.mark.parametrize(("status", "reason"), [(401, "Unauthorized"), (404, "Not Found")])
def test_an_error_status_names_it_with_the_api_s_message_and_masks_the_secret(
    serve, tmp_path, status, reason
):
    def answer(seen: Seen) -> Reply:  # an API that echoes the credential it refuses
        return Reply(status, {"message": f"bad token {seen.headers.get('Authorization')}"})

    server = serve(answer)
    line = one_line(run_draft(tmp_path, f"{server.url}/items?per_page=5", BEARER))
    assert line == (
        f"draft: HTTP {status} {reason} from GET {server.url}/items?per_page=5: "
        '{"message": "bad token Bearer ***"}'
    )
    assert len(server.seen) == 1


def test_a_server_error_is_retried_then_reported(serve, tmp_path):
    server = serve(lambda seen: Reply(503, {"message": "down for maintenance"}))
    drafted = run_draft(tmp_path, f"{server.url}/items", BEARER)
    assert drafted.code == 1
    lines = drafted.stderr.splitlines()
    failure = (
        f'HTTP 503 Service Unavailable from GET {server.url}/items: {{"message": "down for maintenance"}}'
    )
    assert lines == [
        f"Draft: retry 1 of 2 in {lines[0].split(' in ')[1].split('s after')[0]}s after {failure}",
        f"Draft: retry 2 of 2 in {lines[1].split(' in ')[1].split('s after')[0]}s after {failure}",
        f"draft: gave up after 3 tries: {failure}",
    ]
    assert len(server.seen) == 3


def test_an_empty_array(serve, tmp_path):
    server = serve(lambda seen: Reply(body=[]))
    line = one_line(run_draft(tmp_path, f"{server.url}/items"))
    assert line == (
        f"draft: {server.url}/items: the answer is an empty array: "
        "a draft needs at least one record to guess from"
    )


def test_an_envelope_with_an_empty_list(serve, tmp_path):
    server = serve(lambda seen: Reply(body={"data": [], "has_more": False}))
    line = one_line(run_draft(tmp_path, f"{server.url}/items"))
    assert line.endswith("$.data is empty: a draft needs at least one record to guess from")


def test_an_answer_with_no_list_of_records(serve, tmp_path):
    server = serve(lambda seen: Reply(body={"id": 1, "name": "one object", "tags": ["a", "b"]}))
    line = one_line(run_draft(tmp_path, f"{server.url}/items/1"))
    assert line.endswith(
        "the answer is an object with no array of objects in it: a draft needs a list of records"
    )


def test_a_redirect_to_another_origin_is_not_followed(serve, tmp_path):
    elsewhere = serve(lambda seen: Reply(body=[{"id": 1}]))
    server = serve(lambda seen: Reply(302, headers={"Location": f"{elsewhere.url}/items"}))
    line = one_line(run_draft(tmp_path, f"{server.url}/items", BEARER))
    assert line == f"draft: refused a redirect to another origin: {elsewhere.url}"
    assert elsewhere.seen == []


def test_a_next_link_to_another_origin_is_never_requested(serve, tmp_path):
    """The Link header points elsewhere: the draft does not follow it, says so, and writes a spec that
    reads the one page it can, saying that it reads the first page only.
    """
    elsewhere = serve(lambda seen: Reply(body=[{"id": 4}]))
    server = serve(
        lambda seen: Reply(body=[{"id": 1}, {"id": 2}], headers={"Link": f'<{elsewhere.url}/p2>; rel="next"'})
    )
    drafted = run_draft(tmp_path, f"{server.url}/items", BEARER)
    assert drafted.code == 0, drafted.stderr
    assert elsewhere.seen == []
    assert len(server.seen) == 1
    lines = drafted.stderr.splitlines()
    assert lines[1].startswith(
        "pagination: none, one request: the first page says more follow (the Link header has"
    )
    assert lines[2].startswith(
        f"given up: POINTER headers.link (next-page link goes to {elsewhere.url}, not {server.url}; "
    )
    assert (
        "check: this spec reads the first page only: set paginationParams (docs/spec-format.md, section 2)"
        in lines
    )
    assert (
        "paginationParams" not in json.loads((tmp_path / "spec.json").read_text())["sourceSpec"]["attributes"]
    )


def test_never_more_than_ten_requests(serve, tmp_path):
    """An API that ignores every parameter and always says there is more: every guess fails, the draft
    stops at its tenth request, and says the spec reads the first page only.
    """
    body = {"items": [{"id": n} for n in range(10)], "has_more": True, "next_cursor": "c1", "total": 500}
    server = serve(lambda seen: Reply(body=body))
    drafted = run_draft(tmp_path, f"{server.url}/items", BEARER)
    assert drafted.code == 0, drafted.stderr
    assert len(server.seen) == 10
    assert {s.method for s in server.seen} == {"GET"}
    lines = drafted.stderr.splitlines()
    assert "requests: 10 GET to" in "\n".join(lines)
    assert (
        "check: this spec reads the first page only: set paginationParams (docs/spec-format.md, section 2)"
        in lines
    )
    assert lines[2].startswith(
        "given up: CONTINUATION_TOKEN cursor=$.next_cursor (the same page came back); "
    )
    assert lines[2].endswith("; and 6 more")


def test_a_single_page_says_its_pagination_was_not_tried(serve, tmp_path):
    """Stripe with two customers: `has_more` is false on the first page, so the cursor parameter could
    not be tried; the spec still reads every record, and says what to check.
    """
    body = {
        "object": "list",
        "has_more": False,
        "data": [{"id": "cus_1", "email": "a@x"}, {"id": "cus_2", "email": "b@x"}],
    }
    server = serve(lambda seen: Reply(body=body))
    drafted = run_draft(tmp_path, f"{server.url}/v1/customers", BEARER)
    assert drafted.code == 0, drafted.stderr
    assert len(server.seen) == 1
    spec = json.loads((tmp_path / "spec.json").read_text())
    assert spec["sourceSpec"]["attributes"]["paginationParams"]["parameterName"] == "starting_after"
    assert "not seen moving, the first page was the last" in drafted.stderr
    assert "check: CONTINUATION_TOKEN could not be tried past the first page" in drafted.stderr


def test_secrets_in_headers_and_the_query_become_settings(serve, tmp_path):
    """The Authorization token is api_key; a different secret in the query is access_token; a key header
    with the same value as the token is api_key again; other headers are kept as given.
    """
    query_key = "qk_" + "c2Vjb25kIHNlY3JldCBpbiB0aGUgcXVlcnk"

    def answer(seen: Seen) -> Reply:
        ok = seen.headers.get("Authorization") == f"Bearer {TOKEN}" and seen.headers.get("X-Api-Key") == TOKEN
        if not ok or seen.q("key") != query_key:
            return Reply(401, {"message": "no"})
        return Reply(body={"results": [{"id": 1}, {"id": 2}]})

    server = serve(answer)
    url = f"{server.url}/v2/things?key={query_key}&lang=en"
    headers = [BEARER, f"X-Api-Key: {TOKEN}", "Accept: application/json", "X-Version: 7"]
    drafted = run_draft(tmp_path, url, *headers)
    assert drafted.code == 0, drafted.stderr
    text = (tmp_path / "spec.json").read_text()
    attributes = json.loads(text)["sourceSpec"]["attributes"]
    assert attributes["headerParams"] == {
        "Authorization": "Bearer ${api_key}",
        "X-Api-Key": "${api_key}",
        "Accept": "application/json",
        "X-Version": "7",
    }
    assert attributes["urlParams"]["queryParams"] == {"key": "${access_token}", "lang": "en"}
    assert [line for line in drafted.stderr.splitlines() if line.startswith("set: ")] == [
        "set: api_key, the token after 'Bearer ' in Authorization (it is not written in the spec)",
        "set: access_token, the URL's key query parameter (it is not written in the spec)",
    ]
    assert shown([TOKEN, query_key], text, drafted.stdout, drafted.stderr) == []


def test_a_basic_credential_is_masked_in_every_encoding(serve, tmp_path):
    password = "pw_" + "QmFzaWMgcGFzc3dvcmQgb2YgdGhlIHRlc3Q"
    basic = base64.b64encode(f"me@example.com:{password}".encode()).decode()

    def answer(seen: Seen) -> Reply:  # echoes the credential, decoded, in its refusal
        sent = seen.headers.get("Authorization", "").removeprefix("Basic ")
        return Reply(403, {"error": f"user {base64.b64decode(sent).decode()} may not list items"})

    server = serve(answer)
    line = one_line(run_draft(tmp_path, f"{server.url}/items", f"Authorization: Basic {basic}"))
    assert line.startswith(f"draft: HTTP 403 Forbidden from GET {server.url}/items: ")
    assert shown([password, basic], line) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "Missing argument 'URL'."),
        (["ftp://example.com/items"], "draft: URL refused: it must start with http:// or https://"),
        (
            ["http://me:secret@example.com/items"],
            "draft: URL refused: it holds a user name or password (userinfo)",
        ),
        (
            ["http://example.com/items", "--header", "NoColon"],
            "draft: --header NoColon: it must be 'Name: value'",
        ),
        (
            ["http://example.com/items", "--header", "Bad Name: x"],
            "draft: --header Bad Name: 'Bad Name' is not a valid HTTP header name",
        ),
        (
            ["http://example.com/items/{id}"],
            "draft: the URL's path holds {...} or @{...}, which a spec reads as a placeholder or an "
            "expression: give the URL and headers with real values",
        ),
        (
            ["http://example.com/items?a=1&a=2"],
            "draft: the URL repeats the query parameter 'a': a spec holds one value a name",
        ),
        (
            ["http://example.com/items", "--out", "no/such/folder/spec.json"],
            "draft: --out no/such/folder/spec.json: its folder does not exist",
        ),
        (["http://example.com/items", "--name", "!!!"], "draft: --name '!!!' gives an empty stream name"),
    ],
)
def test_bad_input_is_one_line_before_any_request(tmp_path, args, said):
    done = subprocess.run(
        [TAP_BIN, "draft", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == (2 if not args else 1), done.stderr
    assert done.stderr.splitlines() == [said]
    assert "secret" not in done.stderr or "user name or password" in done.stderr


def test_sigterm_stops_the_draft_at_once(serve, tmp_path):
    server = serve(lambda seen: Reply(body=[{"id": 1}], delay=20))
    command = [TAP_BIN, "draft", f"{server.url}/items"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    deadline = time.monotonic() + 15
    while not server.seen and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 143, err
    assert time.monotonic() - started < 5
    assert "Traceback" not in err
    assert out == ""
