"""End to end through Meltano with target-postgres's `use_copy` and the tap's `utc_date_times`:
date-times land in PostgreSQL as the instants the API sent.

target-postgres 0.8.1's COPY ignores a date-time's offset in a `timestamp` column; the tap's
`utc_date_times` writes each date-time as the same instant in UTC. (meltano.yml does not ship
`use_copy`: its COPY also rounds numbers, docs/meltano.md.) Every value, whatever its offset
(+02:00, -05:30, Z, +00:00, with fractions, either side of a DST change, across midnight), must
be stored as its UTC time; dates and nested objects as sent.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.helpers import Reply, Server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

AT = [
    "2026-06-01T12:00:00+02:00",
    "2026-06-01T12:00:00-05:30",
    "2026-06-01T12:00:00Z",
    "2026-06-01T12:00:00+00:00",
    "2026-06-01T12:00:00.5+02:00",
    "2026-06-01T12:00:00.123456-05:30",
    "2026-01-01T00:30:00.25+01:00",  # the day and year before, in UTC
    "2026-10-25T02:30:00+02:00",  # 02:30 in Berlin twice: summer time,
    "2026-10-25T02:30:00+01:00",  # then an hour later, winter time
    "2026-03-29T03:30:00+02:00",  # just after clocks went forward
]
RECORDS = [
    {"id": i, "at": at, "day": f"2026-03-{29 - i % 3:02d}", "meta": {"at": at}} for i, at in enumerate(AT)
]


def api(seen):
    return Reply(body={"items": RECORDS})


def test_with_utc_date_times_every_date_time_lands_as_the_same_instant_under_use_copy(meltano_project, pg):
    with Server(api) as server:
        spec = {
            "sourceSpec": {
                "attributes": {
                    "urlParams": {"host": server.url, "path": "/items", "method": "GET"},
                    "contentPath": {"path": "$.items"},
                }
            },
            "singer": {"name": "instants", "primaryKeys": ["id"]},
        }
        path = meltano_project.root / "instants.json"
        path.write_text(json.dumps(spec))
        env = {
            "TAP_RESTSPEC_SPECS": json.dumps([str(path)]),
            "TAP_RESTSPEC_BASE_URL": server.url,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "e2e_utc",
            "TARGET_POSTGRES_USE_COPY": "true",
            "TAP_RESTSPEC_UTC_DATE_TIMES": "true",
        }
        done = meltano_project(
            "run", "--state-id-suffix", "utc", "tap-restspec", "target-postgres", extra_env=env
        )
    assert 'COPY "' in done.stdout + done.stderr  # the target loaded with COPY
    types = pg.psql(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'e2e_utc' AND table_name = 'instants' AND column_name IN ('at', 'day')"
    )
    assert sorted(map(tuple, types)) == [("at", "timestamp without time zone"), ("day", "date")]
    rows = pg.psql("SELECT id::int, at::text, day::text, meta->>'at' FROM e2e_utc.instants ORDER BY id")
    loaded = [[i, str(datetime.fromisoformat(at)), day, meta] for i, at, day, meta in rows]
    expected = [
        [
            str(r["id"]),
            str(datetime.fromisoformat(r["at"]).astimezone(timezone.utc).replace(tzinfo=None)),
            r["day"],
            r["at"],
        ]
        for r in RECORDS
    ]
    assert loaded == expected
