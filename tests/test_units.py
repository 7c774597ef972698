"""Unit tables for spec.py, templating.py, schedule.py, pagination.py and redact.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tap_restspec.expr.template import TemplateError, compile_template, encode_path_value, render
from tap_restspec.extract.window import make_window, schedule_values
from tap_restspec.model.fields import Problems
from tap_restspec.model.spec import EndCondition, Schedule
from tap_restspec.paging.paginator import end_condition_holds
from tap_restspec.paging.types import ContinuationToken, NoPaging, Offset, PageNumber, PageView, Pointer
from tap_restspec.parse.document import parse_document, snake_case
from tap_restspec.redact import Redactor


def parse(attributes, values=None, **document):
    problems = Problems("x.json")
    spec = parse_document({"sourceSpec": {"attributes": attributes}, **document}, "x", problems)
    return spec, problems.lines


BASE = {"urlParams": {"host": "https://h", "path": "/p"}, "contentPath": {"path": "$.items"}}


@pytest.mark.parametrize(
    ("pagination", "expected"),
    [
        pytest.param(
            {"type": "OFFSET", "limitName": "count", "limitValue": "100", "offSetName": "offset"},
            Offset(limit_name="count", limit_value=100, offset_name="offset"),
            id="offSetName-string-number",
        ),
        pytest.param(
            {
                "type": "OFFSET",
                "limitName": "count",
                "limitValue": 50,
                "offsetName": "start",
                "endConditionName": "$.hasMore",
                "endConditionValue": "Const:false",
            },
            Offset(
                limit_name="count",
                limit_value=50,
                offset_name="start",
                end_condition=EndCondition("$.hasMore", False),
            ),
            id="offsetName-end-condition",
        ),
        pytest.param(
            {"type": "POINTER", "limitName": "limit", "limitValue": "10", "pointerName": "paging.next"},
            Pointer(limit_name="limit", limit_value=10, pointer_path="paging.next"),
            id="pointerName",
        ),
        pytest.param(
            {
                "type": "CONTINUATION_TOKEN",
                "continuationTokenPath": "$.meta.after_cursor",
                "parameterType": "QUERYPARAM",
                "parameterName": "page[after]",
                "delayRequestMillis": "850",
            },
            ContinuationToken(
                token_path="$.meta.after_cursor",
                parameter_name="page[after]",
                delay_ms=850,
            ),
            id="token-string-delay",
        ),
        pytest.param(
            {
                "type": "PAGE",
                "limitName": "records",
                "limitValue": "100",
                "pageParamName": "pageIndex",
                "maximumRequest": 10000,
                "endPageIndex": "headers.X-Pages",
            },
            PageNumber(
                limit_name="records",
                limit_value=100,
                page_param="pageIndex",
                end_page_header="X-Pages",
            ),
            id="page-header-end",
        ),
        pytest.param(None, NoPaging(), id="absent-is-none"),
    ],
)
def test_pagination_parsing(pagination, expected):
    attributes = {**BASE, **({"paginationParams": pagination} if pagination else {})}
    spec, lines = parse(attributes)
    assert lines == []
    assert spec.pagination == expected


def test_singer_block_and_legacy_strings():
    attributes = {
        **BASE,
        "urlParams": {"host": "https://h", "path": "/p", "queryParams": "a=1, b=x=y"},
        "headerParams": "Content-Type=application/json,foo=bar",
    }
    spec, lines = parse(
        attributes,
        singer={"name": "My Stream", "primaryKeys": ["id"], "replicationKey": "updated", "isSorted": True},
    )
    assert lines == []
    assert (spec.name, spec.primary_keys, spec.replication_key, spec.is_sorted) == (
        "my_stream",
        ("id",),
        "updated",
        True,
    )
    assert [(k, t.source) for k, t in spec.request.query] == [("a", "1"), ("b", "x=y")]
    assert [(k, t.source) for k, t in spec.request.headers] == [
        ("Content-Type", "application/json"),
        ("foo", "bar"),
    ]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        pytest.param(
            {"scheduleStartParamName": "since", "scheduleEndParamName": "before"},
            Schedule(advance=False, start_name="since", end_name="before"),
            id="simple-default-formats",
        ),
        pytest.param(
            {
                "type": "ADVANCE",
                "paramFormat": "yyyy-MM-ddTHH:mm:ssK",
                "incremental": "a {START_TIME}",
                "backfill": "b",
            },
            Schedule(
                advance=True, param_format="yyyy-MM-ddTHH:mm:ssK", incremental="a {START_TIME}", backfill="b"
            ),
            id="advance",
        ),
    ],
)
def test_schedule_parsing(schedule, expected):
    spec, lines = parse({**BASE, "scheduleParams": schedule})
    assert lines == []
    assert spec.schedule == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("MailChimp Members", "mailchimp_members"), ("zendesk-users", "zendesk_users"), ("  A--B  ", "a_b")],
)
def test_snake_case(name, expected):
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        pytest.param("/a/${x}/b", {"x": "1"}, "/a/1/b", id="dollar"),
        pytest.param("/a/{x}/{{y}}", {"x": "1", "y": 2}, "/a/1/2", id="single-double"),
        pytest.param("{x}", {"x": True}, "true", id="boolean"),
        pytest.param("no placeholders", {}, "no placeholders", id="literal"),
        pytest.param("{not a placeholder}", {}, "{not a placeholder}", id="spaces-not-a-name"),
    ],
)
def test_template_render(text, values, expected):
    assert render(compile_template(text), values) == expected


def test_template_missing_value_and_names():
    template = compile_template("${a}/{b}/{{c}}")
    assert template.names == {"a", "b", "c"}
    with pytest.raises(TemplateError, match=r"placeholder \{b\} has no value"):
        render(template, {"a": 1, "c": 3})


def test_path_values_are_one_segment():
    assert encode_path_value("a/b?c#d e") == "a%2Fb%3Fc%23d%20e"


NOW = datetime(2024, 1, 31, 23, 59, 59, 123456, tzinfo=timezone.utc)
JAN1 = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("bookmark", "start_date", "end_date", "lookback", "expected"),
    [
        pytest.param(
            None,
            None,
            None,
            0,
            (None, datetime(2024, 1, 31, 23, 59, 59, tzinfo=timezone.utc)),
            id="now-whole-seconds",
        ),
        pytest.param(None, JAN1, None, 0, (JAN1, NOW.replace(microsecond=0)), id="start-date"),
        pytest.param(
            datetime(2024, 1, 5, tzinfo=timezone.utc),
            JAN1,
            NOW,
            0,
            (datetime(2024, 1, 5, tzinfo=timezone.utc), NOW),
            id="bookmark-wins",
        ),
        pytest.param(
            datetime(2024, 1, 5, tzinfo=timezone.utc),
            None,
            NOW,
            3600,
            (datetime(2024, 1, 4, 23, tzinfo=timezone.utc), NOW),
            id="lookback",
        ),
    ],
)
def test_window(bookmark, start_date, end_date, lookback, expected):
    window = make_window(
        bookmark=bookmark, start_date=start_date, end_date=end_date, lookback_seconds=lookback, now=NOW
    )
    assert (window.start, window.end) == expected


def test_schedule_values_simple_and_advance():
    window = make_window(
        bookmark=None, start_date=JAN1, end_date=NOW.replace(microsecond=0), lookback_seconds=0, now=NOW
    )
    simple = schedule_values(
        Schedule(
            advance=False,
            start_name="since",
            end_name="before",
            start_format="yyyy-MM-ddTHH:mm:ss:fffffffK",
            end_format="yyyy-MM-ddTHH:mm:ss:fffffffK",
        ),
        window,
    )
    assert simple.query == {"since": "2024-01-01T00:00:00:0000000Z", "before": "2024-01-31T23:59:59:0000000Z"}
    advance = Schedule(
        advance=True,
        param_format="yyyy-MM-ddTHH:mm:ssK",
        incremental="updated > {START_TIME} updated < {END_TIME}",
        backfill="updated < {END_TIME}",
    )
    assert schedule_values(advance, window).placeholders["SCHEDULE_QUERY"] == (
        "updated > 2024-01-01T00:00:00Z updated < 2024-01-31T23:59:59Z"
    )
    backfill = make_window(bookmark=None, start_date=None, end_date=window.end, lookback_seconds=0, now=NOW)
    values = schedule_values(advance, backfill)
    assert values.placeholders["SCHEDULE_QUERY"] == "updated < 2024-01-31T23:59:59Z"
    assert values.adf_parameters == {"ingestionStart": None, "ingestionEnd": "2024-01-31T23:59:59Z"}


@pytest.mark.parametrize(
    ("expected", "body", "holds"),
    [
        pytest.param(False, {"hasMore": False}, True, id="const-false"),
        pytest.param(False, {"hasMore": True}, False, id="const-false-not-yet"),
        pytest.param(False, {"hasMore": "false"}, False, id="string-is-not-boolean"),
        pytest.param("done", {"hasMore": "done"}, True, id="string"),
        pytest.param("false", {"hasMore": False}, True, id="string-compares-text"),
        pytest.param(False, {}, False, id="missing"),
    ],
)
def test_end_condition(expected, body, holds):
    page = PageView(body, [], {}, "http://h/x", {})
    assert end_condition_holds(EndCondition("$.hasMore", expected), page) is holds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("GET https://h/x?api_key=abc123&n=1", "GET https://h/x?api_key=***&n=1", id="query-key"),
        pytest.param("url ?access_token=zz&token=yy", "url ?access_token=***&token=***", id="tokens"),
        pytest.param("{'Authorization': 'Bearer abc'}", "{'Authorization': ***}", id="header-dict"),
        pytest.param("Authorization: Basic dXNlcjpwYXNz", "Authorization: ***", id="header-line"),
        pytest.param("https://user:pw@host/x", "https://***@host/x", id="userinfo"),
        pytest.param("my secret is s3cr3t-value!", "my secret is ***!", id="known-secret"),
        pytest.param(
            "headerParams.Authorization: placeholder {api_key} has no value",
            "headerParams.Authorization: placeholder {api_key} has no value",
            id="not-a-secret",
        ),
    ],
)
def test_redaction(text, expected):
    redactor = Redactor()
    redactor.add("s3cr3t-value", "", "abc")
    assert redactor.redact(text) == expected
