"""Pipeline bench (issue 16): the user's whole job, each part against its floor, in one run.

    .venv/bin/python bench/pipeline.py                                # every job, defaults
    .venv/bin/python bench/pipeline.py --jobs load --loader all       # every loader setting
    .venv/bin/python bench/pipeline.py --records 20000 --requests 20 --pairs 2   # a quick check
    .venv/bin/python bench/pipeline.py --profile-target meltano       # py-spy on target-postgres

Jobs (--jobs, default all four):
  tap      tap-restspec alone / the loop floor (bench/floor.py), on the mock API
  load     tap-restspec | target-postgres 0.8.1, per loader setting (--loader), / the COPY
           floor (bench/copy_floor.py) of the tap's saved records into the same shape of
           table, in a throwaway PostgreSQL; rows compared (count, md5 of the data columns)
  streams  N streams at --latency-ms / one stream (tap setting max_parallel); N floor loops
           in parallel / one floor loop, as the reference
  startup  tap-restspec --about / floor.py --help (interpreter and imports)

Every figure is a ratio per pair (subject, then its floor, run back to back), printed as
median [min..max] over --pairs pairs; wall times likewise. Peak RSS and CPU time of each
process come from os.wait4 on that process itself. The machine's load average is printed
before and after each job. target-postgres runs from its own virtualenv under
bench/results/venvs/ (made on first use: pip install meltanolabs-target-postgres==0.8.1).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import yaml
from run import (
    BENCH,
    MOCKS,
    PYTHON,
    ROOT,
    TAP,
    Sample,
    count_records,
    floor_command,
    machine,
    mock_api,
    tap_config,
)

TARGET_VERSION = "0.8.1"
VENV = BENCH / "results" / "venvs" / f"target-postgres-{TARGET_VERSION}"
VENV_PACKAGES = (f"meltanolabs-target-postgres=={TARGET_VERSION}", "orjson==3.13.0", "py-spy==0.4.3")
JOBS = ("tap", "load", "streams", "startup")
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


JSONL_GZIP = {"encoding": {"format": "jsonl", "compression": "gzip"}}
PRESETS: dict[str, Preset] = {
    "meltano": Preset("meltano.yml's target-postgres settings (batch_size_rows default 10000)"),
    "no_validate": Preset("validate_records: false", {"validate_records": False}),
    "rows_100k": Preset("batch_size_rows: 100000", {"batch_size_rows": 100_000}),
    "use_copy": Preset("use_copy: true", {"use_copy": True}),
    "no_metadata": Preset("add_record_metadata: false", {"add_record_metadata": False}),
    "batch_messages": Preset(
        "tap batch_config: BATCH messages, JSON Lines, gzip", tap={"batch_config": JSONL_GZIP}
    ),
    "rerun": Preset("meltano, into a table already holding every row", prefill=True),
    "activate_version": Preset(
        "activate_version: true (tap emit_activate_version_messages), into a full table",
        {"activate_version": True},
        {"emit_activate_version_messages": True},
        prefill=True,
    ),
    "batch_copy": Preset(
        "BATCH messages (JSON Lines, gzip), use_copy: true", {"use_copy": True}, {"batch_config": JSONL_GZIP}
    ),
    "no_validate_copy": Preset(
        "validate_records: false, use_copy: true", {"validate_records": False, "use_copy": True}
    ),
}
DEFAULT_PRESETS = ("meltano", "no_validate_copy")


# --- processes ---------------------------------------------------------------------

LIVE: dict[int, subprocess.Popen[bytes]] = {}


def kill_live() -> None:
    """Kill the measured children still running (on an error or Ctrl-C)."""
    for process in list(LIVE.values()):
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(process.pid, 0)
        process.returncode = -9
    LIVE.clear()


@dataclass
class Child:
    """A measured child process: its own wall time, CPU, peak RSS and RECORD count."""

    name: str
    process: subprocess.Popen[bytes]
    errors: IO[bytes]
    started: float
    counted: list[int] = field(default_factory=list)
    counter: threading.Thread | None = None


def start(
    name: str,
    command: Sequence[str],
    *,
    stdin: Any = None,
    stdout: Any = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    count: bool = False,
) -> Child:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by check())
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE if count else stdout,
        stderr=errors,
        env={**os.environ, **env} if env else None,
    )
    LIVE[process.pid] = process
    child = Child(name, process, errors, started)
    if count:
        assert process.stdout is not None
        out = process.stdout
        child.counter = threading.Thread(target=lambda: child.counted.append(count_records(out)))
        child.counter.start()
    return child


def reap(child: Child) -> Sample:
    """Wait for the child with os.wait4: its own rusage, not its parent's."""
    _, status, usage = os.wait4(child.process.pid, 0)
    wall = time.perf_counter() - child.started
    LIVE.pop(child.process.pid, None)
    child.process.returncode = os.waitstatus_to_exitcode(status)
    if child.counter is not None:
        child.counter.join()
        assert child.process.stdout is not None
        child.process.stdout.close()
    records = child.counted[0] if child.counted else -1
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, records)


def check(*children: Child) -> None:
    """Fail with the stderr tail of the first child that did not exit 0."""
    for child in children:
        if child.process.returncode != 0:
            child.errors.seek(0)
            tail = child.errors.read().decode(errors="replace").splitlines()[-20:]
            for mock in MOCKS:
                if mock.poll() is not None:  # e.g. a `pkill -f api.py` elsewhere on the machine
                    tail.append(f"(the mock API, pid {mock.pid}, had exited: {mock.returncode})")
            raise SystemExit(f"{child.name} exited {child.process.returncode}:\n" + "\n".join(tail))
    for child in children:
        child.errors.close()


def run_one(name: str, command: Sequence[str], expect: int | None = None, **kwargs: Any) -> Sample:
    child = start(name, command, count=expect is not None, **kwargs)
    sample = reap(child)
    check(child)
    if expect is not None and sample.records != expect:
        raise SystemExit(f"{name}: {sample.records} records, not {expect}")
    return sample


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- figures -----------------------------------------------------------------------


def spread(values: Sequence[float], digits: int = 2) -> str:
    """`median [min..max]`."""
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}..{max(values):.{digits}f}]"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(flush=True)


@contextlib.contextmanager
def job(title: str) -> Iterator[None]:
    before = load()
    print(f"## {title}\n")
    started = time.perf_counter()
    yield
    took = time.perf_counter() - started
    print(f"load average (1, 5, 15 min) before: {before}; after: {load()}; {took:.0f}s\n")


def mb(samples: Sequence[Sample]) -> str:
    return f"{max(s.rss_kb for s in samples) / 1024:.0f}"


# --- job: the tap alone ------------------------------------------------------------


def job_tap(args: argparse.Namespace, url: str, workdir: Path) -> None:
    config = tap_config(workdir, "offset", args.page_size, url)
    pairs: list[tuple[Sample, Sample]] = []
    run_one("floor", floor_command("offset", args.page_size, url), args.records)  # warm-up
    for i in range(args.pairs):
        tap = run_one("tap", [args.tap, "--config", str(config)], args.records)
        floor = run_one("floor", floor_command("offset", args.page_size, url), args.records)
        pairs.append((tap, floor))
        progress(f"  tap pair {i + 1}/{args.pairs}: tap {tap.wall:.2f}s, floor {floor.wall:.2f}s")
    taps, floors = [p[0] for p in pairs], [p[1] for p in pairs]
    table(
        ("figure", "ratio", "tap s", "floor s", "tap cpu s", "tap rec/s", "tap RSS MB", "floor RSS MB"),
        [
            (
                f"tap alone / loop floor ({args.records:,} records, offset, page {args.page_size})",
                spread([t.wall / f.wall for t, f in pairs]),
                spread([t.wall for t in taps]),
                spread([f.wall for f in floors]),
                spread([t.cpu for t in taps]),
                f"{args.records / statistics.median(t.wall for t in taps):,.0f}",
                mb(taps),
                mb(floors),
            )
        ],
    )


# --- job: tap | target-postgres ----------------------------------------------------


def pg_module() -> Any:
    """tests/pg.py, imported by path (it is not a package)."""
    spec = importlib.util.spec_from_file_location("restspec_tests_pg", ROOT / "tests" / "pg.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def pg_cluster() -> Iterator[Any]:
    cluster = pg_module().PgCluster()
    atexit.register(cluster.stop)  # also if something skips the finally below
    try:
        progress(f"starting PostgreSQL in {cluster.base}")
        yield cluster.start()
    finally:
        progress("stopping PostgreSQL")
        cluster.stop()
        atexit.unregister(cluster.stop)


def ensure_venv() -> Path:
    """The bench's own target-postgres virtualenv; made on first use."""
    target = VENV / "bin" / "target-postgres"
    if not target.exists():
        progress(f"creating {VENV} ({', '.join(VENV_PACKAGES)}); about a minute")
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", *VENV_PACKAGES], check=True
        )
    return VENV / "bin"


def meltano_loader_settings() -> dict[str, Any]:
    """meltano.yml's target-postgres settings (`value`s, then `config`), less connection and schema."""
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    loader = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres")
    settings = {s["name"]: s["value"] for s in loader.get("settings", []) if "value" in s}
    settings.update(loader.get("config") or {})
    skip = {"host", "port", "user", "password", "database", "default_target_schema"}
    return {name: value for name, value in settings.items() if name not in skip}


class Loader:
    """Job 2: the tap's records into PostgreSQL, by target-postgres and by the COPY floor."""

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
        self.batches = workdir / "batches"
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
        config = {**json.loads(path.read_text()), **preset.tap}
        if "batch_config" in config:
            config["batch_config"] = {**config["batch_config"], "storage": {"root": self.batches.as_uri()}}
        mine = self.workdir / f"tap-{name}.json"
        mine.write_text(json.dumps(config))
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
        with self.saved.open("rb") as stdin:
            return run_one(
                "copy floor",
                [
                    str(self.bin / "python"),
                    str(BENCH / "copy_floor.py"),
                    "--table",
                    f"{FLOOR_SCHEMA}.{STREAM}",
                ],
                stdin=stdin,
                env=self.cluster.env(),
            )

    def pipeline(self, name: str, target_prefix: Sequence[str] = ()) -> tuple[float, Sample, Sample]:
        """tap | target-postgres with a preset; (wall time, tap sample, target sample)."""
        preset = PRESETS[name]
        self.fresh(TARGET_SCHEMA, preset.prefill)
        shutil.rmtree(self.batches, ignore_errors=True)
        self.batches.mkdir()
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
        args = self.args
        self.prepare()
        self.copy_floor()  # warm-up, and the reference rows
        reference, _ = self.signature(FLOOR_SCHEMA)
        print(f"`meltano` (from meltano.yml): {json.dumps(self.base)}; the rest: the target's defaults\n")
        print(f"the API's timestamps: UTC offset {args.utc_offset:+g} h (--utc-offset)\n")
        runs: dict[str, list[tuple[float, Sample, Sample, Sample, str, str]]] = {n: [] for n in args.loader}
        for i in range(args.pairs):
            for name in args.loader:
                floor = self.copy_floor()
                again, _ = self.signature(FLOOR_SCHEMA)
                if again != reference:
                    raise SystemExit(f"the COPY floor's rows changed between runs: {again} != {reference}")
                wall, tap, target = self.pipeline(name)
                rows, meta = self.signature(TARGET_SCHEMA)
                runs[name].append((wall, tap, target, floor, rows, meta))
                progress(
                    f"  load pair {i + 1}/{args.pairs} {name:<16} {wall:6.2f}s (COPY floor {floor.wall:.2f}s)"
                    f" target {target.rss_kb / 1024:.0f} MB; rows {'same' if rows == reference else 'DIFFER'}"
                )
        print(f"COPY floor rows: {reference.split()[0]}, md5 {reference.split()[1]}\n")
        first = args.loader[0]
        baseline = runs[first][0][4]

        def same(results: list[tuple[Any, ...]], expected: str) -> str:
            differ = sum(r[4] != expected for r in results)
            return "yes" if not differ else f"NO ({differ}/{len(results)})"

        rows_out = []
        for name in args.loader:
            results = runs[name]
            walls = [r[0] for r in results]
            rows_out.append(
                (
                    f"`{name}`: {PRESETS[name].about}",
                    spread(walls),
                    spread([r[3].wall for r in results]),
                    spread([r[0] / r[3].wall for r in results], 1),
                    f"{args.records / statistics.median(walls):,.0f}",
                    mb([r[2] for r in results]),
                    spread([r[2].cpu for r in results], 1),
                    mb([r[1] for r in results]),
                    same(results, reference),
                    same(results, baseline),
                    ", ".join(sorted({r[5] for r in results})),
                )
            )
        table(
            (
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
            ),
            rows_out,
        )

    def profile(self, name: str) -> None:
        self.prepare()
        self.copy_floor()
        out = self.workdir / "target.pyspy"
        spy = [str(self.bin / "py-spy"), "record", "--idle", "-r", "100", "-f", "raw", "-o", str(out), "--"]
        wall, _, _ = self.pipeline(name, spy)
        print(
            f"py-spy on target-postgres (`{name}`, {self.args.records:,} records): {wall:.1f}s under py-spy"
        )
        print("(--idle: waits on PostgreSQL and on the tap's pipe are counted, so shares are of wall time)\n")
        summarize(out, self.args.top)


STAGES = (  # (what, function whose inclusive samples measure it)
    ("everything after start-up: reading and loading the messages", "BaseSingerReader.listen"),
    ("  JSON decoding of the input lines", "deserialize_json"),
    ("  each RECORD message (and the batch writes it triggers)", "Target._process_record_message"),
    ("    JSON Schema validation (validate_records)", "JSONSchemaValidator.validate"),
    ("    date-time strings to datetime", "Sink._parse_timestamps_in_record"),
    ("    _sdc_ metadata (add_record_metadata)", "Sink._add_sdc_metadata_to_record"),
    ("  each batch: temp table, insert, merge into the table", "PostgresSink.process_batch"),
    ("    rows into the temp table (INSERT, or COPY with use_copy)", "PostgresSink.bulk_insert_records"),
    ("    merge: INSERT ... SELECT new keys, UPDATE existing", "PostgresSink.upsert"),
    ("    waiting for PostgreSQL (psycopg Connection.wait)", "Connection.wait"),
    ("  each BATCH message: reading its files", "Sink.process_batch_files"),
    ("imports", "_find_and_load"),
)


def summarize(path: Path, top: int) -> None:
    """Shares of the main stages, and the top functions by own samples, from py-spy's raw stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [strip_line(frame) for frame in stack.split(";")]
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    by_name: Counter[str] = Counter()
    for frame, n in inclusive.items():
        by_name[frame.split(" (")[0]] += n  # a function counted once per stack and file
    rows = []
    for what, name in STAGES:
        n = sum(v for k, v in by_name.items() if k == name or k.endswith("." + name))
        rows.append((what, f"`{name}`", f"{n / total:.1%}"))
    print(f"### where the time goes ({total} samples; a stage includes the stages indented under it)\n")
    table(("stage", "function", "share"), rows)
    print(f"### top {top} by own samples\n")
    table(("function", "share"), [(f"`{frame}`", f"{n / total:.1%}") for frame, n in own.most_common(top)])


def strip_line(frame: str) -> str:
    """`f (file.py:12)` -> `f (file.py)`, so that a function counts once per stack."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


# --- job: N streams at a latency ---------------------------------------------------


def stream_configs(args: argparse.Namespace, url: str, workdir: Path) -> tuple[Path, dict[int, Path]]:
    """Configs for one stream, and for --streams streams per max_parallel: /offset under other names."""
    document = json.loads((BENCH / "specs" / "offset.json").read_text())
    document["sourceSpec"]["attributes"]["paginationParams"]["limitValue"] = str(args.stream_page_size)
    specs = []
    for k in range(args.streams):
        document["singer"]["name"] = f"{STREAM}_{k + 1}"
        spec = workdir / f"stream_{k + 1}.json"
        spec.write_text(json.dumps(document))
        specs.append(str(spec))

    def config(name: str, chosen: list[str], parallel: int) -> Path:
        path = workdir / f"config_streams_{name}.json"
        path.write_text(json.dumps({"specs": chosen, "base_url": url, "max_parallel": parallel}))
        return path

    many = {m: config(f"many_{m}", specs, m) for m in args.max_parallel}
    return config("one", specs[:1], args.max_parallel[-1]), many


def parallel_floors(n: int, command: list[str], expect: int) -> tuple[float, list[Sample]]:
    started = time.perf_counter()
    children = [start(f"floor {k + 1}", command, count=True) for k in range(n)]
    samples = [reap(child) for child in children]
    wall = time.perf_counter() - started
    check(*children)
    if any(s.records != expect for s in samples):
        raise SystemExit(f"parallel floors: {[s.records for s in samples]} records, not {expect} each")
    return wall, samples


def job_streams(args: argparse.Namespace, workdir: Path) -> None:
    page = args.stream_page_size
    per_stream = args.requests * page - page // 2  # the last of --requests pages is half full
    n = args.streams
    with mock_api(per_stream, args.latency_ms) as url:
        one, many = stream_configs(args, url, workdir)
        floor = floor_command("offset", page, url)
        run_one("floor", floor, per_stream)  # warm-up
        taps: list[tuple[Sample, dict[int, Sample]]] = []
        floors: list[tuple[Sample, float, list[Sample]]] = []
        for i in range(args.pairs):
            tap_one = run_one("tap, 1 stream", [args.tap, "--config", str(one)], per_stream)
            tap_many = {
                m: run_one(f"tap, {n} streams", [args.tap, "--config", str(path)], n * per_stream)
                for m, path in many.items()
            }
            floor_one = run_one("floor", floor, per_stream)
            floor_wall, floor_many = parallel_floors(n, floor, per_stream)
            taps.append((tap_one, tap_many))
            floors.append((floor_one, floor_wall, floor_many))
            walls = ", ".join(f"{n} (max_parallel {m}): {s.wall:.2f}s" for m, s in tap_many.items())
            progress(
                f"  streams pair {i + 1}/{args.pairs}: tap 1: {tap_one.wall:.2f}s, {walls};"
                f" floor 1: {floor_one.wall:.2f}s, {n} in parallel: {floor_wall:.2f}s"
            )
    print(
        f"{args.requests} requests of {page} records per stream, {args.latency_ms:g} ms each;"
        f" the 1-stream run has max_parallel {args.max_parallel[-1]}\n"
    )
    rows = []
    for m in args.max_parallel:
        rows.append(
            (
                f"tap, {n} streams (max_parallel {m}) / 1 stream",
                spread([many[m].wall / o.wall for o, many in taps]),
                spread([many[m].wall for _, many in taps]),
                spread([o.wall for o, _ in taps]),
                mb([many[m] for _, many in taps]),
                mb([o for o, _ in taps]),
            )
        )
    rows.append(
        (
            f"floor, {n} loops in parallel / 1 loop",
            spread([w / o.wall for o, w, _ in floors]),
            spread([w for _, w, _ in floors]),
            spread([o.wall for o, _, _ in floors]),
            mb([s for _, _, many in floors for s in many]) + " each",
            mb([o for o, _, _ in floors]),
        )
    )
    for m in args.max_parallel:
        ratios = [many[m].wall / w for (_, many), (_, w, _) in zip(taps, floors, strict=True)]
        rows.append((f"tap, {n} streams (max_parallel {m}) / {n} floor loops in parallel", spread(ratios)))
    table(("figure", "ratio", f"{n} s", "1 s", f"{n} peak RSS MB", "1 peak RSS MB"), rows)


# --- job: start-up -----------------------------------------------------------------


def job_startup(args: argparse.Namespace) -> None:
    commands = {"tap-restspec --about": [args.tap, "--about"]}
    if (VENV / "bin" / "target-postgres").exists():
        commands["target-postgres --about"] = [str(VENV / "bin" / "target-postgres"), "--about"]
    floor = [PYTHON, str(BENCH / "floor.py"), "--help"]
    samples: dict[str, list[tuple[Sample, Sample]]] = {name: [] for name in commands}
    run_one("floor --help", floor)  # warm-up
    for _ in range(args.pairs):
        for name, command in commands.items():
            samples[name].append((run_one(name, command), run_one("floor --help", floor)))
    table(
        ("figure", "ratio", "s", "floor.py --help s", "peak RSS MB"),
        [
            (
                f"{name} / floor.py --help",
                spread([s.wall / f.wall for s, f in pairs]),
                spread([s.wall for s, _ in pairs]),
                spread([f.wall for _, f in pairs]),
                mb([s for s, _ in pairs]),
            )
            for name, pairs in samples.items()
        ],
    )


# --- main --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--jobs", nargs="+", choices=JOBS, default=list(JOBS), help="default: all")
    parser.add_argument("--pairs", type=int, default=3, help="pairs per figure (default 3)")
    parser.add_argument("--records", type=int, default=200_000, help="tap and load jobs (default 200000)")
    parser.add_argument("--page-size", type=int, default=1000, help="tap and load jobs (default 1000)")
    parser.add_argument(
        "--loader",
        nargs="+",
        default=list(DEFAULT_PRESETS),
        help=f"loader settings (default {' '.join(DEFAULT_PRESETS)}; 'all': every one):\n"
        + "\n".join(f"  {name}: {p.about}" for name, p in PRESETS.items()),
    )
    parser.add_argument(
        "--utc-offset", type=float, default=0, help="tap and load jobs: the API's timestamps' offset, hours"
    )
    parser.add_argument("--streams", type=int, default=5, help="streams job: N (default 5)")
    parser.add_argument("--latency-ms", type=float, default=50, help="streams job (default 50)")
    parser.add_argument("--requests", type=int, default=200, help="streams job: per stream (default 200)")
    parser.add_argument("--stream-page-size", type=int, default=100, help="streams job (default 100)")
    parser.add_argument(
        "--max-parallel", type=int, nargs="+", default=[4], help="streams job: tap setting(s) (default 4)"
    )
    parser.add_argument("--tap", default=TAP, help="the tap executable (default .venv/bin/tap-restspec)")
    parser.add_argument("--profile-target", metavar="SETTING", help="py-spy target-postgres on one load")
    parser.add_argument("--top", type=int, default=25, help="functions to list when profiling")
    args = parser.parse_args()
    if args.loader == ["all"]:
        args.loader = list(PRESETS)
    unknown = set(args.loader) - set(PRESETS) | ({args.profile_target} - set(PRESETS) - {None})
    if unknown:
        parser.error(f"unknown loader setting(s): {', '.join(sorted(map(str, unknown)))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    atexit.register(kill_live)
    started = time.perf_counter()
    print(f"# Pipeline bench, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print(f"{machine()}; load average {load()}; {args.pairs} pairs per figure, median [min..max]\n")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    path = f", PYTHONPATH={os.environ['PYTHONPATH']}" if os.environ.get("PYTHONPATH") else ""
    print(f"tap: {args.tap}{path}; repository at {head.stdout.strip() or '?'}\n")
    try:
        with tempfile.TemporaryDirectory(prefix="restspec-pipeline-") as tmp:
            workdir = Path(tmp)
            if args.profile_target:
                with mock_api(args.records, utc_offset=args.utc_offset) as url, pg_cluster() as cluster:
                    Loader(args, url, cluster, workdir).profile(args.profile_target)
                return
            if {"tap", "load"} & set(args.jobs):
                with mock_api(args.records, utc_offset=args.utc_offset) as url:
                    if "tap" in args.jobs:
                        with job("Tap alone against the loop floor"):
                            job_tap(args, url, workdir)
                    if "load" in args.jobs:
                        title = f"tap-restspec | target-postgres {TARGET_VERSION} against the COPY floor"
                        with job(title), pg_cluster() as cluster:
                            Loader(args, url, cluster, workdir).run()
            if "streams" in args.jobs:
                with job(f"{args.streams} streams against 1 at {args.latency_ms:g} ms a request"):
                    job_streams(args, workdir)
            if "startup" in args.jobs:
                with job("Start-up"):
                    job_startup(args)
    finally:
        kill_live()
    print(f"total {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; stopped what the bench had started")
