"""`utc_date_times`: top-level date-time strings written as the same instant in UTC, run by the real CLI.

Off by default (records as the API sent them); on, only a date-time's offset changes (to `Z`,
the clock moved by it): fractions keep their digits, dates, nested objects, values already in
UTC and strings that are not date-times stay as they are. tests/e2e/test_utc_postgres.py loads
the same kind of values through Meltano into PostgreSQL with use_copy.
"""

from __future__ import annotations

from tests.cli.test_hostile_servers import FAST
from tests.cli.test_inferred_types import spec
from tests.helpers import TOKEN_PAGING, source_spec, token_pages

PAGE = [
    {"id": 1, "at": "2026-06-01T12:00:00+02:00", "day": "2026-06-01", "meta": {"at": "2026-06-01T12:00"}},
    {"id": 2, "at": "2026-06-01T12:00:00.5-05:30", "day": "2026-06-02", "meta": {"at": "x"}},
    {"id": 3, "at": "2026-10-25T02:30:00+02:00", "day": None, "meta": None},  # Berlin, before the DST change
    {"id": 4, "at": "2026-10-25T02:30:00+01:00", "day": "2026-10-25", "meta": None},  # and after it
    {"id": 5, "at": "2026-01-01T00:30:00.123456+01:00", "day": "2026-01-01", "meta": None},  # the year before
    {"id": 6, "at": "2026-06-01T12:00:00Z", "day": "2026-06-01", "meta": None},
    {"id": 7, "at": "2026-06-01T12:00:00+00:00", "day": "2026-06-01", "meta": None},
    {"id": 8, "at": None, "day": None, "meta": None},
]
UTC = {
    1: "2026-06-01T10:00:00Z",
    2: "2026-06-01T17:30:00.5Z",
    3: "2026-10-25T00:30:00Z",
    4: "2026-10-25T01:30:00Z",
    5: "2025-12-31T23:30:00.123456Z",
    6: "2026-06-01T12:00:00Z",
    7: "2026-06-01T12:00:00+00:00",
    8: None,
}


def test_with_the_setting_date_times_are_the_same_instants_in_utc_and_nothing_else_changes(serve, run_spec):
    result = run_spec.cli(spec(serve(token_pages([PAGE])).url), **FAST, utc_date_times=True)
    assert result.code == 0, result.stderr[-2000:]
    assert result.records() == [{**record, "at": UTC[record["id"]]} for record in PAGE]


def test_without_the_setting_records_are_as_the_api_sent_them(serve, run_spec):
    result = run_spec.cli(spec(serve(token_pages([PAGE])).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert result.records() == PAGE


def test_a_custom_schema_and_a_date_time_first_seen_on_a_later_page_are_converted(serve, run_spec):
    custom = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}},
    }
    pages = [[{"id": 1, "at": "2026-06-01T12:00:00+02:00"}], [{"id": 2, "at": "2026-06-01T12:00:00-01:00"}]]
    result = run_spec.cli(spec(serve(token_pages(pages)).url), **FAST, utc_date_times=True)
    singer = {"name": "items", "primaryKeys": ["id"]}
    url = serve(token_pages(pages)).url
    fixed_spec = source_spec(url, pagination=TOKEN_PAGING, singer=singer, schema=custom)
    fixed = run_spec.cli(fixed_spec, **FAST, utc_date_times=True)
    late = [[{"id": 1}], [{"id": 2, "late": "2026-06-01T12:00:00-01:00"}]]
    widened = run_spec.cli(spec(serve(token_pages(late)).url), **FAST, utc_date_times=True)
    for run in (result, fixed, widened):
        assert run.code == 0, run.stderr[-2000:]
    expected = [{"id": 1, "at": "2026-06-01T10:00:00Z"}, {"id": 2, "at": "2026-06-01T13:00:00Z"}]
    assert result.records() == expected
    assert fixed.records() == expected
    assert widened.records() == [{"id": 1}, {"id": 2, "late": "2026-06-01T13:00:00Z"}]
