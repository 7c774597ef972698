"""Fixtures for the end-to-end tests: PostgreSQL, the demo API and a Meltano project.

Nothing here touches the working tree's Meltano project: the project is copied to a
temporary directory (without .git, venvs or .meltano, so `pip install -e .` is shown
to work from a plain copy), its system database is a SQLite file there, and every
setting comes from environment variables, as a scheduler would set them.

Without PostgreSQL server binaries or Meltano (MELTANO_BIN, else .meltano-venv/, else
PATH) the tests fail: scripts/test installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devtools.meltano import find as find_meltano
from devtools.pg import PgCluster, bin_dir

ROOT = Path(__file__).resolve().parents[2]


# Variables of the caller's environment that would leak into the Meltano project.
_LEAKY_PREFIXES = ("TAP_RESTSPEC_", "TARGET_POSTGRES_", "TARGET_JSONL_", "MELTANO_", "PG")
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".meltano",
    ".meltano-venv",
    ".demo",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "*.egg-info",
    "results",
)


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    """What the copy leaves out: `_IGNORED` anywhere, and target-jsonl's `output/` at the root only
    (`tap_restspec/output/` is the tap's own code).
    """
    ignored = set(_IGNORED(directory, names))
    if Path(directory).resolve() == ROOT and "output" in names:
        ignored.add("output")
    return ignored


def _unavailable(reason: str) -> None:
    pytest.fail(f"{reason}: the end-to-end tests must run (scripts/test installs what they need)")


@dataclass
class MeltanoProject:
    """A temporary copy of the project and the environment to run Meltano in it."""

    root: Path
    meltano: str
    env: dict[str, str]
    log_dir: Path
    runs: list[str] = field(default_factory=list)

    def __call__(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 600,
        extra_env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `meltano ARGS...` in the project; on failure, show its output."""
        env = {**self.env, **(extra_env or {})}
        started = time.monotonic()
        proc = subprocess.run(
            [self.meltano, *args],
            cwd=self.root,
            env=env,
            text=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
        took = time.monotonic() - started
        name = f"{len(self.runs) + 1:02d}-{'_'.join(a.strip('-') for a in args)[:60]}.log"
        (self.log_dir / name).write_text(
            f"$ meltano {' '.join(args)}\n# exit {proc.returncode}, {took:.1f}s\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
        self.runs.append(name)
        print(f"meltano {' '.join(args)}: exit {proc.returncode} in {took:.1f}s", file=sys.stderr)
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
            pytest.fail(f"meltano {' '.join(args)} exited {proc.returncode}:\n{tail}")
        return proc

    def state(self, state_id: str) -> dict[str, Any]:
        """`meltano state get STATE_ID`, parsed."""
        out = self("state", "get", state_id).stdout
        start = out.find("{")
        assert start >= 0, f"no JSON in `meltano state get {state_id}`: {out!r}"
        return json.loads(out[start:])


@pytest.fixture(scope="session")
def meltano_bin() -> str:
    found = find_meltano()  # MELTANO_BIN, else .meltano-venv's, else `meltano` on PATH
    if found is None:
        _unavailable("Meltano not found (run scripts/test, or set MELTANO_BIN)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def pg() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster on a free port."""
    if bin_dir() is None:
        _unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    cluster = PgCluster()
    try:
        cluster.start()
    except RuntimeError as exc:
        cluster.stop()
        _unavailable(f"could not start PostgreSQL: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def demo_api() -> Iterator[Any]:
    """The bundled demo API on a free port (data: the 30 days before now)."""
    from demo.api import DemoAPI

    api = DemoAPI(port=0, seed=7)
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="session")
def meltano_project(meltano_bin: str, pg: Any, demo_api: Any) -> Iterator[MeltanoProject]:
    """A copy of the project with its plugins installed (`meltano install`)."""
    base = Path(tempfile.mkdtemp(prefix="restspec-e2e-"))
    root = base / "project"
    shutil.copytree(ROOT, root, ignore=_copy_ignore, symlinks=True)
    log_dir = base / "logs"
    log_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        {
            "MELTANO_DATABASE_URI": f"sqlite:///{base / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_ENVIRONMENT": "dev",
            "NO_COLOR": "1",
            # The dev environment's specs and params; the demo API's address and
            # (dummy) credentials, as a scheduler would pass them.
            "TAP_RESTSPEC_BASE_URL": demo_api.url,
            "TAP_RESTSPEC_USERNAME": "demo",
            "TAP_RESTSPEC_PASSWORD": "demo",
            "TAP_RESTSPEC_MAX_RETRIES": "2",
            "TAP_RESTSPEC_REQUEST_TIMEOUT": "30",
            **{k: v for k, v in pg.env().items() if k.startswith("TARGET_POSTGRES_")},
        }
    )
    project = MeltanoProject(root=root, meltano=meltano_bin, env=env, log_dir=log_dir)
    print(f"e2e Meltano project: {root} (logs in {log_dir})", file=sys.stderr)
    project("install", timeout=900)
    try:
        yield project
    finally:
        if os.environ.get("RESTSPEC_KEEP_E2E") == "1":
            print(f"kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
