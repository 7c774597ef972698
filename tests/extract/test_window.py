"""extract/window.py: the run's window from a bookmark, start and end dates and a lookback, and what
scheduleParams make of it.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tap_restspec.extract.window import make_window, schedule_values
from tap_restspec.model.spec import Schedule

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
