"""A throwaway PostgreSQL cluster on a free port, in a temporary directory.

Used by the end-to-end tests (``from devtools.pg import PgCluster``), by ``scripts/test``,
``scripts/demo`` and the bench; from the repository's root::

    python -m devtools.pg available       # exit 0 when the server binaries are here
    python -m devtools.pg start DIR       # initdb + start; prints shell exports
    python -m devtools.pg stop DIR        # stop the cluster and remove DIR

``start`` prints (and writes to ``DIR/env``) ``export TARGET_POSTGRES_HOST=...``
lines for host, port, user, password and database, plus ``PGHOST``/``PGPORT``/...
for ``psql``.  As root, the cluster runs as the ``postgres`` user (initdb refuses
root).  Nothing here touches a system cluster: the data directory, the socket and
the log all live in DIR.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

USER = "postgres"
PASSWORD = "postgres"
DATABASE = "postgres"


def bin_dir() -> Path | None:
    """Return the directory holding initdb/pg_ctl/postgres, or None."""
    candidates: list[Path] = []
    env = os.environ.get("PG_BIN_DIR")
    if env:
        candidates.append(Path(env))
    # Debian keeps the server binaries out of PATH, one directory per version.
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    versioned.sort(key=lambda p: _version_key(p.split("/")[-2]), reverse=True)
    candidates.extend(Path(p) for p in versioned)
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(Path(which).resolve().parent)
    for cand in candidates:
        if all((cand / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            return cand
    return None


def _version_key(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split("."))
    except ValueError:
        return (0,)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One throwaway cluster: ``start()``, use ``env()``, ``stop()``."""

    def __init__(self, base_dir: str | os.PathLike[str] | None = None) -> None:
        found = bin_dir()
        if found is None:
            raise RuntimeError(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; "
                "install Debian's 'postgresql' package"
            )
        self.bin = found
        if base_dir is None:
            # Not under pytest's tmp_path: its parents are mode 0700 and the
            # postgres user could not reach the data directory.
            base_dir = tempfile.mkdtemp(prefix="restspec-pg-")
        self.base = Path(base_dir).resolve()
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.port = 0
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self.database = DATABASE
        self._as_postgres = os.geteuid() == 0

    # -- running commands as the cluster's owner ---------------------------
    def _cmd(self, argv: list[str]) -> list[str]:
        if self._as_postgres:
            return ["runuser", "-u", USER, "--", *argv]
        return argv

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._cmd(argv), check=True, text=True, capture_output=True)

    def _chown(self, path: Path) -> None:
        if self._as_postgres:
            pw = pwd.getpwnam(USER)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> PgCluster:
        """Initialise the data directory and start the server on a free port."""
        if self._as_postgres:
            try:
                pwd.getpwnam(USER)
            except KeyError as exc:
                raise RuntimeError(f"running as root but there is no '{USER}' user") from exc
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        self._chown(self.base)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(pwfile)
        if not (self.data / "PG_VERSION").exists():
            try:
                self._run(
                    [
                        str(self.bin / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        self.user,
                        f"--pwfile={pwfile}",
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "--encoding=UTF8",
                        "--no-locale",
                        "--no-sync",
                    ]
                )
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"initdb failed:\n{exc.stdout}\n{exc.stderr}") from exc
        last_error = ""
        for _ in range(5):  # the free port may be taken between choosing and binding
            self.port = free_port()
            opts = (
                f"-p {self.port} -c listen_addresses=127.0.0.1"
                f" -k {shlex.quote(str(self.base))}"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    [
                        str(self.bin / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-o",
                        opts,
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ]
                )
            except subprocess.CalledProcessError as exc:
                last_error = f"{exc.stdout}\n{exc.stderr}\n{self._log_tail()}"
                continue
            self._write_env()
            return self
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def stop(self, remove: bool = True) -> None:
        """Stop the server (fast shutdown) and, by default, delete the directory."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        if remove:
            shutil.rmtree(self.base, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    # -- how to reach it ----------------------------------------------------
    def env(self) -> dict[str, str]:
        """Environment for target-postgres (TARGET_POSTGRES_*) and psql (PG*)."""
        return {
            "TARGET_POSTGRES_HOST": self.host,
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": self.password,
            "TARGET_POSTGRES_DATABASE": self.database,
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
        }

    def _write_env(self) -> None:
        lines = [f"export {k}={shlex.quote(v)}" for k, v in self.env().items()]
        (self.base / "env").write_text("\n".join(lines) + "\n")

    def psql(self, sql: str) -> list[list[str]]:
        """Run one SQL statement with psql; return the rows as lists of strings."""
        psql = self.bin / "psql"
        exe = str(psql) if psql.is_file() else (shutil.which("psql") or "psql")
        proc = subprocess.run(
            [exe, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            env={**os.environ, **self.env()},
            check=True,
            text=True,
            capture_output=True,
        )
        return [line.split("\t") for line in proc.stdout.splitlines() if line]


def _attach(base_dir: str) -> PgCluster:
    cluster = PgCluster(base_dir)
    env_file = cluster.base / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if line.startswith("export PGPORT="):
                cluster.port = int(shlex.split(line.split("=", 1)[1])[0])
    return cluster


def main(argv: list[str]) -> int:
    """Command line: available | start DIR | stop DIR."""
    usage = "usage: python -m devtools.pg available | start DIR | stop DIR"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    cmd = argv[0]
    if cmd == "available":
        found = bin_dir()
        if found:
            print(found)
            return 0
        return 1
    if cmd in ("start", "stop") and len(argv) == 2:
        try:
            if cmd == "start":
                cluster = PgCluster(argv[1]).start()
                sys.stdout.write((cluster.base / "env").read_text())
            else:
                _attach(argv[1]).stop()
        except RuntimeError as exc:
            print(f"devtools.pg: {exc}", file=sys.stderr)
            return 1
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
