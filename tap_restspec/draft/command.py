"""`tap-restspec draft URL [--header "Name: value"]... [--name NAME] [--out FILE]`: the command line.

The spec goes to `--out` (else stdout), the explanation to stderr. A user's mistake or an API
answer the draft cannot use is one line (a UserError) and exit 1; a usage error exit 2;
SIGINT or SIGTERM stops the requests and exits 130 or 143 (the CLI's `Stopped`).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from tap_restspec.draft.choice import choose
from tap_restspec.draft.document import spec_text
from tap_restspec.draft.explain import drafted, stream_name
from tap_restspec.draft.page import first_page
from tap_restspec.draft.prober import MAX_REQUESTS, Prober
from tap_restspec.draft.target import read_target
from tap_restspec.errors import UserError, one_line
from tap_restspec.http.client import StopFlag, Stopped
from tap_restspec.http.deadline import abort_all
from tap_restspec.parse.document import snake_case
from tap_restspec.redact import REDACTOR


@click.command(
    name="draft",
    help=f"Draft a spec for the API at URL from its answers to at most {MAX_REQUESTS} GET requests "
    "(on URL's origin only). The spec goes to stdout (or --out), the guesses and what to check to stderr.",
)
@click.argument("url")
@click.option(
    "-H",
    "--header",
    "headers",
    multiple=True,
    metavar='"NAME: VALUE"',
    help="A header to send, and to keep in the spec; an Authorization value becomes ${api_key}.",
)
@click.option("--name", help="The stream's name (default: from URL's path).")
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False), help="Write the spec to this file (default: stdout)."
)
def _command(url: str, headers: tuple[str, ...], name: str | None, out: str | None) -> int:
    target = read_target(url, list(headers))
    stream = snake_case(name) if name is not None else stream_name(target.path)
    if not stream:
        raise UserError(f"draft: --name {name!r} gives an empty stream name")
    if out is not None and not Path(out).resolve().parent.is_dir():
        raise UserError(f"draft: --out {out}: its folder does not exist")
    stop = StopFlag()
    with _signals(stop):
        prober = Prober(url, stop)
        try:
            first = first_page(target, prober)
            result = drafted(first, choose(first), stream)
        finally:
            prober.close()
    if stop.is_set():  # a signal between two requests: stop as in one
        raise Stopped(stop.signum)
    text = spec_text(result.document, target.values.values())
    _write(text, out)
    for line in result.lines:
        print(one_line(REDACTOR.redact(line)), file=sys.stderr)
    print(f"wrote {out}: stream {stream}" if out else f"spec on stdout: stream {stream}", file=sys.stderr)
    return 0


def run_draft(args: list[str]) -> int:
    """`tap-restspec draft ...` with the arguments after `draft`; the exit code."""
    code = _command.main(args=args, prog_name="tap-restspec draft", standalone_mode=False)
    return code if isinstance(code, int) else 0


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"draft: --out {out}: cannot write: {exc.strerror}") from None


@contextlib.contextmanager
def _signals(stop: StopFlag) -> Iterator[None]:
    """SIGINT and SIGTERM stop the draft's requests (the one in flight at once)."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.halt(signum):
            abort_all()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
