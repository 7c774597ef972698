"""Job `startup`: tap-restspec --about (and target-postgres --about) against floor.py --help."""

from __future__ import annotations

import argparse

from harness import BENCH, PYTHON, VENV, Sample, mb, run_one, spread, table


def run(args: argparse.Namespace) -> None:
    """Interpreter start-up and imports, each against Python with requests and orjson."""
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
