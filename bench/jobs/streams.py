"""Job `streams`: N streams against one, at a latency; N floor loops in parallel as the reference."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from harness import (
    BENCH,
    Sample,
    check,
    floor_command,
    mb,
    mock_api,
    progress,
    reap,
    run_one,
    spread,
    start,
    table,
)

STREAM = "items"


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
    """N floor loops started together: the wall time of all, and each one's sample."""
    started = time.perf_counter()
    children = [start(f"floor {k + 1}", command, count=True) for k in range(n)]
    samples = [reap(child) for child in children]
    wall = time.perf_counter() - started
    check(*children)
    if any(s.records != expect for s in samples):
        raise SystemExit(f"parallel floors: {[s.records for s in samples]} records, not {expect} each")
    return wall, samples


def run(args: argparse.Namespace, workdir: Path) -> None:
    """`--pairs` rounds of: the tap on 1 and on N streams (per max_parallel), 1 and N floor loops."""
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
    report(args, taps, floors)


def report(
    args: argparse.Namespace,
    taps: list[tuple[Sample, dict[int, Sample]]],
    floors: list[tuple[Sample, float, list[Sample]]],
) -> None:
    n = args.streams
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
