"""End to end: the whole Segment catalog through `meltano run tap-restspec target-postgres`.

Every table of `specs/segment_*.json` (top-level tables, partitions, the nested tables read per
parent record and the windowed metrics) lands in PostgreSQL with exactly the demo workspace's
rows, with the project's meltano.yml as shipped: only the settings a scheduler passes (specs,
params, token, window) come from the environment.

target-postgres 0.8.1 cannot soft-delete (`activate_version` with `hard_delete: false`) in a
table with a column named `version`: its UPDATE binds a parameter of that name, which
SQLAlchemy refuses (`bindparam() name 'version' is reserved`). Tracking-plan rules have one
(and it is part of their key): the shipped meltano.yml's loader renames it to `rule_version`
with a stream map, so the shipped project loads them as it is.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.cli.test_segment_catalog import NAMES, expected_records, keys_of, spec_of, stamp

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

SCHEMA = "e2e_segment"
RULES = "segment_tracking_plan_rules"


def test_every_segment_table_loads_into_postgres(meltano_project, pg, demo_api):
    config = demo_api.tap_config()
    # Delivery Overview keeps 30 days: the run starts 20 days back (the shipped dev
    # environment's start_date is for the demo's other APIs), at a time that is not midnight.
    now = datetime.now(timezone.utc).replace(microsecond=0)
    end, start = now - timedelta(hours=2), now - timedelta(days=20, hours=5)
    env = {
        "TAP_RESTSPEC_SPECS": json.dumps(["specs/segment_*.json"]),
        "TAP_RESTSPEC_PARAMS": json.dumps(config["params"]),
        "TAP_RESTSPEC_API_KEY": config["api_key"],
        "TAP_RESTSPEC_START_DATE": stamp(start),
        "TAP_RESTSPEC_END_DATE": stamp(end),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": SCHEMA,
    }
    demo_api.clear_requests()
    meltano_project("run", "--state-id-suffix", "segment", "tap-restspec", "target-postgres", extra_env=env)
    print(f"{len(demo_api.requests)} requests to the demo API")
    query = f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{SCHEMA}'"
    tables = {row[0] for row in pg.psql(query)}
    assert tables == set(NAMES)
    assert_loaded(pg, expected_records(demo_api, start, end))

    # The next run, from the state: the metrics read their last day (and usage its month) again,
    # and the target merges those rows on their keys instead of adding them.
    demo_api.clear_requests()
    env["TAP_RESTSPEC_END_DATE"] = stamp(now)
    meltano_project("run", "--state-id-suffix", "segment", "tap-restspec", "target-postgres", extra_env=env)
    metrics = [r for r in demo_api.requests if r["path"].startswith(("/events/", "/delivery-overview/"))]
    sources, destinations = (len(demo_api.records(f"segment_{kind}")) for kind in ("sources", "destinations"))
    # one pass per source (4 specs) and per destination (3), and no discovery sample: their
    # schemas are the spec's (the counts are the demo's: earlier tests may have ticked it)
    assert len(metrics) == 4 * sources + 3 * destinations
    assert {r["params"]["startTime"][0] for r in metrics} == {stamp(end)[:10] + "T00:00:00Z"}
    assert_loaded(pg, expected_records(demo_api, start, now, also=[end]))


def assert_loaded(pg, expected):
    """Every table holds exactly the expected rows, by their primary keys (duplicates included)."""
    for name in NAMES:
        keys = spec_of(name)["singer"]["primaryKeys"]
        columns = ", ".join(
            f'"{"rule_version" if name == RULES and k == "version" else k}"::text' for k in keys
        )
        loaded = [tuple(map(instant, row)) for row in pg.psql(f'SELECT {columns} FROM {SCHEMA}."{name}"')]
        wanted = [tuple(map(instant, row)) for row in keys_of(expected[name], keys)]
        assert loaded, name
        assert sorted(loaded) == sorted(wanted), name
    where = f"table_schema = '{SCHEMA}' AND table_name = '{RULES}'"
    columns = {row[0] for row in pg.psql(f"SELECT column_name FROM information_schema.columns WHERE {where}")}
    assert "rule_version" in columns and "version" not in columns  # renamed by the shipped stream map


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
