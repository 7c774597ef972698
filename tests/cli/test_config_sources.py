"""Where settings come from, and settings the tap does not take.

- a setting the tap does not know gets one WARNING naming it and the setting it resembles
  (the SDK's own settings, stream maps and flattening, are known);
- `batch_config` is refused with one line, and `--about` does not offer `batch`: the SDK's
  BATCH path bypassed the tap's writer (contract, section 4, "BATCH", 2026-12-07);
- `TAP_RESTSPEC_<NAME>` variables of the environment win over the `--config` file, and no
  `.env` file is read (the SDK's reader let one override both).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import TAP_BIN, Cli, Reply, run_cli, source_spec, write_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"request_timeout": 2, "max_retries": 0}


def warnings(stderr: str) -> list[str]:
    return [line.split(" | ", 3)[-1] for line in stderr.splitlines() if "| WARNING " in line]


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " | " not in line]


def items(seen):
    return Reply(body={"items": [{"id": 1}]})


def test_unknown_settings_get_one_warning_each_naming_the_one_they_resemble(tmp_path, serve):
    server = serve(items)
    spec = write_spec(tmp_path, "x.json", source_spec(server.url, schema=SCHEMA))
    config = {
        "specs": [spec],
        "pasword": "a-secret-in-the-wrong-place",
        "startdate": "2024-01-01T00:00:00Z",
        "frobnicate": 1,
        # the SDK's own settings are known
        "stream_maps": {},
        "stream_map_config": {},
        "faker_config": {"seed": 1},
        "flattening_enabled": False,
        "flattening_max_depth": 1,
        **FAST,
    }
    result = run_cli(tmp_path, config)
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [
        "config: pasword: unknown setting, ignored; did you mean 'password'?",
        "config: startdate: unknown setting, ignored; did you mean 'start_date'?",
        "config: frobnicate: unknown setting, ignored",
    ]
    assert result.records() == [{"id": 1}]
    assert "a-secret-in-the-wrong-place" not in result.stderr + result.stdout


def test_batch_config_is_refused_with_one_line_and_batch_is_not_offered(tmp_path, serve):
    server = serve(items)
    spec = write_spec(tmp_path, "x.json", source_spec(server.url, schema=SCHEMA))
    batch = {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{tmp_path}"},
    }
    for args in ((), ("--discover",)):
        result = run_cli(tmp_path, {"specs": [spec], "batch_config": batch}, *args)
        assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
        assert problems(result.stderr) == [
            "config: batch_config: BATCH messages are not supported; remove the setting "
            "(records are sent as RECORD messages)"
        ]
        assert result.stdout == ""
    assert server.seen == []
    assert list(tmp_path.glob("*.json.gz")) == []
    about = json.loads(
        subprocess.run([TAP_BIN, "--about", "--format=json"], capture_output=True, check=True).stdout
    )
    assert "batch" not in about["capabilities"]
    assert "batch_config" not in about["settings"]["properties"]


def run_module(tmp_path: Path, config: dict, env: dict[str, str]) -> Cli:
    """The tap started as `python -c` (its `__main__` has no file): python-dotenv, asked by the
    SDK, then looks for `.env` in the working directory, as it does above the SDK's own install
    directory (in a Meltano project: the project's root) when started as `tap-restspec`."""
    (tmp_path / "config.json").write_text(json.dumps(config))
    command = [sys.executable, "-c", "from tap_restspec.tap import main; main()", "--config", "config.json"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TAP_RESTSPEC_")}
    done = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment, "PYTHONWARNINGS": "ignore", **env},
        check=False,
    )
    return Cli(done.returncode, done.stdout, done.stderr)


def passwords(server) -> list[str]:
    return [base64.b64decode(s.headers["Authorization"][6:]).decode().partition(":")[2] for s in server.seen]


def basic_spec(tmp_path: Path, url: str) -> str:
    document = source_spec(url, schema=SCHEMA)
    document["authSpec"] = [{"name": "Basic", "type": "BasicAuthentication", "spec": {"type": "object"}}]
    return write_spec(tmp_path, "x.json", document)


def test_a_dotenv_file_is_not_read_and_the_environment_wins_over_the_config_file(tmp_path, serve):
    server = serve(items)
    spec = basic_spec(tmp_path, server.url)
    (tmp_path / ".env").write_text(
        'TAP_RESTSPEC_PASSWORD=stale-password-from-dotenv\nTAP_RESTSPEC_SPECS=["elsewhere/*.json"]\n'
    )
    config = {"specs": [spec], "username": "u", "password": "password-from-config", **FAST}

    from_file = run_module(tmp_path, config, {})
    assert from_file.code == 0, from_file.stderr[-2000:]
    from_environment = run_module(tmp_path, config, {"TAP_RESTSPEC_PASSWORD": "password-from-environment"})
    assert from_environment.code == 0, from_environment.stderr[-2000:]
    assert passwords(server) == ["password-from-config", "password-from-environment"]
    assert from_file.records() == from_environment.records() == [{"id": 1}]
