"""End to end through real targets: big integers stay exact, and a signalled run resumes.

* A 30-digit id reaches target-jsonl as the same digits and PostgreSQL as `numeric`
  (through `meltano run`).
* `tap-restspec | target-postgres` and `tap-restspec | target-jsonl`: SIGTERM while a
  window slice is in flight; the tap exits 143, the target commits what it was sent and
  emits the last STATE; a run from that state loads the rest, and nothing is missing or
  loaded twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_hostile_servers import BIG, DAYS, SCHEMA, WINDOW, Days
from tests.helpers import TAP_BIN, Reply, Server, source_spec

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project



def write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def test_a_30_digit_integer_stays_exact_in_jsonl_and_postgres(meltano_project, pg):
    body = b'{"items": [{"id": %d, "n": 1}, {"id": 5, "n": 2}]}' % BIG
    with Server(lambda seen: Reply(raw=body)) as api:
        spec = write(
            meltano_project.root / "big.json",
            {**source_spec(api.url), "singer": {"name": "big", "primaryKeys": ["id"]}},
        )
        env = {
            "TAP_RESTSPEC_SPECS": json.dumps([spec]),
            "TAP_RESTSPEC_BASE_URL": api.url,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "e2e_big",
        }
        meltano_project("run", "--state-id-suffix", "big", "tap-restspec", "target-postgres", extra_env=env)
        out = meltano_project.root / "output-big"
        out.mkdir(exist_ok=True)
        env["TARGET_JSONL_DESTINATION_PATH"] = str(out)
        meltano_project(
            "run", "--state-id-suffix", "big-jsonl", "tap-restspec", "target-jsonl", extra_env=env
        )
    assert sorted(r[0] for r in pg.psql('SELECT id::text FROM e2e_big."big"')) == sorted([str(BIG), "5"])
    columns = "SELECT data_type FROM information_schema.columns WHERE table_schema = 'e2e_big'"
    kind = pg.psql(f"{columns} AND column_name = 'id'")
    assert kind == [["numeric"]]
    lines = [line for f in out.glob("big*.jsonl") for line in f.read_text().splitlines()]
    assert str(BIG) in "".join(lines) and "e+29" not in "".join(lines)
    assert sorted(json.loads(line)["id"] for line in lines) == [5, BIG]


def pipeline(tap_config: Path, target: list[str], cwd: Path, env: dict[str, str], state: Any = None):
    """Start `tap-restspec | target`; return both processes."""
    command = [TAP_BIN, "--config", str(tap_config)]
    if state is not None:
        (cwd / "state.json").write_text(json.dumps(state))
        command += ["--state", str(cwd / "state.json")]
    environment = {**os.environ, "PYTHONWARNINGS": "ignore", **env}
    tap = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    loader = subprocess.Popen(
        target, cwd=cwd, stdin=tap.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    assert tap.stdout is not None
    tap.stdout.close()  # the target holds the pipe now
    return tap, loader


def last_state(output: bytes) -> Any:
    lines = [line for line in output.decode().splitlines() if line.strip().startswith("{")]
    return json.loads(lines[-1])


@pytest.mark.parametrize("loader", ["target-postgres", "target-jsonl"])
def test_sigterm_then_a_rerun_from_the_targets_state_loses_nothing(meltano_project, pg, tmp_path, loader):
    days = Days()
    with Server(days) as api:
        document = {
            **source_spec(api.url, schema=SCHEMA, schedule=WINDOW),
            "singer": {"name": "days", "primaryKeys": ["id"], "windowStep": "P1D"},
        }
        config = {
            "specs": [write(tmp_path / "days.json", document)],
            "start_date": DAYS[0],
            "end_date": DAYS[-1],
            "request_timeout": 10,
            "max_retries": 0,
        }
        (tmp_path / "tap.json").write_text(json.dumps(config))
        executable = str(meltano_project.root / ".meltano" / "loaders" / loader / "venv" / "bin" / loader)
        if loader == "target-postgres":
            schema = "e2e_sigterm"
            target = [executable, "--config", "ENV"]
            env = {**pg.env(), "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema}
        else:
            out = tmp_path / "out"
            out.mkdir()
            (tmp_path / "jsonl.json").write_text(json.dumps({"destination_path": str(out)}))
            target, env = [executable, "--config", str(tmp_path / "jsonl.json")], {}

        tap, sink = pipeline(tmp_path / "tap.json", target, tmp_path, env)
        try:
            deadline = time.monotonic() + 60  # a loaded machine starts Python slowly
            while len(api.seen) < 2 and time.monotonic() < deadline:  # slice 2 in flight
                time.sleep(0.02)
            assert len(api.seen) >= 2, "the tap never asked for its second slice"
            tap.send_signal(signal.SIGTERM)
            tap.wait(timeout=10)
            written, errors = sink.communicate(timeout=60)
        finally:
            days.release.set()
            for process in (tap, sink):
                if process.poll() is None:
                    process.kill()
        assert tap.returncode == 143
        assert sink.returncode == 0, errors.decode()[-2000:]
        state = last_state(written)
        assert state["bookmarks"]["days"]["replication_key_value"] == DAYS[1]

        days.slow = False
        tap, sink = pipeline(tmp_path / "tap.json", target, tmp_path, env, state=state)
        written, errors = sink.communicate(timeout=60)
        assert tap.wait(timeout=10) == 0 and sink.returncode == 0, errors.decode()[-2000:]
        assert last_state(written)["bookmarks"]["days"]["replication_key_value"] == DAYS[-1]

    if loader == "target-postgres":
        ids = [int(r[0]) for r in pg.psql(f'SELECT id FROM {schema}."days" ORDER BY id')]
    else:
        ids = sorted(
            json.loads(line)["id"] for f in out.glob("days*.jsonl") for line in f.read_text().splitlines()
        )
    assert ids == [1, 2, 3, 4, 5]  # every day once: nothing lost, nothing loaded twice
