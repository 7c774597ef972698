"""`--profile-target SETTING`: one pipeline with target-postgres under `py-spy record --idle`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness import table

from jobs.load import Loader

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
    ("imports", "_find_and_load"),
)


def run(loader: Loader, name: str) -> None:
    """The share of the wall time in each stage, and the top functions by own samples."""
    loader.prepare()
    loader.copy_floor()
    out = loader.workdir / "target.pyspy"
    spy = [str(loader.bin / "py-spy"), "record", "--idle", "-r", "100", "-f", "raw", "-o", str(out), "--"]
    wall, _, _ = loader.pipeline(name, spy)
    print(f"py-spy on target-postgres (`{name}`, {loader.args.records:,} records): {wall:.1f}s under py-spy")
    print("(--idle: waits on PostgreSQL and on the tap's pipe are counted, so shares are of wall time)\n")
    summarize(out, loader.args.top)


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
