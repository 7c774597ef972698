"""Pipeline bench (issue 16): the user's whole job, each part against its floor, in one run.

    .venv/bin/python bench/pipeline.py                                # every job, defaults
    .venv/bin/python bench/pipeline.py --jobs load --loader all       # every loader setting
    .venv/bin/python bench/pipeline.py --records 20000 --requests 20 --pairs 2   # a quick check
    .venv/bin/python bench/pipeline.py --profile-target meltano       # py-spy on target-postgres

Jobs (--jobs, default all four), one module each in bench/jobs/:
  tap      tap-restspec alone / the loop floor (bench/floor.py), on the mock API
  load     tap-restspec | target-postgres 0.8.1, per loader setting (--loader), / the COPY
           floor (bench/copy_floor.py) of the tap's saved records into the same shape of
           table, in a throwaway PostgreSQL; rows compared (count, md5 of the data columns)
  streams  N streams at --latency-ms / one stream (tap setting max_parallel); N floor loops
           in parallel / one floor loop, as the reference
  startup  tap-restspec --about / floor.py --help (interpreter and imports)
  partitions  (only when named) N list partitions and N/5 child passes in one process, at
           each N of --partitions: peak RSS, time per request and STATE bytes per unit
           against the smallest N, and a run resumed from a STATE halfway

Every figure is a ratio per pair (subject, then its floor, run back to back), printed as
median [min..max] over --pairs pairs; wall times likewise. Peak RSS and CPU time of each
process come from os.wait4 on that process itself (bench/harness.py). The machine's load
average is printed before and after each job. target-postgres runs from its own virtualenv
under bench/results/venvs/ (made on first use: pip install meltanolabs-target-postgres==0.8.1).
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from harness import ROOT, TAP, TARGET_VERSION, job, kill_live, load, machine, mock_api, pg_cluster
from jobs import load as load_job
from jobs import partitions, startup, streams, tap, target_profile

JOBS = ("tap", "load", "streams", "startup")
OPTIONAL = ("partitions",)  # run only when named: minutes at 100k partitions


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--jobs", nargs="+", choices=JOBS + OPTIONAL, default=list(JOBS), help="default: all but partitions"
    )
    parser.add_argument("--pairs", type=int, default=3, help="pairs per figure (default 3)")
    parser.add_argument("--records", type=int, default=200_000, help="tap and load jobs (default 200000)")
    parser.add_argument("--page-size", type=int, default=1000, help="tap and load jobs (default 1000)")
    presets = load_job.PRESETS
    parser.add_argument(
        "--loader",
        nargs="+",
        default=list(load_job.DEFAULT_PRESETS),
        help=f"loader settings (default {' '.join(load_job.DEFAULT_PRESETS)}; 'all': every one):\n"
        + "\n".join(f"  {name}: {p.about}" for name, p in presets.items()),
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
    parser.add_argument(
        "--partitions",
        type=int,
        nargs="+",
        default=[1_000, 10_000, 100_000],
        help="partitions job: sizes (default 1000 10000 100000)",
    )
    parser.add_argument("--no-resume", action="store_true", help="partitions job: skip the resumed runs")
    parser.add_argument("--tap", default=TAP, help="the tap executable (default .venv/bin/tap-restspec)")
    parser.add_argument("--profile-target", metavar="SETTING", help="py-spy target-postgres on one load")
    parser.add_argument("--top", type=int, default=25, help="functions to list when profiling")
    args = parser.parse_args()
    if args.loader == ["all"]:
        args.loader = list(presets)
    unknown = set(args.loader) - set(presets) | ({args.profile_target} - set(presets) - {None})
    if unknown:
        parser.error(f"unknown loader setting(s): {', '.join(sorted(map(str, unknown)))}")
    return args


def header(args: argparse.Namespace) -> None:
    print(f"# Pipeline bench, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print(f"{machine()}; load average {load()}; {args.pairs} pairs per figure, median [min..max]\n")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    path = f", PYTHONPATH={os.environ['PYTHONPATH']}" if os.environ.get("PYTHONPATH") else ""
    print(f"tap: {args.tap}{path}; repository at {head.stdout.strip() or '?'}\n")


def run_jobs(args: argparse.Namespace, workdir: Path) -> None:
    if args.profile_target:
        with mock_api(args.records, utc_offset=args.utc_offset) as url, pg_cluster() as cluster:
            target_profile.run(load_job.Loader(args, url, cluster, workdir), args.profile_target)
        return
    if {"tap", "load"} & set(args.jobs):
        with mock_api(args.records, utc_offset=args.utc_offset) as url:
            if "tap" in args.jobs:
                with job("Tap alone against the loop floor"):
                    tap.run(args, url, workdir)
            if "load" in args.jobs:
                title = f"tap-restspec | target-postgres {TARGET_VERSION} against the COPY floor"
                with job(title), pg_cluster() as cluster:
                    load_job.Loader(args, url, cluster, workdir).run()
    if "streams" in args.jobs:
        with job(f"{args.streams} streams against 1 at {args.latency_ms:g} ms a request"):
            streams.run(args, workdir)
    if "startup" in args.jobs:
        with job("Start-up"):
            startup.run(args)
    if "partitions" in args.jobs:
        with job("Many partitions in one process"):
            partitions.run(args, workdir)


def main() -> None:
    args = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    atexit.register(kill_live)
    started = time.perf_counter()
    header(args)
    try:
        with tempfile.TemporaryDirectory(prefix="restspec-pipeline-") as tmp:
            run_jobs(args, Path(tmp))
    finally:
        kill_live()
    print(f"total {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; stopped what the bench had started")
