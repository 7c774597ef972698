"""Meltano in its own virtualenv (Meltano pins packages that clash with singer-sdk), for
`scripts/test`, `scripts/demo` and the end-to-end tests.

    python3 -m devtools.meltano install   Meltano into MELTANO_VENV, unless its stamp says it is
                                          there; progress on stderr, the executable's path on stdout
    python3 -m devtools.meltano path      the Meltano to use: MELTANO_BIN, else MELTANO_VENV's,
                                          else `meltano` on PATH

Settings (environment): MELTANO_VENV (default: .meltano-venv in the repository), MELTANO_SPEC
(default: meltano>=4.4,<5), MELTANO_BIN (`path` only).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from devtools.venv import require_venv

ROOT = Path(__file__).resolve().parents[1]
NAME = "devtools.meltano"
DEFAULT_SPEC = "meltano>=4.4,<5"
STAMP = ".restspec-stamp"  # the spec installed, so a second install returns at once


def venv_dir() -> Path:
    """Where Meltano's virtualenv lives."""
    return Path(os.environ.get("MELTANO_VENV") or ROOT / ".meltano-venv")


def spec() -> str:
    """The pip requirement Meltano is installed from."""
    return os.environ.get("MELTANO_SPEC") or DEFAULT_SPEC


def find() -> str | None:
    """MELTANO_BIN, else the virtualenv's meltano, else `meltano` on PATH (None: none runs)."""
    for cand in (os.environ.get("MELTANO_BIN"), str(venv_dir() / "bin" / "meltano"), shutil.which("meltano")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def _version(meltano: Path) -> str:
    done = subprocess.run([str(meltano), "--version"], capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else "?"


def install() -> Path:
    """Meltano in its virtualenv (installed when the stamp differs); the executable's path."""
    venv = venv_dir()
    meltano, stamp, wanted = venv / "bin" / "meltano", venv / STAMP, spec()
    where = os.path.relpath(venv, ROOT) if venv.is_relative_to(ROOT) else str(venv)
    if os.access(meltano, os.X_OK) and stamp.is_file() and stamp.read_text().strip() == wanted:
        print(f"Meltano is installed in {where} ({_version(meltano)})", file=sys.stderr)
        return meltano
    python = venv / "bin" / "python"
    print(f"installing {wanted} into {where} (its own virtualenv)", file=sys.stderr)
    if not python.exists():
        require_venv()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log = venv / "install.log"
    with log.open("w") as out:
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", wanted],
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        raise SystemExit(f"{NAME}: could not install Meltano; the whole log is {log}")
    stamp.write_text(wanted + "\n")
    print(f"installed {_version(meltano)}", file=sys.stderr)
    return meltano


def main(argv: list[str]) -> int:
    """Command line: install | path."""
    if argv == ["install"]:
        print(install())
        return 0
    if argv == ["path"]:
        print(find() or venv_dir() / "bin" / "meltano")
        return 0
    print("usage: python3 -m devtools.meltano install | path", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
