"""What every bench job shares: measured child processes, the mock API, PostgreSQL, figures.

- A measured program is a direct child of the bench: its wall time runs from its start to
  its exit, and its CPU time and peak RSS come from `os.wait4` on its own pid (the
  accounting `/usr/bin/time` reports), so no figure is a parent's or a sibling's. Its
  RECORD lines can be counted from its stdout.
- The mock API (`bench/mock_api.py`) runs in a process of its own, on a free port.
- PostgreSQL is a throwaway cluster from `tests/pg.py`; target-postgres runs from the
  bench's own virtualenv under `bench/results/venvs/`, made on first use.
- Figures are ratios per pair (a subject and its floor, run back to back), printed as
  `median [min..max]`, in Markdown tables on stdout; progress goes to stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TAP = str(ROOT / ".venv" / "bin" / "tap-restspec")
PG_TOOL = ROOT / "devtools" / "pg.py"  # the throwaway PostgreSQL the tests use
RECORD = b'"type":"RECORD"'

TARGET_VERSION = "0.8.1"
VENV = BENCH / "results" / "venvs" / f"target-postgres-{TARGET_VERSION}"
VENV_PACKAGES = (f"meltanolabs-target-postgres=={TARGET_VERSION}", "orjson==3.13.0", "py-spy==0.4.3")


@dataclass
class Sample:
    """One run of one program."""

    wall: float
    cpu: float
    rss_kb: int
    records: int


# --- measured processes ------------------------------------------------------------

LIVE: dict[int, subprocess.Popen[bytes]] = {}  # measured children still running
MOCKS: list[subprocess.Popen[str]] = []  # the mock API processes running now


def count_records(stream: IO[bytes]) -> int:
    """RECORD lines in a byte stream, read in large chunks."""
    count, tail = 0, b""
    keep = len(RECORD) - 1
    while chunk := stream.read(1 << 20):
        data = tail + chunk
        count += data.count(RECORD)
        tail = data[-keep:]  # too short to hold a whole match, so none is counted twice
    return count


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
    cwd: Path = ROOT,
) -> Child:
    """Start a measured child; with `count`, its RECORD lines are counted from its stdout."""
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by check())
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
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
    """Run one measured child to its end; with `expect`, it must emit exactly that many records."""
    count = kwargs.pop("count", False) or expect is not None
    child = start(name, command, count=count, **kwargs)
    sample = reap(child)
    check(child)
    if expect is not None and sample.records != expect:
        raise SystemExit(f"{name}: {sample.records} records, not {expect}")
    return sample


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the mock API, the floor, the tap's configs --------------------------------------


@contextlib.contextmanager
def mock_api(
    records: int, latency_ms: float = 0, utc_offset: float = 0, small: bool = False
) -> Iterator[str]:
    """Start the mock API on a free port (`small`: the small records too, under /small); yield its URL."""
    process = subprocess.Popen(
        [PYTHON, str(BENCH / "mock_api.py"), "--records", str(records), "--port", "0"]
        + (["--latency-ms", str(latency_ms)] if latency_ms else [])
        + (["--utc-offset", str(utc_offset)] if utc_offset else [])
        + (["--small"] if small else []),
        stdout=subprocess.PIPE,
        text=True,
    )
    MOCKS.append(process)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("ready "):
            raise SystemExit(f"mock API did not start: {line!r}")
        yield line.split(" ", 1)[1]
    finally:
        MOCKS.remove(process)
        process.terminate()
        process.wait(timeout=30)


def kind_of(spec_type: str) -> str:
    """The mock endpoint (and floor type) of a spec: `offset_noschema` -> `offset`."""
    return spec_type.split("_")[0]


def is_small(spec_type: str) -> bool:
    """The spec reads the mock's small records (under /small): `offset_small`."""
    return spec_type.endswith("_small")


def tap_config(workdir: Path, spec_type: str, page_size: int, url: str) -> Path:
    """A spec from bench/specs with this page size, and a config pointing it at the mock API."""
    document = json.loads((BENCH / "specs" / f"{spec_type}.json").read_text())
    attributes = document["sourceSpec"]["attributes"]
    if "limitValue" in attributes["paginationParams"]:
        attributes["paginationParams"]["limitValue"] = str(page_size)
    if "limit" in attributes["urlParams"].get("queryParams", {}):
        attributes["urlParams"]["queryParams"]["limit"] = str(page_size)
    spec = workdir / f"{spec_type}_{page_size}.json"
    spec.write_text(json.dumps(document))
    config = workdir / f"config_{spec_type}_{page_size}.json"
    config.write_text(json.dumps({"specs": [str(spec)], "base_url": url}))
    return config


def floor_command(spec_type: str, page_size: int, url: str) -> list[str]:
    """bench/floor.py on the mock API's endpoint for this spec type."""
    floor = str(BENCH / "floor.py")
    url = f"{url}/small" if is_small(spec_type) else url
    return [PYTHON, floor, "--url", url, "--limit", str(page_size), "--type", kind_of(spec_type)]


# --- PostgreSQL and target-postgres -------------------------------------------------


def pg_module() -> Any:
    """tests/pg.py, imported by path (it is not a package)."""
    spec = importlib.util.spec_from_file_location("restspec_tests_pg", PG_TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def pg_cluster() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster, stopped at the end (also on an error or SIGTERM)."""
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


# --- figures -----------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


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
    """A job's heading, and the machine's load average before and after it."""
    before = load()
    print(f"## {title}\n")
    started = time.perf_counter()
    yield
    took = time.perf_counter() - started
    print(f"load average (1, 5, 15 min) before: {before}; after: {load()}; {took:.0f}s\n")


def mb(samples: Sequence[Sample]) -> str:
    return f"{max(s.rss_kb for s in samples) / 1024:.0f}"
