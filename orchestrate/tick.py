"""Run one tick of a schedule now, as Dagster's scheduler would, and wait for the run.

    python -m orchestrate.tick [SCHEDULE] [--at ISO-TIME]

Evaluates SCHEDULE (default `restspec_shards_hourly`) as of the tick's time (default:
now), then executes each run it asks for with the job's executor (the multiprocess
executor: one process per op) on the Dagster instance of $DAGSTER_HOME. Prints one JSON
line per run: its id, status, and each step's start and end (epoch seconds). Exits 1 when
the tick asked for no run or a run did not succeed.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from datetime import datetime, timezone
from typing import Any

from dagster import (
    DagsterEventType,
    DagsterInstance,
    ExperimentalWarning,
    build_reconstructable_job,
    build_schedule_context,
    execute_job,
)

from orchestrate.definitions import defs

# build_reconstructable_job is Dagster's public way to rebuild a job by name in the step
# processes; Dagster 1.9 marks it experimental, and says so on every call.
warnings.filterwarnings("ignore", category=ExperimentalWarning)


def step_times(instance: DagsterInstance, run_id: str) -> dict[str, dict[str, Any]]:
    """Each step's start, end and success, from the run's events."""
    steps: dict[str, dict[str, Any]] = {}
    ends = (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE)
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            steps.setdefault(event.step_key, {})["start"] = entry.timestamp
        elif event.event_type in ends:
            steps.setdefault(event.step_key, {})["end"] = entry.timestamp
            steps[event.step_key]["ok"] = event.event_type == DagsterEventType.STEP_SUCCESS
    return steps


def run_tick(name: str, at: datetime | None) -> list[dict[str, Any]]:
    """Evaluate schedule `name` as of `at` (default now); execute its runs; report each."""
    schedule = defs.get_schedule_def(name)
    when = at or datetime.now(timezone.utc)
    instance = DagsterInstance.get()
    context = build_schedule_context(instance=instance, scheduled_execution_time=when)
    data = schedule.evaluate_tick(context)
    reports = []
    for request in data.run_requests or []:
        job = build_reconstructable_job(
            "orchestrate.definitions", "job_named", reconstructable_args=(schedule.job_name,)
        )
        tags = {**request.tags, "dagster/schedule_name": name}
        with execute_job(job, instance, run_config=request.run_config, tags=tags) as result:
            run_id = result.run_id
            reports.append(
                {
                    "schedule": name,
                    "tick": when.isoformat(),
                    "job": schedule.job_name,
                    "run_id": run_id,
                    "success": result.success,
                    "steps": step_times(instance, run_id),
                }
            )
    return reports


def main(argv: list[str] | None = None) -> int:
    """Command line: run one tick, print the reports, exit 0 when every run succeeded."""
    parser = argparse.ArgumentParser(prog="python -m orchestrate.tick", description=__doc__.split("\n")[0])
    parser.add_argument("schedule", nargs="?", default="restspec_shards_hourly")
    parser.add_argument("--at", type=datetime.fromisoformat, help="the tick's time (ISO 8601)")
    args = parser.parse_args(argv)
    reports = run_tick(args.schedule, args.at)
    for report in reports:
        print(json.dumps(report), flush=True)
    return 0 if reports and all(r["success"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
