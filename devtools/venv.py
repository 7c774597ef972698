"""The Python that `scripts/test` and `scripts/demo` build virtualenvs with: 3.10 or newer, with its
`venv` module (Debian's python3 needs python3-venv: installed with apt-get when root).

    python3 -m devtools.venv check         exit 0 for Python 3.10 or newer, else one line and exit 1
    python3 -m devtools.venv require-venv  the venv module, installed when missing and root
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

NAME = "devtools.venv"


def python_problem() -> str | None:
    """Why this Python cannot build the project's virtualenvs, or None."""
    if sys.version_info < (3, 10):  # noqa: UP036  (any system Python runs this, to say it is too old)
        version = ".".join(map(str, sys.version_info[:3]))
        return f"Python {version} is too old: Python 3.10 or newer is needed"
    return None


def has_venv() -> bool:
    """`python -m venv` works (ensurepip is what Debian leaves out)."""
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        return False
    return True


def require_venv() -> None:
    """The venv module, installed from Debian's packages when it is missing and we are root."""
    if has_venv():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"{NAME}: installing python3-venv (apt-get)", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-venv"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return
    raise SystemExit(f"{NAME}: {sys.executable} cannot make virtualenvs: install python3-venv")


def main(argv: list[str]) -> int:
    """Command line: check | require-venv."""
    if argv not in (["check"], ["require-venv"]):
        print("usage: python3 -m devtools.venv check | require-venv", file=sys.stderr)
        return 2
    problem = python_problem()
    if problem:
        print(f"{NAME}: {problem}", file=sys.stderr)
        return 1
    if argv == ["require-venv"]:
        require_venv()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
