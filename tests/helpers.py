"""Test helpers: a scriptable local HTTP server, and ways to run the real tap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from singer_sdk.io_base import GenericSingerWriter

from tap_restspec.tap import TapRestSpec

ROOT = Path(__file__).resolve().parents[1]
TAP_BIN = str(Path(sys.executable).with_name("tap-restspec"))


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def q(self, name: str) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What the server answers: status, headers, body; `cut` sends only part of the body."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut: bool = False
    drop: bool = False
    raw: bytes | None = None

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return b"" if self.body is None else json.dumps(self.body).encode()


Handler = Callable[[Seen], Reply]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a timeout test, a refused link) is not a server error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)


class Server:
    """A real local HTTP server driven by a function Seen -> Reply; it records every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    raw_query=parts.query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                outer.seen.append(seen)
                reply = outer.handler(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                payload = reply.payload()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                if reply.cut:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(payload[: len(payload) // 2] if reply.cut else payload)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if reply.cut:
                    self.close_connection = True

            do_GET = _serve  # noqa: N815
            do_POST = _serve  # noqa: N815

        self.httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Collector(GenericSingerWriter[dict, Any]):
    """A message writer that keeps messages in memory instead of writing them."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def serialize_message(self, message: Any) -> dict:
        return message.to_dict()

    def write_message(self, message: Any) -> None:
        self.messages.append(message.to_dict())

    def serialize_json(self, obj: object) -> str:
        return json.dumps(obj)

    def format_message(self, message: Any) -> dict:
        return message.to_dict()


@dataclass
class Run:
    """The Singer messages of one in-process run."""

    messages: list[dict[str, Any]]

    def records(self, stream: str | None = None) -> list[dict[str, Any]]:
        return [
            m["record"]
            for m in self.messages
            if m["type"] == "RECORD" and (stream is None or m["stream"] == stream)
        ]

    def schemas(self) -> dict[str, dict[str, Any]]:
        return {m["stream"]: m for m in self.messages if m["type"] == "SCHEMA"}

    @property
    def state(self) -> dict[str, Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}

    def bookmark(self, stream: str) -> dict[str, Any]:
        return self.state.get("bookmarks", {}).get(stream, {})


def run_tap(config: dict[str, Any], state: dict[str, Any] | None = None, catalog: dict | None = None) -> Run:
    """Run the real tap in this process and collect what it emits."""
    collector = Collector()
    tap = TapRestSpec(config=config, state=state or {}, catalog=catalog, message_writer=collector)
    tap.sync_all()
    return Run(collector.messages)


def run_partial(
    config: dict[str, Any], state: dict[str, Any] | None = None
) -> tuple[Run, BaseException | None]:
    """Run the tap in-process; return what it emitted and the error that stopped it, if any."""
    collector = Collector()
    try:
        tap = TapRestSpec(config=config, state=state or {}, message_writer=collector)
        tap.sync_all()
    except Exception as exc:
        return Run(collector.messages), exc
    return Run(collector.messages), None


@dataclass
class Cli:
    """What the tap's command line printed and returned."""

    code: int
    stdout: str
    stderr: str

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def records(self) -> list[dict[str, Any]]:
        return [m["record"] for m in self.messages() if m["type"] == "RECORD"]


def run_cli(
    tmp_path: Path,
    config: dict[str, Any],
    *args: str,
    state: dict | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> Cli:
    """Run `tap-restspec --config ...` as a user would, in `tmp_path`."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [TAP_BIN, "--config", str(config_file), *args]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    environment = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=timeout, env=environment, check=False
    )
    return Cli(done.returncode, done.stdout, done.stderr)


def write_spec(directory: Path, name: str, document: dict[str, Any]) -> str:
    """Write a spec file and return its path as a string."""
    path = directory / name
    path.write_text(json.dumps(document))
    return str(path)


def source_spec(
    url: str,
    path: str = "/items",
    *,
    content: str = "$.items",
    pagination: dict[str, Any] | None = None,
    schedule: dict[str, Any] | None = None,
    singer: dict[str, Any] | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    """A small `{"sourceSpec": ...}` document for tests."""
    attrs: dict[str, Any] = {
        "urlParams": {"host": url, "path": path, "method": attributes.pop("method", "GET")},
        "contentPath": {"path": content},
    }
    if pagination is not None:
        attrs["paginationParams"] = pagination
    if schedule is not None:
        attrs["scheduleParams"] = schedule
    for key, value in attributes.items():
        if key in ("queryParams",):
            attrs["urlParams"][key] = value
        else:
            attrs[key] = value
    document: dict[str, Any] = {"sourceSpec": {"attributes": attrs}}
    if singer is not None:
        document["singer"] = singer
    return document
