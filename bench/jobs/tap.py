"""Job `tap`: tap-restspec alone against the loop floor (bench/floor.py), on the mock API."""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from harness import Sample, floor_command, mb, progress, run_one, spread, table, tap_config


def run(args: argparse.Namespace, url: str, workdir: Path) -> None:
    """`--pairs` pairs of (tap, floor) on `--records` records, OFFSET pages of `--page-size`."""
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
