"""End to end: the whole Segment catalog through `meltano run tap-restspec target-postgres`.

Every table of `specs/segment_*.json` (top-level tables, partitions and the nested tables
read per parent record) lands in PostgreSQL with exactly the demo workspace's rows.

target-postgres 0.8.1 cannot soft-delete (`activate_version` with `hard_delete: false`) in a
table with a column named `version`: its UPDATE binds a parameter of that name, which
SQLAlchemy refuses (`bindparam() name 'version' is reserved`). Tracking-plan rules have one
(and it is part of their key), so the run renames it with a stream map, as the README says.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.cli.test_segment_catalog import NAMES, expected_records, keys_of, spec_of

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

SCHEMA = "e2e_segment"
RULES = "segment_tracking_plan_rules"
RENAME = {
    RULES: {
        "rule_version": "version",
        "version": None,
        "__key_properties__": ["trackingPlanId", "type", "key", "rule_version"],
    }
}


def test_every_segment_table_loads_into_postgres(meltano_project, pg, demo_api):
    config = demo_api.tap_config()
    env = {
        "TAP_RESTSPEC_SPECS": json.dumps(["specs/segment_*.json"]),
        "TAP_RESTSPEC_PARAMS": json.dumps(config["params"]),
        "TAP_RESTSPEC_API_KEY": config["api_key"],
        "TAP_RESTSPEC_STREAM_MAPS": json.dumps(RENAME),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": SCHEMA,
    }
    meltano_project("run", "--state-id-suffix", "segment", "tap-restspec", "target-postgres", extra_env=env)
    query = f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{SCHEMA}'"
    tables = {row[0] for row in pg.psql(query)}
    assert tables == set(NAMES)
    expected = expected_records(demo_api)
    for name in NAMES:
        keys = spec_of(name)["singer"]["primaryKeys"]
        columns = ", ".join(
            f'"{"rule_version" if name == RULES and k == "version" else k}"::text' for k in keys
        )
        loaded = [tuple(map(instant, row)) for row in pg.psql(f'SELECT {columns} FROM {SCHEMA}."{name}"')]
        wanted = [tuple(map(instant, row)) for row in keys_of(expected[name], keys)]
        assert sorted(loaded) == sorted(wanted), name


def instant(text: str) -> str:
    """A date-time key as the instant it names: inferred date-times load into timestamp columns
    (2026-12-07), which PostgreSQL shows in its own form ('2024-01-01 10:00:00' for '...T10:00:00Z')."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat()
