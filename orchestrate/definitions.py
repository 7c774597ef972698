"""Dagster definitions made from the Meltano project's jobs and schedules.

`dagster-meltano` turns each Meltano job into a Dagster job, one op per task (`meltano
run <task>` in the project directory), and each Meltano schedule into a Dagster
schedule. Consecutive tasks that each run an extractor become ops with no order
between them: the job `restspec-shards` (shards.meltano.yml) runs its three shards at once.

Environment: MELTANO_PROJECT_ROOT (the Meltano project; default the directory above
this one), `meltano` on PATH, and the settings Meltano passes on (TAP_RESTSPEC_*,
TARGET_POSTGRES_*, MELTANO_DATABASE_URI or a state backend).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dagster import Definitions, JobDefinition, ScheduleDefinition, multiprocess_executor
from dagster_meltano import load_jobs_from_meltano_project

PROJECT_ROOT = os.environ.get("MELTANO_PROJECT_ROOT") or str(Path(__file__).resolve().parents[1])


def _load(project_root: str) -> Definitions:
    if shutil.which("meltano") is None:
        # dagster-meltano runs `meltano` from PATH, without saying so when it is missing.
        raise RuntimeError("orchestrate: `meltano` is not on PATH (put Meltano's virtualenv bin/ on it)")
    loaded = load_jobs_from_meltano_project(project_root)
    jobs = [d for d in loaded if isinstance(d, JobDefinition)]
    schedules = [d for d in loaded if isinstance(d, ScheduleDefinition)]
    # Every op of a job may run at once: each mostly waits on its `meltano run`, so the
    # default bound (one process per CPU) would hold a shard back on a small machine.
    widest = max((len(job.graph.nodes) for job in jobs), default=1)
    executor = multiprocess_executor.configured({"max_concurrent": widest})
    return Definitions(jobs=jobs, schedules=schedules, executor=executor)


defs = _load(PROJECT_ROOT)


def job_named(name: str) -> JobDefinition:
    """A job of `defs` by name: what step processes rebuild (`build_reconstructable_job`)."""
    return defs.get_job_def(name)
