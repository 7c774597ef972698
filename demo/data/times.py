"""Time parsing and the three timestamp styles the demo's APIs write."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time (offset optional, UTC if absent) into aware UTC."""
    match = _TS_RE.match(value.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    offset = timedelta(0)
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if zone[0] == "-":
            offset = -offset
    return (moment - offset).replace(tzinfo=UTC)


@functools.lru_cache(maxsize=65536)
def epoch(value: str | float) -> float:
    """Epoch seconds of an ISO 8601 string, or of a number that already is (Stripe's ``created``);
    cached: records are compared often."""
    if isinstance(value, (int, float)):
        return float(value)
    return parse_time(value).timestamp()


def to_utc(value: datetime | str | float | None) -> datetime:
    """A datetime, ISO string or epoch seconds as an aware UTC datetime (None: now)."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def fmt_offset(moment: datetime) -> str:
    """Mailchimp style: ``2015-10-21T15:41:36+00:00``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def fmt_z(moment: datetime) -> str:
    """Zendesk / Help Scout style: ``2022-04-22T10:27:30Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_ms(moment: datetime) -> str:
    """Segment / HubSpot style: ``2019-10-30T03:30:17.883Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
