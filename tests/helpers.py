"""Test helpers: a scriptable local HTTP server, and ways to run the real tap.

``Server``, ``Reply`` and ``Seen`` are the demo API's own HTTP core (``demo.core``), so the
tests and the demo share one request log and one fault injection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from singer_sdk.io_base import GenericSingerWriter

from demo.core import Fault, HttpServer, Reply, Request

__all__ = [
    "ROOT",
    "TAP_BIN",
    "Cli",
    "Collector",
    "DeferredTestClass",
    "Reply",
    "Run",
    "Seen",
    "Server",
    "SpecRunner",
    "run_cli",
    "run_partial",
    "run_tap",
    "source_spec",
    "write_spec",
]

ROOT = Path(__file__).resolve().parents[1]
TAP_BIN = str(Path(sys.executable).with_name("tap-restspec"))


Seen = Request  # one request the server received: method, path, query, raw_query, headers, body, q(), json()
Handler = Callable[[Seen], Reply]


class Server:
    """A real local HTTP server driven by a function Seen -> Reply; it records every request.

    Built on the demo's core (``demo.core.HttpServer``): ``seen`` is its request log, and
    ``fail_next(count, status=..., retry_after=..., drop=..., cut=..., delay=..., body=...)``
    answers the next requests with a fault before the handler is asked.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.core = HttpServer(lambda request: self.handler(request), name="TestServer/1.0")
        self.url = self.core.url
        self.seen: list[Seen] = self.core.log.entries

    def fail_next(self, count: int = 1, **fault: Any) -> Fault:
        return self.core.fail_next(count, **fault)

    def __enter__(self) -> Server:
        self.core.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.core.stop()


class DeferredTestClass:
    """A test class that ``tests/conftest.py`` builds at collection time: ``build(demo_api)``
    with the session's running demo API, so importing the module starts nothing."""

    def __init__(self, build: Callable[[Any], type]) -> None:
        self.build = build


def _encode(value: Any) -> Any:
    """As singer-sdk's msgspec writer: date-times in ISO 8601, decimals as numbers."""
    if isinstance(value, datetime):
        return value.isoformat(sep="T")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def plain(message: Any) -> dict[str, Any]:
    """A Singer message as plain JSON values (lists, not tuples), as a target reads it."""
    return json.loads(json.dumps(message.to_dict(), default=_encode))


class Collector(GenericSingerWriter[dict, Any]):
    """A message writer that keeps messages in memory, as plain JSON values."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def serialize_message(self, message: Any) -> dict:
        return plain(message)

    def write_message(self, message: Any) -> None:
        self.messages.append(plain(message))

    def serialize_json(self, obj: object) -> str:
        return json.dumps(obj)

    def format_message(self, message: Any) -> dict:
        return plain(message)


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
    from tap_restspec.tap import TapRestSpec  # here: a broken tap must not stop collection

    collector = Collector()
    tap = TapRestSpec(config=config, state=state or {}, catalog=catalog, message_writer=collector)
    tap.sync_all()
    return Run(collector.messages)


def run_partial(
    config: dict[str, Any], state: dict[str, Any] | None = None
) -> tuple[Run, BaseException | None]:
    """Run the tap in-process; return what it emitted and the error that stopped it, if any."""
    from tap_restspec.tap import TapRestSpec

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


def start_tap(cwd: Path, config: dict[str, Any], stderr: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    """`tap-restspec --config config.json` started in `cwd` (the config written there), stdout piped."""
    (cwd / "config.json").write_text(json.dumps(config))
    return subprocess.Popen(
        [TAP_BIN, "--config", "config.json"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def token_pages(pages: list[list[dict[str, Any]]]) -> Callable[[Request], Reply]:
    """A CONTINUATION_TOKEN API (`TOKEN_PAGING`) serving `pages` (lists of records) in order."""

    def api(seen: Request) -> Reply:
        index = int(seen.q("cursor") or 0)
        more = index + 1 < len(pages)
        return Reply(body={"items": pages[index], "next": str(index + 1) if more else None})

    return api


TOKEN_PAGING = {"type": "CONTINUATION_TOKEN", "continuationTokenPath": "$.next", "parameterName": "cursor"}


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


class SpecRunner:
    """Writes spec documents into a directory and runs the real tap on them (``run_spec``).

    ``runner(document, **config)`` runs in-process and returns the ``Run``;
    ``runner.partial(...)`` also returns the error that stopped it; ``runner.cli(document,
    *args, **config)`` runs the command line. ``document`` is a spec dict (written as
    ``name``), a path, or a list of either; ``state`` and ``catalog`` pass through.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def specs(self, document: Any, name: str = "items.json") -> list[str]:
        documents = document if isinstance(document, list) else [document]
        paths = []
        for index, item in enumerate(documents):
            if isinstance(item, dict):
                file_name = name if len(documents) == 1 else f"{index}-{name}"
                paths.append(write_spec(self.directory, file_name, item))
            else:
                paths.append(str(item))
        return paths

    def config(self, document: Any, name: str, config: dict[str, Any]) -> dict[str, Any]:
        return {"specs": self.specs(document, name), **config}

    def __call__(
        self,
        document: Any,
        *,
        name: str = "items.json",
        state: dict[str, Any] | None = None,
        catalog: dict[str, Any] | None = None,
        **config: Any,
    ) -> Run:
        return run_tap(self.config(document, name, config), state=state, catalog=catalog)

    def partial(
        self, document: Any, *, name: str = "items.json", state: dict[str, Any] | None = None, **config: Any
    ) -> tuple[Run, BaseException | None]:
        return run_partial(self.config(document, name, config), state=state)

    def cli(
        self,
        document: Any,
        *args: str,
        name: str = "items.json",
        state: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        **config: Any,
    ) -> Cli:
        return run_cli(self.directory, self.config(document, name, config), *args, state=state, env=env)
