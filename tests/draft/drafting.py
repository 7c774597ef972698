"""Running `tap-restspec draft` as a user does, and checking that a secret shows nowhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tap_restspec.redact import encodings
from tests.helpers import TAP_BIN, Cli


def run_draft(
    cwd: Path, url: str, *headers: str, out: str | None = "spec.json", args: tuple[str, ...] = ()
) -> Cli:
    """`tap-restspec draft URL --header ... [--out out]` in `cwd`."""
    command = [TAP_BIN, "draft", url]
    for header in headers:
        command += ["--header", header]
    if out is not None:
        command += ["--out", out]
    command += list(args)
    environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=60, env=environment, check=False
    )
    return Cli(done.returncode, done.stdout, done.stderr)


def shown(secrets: list[str], *texts: str) -> list[str]:
    """The forms of `secrets` (plain, percent-encoded, base64, escaped) that appear in `texts`."""
    return sorted(
        {form for secret in secrets for form in encodings(secret) for text in texts if form in text}
    )


def secrets_of(secret: str, headers: list[str]) -> list[str]:
    """A secret, and each Authorization value that carries it (a Basic pair is a secret as a whole)."""
    values = [h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("authorization:")]
    return [secret, *(value.split(" ", 1)[1] for value in values if " " in value)]
