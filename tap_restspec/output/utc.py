"""`date-time` strings in UTC (the `utc_date_times` setting): the same instant, written with `Z`.

target-postgres 0.8.1 makes a `date-time` property a `timestamp without time zone` column. Its
INSERT path binds the parsed value with its offset, and PostgreSQL converts it to the session's
time zone; its COPY path (`use_copy`) writes the text with the offset, which a `timestamp`
column ignores, so `10:00+02:00` lands as 10:00. A value already in UTC lands the same either
way, so with this setting COPY is safe. Only the offset changes: the fraction's digits, a value
already in UTC (`Z`, `+00:00`, `-00:00`), dates and strings that are not a `date-time` as the
tap infers them stay as they are; nested objects (JSONB columns) keep their strings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tap_restspec.output.inference import MATCH

Convert = Callable[[dict[str, Any]], dict[str, Any]]
_IS_DATE_TIME = MATCH["date-time"]
_UTC = ("+00:00", "-00:00")


def to_utc(value: str) -> str:
    """`value`, a `date-time` with an offset, as the same instant in UTC; anything else unchanged."""
    if value[-1:] == "Z" or value[-6:] in _UTC or _IS_DATE_TIME(value) is None:
        return value
    sign = 1 if value[-6] == "+" else -1
    offset = timedelta(hours=int(value[-5:-3]), minutes=int(value[-2:]))
    try:
        moment = datetime.fromisoformat(value[:19]) - sign * offset
    except OverflowError:  # before year 1 or after 9999 in UTC: no such datetime; left as it is
        return value
    return f"{moment.isoformat()}{value[19:-6]}Z"


def compile_utc(schema: dict[str, Any]) -> Convert | None:
    """A function record -> the record with its top-level `date-time` strings in UTC (a copy when
    one changes); None when the schema has no such property.
    """
    properties = schema.get("properties")
    names = (
        [
            name
            for name, sub in properties.items()
            if isinstance(sub, dict) and sub.get("format") == "date-time"
        ]
        if isinstance(properties, dict)
        else []
    )
    if not names:
        return None

    def convert(record: dict[str, Any]) -> dict[str, Any]:
        changed: dict[str, str] = {}
        for name in names:
            value = record.get(name)
            if type(value) is str and value[-1:] != "Z":
                utc = to_utc(value)
                if utc is not value:
                    changed[name] = utc
        return {**record, **changed} if changed else record

    return convert
