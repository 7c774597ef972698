"""Bad specs and bad settings: one line per problem, naming file and property; exit 1; no request."""

from __future__ import annotations

import json

import pytest

from tests.helpers import Reply, Server, run_cli, source_spec

GOOD_PAGINATION = {"type": "OFFSET", "limitName": "limit", "limitValue": "10", "offSetName": "offset"}


def attrs(url, **changes):
    base = {
        "urlParams": {"host": url, "path": "/items", "method": "GET"},
        "contentPath": {"path": "$.items"},
        "paginationParams": dict(GOOD_PAGINATION),
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


CASES = [
    pytest.param(
        lambda url: '{"sourceSpec": {"attributes": ',
        ["x.json: not valid JSON at line 1 column 31: Expecting value"],
        id="invalid-json",
    ),
    pytest.param(
        lambda url: {"sourceSpec": {"attributes": attrs(url, contentPath=None)}},
        ["x.json: contentPath: required property is missing"],
        id="missing-contentPath",
    ),
    pytest.param(
        lambda url: {"sourceSpec": {"attributes": attrs(url, paginationParams={"type": "OFSET"})}},
        [
            "x.json: paginationParams.type: 'OFSET' is not one of OFFSET, POINTER, "
            "CONTINUATION_TOKEN, PAGE, NONE"
        ],
        id="unknown-pagination-type",
    ),
    pytest.param(
        lambda url: {"sourceSpec": {"attributes": attrs(url, paginationParams={"type": "OFFSET"})}},
        [
            "x.json: paginationParams.limitName: required property is missing",
            "x.json: paginationParams.limitValue: required property is missing",
            "x.json: paginationParams.offsetName: required property is missing",
        ],
        id="offset-missing-properties",
    ),
    pytest.param(
        lambda url: {"sourceSpec": {"attributes": attrs(url, paginationParams={"type": "POINTER"})}},
        ["x.json: paginationParams.pointerPath: required property is missing"],
        id="pointer-missing-path",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(
                    url, paginationParams={"type": "CONTINUATION_TOKEN", "parameterType": "BODY"}
                )
            }
        },
        [
            "x.json: paginationParams.continuationTokenPath: required property is missing",
            "x.json: paginationParams.parameterName: required property is missing",
            "x.json: paginationParams.parameterType: 'BODY' is not one of QUERYPARAM, HEADERPARAM",
        ],
        id="token-missing-properties",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(
                    url, paginationParams={"type": "PAGE", "limitName": "n", "limitValue": "ten"}
                )
            }
        },
        [
            "x.json: paginationParams.limitValue: 'ten' is not an integer",
            "x.json: paginationParams.pageParamName: required property is missing",
        ],
        id="page-bad-limit",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(url, urlParams={"host": url, "path": "/lists/${listId}/members"})
            }
        },
        ["x.json: urlParams.path: placeholder {listId} has no value (set it in params.listId)"],
        id="placeholder-without-value",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {"attributes": attrs(url, headerParams={"Authorization": "Bearer ${api_key}"})}
        },
        ["x.json: headerParams.Authorization: placeholder {api_key} has no value (set the api_key setting)"],
        id="secret-placeholder-without-value",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(
                    url, contentPath={"path": "$.emails"}, explodeEntityPath={"path": "$.email.activity"}
                )
            }
        },
        [
            "x.json: explodeEntityPath.path: '$.email.activity' must start with '$.emails.' "
            "(the records' wrapper name)"
        ],
        id="explode-outside-wrapper",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {"attributes": attrs(url, scheduleParams={"scheduleEndParamName": "before"})}
        },
        [  # the end may be left out since 2026-12-07 (start-only windows); the start may not
            "x.json: scheduleParams.scheduleStartParamName: required property is missing "
            "(or put {START_TIME} in the request's path, query, headers or body)"
        ],
        id="schedule-missing-start",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(
                    url,
                    scheduleParams={
                        "scheduleStartParamName": "a",
                        "scheduleEndParamName": "b",
                        "scheduleStartParamFormat": "yyyy-MM-dd'T",
                    },
                )
            }
        },
        ["x.json: scheduleParams.scheduleStartParamFormat: unterminated quoted literal in 'yyyy-MM-dd'T'"],
        id="bad-date-format",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {"attributes": attrs(url, urlParams={"host": url, "path": "/x@{nosuch(1)}"})}
        },
        ["x.json: urlParams.path: unknown function 'nosuch'"],
        id="unknown-adf-function",
    ),
    pytest.param(
        lambda url: {
            "sourceSpec": {
                "attributes": attrs(url),
                "spec": {"required": ["listId"], "properties": {"listId": {"type": "string"}}},
            }
        },
        ["x.json: spec.properties.listId: required input has no value (set params.listId)"],
        id="required-input-missing",
    ),
]


@pytest.mark.parametrize(("document", "lines"), CASES)
def test_bad_spec_is_rejected_before_any_request(tmp_path, document, lines):
    with Server(lambda seen: Reply(body={"items": []})) as server:
        content = document(server.url)
        (tmp_path / "x.json").write_text(content if isinstance(content, str) else json.dumps(content))
        result = run_cli(tmp_path, {"specs": ["x.json"]})
    assert result.code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for line in lines:
        assert any(line in got for got in result.stderr.splitlines()), (line, result.stderr)
    assert server.seen == []


def test_every_problem_of_every_spec_is_reported_at_once(tmp_path):
    url = "http://127.0.0.1:9"
    (tmp_path / "a.json").write_text(
        json.dumps({"sourceSpec": {"attributes": attrs(url, paginationParams={"type": "OFSET"})}})
    )
    (tmp_path / "b.json").write_text(json.dumps({"sourceSpec": {"attributes": attrs(url, contentPath=None)}}))
    result = run_cli(tmp_path, {"specs": ["a.json", "b.json"]})
    assert result.code == 1
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith(("a.json", "b.json"))]
    assert problem_lines == [
        "a.json: paginationParams.type: 'OFSET' is not one of OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE",  # noqa: E501
        "b.json: contentPath: required property is missing",
    ]


@pytest.mark.parametrize(
    ("config", "line"),
    [
        pytest.param({"start_date": "last tuesday"}, "start_date", id="bad-start-date"),
        pytest.param({"end_date": "2024-13-45"}, "end_date", id="bad-end-date"),
        pytest.param(
            {"specs": ["nothing-*.json"]},
            "config: specs: 'nothing-*.json' matches no file",
            id="no-spec-file",
        ),
        pytest.param(
            {"params": {"listId": 5}},
            "x.json: params.listId: 5 is not of type string (spec.properties.listId)",
            id="param-wrong-type",
        ),
    ],
)
def test_bad_settings_are_one_line_each(tmp_path, config, line):
    with Server(lambda seen: Reply(body={"items": []})) as server:
        document = source_spec(
            server.url,
            "/lists/${listId}",
            spec={"properties": {"listId": {"type": "string", "default": "a"}}},
        )
        document["sourceSpec"]["spec"] = document["sourceSpec"]["attributes"].pop("spec")
        (tmp_path / "x.json").write_text(json.dumps(document))
        result = run_cli(tmp_path, {"specs": ["x.json"], **config})
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert any(line in got for got in result.stderr.splitlines()), result.stderr
    assert server.seen == []


def test_duplicate_stream_names_are_rejected(tmp_path):
    document = {"singer": {"name": "same"}, **source_spec("http://127.0.0.1:9")}
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(document))
    result = run_cli(tmp_path, {"specs": ["a.json", "b.json"]})
    assert result.code == 1
    assert "b.json: singer.name: stream 'same' is also made by a.json" in result.stderr
