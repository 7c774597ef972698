"""The run's time window `[start, end)`, its slices, and what scheduleParams make of a window (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_restspec.expr.dates import add_duration, compile_format, to_iso
from tap_restspec.model.spec import Duration, Schedule

EARLIEST = datetime(1, 1, 1, tzinfo=timezone.utc)
MAX_SLICES = 100_000


@dataclass(frozen=True)
class Window:
    """One window; `start` is None when there is neither a bookmark nor a start_date."""

    start: datetime | None
    end: datetime

    @property
    def is_backfill(self) -> bool:
        """True when the window has no start: ADVANCE uses its backfill template."""
        return self.start is None

    @property
    def empty(self) -> bool:
        """The start is not before the end: nothing to read."""
        return self.start is not None and self.start >= self.end


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
    if start is not None and lookback_seconds > 0:
        try:
            start = start - timedelta(seconds=lookback_seconds)
        except OverflowError:
            start = EARLIEST
    return Window(start=start, end=end)


def slices(window: Window, step: Duration | None) -> list[Window]:
    """The window in consecutive slices of `step`, oldest first, the last ending at the window's end.

    A window with no start is one backfill pass; no step means one slice.
    """
    if step is None or window.start is None or window.empty:
        return [window]
    out: list[Window] = []
    start = window.start
    while start < window.end and len(out) < MAX_SLICES:
        end = min(add_duration(start, step), window.end)
        if end <= start:
            break
        out.append(Window(start, end))
        start = end
    if start < window.end:  # more slices than MAX_SLICES: the last one takes the rest
        out.append(Window(start, window.end))
    return out


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
        return ScheduleValues(
            {"START_TIME": start, "END_TIME": end, "SCHEDULE_QUERY": query}, {}, adf_parameters
        )
    start = compile_format(schedule.start_format)(window.start) if window.start else ""
    end = compile_format(schedule.end_format)(window.end)
    params: dict[str, str] = {}
    if window.start is not None and schedule.start_name:
        params[schedule.start_name] = start
    if schedule.end_name:
        params[schedule.end_name] = end
    return ScheduleValues({"START_TIME": start, "END_TIME": end}, params, adf_parameters)
