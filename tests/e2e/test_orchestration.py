"""End to end: the Dagster orchestration (orchestrate/) runs the shards in parallel.

`python -m orchestrate.tick`, in the orchestrator's own virtualenv (scripts/orchestrator-venv),
evaluates the schedule `restspec_shards_hourly` that dagster-meltano made of meltano.yml's
schedule, and executes the run it asks for: the Meltano job `restspec-shards`, whose three
tasks `tap-restspec--shard-<i> target-postgres` run at once under Dagster's multiprocess
executor, on a Dagster instance kept in PostgreSQL (orchestrate/dagster.yaml). Two such
scheduled runs, with the demo API's data changed in between through its admin endpoints
(as scripts/demo does: new and updated records, a campaign deleted):

* every run succeeds, and its three shard steps overlap in time;
* after each run, the rows not marked deleted, over the shards' schemas, hold exactly the
  demo's keys, for every stream;
* each record was read by exactly one shard: no key is in two shards' tables, a stream
  without partitions has a table in one shard's schema only (its owner's: the others send
  nothing of it), each child pass (a campaign's email activity) was asked for by one
  shard, and the parent (the campaigns) by every shard, for its children;
* each shard keeps its own state ID in Meltano's state, and resumes from it: the second
  run asks for no window from `start_date`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

ROOT = Path(__file__).resolve().parents[2]
SHARDS = 3
# Meltano's load schema of an inherited extractor: its name, dashes made underscores.
SCHEMAS = [f"tap_restspec__shard_{i}" for i in range(SHARDS)]
STATE_IDS = [f"dev:tap-restspec--shard-{i}-to-target-postgres" for i in range(SHARDS)]
WINDOWED = ("mailchimp_members", "zendesk_users")
# Each table's key columns, as text; the activity's timestamp as epoch seconds.
KEYS = {
    "mailchimp_members": "list_id, id",
    "zendesk_users": "id::text",
    "mailchimp_campaigns": "id",
    "mailchimp_campaign_email_activity": (
        '"campaignId", email_id, action, extract(epoch FROM "timestamp")::bigint::text'
    ),
}


# --------------------------------------------------------------------------- helpers


def orchestrator_python() -> str:
    venv = Path(os.environ.get("ORCHESTRATOR_VENV") or ROOT / "orchestrate" / ".venv")
    python = venv / "bin" / "python"
    if not python.is_file():
        pytest.fail(
            f"no orchestrator virtualenv at {venv}: run scripts/orchestrator-venv (scripts/test does)"
        )
    return str(python)


def admin(api: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the demo API's admin endpoint /_demo/PATH; return its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    if method != "GET" and data is None:
        data = b""
    request = urllib.request.Request(
        f"{api.url}/_demo/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def demo_keys(api: Any) -> dict[str, set[tuple[str, ...]]]:
    """Every stream's keys, as the demo API holds them now."""
    campaigns = {c["id"] for c in admin(api, "GET", "data/mailchimp_campaigns")}
    emails = admin(api, "GET", "data/mailchimp_email_activity") + admin(
        api, "GET", "data/mailchimp_campaign_activity"
    )
    return {
        "mailchimp_members": {(m["list_id"], m["id"]) for m in admin(api, "GET", "data/mailchimp_members")},
        "zendesk_users": {(str(u["id"]),) for u in admin(api, "GET", "data/zendesk_users")},
        "mailchimp_campaigns": {(c,) for c in campaigns},
        "mailchimp_campaign_email_activity": {
            (
                e["campaign_id"],
                e["email_id"],
                a["action"],
                str(int(datetime.fromisoformat(a["timestamp"]).timestamp())),
            )
            for e in emails
            if e["campaign_id"] in campaigns
            for a in e["activity"]
        },
    }


def shard_tables(pg: Any, stream: str) -> list[str]:
    """The shards' tables of a stream (a shard that never had a record of it has none)."""
    rows = pg.psql(
        "SELECT table_schema FROM information_schema.tables "
        f"WHERE table_name = '{stream}' AND table_schema IN ({', '.join(repr(s) for s in SCHEMAS)})"
    )
    return sorted(f'{row[0]}."{stream}"' for row in rows)


def loaded_keys(pg: Any, stream: str) -> dict[str, list[tuple[str, ...]]]:
    """The keys of a stream's rows not marked deleted, per shard table."""
    keys = {}
    for table in shard_tables(pg, stream):
        try:
            rows = pg.psql(f"SELECT {KEYS[stream]} FROM {table} WHERE _sdc_deleted_at IS NULL")
        except subprocess.CalledProcessError as exc:  # say why: psql's own line
            raise AssertionError(f"{table}: {exc.stderr.strip()}") from None
        keys[table] = [tuple(r) for r in rows]
    return keys


def assert_tables_hold_the_demo_keys(pg: Any, api: Any, run: str) -> dict[str, list[int]]:
    """Over the shards' tables, each stream's live keys are the demo's; the rows per table."""
    rows = {}
    for stream, keys in demo_keys(api).items():
        loaded = loaded_keys(pg, stream)
        got = {key for table_keys in loaded.values() for key in table_keys}
        assert keys, f"{stream}: the demo API holds no record"
        assert got == keys, (
            f"after {run}: {stream} holds {len(got)} live keys, the demo {len(keys)}; "
            f"missing {sorted(keys - got)[:3]}, extra {sorted(got - keys)[:3]}"
        )
        rows[stream] = [len(table_keys) for table_keys in loaded.values()]
    return rows


def assert_each_record_read_by_one_shard(pg: Any, api: Any, run: str) -> None:
    """No key in two shards' tables; a stream without partitions in one shard's schema only;
    each child pass asked for by one shard, the parent by every shard."""
    for stream in KEYS:
        tables = shard_tables(pg, stream)
        if stream != "mailchimp_campaign_email_activity":  # no partitions: one shard reads it
            assert len(tables) == 1, f"after {run}: {stream} has a table in {tables}"
        seen: dict[tuple[str, ...], str] = {}
        for table in tables:
            for key in pg.psql(f"SELECT {KEYS[stream]} FROM {table}"):
                other = seen.setdefault(tuple(key), table)
                assert other == table, f"after {run}: {stream} key {key} in {other} and {table}"
    # Meltano discovers before each run (use_cached_catalog: false): each shard's discovery samples
    # the campaigns' first page and the first campaign's pass (every shard the same pass, so that
    # they infer one schema); the run, its schema in the catalog, asks only for its own passes.
    requests = admin(api, "GET", "requests")
    passes = Counter(r["path"] for r in requests if r["path"].endswith("/email-activity"))
    campaigns = {c["id"] for c in admin(api, "GET", "data/mailchimp_campaigns")}
    assert set(passes) == {f"/3.0/reports/{c}/email-activity" for c in campaigns}
    counts = sorted(passes.values())
    assert counts == [1] * (len(counts) - 1) + [SHARDS + 1], f"{run}: child passes asked for {passes}"
    first_pages = [
        r for r in requests if r["path"] == "/3.0/campaigns" and r["params"].get("offset", ["0"]) == ["0"]
    ]
    assert len(first_pages) == 2 * SHARDS, f"{run}: the campaigns' first page, {len(first_pages)} times"


def bookmarks(state: dict[str, Any]) -> dict[str, datetime]:
    marks = state.get("singer_state", state).get("bookmarks", {})
    return {
        stream: datetime.fromisoformat(str(mark["replication_key_value"]).replace("Z", "+00:00"))
        for stream, mark in marks.items()
        if mark.get("replication_key_value")
    }


def start_date() -> str:
    config = yaml.safe_load((ROOT / "meltano.yml").read_text())
    dev = next(e for e in config["environments"] if e["name"] == "dev")
    tap = next(p for p in dev["config"]["plugins"]["extractors"] if p["name"] == "tap-restspec")
    return str(tap["config"]["start_date"])[:10]


@pytest.fixture
def dagster_env(meltano_project: Any, pg: Any, tmp_path: Path) -> dict[str, str]:
    """The Meltano project's environment, with a Dagster instance kept in PostgreSQL."""
    pg.psql("CREATE DATABASE dagster_orchestration")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "orchestrate" / "dagster.yaml", home / "dagster.yaml")
    env = dict(meltano_project.env)
    pg_env = pg.env()
    env.update(
        {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": pg_env["PGHOST"],
            "DAGSTER_PG_PORT": pg_env["PGPORT"],
            "DAGSTER_PG_USER": pg_env["PGUSER"],
            "DAGSTER_PG_PASSWORD": pg_env["PGPASSWORD"],
            "DAGSTER_PG_DB": "dagster_orchestration",
            "MELTANO_PROJECT_ROOT": str(meltano_project.root),
            "PATH": f"{Path(meltano_project.meltano).parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def scheduled_run(project: Any, env: dict[str, str], name: str) -> dict[str, Any]:
    """One tick of `restspec_shards_hourly`, run to its end; its report (orchestrate/tick.py)."""
    started = time.monotonic()
    proc = subprocess.run(
        [orchestrator_python(), "-m", "orchestrate.tick", "restspec_shards_hourly"],
        cwd=project.root,
        env=env,
        text=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    took = time.monotonic() - started
    log = project.log_dir / f"dagster-{name}.log"
    log.write_text(
        f"# exit {proc.returncode}, {took:.1f}s\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )
    tail = "\n".join(proc.stderr.splitlines()[-40:])
    assert proc.returncode == 0, f"{name}: orchestrate.tick exited {proc.returncode} (log {log}):\n{tail}"
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == 1, f"{name}: one run per tick, got {proc.stdout!r}"
    report = reports[0]
    report["took"] = took
    return report


def assert_shards_ran_at_once(report: dict[str, Any], name: str) -> None:
    steps = report["steps"]
    assert report["success"] and report["job"] == "restspec_shards", report
    assert sorted(steps) == [f"tap_restspec__shard_{i}_target_postgres" for i in range(SHARDS)], steps
    assert all(step["ok"] for step in steps.values()), steps
    latest_start = max(step["start"] for step in steps.values())
    earliest_end = min(step["end"] for step in steps.values())
    assert latest_start < earliest_end, f"{name}: the shards ran one after another: {steps}"


# --------------------------------------------------------------------------- the test


def test_two_scheduled_runs_load_every_shard_into_postgres(meltano_project, pg, demo_api, dagster_env):
    meltano, api = meltano_project, demo_api

    # ------------------------------------------------------------ 1. first scheduled run
    admin(api, "DELETE", "requests")  # the session's demo API: earlier tests' requests
    first = scheduled_run(meltano, dagster_env, "run1")
    assert_shards_ran_at_once(first, "run 1")
    rows1 = assert_tables_hold_the_demo_keys(pg, api, "run 1")
    assert_each_record_read_by_one_shard(pg, api, "run 1")

    listed = meltano("state", "list").stdout
    assert all(state_id in listed for state_id in STATE_IDS), listed
    marks1 = {state_id: bookmarks(meltano.state(state_id)) for state_id in STATE_IDS}
    for stream in WINDOWED:  # each windowed stream is bookmarked by the one shard that read it
        assert sum(stream in marks for marks in marks1.values()) == 1, marks1

    # ------------------------------------------------------------ 2. the data changes
    time.sleep(1.5)  # windows are sent to the second: change the data after the first one's end
    admin(api, "POST", "tick")
    gone = admin(api, "GET", "data/mailchimp_campaigns")[0]["id"]
    admin(api, "POST", "delete", {"dataset": "mailchimp_campaigns", "id": gone})
    admin(api, "DELETE", "requests")
    time.sleep(1.1)

    # ------------------------------------------------------------ 3. second scheduled run
    second = scheduled_run(meltano, dagster_env, "run2")
    assert_shards_ran_at_once(second, "run 2")
    rows2 = assert_tables_hold_the_demo_keys(pg, api, "run 2")
    assert_each_record_read_by_one_shard(pg, api, "run 2")
    marked = {
        row[0]
        for table in shard_tables(pg, "mailchimp_campaigns")
        for row in pg.psql(f"SELECT id FROM {table} WHERE _sdc_deleted_at IS NOT NULL")
    }
    assert marked == {gone}, "only the campaign deleted at the source is marked deleted"

    # Each shard resumed from its own state: no window from start_date, every bookmark later.
    since = start_date()
    windowed = [
        r for r in admin(api, "GET", "requests") if r["path"].startswith(("/3.0/lists/", "/api/v2/search"))
    ]
    assert windowed, "the second run asked for no window"
    assert not [r for r in windowed if since in json.dumps(r["params"])], "a shard read from start_date again"
    for state_id, before in marks1.items():
        after = bookmarks(meltano.state(state_id))
        for stream, mark in before.items():
            assert after[stream] > mark, f"{state_id}: {stream} bookmark {mark} -> {after.get(stream)}"

    for name, report, rows in (("run 1", first, rows1), ("run 2", second, rows2)):
        spans = {
            k.split("_target")[0][-7:]: round(s["end"] - s["start"], 1) for k, s in report["steps"].items()
        }
        print(
            f"orchestration {name}: {report['took']:.1f}s, steps {spans}, live rows per shard {rows}",
            file=sys.stderr,
        )
