"""Start-only windows (2026-12-07), by the real CLI: a simple scheduleParams without an end
parameter, an ADVANCE `backfill` of `""`, and `{START_TIME}`/`{END_TIME}` anywhere in the request
of a spec with scheduleParams."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.cli.test_hostile_servers import FAST, fails_with, states
from tests.helpers import Reply, source_spec

START = "2024-03-01T00:00:00Z"
END = "2024-03-05T00:00:00Z"
ONE = {"items": [{"id": 1}]}


def query(seen):
    """The query a request carried, one value a name."""
    return {name: values[-1] for name, values in seen.query.items()}


def answer(seen):
    return Reply(body=ONE)


def test_a_simple_window_without_an_end_sends_only_the_start(serve, run_spec):
    server = serve(answer)
    document = source_spec(server.url, schedule={"scheduleStartParamName": "since"})

    first = run_spec.cli(document, **FAST)  # no start_date, no state: nothing to send
    assert first.code == 0, first.stderr[-2000:]
    assert query(server.seen[0]) == {}
    before = datetime.now(timezone.utc).replace(microsecond=0)
    end = datetime.fromisoformat(states(first)[-1]["bookmarks"]["items"]["replication_key_value"][:-1])
    assert abs((end.replace(tzinfo=timezone.utc) - before).total_seconds()) < 30  # the window ends now

    second = run_spec.cli(document, start_date=START, end_date=END, **FAST)
    assert second.code == 0, second.stderr[-2000:]
    assert query(server.seen[1]) == {"since": START}  # no end parameter
    assert states(second)[-1]["bookmarks"]["items"] == {
        "replication_key": "window_end",
        "replication_key_value": END,  # the bookmark is the window's end
    }

    third = run_spec.cli(document, state=states(second)[-1], **FAST)
    assert third.code == 0, third.stderr[-2000:]
    assert query(server.seen[2]) == {"since": END}  # the next run starts where this one ended


def test_an_advance_backfill_may_be_empty_and_sends_no_filter(serve, run_spec):
    server = serve(answer)
    schedule = {"type": "ADVANCE", "paramFormat": "epoch", "incremental": "{START_TIME}", "backfill": ""}
    document = source_spec(server.url, schedule=schedule, queryParams={"created[gte]": "{SCHEDULE_QUERY}"})

    first = run_spec.cli(document, **FAST)
    assert first.code == 0, first.stderr[-2000:]
    assert query(server.seen[0]) == {}  # the empty backfill: no parameter at all
    assert first.records() == [{"id": 1}]

    second = run_spec.cli(document, start_date=START, **FAST)
    assert second.code == 0, second.stderr[-2000:]
    assert query(server.seen[1]) == {"created[gte]": "1709251200"}


def test_a_missing_advance_backfill_is_still_named(serve, run_spec):
    server = serve(answer)
    schedule = {"type": "ADVANCE", "incremental": "{START_TIME}"}
    result = run_spec.cli(source_spec(server.url, schedule=schedule), **FAST)
    fails_with(result, "items.json: scheduleParams.backfill: required property is missing")
    assert server.seen == []


@pytest.mark.parametrize(
    ("where", "change", "seen"),
    [
        ("path", {"path": "/items/{START_TIME}/{END_TIME}"}, lambda s: s.path),
        ("query", {"queryParams": {"from": "{START_TIME}", "to": "{END_TIME}"}}, lambda s: s.raw_query),
        (
            "headers",
            {"headerParams": {"X-From": "{START_TIME}", "X-To": "{END_TIME}"}},
            lambda s: f"{s.headers['X-From']} {s.headers['X-To']}",
        ),
        (
            "body",
            {"method": "POST", "bodyParams": {"range": {"gte": "{START_TIME}", "lt": "{END_TIME}"}}},
            lambda s: s.text,
        ),
    ],
    ids=["path", "query", "headers", "body"],
)
def test_start_and_end_time_stand_anywhere_in_a_simple_form_spec(serve, run_spec, where, change, seen):
    server = serve(answer)
    path = change.pop("path", "/items")
    document = source_spec(
        server.url,
        path,
        schedule={"scheduleStartParamFormat": "epoch"},  # no parameter names: the placeholders say it all
        **change,
    )
    result = run_spec.cli(document, start_date=START, end_date=END, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert result.records() == [{"id": 1}]
    shown = seen(server.seen[0])
    assert "1709251200" in shown and "1709596800" in shown, (where, shown)


def test_a_query_parameter_that_is_just_the_start_is_left_out_when_there_is_none(serve, run_spec):
    server = serve(answer)
    document = source_spec(
        server.url,
        schedule={"scheduleEndParamName": "until"},
        queryParams={"since": "{START_TIME}", "sort": "updated"},
    )
    result = run_spec.cli(document, end_date=END, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert query(server.seen[0]) == {"sort": "updated", "until": END}  # not `since=`


@pytest.mark.parametrize(
    ("schedule", "placeholder", "hint"),
    [
        (None, "START_TIME", "only a spec with scheduleParams has it"),
        (None, "END_TIME", "only a spec with scheduleParams has it"),
        (
            {"scheduleStartParamName": "since"},
            "SCHEDULE_QUERY",
            "only a spec with an ADVANCE scheduleParams has it",
        ),
    ],
)
def test_a_window_placeholder_without_its_schedule_is_named(serve, run_spec, schedule, placeholder, hint):
    server = serve(answer)
    document = source_spec(server.url, schedule=schedule, queryParams={"q": f"{{{placeholder}}}"})
    result = run_spec.cli(document, **FAST)
    fails_with(
        result, f"items.json: urlParams.queryParams.q: placeholder {{{placeholder}}} has no value ({hint})"
    )
    assert server.seen == []


def test_a_simple_form_needs_a_start_parameter_or_the_placeholder(serve, run_spec):
    server = serve(answer)
    document = source_spec(server.url, schedule={"scheduleStartParamFormat": "epoch"})
    result = run_spec.cli(document, **FAST)
    fails_with(
        result,
        "items.json: scheduleParams.scheduleStartParamName: required property is missing "
        "(or put {START_TIME} in the request's path, query, headers or body)",
    )
    assert server.seen == []


def test_a_run_says_its_window_once_though_a_thin_first_page_is_sampled(serve, run_spec):
    server = serve(answer)  # one record a page: the schema's sample reads it before the sync
    document = source_spec(server.url, schedule={"scheduleStartParamName": "since"})
    result = run_spec.cli(document, start_date=START, end_date=END, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    said = [line for line in result.stderr.splitlines() if "Stream items: window " in line]
    assert len(said) == 1 and said[0].endswith(f"window {START} .. {END}")
    assert len(server.seen) == 1  # the sampled page was the sync's
