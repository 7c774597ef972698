"""Dates of the tap: ISO 8601 in and out, durations for window steps, and the .NET formats.

The .NET format strings of scheduleParams are compiled in `netformat.py`; this module
re-exports them, so callers need one import.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from tap_restspec.expr.netformat import DateFormatError, as_utc, compile_format, format_datetime
from tap_restspec.model.spec import Duration

__all__ = [
    "DateFormatError",
    "add_duration",
    "compile_format",
    "format_datetime",
    "parse_datetime",
    "parse_duration",
    "to_iso",
]

UTC = timezone.utc


_ISO_RE = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    (?:
        [Tt\ ]
        (?P<hour>\d{2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
        \ ?(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    """,
    re.VERBOSE | re.ASCII,
)


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 / RFC 3339 date or date-time into an aware UTC datetime.

    Accepts ``2024-01-31``, ``2024-01-31T23:59:59Z``, ``2024-01-31T23:59:59.5+02:00``,
    ``2024-01-31 23:59:59`` and the like. Naive input is taken as UTC; a date alone is
    midnight UTC. Fractions beyond microseconds are truncated. Raises ``ValueError``.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 date-time string, got {type(text).__name__}")
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid date-time {text!r}: expected ISO 8601 such as '2024-01-31' or '2024-01-31T23:59:59Z'"
        )
    g = match.groupdict()
    fraction = (g["fraction"] or "")[:6].ljust(6, "0")
    tz = UTC
    zone = g["zone"]
    if zone and zone not in "Zz":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        if offset >= timedelta(hours=24):
            raise ValueError(f"invalid date-time {text!r}: UTC offset out of range")
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        value = datetime(
            int(g["year"]),
            int(g["month"]),
            int(g["day"]),
            int(g["hour"] or 0),
            int(g["minute"] or 0),
            int(g["second"] or 0),
            int(fraction),
            tzinfo=tz,
        )
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"invalid date-time {text!r}: {exc}") from None


def to_iso(value: datetime) -> str:
    """Return the canonical state form: UTC ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.

    Microseconds appear only when non-zero; a naive datetime is taken as UTC.
    """
    if not isinstance(value, datetime) and isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    v = as_utc(value)
    text = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    if v.microsecond:
        text += f".{v.microsecond:06d}"
    return text + "Z"


_DURATION_RE = re.compile(
    r"P(?:(?P<years>\d{1,4})Y)?(?:(?P<months>\d{1,5})M)?(?:(?P<weeks>\d{1,5})W)?(?:(?P<days>\d{1,6})D)?"
    r"(?:T(?:(?P<hours>\d{1,7})H)?(?:(?P<minutes>\d{1,9})M)?(?:(?P<seconds>\d{1,10})S)?)?",
    re.ASCII,
)


def parse_duration(text: str) -> Duration:
    """An ISO 8601 duration (`P1D`, `PT6H`, `P7D`, `P1M`, `P1W`, `P1Y2M`); raises ``ValueError``."""
    match = _DURATION_RE.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if match is None or not any(match.groupdict().values()) or text.strip().upper().endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. P1D, PT6H, P7D, P1M)")
    g = {k: int(v or 0) for k, v in match.groupdict().items()}
    months = g["years"] * 12 + g["months"]
    fixed = timedelta(
        weeks=g["weeks"], days=g["days"], hours=g["hours"], minutes=g["minutes"], seconds=g["seconds"]
    )
    if months == 0 and fixed < timedelta(seconds=1):
        raise ValueError(f"{text!r} is shorter than one second")
    if months > 1200 or fixed > timedelta(days=36600):
        raise ValueError(f"{text!r} is longer than a hundred years")
    return Duration(text.strip().upper(), months, fixed)


def add_duration(value: datetime, step: Duration) -> datetime:
    """`value` plus `step`; months are calendar months (Jan 31 + P1M is the last day of February)."""
    if step.months:
        month0 = value.month - 1 + step.months
        year, month = value.year + month0 // 12, month0 % 12 + 1
        if year > 9999:
            return datetime.max.replace(tzinfo=value.tzinfo)
        day = min(value.day, _days_in_month(year, month))
        value = value.replace(year=year, month=month, day=day)
    try:
        return value + step.fixed
    except OverflowError:
        return datetime.max.replace(tzinfo=value.tzinfo)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
