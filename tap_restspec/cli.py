"""The command line: the SDK's CLI, with a user's mistakes as plain lines and honest exit codes.

- a user error (bad spec, setting, config or state file, a stream that failed): its lines on
  stderr, exit 1, no traceback;
- SIGTERM / SIGINT: the state of the completed work is written, exit 143 / 130;
- a closed output pipe (`tap-restspec ... | head`, a target that died): the run stops, exit 141
  (128 + SIGPIPE, as a process killed by it), at most one line on stderr.

A command beside the Singer ones (`tap-restspec <name> ...`) is one function in `SUBCOMMANDS`.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

import click
from singer_sdk.exceptions import ConfigValidationError

from tap_restspec import redact
from tap_restspec.config.environment import environment_problems
from tap_restspec.draft.command import run_draft
from tap_restspec.errors import Interrupted, UserError, one_line
from tap_restspec.http.client import Stopped
from tap_restspec.output.writer import quiet_stdout

# Commands beside the Singer ones, as `tap-restspec <name> [arguments]`: each gets the arguments
# after its name and returns the exit code, and its user errors are reported as the sync's are.
# Any other command line is the SDK's Singer CLI (--config, --discover, --catalog, --state, ...).
SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {"draft": run_draft}


def run(tap_class: Any) -> None:
    """Run the tap's CLI (or a subcommand); exit as the module docstring says."""
    redact.install()  # before the SDK logs anything: config errors, env parsing, debug lines
    argv = sys.argv[1:]
    command = SUBCOMMANDS.get(argv[0]) if argv else None
    if command is None and not {"--about", "--help", "--version"} & set(argv):
        problems = environment_problems()
        if problems:
            _lines(problems)
            sys.exit(1)
    try:
        code = command(argv[1:]) if command is not None else tap_class.cli(standalone_mode=False)
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

