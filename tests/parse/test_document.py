"""parse/document.py: spec documents into the model (pagination, the singer block, legacy strings,
schedules, stream names), as tables of cases.
"""

from __future__ import annotations

import pytest

from tap_restspec.model.fields import Problems
from tap_restspec.model.spec import EndCondition, Schedule
from tap_restspec.paging.types import ContinuationToken, NoPaging, Offset, PageNumber, Pointer
from tap_restspec.parse.document import parse_document, snake_case


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
