"""The command line: the SDK's CLI, with a user's mistakes as plain lines and honest exit codes.

- a user error (bad spec, setting, config or state file, a stream that failed): its lines on
  stderr, exit 1, no traceback;
- SIGTERM / SIGINT: the state of the completed work is written, exit 143 / 130;
- a closed output pipe (`tap-restspec ... | head`, a target that died): the run stops, exit 141
  (128 + SIGPIPE, as a process killed by it), at most one line on stderr.
"""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from singer_sdk.exceptions import ConfigValidationError

from tap_restspec import redact
from tap_restspec.config.settings import environment_problems, register_secrets
from tap_restspec.errors import SettingsError, UserError, one_line
from tap_restspec.http.client import Stopped
from tap_restspec.model.fields import NotJSONError, loads
from tap_restspec.output.writer import quiet_stdout
from tap_restspec.sync.scheduler import Interrupted


@dataclass(frozen=True)
class ConfigInput:
    """What `--config` gives the SDK's callbacks (they read `.config` and `.parse_env`)."""

    config: dict[str, Any]
    parse_env: bool = False


def read_config_files(paths: tuple[str, ...]) -> tuple[dict[str, Any], bool]:
    """The merged config of `--config` files (`ENV`: environment variables too)."""
    config: dict[str, Any] = {}
    parse_env = False
    for path in paths:
        if path == "ENV":
            parse_env = True
            continue
        config.update(_json_object(path, "config"))
    register_secrets(config)
    return config, parse_env


def read_state_file(handle: Any) -> dict[str, Any]:
    """The `--state` file as a dict, or one line saying what is wrong with it."""
    name = getattr(handle, "name", "state")
    try:
        text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"state: {name}: cannot read it: {exc}") from None
    if not text.strip():
        return {}
    try:
        value = loads(text)
    except (ValueError, RecursionError) as exc:
        raise SettingsError(f"state: {name}: not valid JSON: {_why(exc)}") from None
    if not isinstance(value, dict):
        raise SettingsError(f'state: {name}: not a Singer state object (expected {{"bookmarks": {{...}}}})')
    return value


def read_catalog_file(handle: Any) -> dict[str, Any]:
    """The `--catalog` file as a dict, or one line saying what is wrong with it."""
    name = getattr(handle, "name", "catalog")
    try:
        value = loads(handle.read())
    except (OSError, ValueError, RecursionError):
        raise SettingsError(f"catalog: {name}: not a readable JSON file") from None
    if not isinstance(value, dict) or not isinstance(value.get("streams", []), list):
        raise SettingsError(f'catalog: {name}: not a Singer catalog (expected {{"streams": [...]}})')
    return value


def _json_object(path: str, what: str) -> dict[str, Any]:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SettingsError(f"{what}: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"{what}: {path}: cannot read it: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        value = loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        why = f" ({exc})" if isinstance(exc, NotJSONError) else ""
        raise SettingsError(f"{what}: {path}: not valid JSON{where}{why}") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{what}: {path}: must be a JSON object of settings")
    return value


def _why(exc: BaseException) -> str:
    """A JSON error in a few words."""
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    return str(exc) if isinstance(exc, NotJSONError) else "nested too deeply"


def run(tap_class: Any) -> None:
    """Run the tap's CLI; exit as the module docstring says."""
    redact.install()  # before the SDK logs anything: config errors, env parsing, debug lines
    if not {"--about", "--help", "--version"} & set(sys.argv[1:]):
        problems = environment_problems()
        if problems:
            _lines(problems)
            sys.exit(1)
    try:
        code = tap_class.cli(standalone_mode=False)
    except UserError as exc:
        _lines(exc.lines)
        sys.exit(1)
    except ConfigValidationError as exc:
        _lines([f"config: {line}" for line in (exc.errors or [str(exc)])])
        sys.exit(1)
    except (Interrupted, Stopped) as exc:  # Stopped: before the sync (sampling, discovery)
        _flush_quietly()
        sys.exit(128 + (exc.signum or signal.SIGTERM))
    except BrokenPipeError:  # the SDK's own writes (--discover, --about)
        quiet_stdout()
        sys.exit(128 + signal.SIGPIPE)
    except SystemExit:
        raise
    except click.ClickException as exc:  # a usage error: unknown option, bad value
        _lines([exc.format_message()])
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    _flush_quietly()
    if isinstance(code, int) and code:
        sys.exit(code)


def _lines(lines: list[str]) -> None:
    for line in lines:
        print(one_line(redact.REDACTOR.redact(line)), file=sys.stderr)


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        quiet_stdout()

