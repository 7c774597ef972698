"""End to end: what the tap sends (URL, query, headers, body) for each spec document form."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from tests.helpers import Reply, Server, run_cli, run_tap, source_spec, write_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def one_page(seen):
    return Reply(body={"items": [{"id": 1}, {"id": 2}]})


def attributes(url):
    return {
        "urlParams": {"host": url, "path": "/v1/${listId}/members", "method": "GET"},
        "contentPath": {"path": "$.items"},
        "schema": SCHEMA,
    }


@pytest.mark.parametrize(
    "form",
    ["connection", "sourceSpec", "bare"],
)
def test_the_three_document_forms_make_the_same_stream(tmp_path, form):
    with Server(one_page) as server:
        attrs = attributes(server.url)
        user_spec = {"properties": {"listId": {"type": "string", "default": "L1"}}}
        if form == "connection":
            document = {
                "name": "MailChimp Members",
                "providerId": "x",
                "version": "1.0",
                "sourceSpec": {"attributes": attrs, "spec": user_spec},
            }
        elif form == "sourceSpec":
            document = {"sourceSpec": {"attributes": attrs, "spec": user_spec}}
        else:
            document = {"attributes": attrs, "spec": user_spec}
        spec = write_spec(tmp_path, "MailChimp Members.json", document)
        run = run_tap({"specs": [spec]})
    assert run.records("mailchimp_members") == [{"id": 1}, {"id": 2}]
    assert server.seen[0].path == "/v1/L1/members"


@pytest.mark.parametrize(
    ("document_extra", "name", "keys"),
    [
        pytest.param({"singer": {"name": "Members", "primaryKeys": ["id"]}}, "members", ["id"], id="singer"),
        pytest.param({"name": "Mail Chimp: Members!"}, "mail_chimp_members", [], id="connection-name"),
        pytest.param({}, "my_file", [], id="file-stem"),
    ],
)
def test_stream_name_and_keys(tmp_path, document_extra, name, keys):
    with Server(one_page) as server:
        document = {
            "sourceSpec": {
                "attributes": {**attributes(server.url), "urlParams": {"host": server.url, "path": "/x"}}
            },
            **document_extra,
        }
        spec = write_spec(tmp_path, "My-File.json", document)
        run = run_tap({"specs": [spec]})
    schema = run.schemas()[name]
    assert schema["key_properties"] == keys
    assert len(run.records(name)) == 2


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("${x}", "a/b c", id="dollar"),
        pytest.param("{x}", "a/b c", id="single"),
        pytest.param("{{x}}", "a/b c", id="double"),
        pytest.param("{{ x }}", "a/b c", id="double-spaced"),
    ],
)
def test_placeholder_forms_in_host_path_query_header_and_body(tmp_path, template, expected):
    with Server(one_page) as server:
        host = server.url.replace("127.0.0.1", "{host}")
        document = source_spec(
            host,
            f"/lists/{template}/members",
            method="POST",
            queryParams={"q": template, "fixed": "1"},
            headerParams={"X-Value": template, "Authorization": "Bearer ${api_key}"},
            bodyParams={"filter": {"value": template, "n": "${n}"}, "list": [template]},
            schema=SCHEMA,
        )
        spec = write_spec(tmp_path, "items.json", document)
        run_tap(
            {"specs": [spec], "api_key": "k3y-value", "params": {"x": "a/b c", "host": "127.0.0.1", "n": 7}}
        )
    seen = server.seen[0]
    assert seen.method == "POST"
    assert seen.path == "/lists/a%2Fb%20c/members"  # one path segment
    assert seen.q("q") == expected and seen.q("fixed") == "1"
    assert seen.headers["x-value"] == expected
    assert seen.headers["authorization"] == "Bearer k3y-value"
    assert seen.headers["content-type"] == "application/json"
    assert seen.json() == {"filter": {"value": expected, "n": 7}, "list": [expected]}


def test_path_with_its_own_query_string_keeps_it_and_appends_query_params(serve, run_spec):
    server = serve(one_page)
    document = source_spec(
        server.url,
        "/search?type=user&filter[type]=user&",
        queryParams={"q": "a b", "page[size]": "10"},
        schema=SCHEMA,
    )
    run_spec(document)
    # the path's own parameters first, as written (urllib3 percent-encodes the brackets)
    assert parse_qsl(server.seen[0].raw_query) == [
        ("type", "user"),
        ("filter[type]", "user"),
        ("q", "a b"),
        ("page[size]", "10"),
    ]
    assert "&&" not in server.seen[0].raw_query


def test_legacy_string_query_and_header_params(serve, run_spec):
    server = serve(one_page)
    document = source_spec(
        server.url,
        queryParams="limit=5,sort=asc",
        headerParams="Content-Type=application/json,foo=bar",
        schema=SCHEMA,
    )
    run_spec(document)
    seen = server.seen[0]
    assert seen.q("limit") == "5" and seen.q("sort") == "asc"
    assert seen.headers["foo"] == "bar"


def test_values_cannot_add_headers_or_parameters(serve, run_spec):
    server = serve(one_page)
    document = source_spec(server.url, "/items/${x}", queryParams={"q": "${x}"}, schema=SCHEMA)
    run_spec(document, params={"x": "1&admin=true?y=#z"})
    seen = server.seen[0]
    assert seen.path == "/items/1%26admin%3Dtrue%3Fy%3D%23z"
    assert seen.query == {"q": ["1&admin=true?y=#z"]}


def test_a_header_value_with_a_line_break_is_refused(serve, run_spec):
    server = serve(one_page)
    document = source_spec(server.url, headerParams={"X-Team": "${team}"}, schema=SCHEMA)
    result = run_spec.cli(document, params={"team": "a\r\nX-Admin: yes"})
    assert result.code != 0
    assert "line break" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.seen == []


def test_string_body_is_sent_as_is(serve, run_spec):
    server = serve(one_page)
    document = source_spec(
        server.url,
        method="POST",
        bodyParams="q=${x}&kind=user",
        headerParams={"Content-Type": "application/x-www-form-urlencoded"},
        schema=SCHEMA,
    )
    run_spec(document, params={"x": "abc"})
    assert server.seen[0].body == b"q=abc&kind=user"


def test_specs_setting_takes_files_directories_and_globs(tmp_path):
    (tmp_path / "dir").mkdir()
    with Server(one_page) as server:
        for name in ("a.json", "b.json"):
            write_spec(tmp_path / "dir", name, source_spec(server.url, schema=SCHEMA))
        write_spec(tmp_path, "c.json", source_spec(server.url, schema=SCHEMA))
        write_spec(tmp_path, "d-one.json", source_spec(server.url, schema=SCHEMA))
        result = run_cli(tmp_path, {"specs": ["dir", "c.json", "d-*.json"]}, "--discover")
    assert result.code == 0, result.stderr
    streams = sorted(s["tap_stream_id"] for s in json.loads(result.stdout)["streams"])
    assert streams == ["a", "b", "c", "d_one"]
