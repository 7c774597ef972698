"""The run's time window `[start, end)` and what a spec's scheduleParams make of it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tap_restspec.dates import compile_format, to_iso
from tap_restspec.spec import Schedule


@dataclass(frozen=True)
class Window:
    """One run's window; `start` is None when there is neither a bookmark nor a start_date."""

    start: datetime | None
    end: datetime

    @property
    def is_backfill(self) -> bool:
        """True when the run has no start: ADVANCE uses its backfill template."""
        return self.start is None


def make_window(
    *,
    bookmark: datetime | None,
    start_date: datetime | None,
    end_date: datetime | None,
    lookback_seconds: float,
    now: datetime,
) -> Window:
    """Start at the bookmark, else start_date, moved back by the lookback; end at end_date, else now."""
    end = end_date or now.replace(microsecond=0)
    start = bookmark if bookmark is not None else start_date
    if start is not None and lookback_seconds:
        start = start - timedelta(seconds=lookback_seconds)
    return Window(start=start, end=end)


@dataclass(frozen=True)
class ScheduleValues:
    """What a window becomes in requests: placeholder values and query parameters."""

    placeholders: dict[str, str]
    query: dict[str, str]
    adf_parameters: dict[str, Any]


def schedule_values(schedule: Schedule | None, window: Window) -> ScheduleValues:
    """Placeholders (`START_TIME`, `END_TIME`, `SCHEDULE_QUERY`) and window query parameters."""
    adf_parameters = {
        "ingestionStart": to_iso(window.start) if window.start else None,
        "ingestionEnd": to_iso(window.end),
    }
    if schedule is None:
        return ScheduleValues({}, {}, adf_parameters)
    if schedule.advance:
        fmt = compile_format(schedule.param_format)
        start = fmt(window.start) if window.start else ""
        end = fmt(window.end)
        template = schedule.backfill if window.is_backfill else schedule.incremental
        query = (template or "").replace("{START_TIME}", start).replace("{END_TIME}", end)
        values = {"START_TIME": start, "END_TIME": end, "SCHEDULE_QUERY": query}
        return ScheduleValues(values, {}, adf_parameters)
    start = compile_format(schedule.start_format)(window.start) if window.start else ""
    end = compile_format(schedule.end_format)(window.end)
    params: dict[str, str] = {}
    if window.start is not None and schedule.start_name:
        params[schedule.start_name] = start
    if schedule.end_name:
        params[schedule.end_name] = end
    return ScheduleValues({"START_TIME": start, "END_TIME": end}, params, adf_parameters)
