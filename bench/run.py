"""Benchmark tap-restspec against the floor (bench/floor.py) on the mock API (bench/mock_api.py).

    .venv/bin/python bench/run.py [--records 200000 1000000] [--page-sizes 100 1000] [--runs 3]
                                  [--types offset page pointer token offset_noschema offset_small]
    .venv/bin/python bench/run.py --profile [--records 200000] [--types offset]
    .venv/bin/python bench/run.py --save-records before.jsonl      # 20k records, every type
    .venv/bin/python bench/run.py --compare-records before.jsonl after.jsonl

Each timed program is a child process (the mock API is another): wall time from start to
exit, CPU time and peak RSS from `os.wait4`, and the RECORD lines counted from its stdout.
Runs alternate floor, tap, floor, tap... so that drift hits both alike.
"""

from __future__ import annotations

import argparse
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
from harness import PYTHON, ROOT, TAP, Sample, floor_command, is_small, machine, mock_api, run_one, tap_config

TYPES = ("offset", "page", "pointer", "token", "offset_noschema", "offset_small")
CHECK_RECORDS = 20_000

PROFILE_CODE = """
import cProfile, sys
out = sys.argv[1]
sys.argv = ["tap-restspec", *sys.argv[2:]]
from tap_restspec.tap import main
profile = cProfile.Profile()
try:
    profile.runcall(main)
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
finally:
    profile.dump_stats(out)
"""


def measure(command: list[str], cwd: Path) -> Sample:
    """Run a command, count its RECORD lines; wall time, CPU time and peak RSS from wait4."""
    return run_one(" ".join(command), command, count=True, cwd=cwd)


def capture(command: list[str], cwd: Path) -> bytes:
    """A command's stdout (it must succeed)."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-3000:]}")
    return done.stdout


# --- timing ------------------------------------------------------------------------


def bench(args: argparse.Namespace, workdir: Path) -> None:
    types = args.types or ["offset"]
    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}")
    startup = [measure([args.tap, "--about"], workdir).wall for _ in range(3)]
    print(f"# tap-restspec --about (imports and CLI, no sync): {statistics.median(startup):.2f}s")
    rows: list[tuple[str, ...]] = []
    for total in args.records:
        with mock_api(total, small=any(map(is_small, types))) as url:
            measure(floor_command(types[0], max(args.page_sizes), url), workdir)  # warm-up
            cases = [(t, size) for t in types for size in args.page_sizes]
            samples: dict[tuple[str, int, str], list[Sample]] = {}
            for run in range(args.runs):
                for spec_type, size in cases:
                    config = tap_config(workdir, spec_type, size, url)
                    programs = {
                        "floor": floor_command(spec_type, size, url),
                        "tap": [args.tap, "--config", str(config)],
                    }
                    for program, command in programs.items():
                        sample = measure(command, workdir)
                        if sample.records != total:
                            raise SystemExit(
                                f"{program} {spec_type}/{size}: {sample.records} records, not {total}"
                            )
                        samples.setdefault((spec_type, size, program), []).append(sample)
                        print(
                            f"  run {run + 1}/{args.runs} {total} {spec_type:<15} {size:>5} {program:<5} "
                            f"{sample.wall:7.2f}s cpu {sample.cpu:6.2f}s rss {sample.rss_kb / 1024:6.1f} MB",
                            file=sys.stderr,
                            flush=True,
                        )
            for spec_type, size in cases:
                floor_wall = statistics.median(s.wall for s in samples[(spec_type, size, "floor")])
                for program in ("floor", "tap"):
                    runs = samples[(spec_type, size, program)]
                    wall = statistics.median(s.wall for s in runs)
                    rows.append(
                        (
                            f"{total:,}",
                            spec_type,
                            str(size),
                            program,
                            f"{wall:.2f}",
                            f"{min(s.wall for s in runs):.2f}",
                            f"{total / wall:,.0f}",
                            f"{wall / floor_wall:.2f}",
                            f"{statistics.median(s.cpu for s in runs):.2f}",
                            f"{max(s.rss_kb for s in runs) / 1024:.0f}",
                        )
                    )
    header = (
        "records",
        "type",
        "page",
        "program",
        "median s",
        "min s",
        "rec/s",
        "x floor",
        "cpu s",
        "peak RSS MB",
    )
    print_table(header, rows, args.runs)


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]], runs: int) -> None:
    print(f"# median of {runs} runs; x floor = median wall time / the floor's")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " if i < 4 else " ---: " for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


# --- profile -----------------------------------------------------------------------


def profile(args: argparse.Namespace, workdir: Path) -> None:
    total, spec_type, size = args.records[0], (args.types or ["offset"])[0], args.page_sizes[0]
    out = Path(args.profile_out or workdir / "tap.prof").resolve()
    with mock_api(total, small=is_small(spec_type)) as url:
        config = tap_config(workdir, spec_type, size, url)
        started = time.perf_counter()
        done = subprocess.run(
            [PYTHON, "-c", PROFILE_CODE, str(out), "--config", str(config)],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"profiled tap exited {done.returncode}:\n{done.stderr.decode()[-3000:]}")
    print(
        f"# cProfile of tap-restspec: {total:,} records, {spec_type}, page {size}: "
        f"{time.perf_counter() - started:.1f}s under the profiler; stats in {out}"
    )
    stats = pstats.Stats(str(out))
    for key, title in (("cumulative", "cumulative time"), ("tottime", "own (total) time")):
        print(f"\n## top {args.top} by {title}\n")
        print(f"| {'ncalls':>10} | {'tottime':>8} | {'cumtime':>8} | function |")
        print(f"| {'---:':>10} | {'---:':>8} | {'---:':>8} | --- |")
        column = 3 if key == "cumulative" else 2
        table = stats.stats  # type: ignore[attr-defined]
        entries = sorted(table.items(), key=lambda item: item[1][column], reverse=True)
        for (filename, line, name), (_, calls, tottime, cumtime, _) in entries[: args.top]:
            print(f"| {calls:>10} | {tottime:8.2f} | {cumtime:8.2f} | `{where(filename, line, name)}` |")


def where(filename: str, line: int, name: str) -> str:
    """`package/module.py:line(function)`, without the site-packages prefix."""
    if filename == "~":
        return name
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    else:
        filename = re.sub(r"^.*/lib/python3\.\d+/", "", filename)
    return f"{filename}:{line}({name})"


# --- identical output --------------------------------------------------------------


def canonical(output: bytes, case: str) -> list[bytes]:
    """SCHEMA and RECORD messages, keys sorted, tagged with the case; without what differs from run
    to run: `time_extracted`, and the table version (`version`, the run's start in ms) that a
    full-table stream's records carry.
    """
    lines = []
    for line in output.splitlines():
        message = orjson.loads(line)
        if message.get("type") in ("SCHEMA", "RECORD"):
            message.pop("time_extracted", None)
            message.pop("version", None)
            message["case"] = case
            lines.append(orjson.dumps(message, option=orjson.OPT_SORT_KEYS))
    return lines


def save_records(args: argparse.Namespace, workdir: Path) -> None:
    total = args.records[0] if args.records_given else CHECK_RECORDS
    target = Path(args.save_records)
    mismatches = 0
    types = args.types or list(TYPES)
    with mock_api(total, small=any(map(is_small, types))) as url, target.open("wb") as out:
        for spec_type in types:
            for size in args.page_sizes:
                case = f"{spec_type}/{size}"
                config = tap_config(workdir, spec_type, size, url)
                tap = canonical(capture([args.tap, "--config", str(config)], workdir), case)
                floor = canonical(capture(floor_command(spec_type, size, url), workdir), case)
                tap_records = [line for line in tap if b'"type":"RECORD"' in line]
                floor_records = [line for line in floor if b'"type":"RECORD"' in line]
                same = tap_records == floor_records
                mismatches += not same
                print(f"{case}: {len(tap_records)} records; same as the floor's: {'yes' if same else 'NO'}")
                out.write(b"\n".join(tap) + b"\n")
    print(f"wrote {target}")
    if mismatches:
        sys.exit(1)


def compare_records(first: Path, second: Path) -> None:
    def load(path: Path) -> dict[str, list[bytes]]:
        cases: dict[str, list[bytes]] = {}
        for line in path.read_bytes().splitlines():
            cases.setdefault(orjson.loads(line)["case"], []).append(line)
        return cases

    a, b = load(first), load(second)
    differ = 0
    for case in sorted(set(a) | set(b)):
        left, right = a.get(case, []), b.get(case, [])
        if not left or not right:
            differ += 1
            print(f"{case}: only in {first if left else second}")
            continue
        diffs = [i for i in range(max(len(left), len(right))) if left[i : i + 1] != right[i : i + 1]]
        differ += bool(diffs)
        print(f"{case}: {len(left)} vs {len(right)} messages, {len(diffs)} differ")
        for i in diffs[:3]:
            print(f"  line {i + 1}:\n    {first}: {left[i][:300] if i < len(left) else '(none)'!r}")
            print(f"    {second}: {right[i][:300] if i < len(right) else '(none)'!r}")
    print("identical" if not differ else f"{differ} case(s) differ")
    sys.exit(1 if differ else 0)


# --- main --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", help="total records (default 200000)")
    parser.add_argument("--page-sizes", type=int, nargs="+", default=[1000], help="default 1000")
    parser.add_argument("--runs", type=int, default=3, help="runs of each program (default 3)")
    parser.add_argument("--types", nargs="+", choices=TYPES, help="spec types (default offset)")
    parser.add_argument("--tap", default=TAP, help="the tap executable (default .venv/bin/tap-restspec)")
    parser.add_argument("--profile", action="store_true", help="run the tap once under cProfile")
    parser.add_argument("--profile-out", help="where to keep the .prof file")
    parser.add_argument("--top", type=int, default=30, help="functions to list (default 30)")
    parser.add_argument("--save-records", metavar="OUT", help="save the tap's messages (20k records)")
    parser.add_argument("--compare-records", nargs=2, metavar=("A", "B"), type=Path)
    args = parser.parse_args()
    args.records_given = args.records is not None
    args.records = args.records or [200_000]
    if args.compare_records:
        compare_records(*args.compare_records)
    with tempfile.TemporaryDirectory(prefix="restspec-bench-") as tmp:
        workdir = Path(tmp)
        if args.profile:
            profile(args, workdir)
        elif args.save_records:
            save_records(args, workdir)
        else:
            bench(args, workdir)


if __name__ == "__main__":
    main()
