"""Job `load`: tap-restspec | target-postgres against the COPY floor, per loader setting.

Once: the tap's output is saved (the COPY floor's input) and target-postgres, fed the SCHEMA
message alone, makes the table the floor copies into. Per pair and setting: the COPY floor
into a fresh table, then the pipeline into a fresh schema; after each, the rows' count and
md5 (data columns, key order) are compared with the floor's and with the first setting's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from harness import (
    BENCH,
    ROOT,
    Sample,
    check,
    ensure_venv,
    mb,
    progress,
    reap,
    run_one,
    spread,
    start,
    table,
    tap_config,
)

STREAM = "items"
TARGET_SCHEMA = "bench"  # where target-postgres loads
FLOOR_SCHEMA = "floor"  # where the COPY floor loads
SHAPE_SCHEMA = "shape"  # the empty table target-postgres makes from the SCHEMA message


@dataclass(frozen=True)
class Preset:
    """Loader settings under test: target-postgres config and tap config on top of meltano.yml's."""

    about: str
    target: dict[str, Any] = field(default_factory=dict)
    tap: dict[str, Any] = field(default_factory=dict)
    prefill: bool = False  # load into a table that already holds every row (a second run)


# No BATCH presets: the tap refuses `batch_config` (bench/README.md, "BATCH messages are not offered").
PRESETS: dict[str, Preset] = {
    "meltano": Preset("meltano.yml's target-postgres settings (batch_size_rows default 10000)"),
    "no_validate": Preset("validate_records: false", {"validate_records": False}),
    "rows_100k": Preset("batch_size_rows: 100000", {"batch_size_rows": 100_000}),
    "use_copy": Preset("use_copy: true", {"use_copy": True}),
    # target-postgres refuses activate_version without the metadata columns (meltano.yml turns it on).
    "no_metadata": Preset(
        "add_record_metadata: false, activate_version: false",
        {"add_record_metadata": False, "activate_version": False},
    ),
    "rerun": Preset("meltano, into a table already holding every row", prefill=True),
    "activate_version": Preset(
        "activate_version: true (tap emit_activate_version_messages), into a full table",
        {"activate_version": True},
        {"emit_activate_version_messages": True},
        prefill=True,
    ),
    "no_validate_copy": Preset(
        "validate_records: false, use_copy: true", {"validate_records": False, "use_copy": True}
    ),
    # COPY with the tap's date-times in UTC: the same instants as INSERT (but numbers go through a float).
    "utc_copy": Preset(
        "meltano, use_copy: true, tap utc_date_times: true", {"use_copy": True}, {"utc_date_times": True}
    ),
}
DEFAULT_PRESETS = ("meltano", "no_validate_copy")


def meltano_loader_settings() -> dict[str, Any]:
    """meltano.yml's target-postgres settings (`value`s, then `config`), less connection and schema."""
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    loader = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres")
    settings = {s["name"]: s["value"] for s in loader.get("settings", []) if "value" in s}
    settings.update(loader.get("config") or {})
    skip = {"host", "port", "user", "password", "database", "default_target_schema"}
    return {name: value for name, value in settings.items() if name not in skip}


class Loader:
    """The tap's records into PostgreSQL, by target-postgres and by the COPY floor."""

    def __init__(self, args: argparse.Namespace, url: str, cluster: Any, workdir: Path) -> None:
        self.args, self.url, self.cluster, self.workdir = args, url, cluster, workdir
        self.bin = ensure_venv()
        self.base = meltano_loader_settings()
        self.connection = {
            "host": cluster.host,
            "port": cluster.port,
            "user": cluster.user,
            "password": cluster.password,
            "database": cluster.database,
        }
        self.saved = workdir / "tap-output.jsonl"
        self.columns: list[str] = []
        self.keys: list[str] = []

    def sql(self, statement: str) -> list[list[str]]:
        return self.cluster.psql(statement)

    def target_config(self, preset: Preset, schema: str, name: str) -> Path:
        path = self.workdir / f"target-{name}.json"
        config = {**self.connection, **self.base, **preset.target, "default_target_schema": schema}
        path.write_text(json.dumps(config))
        return path

    def tap_config(self, preset: Preset, name: str) -> Path:
        path = tap_config(self.workdir, "offset", self.args.page_size, self.url)
        mine = self.workdir / f"tap-{name}.json"
        mine.write_text(json.dumps({**json.loads(path.read_text()), **preset.tap}))
        return mine

    def prepare(self) -> None:
        """Save the tap's output once; let target-postgres make the table from its SCHEMA."""
        config = self.tap_config(Preset("plain"), "plain")
        with self.saved.open("wb") as out:
            run_one("tap (saving its output)", [self.args.tap, "--config", str(config)], stdout=out)
        with self.saved.open("rb") as lines:
            schema = next(m for m in map(json.loads, lines) if m["type"] == "SCHEMA")
        self.columns, self.keys = list(schema["schema"]["properties"]), schema["key_properties"]
        shape = self.workdir / "schema-only.jsonl"
        shape.write_text(json.dumps(schema) + "\n")
        target = self.target_config(Preset("shape"), SHAPE_SCHEMA, "shape")
        with shape.open("rb") as stdin:
            run_one(
                "target (table shape)",
                [str(self.bin / "target-postgres"), "--config", str(target)],
                stdin=stdin,
            )

    def fresh(self, schema: str, prefill: bool = False) -> None:
        statement = f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        if schema == FLOOR_SCHEMA or prefill:
            statement += f" CREATE TABLE {schema}.{STREAM} (LIKE {SHAPE_SCHEMA}.{STREAM} INCLUDING ALL);"
        if prefill:
            statement += f" INSERT INTO {schema}.{STREAM} SELECT * FROM {FLOOR_SCHEMA}.{STREAM};"
        self.sql(statement + " CHECKPOINT;")

    def signature(self, schema: str) -> tuple[str, str]:
        """(count and md5 of the data columns' rows in key order, what the metadata columns hold)."""
        quoted = ", ".join(f'"{c}"' for c in self.columns)
        order = ", ".join(f'"{k}"' for k in self.keys)
        count, digest = self.sql(
            f"SELECT count(*), md5(string_agg(md5(ROW({quoted})::text), '' ORDER BY {order}))"
            f" FROM {schema}.{STREAM}"
        )[0]
        present = {
            row[0]
            for row in self.sql(
                f"SELECT column_name FROM information_schema.columns"
                f" WHERE table_schema = '{schema}' AND table_name = '{STREAM}'"
            )
        }
        if "_sdc_extracted_at" not in present:
            meta = "no columns"
        else:
            filled, deleted = self.sql(
                f"SELECT count(_sdc_extracted_at), count(_sdc_deleted_at) FROM {schema}.{STREAM}"
            )[0]
            meta = "filled" if filled == count else "NULL" if filled == "0" else f"{filled} filled"
            if deleted != "0":
                meta += f", {deleted} soft-deleted"
        return f"{count} {digest}", meta

    def copy_floor(self) -> Sample:
        self.fresh(FLOOR_SCHEMA)
        table_name = f"{FLOOR_SCHEMA}.{STREAM}"
        command = [str(self.bin / "python"), str(BENCH / "copy_floor.py"), "--table", table_name]
        with self.saved.open("rb") as stdin:
            return run_one("copy floor", command, stdin=stdin, env=self.cluster.env())

    def pipeline(self, name: str, target_prefix: Sequence[str] = ()) -> tuple[float, Sample, Sample]:
        """tap | target-postgres with a preset; (wall time, tap sample, target sample)."""
        preset = PRESETS[name]
        self.fresh(TARGET_SCHEMA, preset.prefill)
        tap_command = [self.args.tap, "--config", str(self.tap_config(preset, name))]
        target_command = [
            *target_prefix,
            str(self.bin / "target-postgres"),
            "--config",
            str(self.target_config(preset, TARGET_SCHEMA, name)),
        ]
        tap = start("tap", tap_command, stdout=subprocess.PIPE)
        assert tap.process.stdout is not None
        target = start(f"target-postgres ({name})", target_command, stdin=tap.process.stdout)
        tap.process.stdout.close()
        tap_sample, target_sample = reap(tap), reap(target)
        wall = time.perf_counter() - tap.started
        check(target, tap)
        return wall, tap_sample, target_sample

    def run(self) -> None:
        """Every `--loader` setting, `--pairs` times, each after a fresh COPY floor."""
        args = self.args
        self.prepare()
        self.copy_floor()  # warm-up, and the reference rows
        reference, _ = self.signature(FLOOR_SCHEMA)
        print(f"`meltano` (from meltano.yml): {json.dumps(self.base)}; the rest: the target's defaults\n")
        print(f"the API's timestamps: UTC offset {args.utc_offset:+g} h (--utc-offset)\n")
        runs: dict[str, list[Run]] = {n: [] for n in args.loader}
        for i in range(args.pairs):
            for name in args.loader:
                floor = self.copy_floor()
                again, _ = self.signature(FLOOR_SCHEMA)
                if again != reference:
                    raise SystemExit(f"the COPY floor's rows changed between runs: {again} != {reference}")
                wall, tap, target = self.pipeline(name)
                rows, meta = self.signature(TARGET_SCHEMA)
                runs[name].append(Run(wall, tap, target, floor, rows, meta))
                progress(
                    f"  load pair {i + 1}/{args.pairs} {name:<16} {wall:6.2f}s (COPY floor {floor.wall:.2f}s)"
                    f" target {target.rss_kb / 1024:.0f} MB; rows {'same' if rows == reference else 'DIFFER'}"
                )
        print(f"COPY floor rows: {reference.split()[0]}, md5 {reference.split()[1]}\n")
        report(args, runs, reference)


@dataclass(frozen=True)
class Run:
    """One pipeline run of one setting, and the COPY floor run before it."""

    wall: float
    tap: Sample
    target: Sample
    floor: Sample
    rows: str
    meta: str


def report(args: argparse.Namespace, runs: dict[str, list[Run]], reference: str) -> None:
    first = args.loader[0]
    baseline = runs[first][0].rows

    def same(results: list[Run], expected: str) -> str:
        differ = sum(r.rows != expected for r in results)
        return "yes" if not differ else f"NO ({differ}/{len(results)})"

    rows_out = []
    for name in args.loader:
        results = runs[name]
        walls = [r.wall for r in results]
        rows_out.append(
            (
                f"`{name}`: {PRESETS[name].about}",
                spread(walls),
                spread([r.floor.wall for r in results]),
                spread([r.wall / r.floor.wall for r in results], 1),
                f"{args.records / statistics.median(walls):,.0f}",
                mb([r.target for r in results]),
                spread([r.target.cpu for r in results], 1),
                mb([r.tap for r in results]),
                same(results, reference),
                same(results, baseline),
                ", ".join(sorted({r.meta for r in results})),
            )
        )
    header = (
        "setting",
        "wall s",
        "COPY floor s",
        "x COPY",
        "rows/s",
        "target RSS MB",
        "target cpu s",
        "tap RSS MB",
        "rows = COPY floor",
        f"rows = `{first}`",
        "_sdc_ columns",
    )
    table(header, rows_out)
