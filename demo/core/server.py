"""The threaded HTTP server under the demo API and the tests' servers (stdlib only).

``HttpServer`` is a threaded HTTP/1.1 server around a function ``Request -> Reply``, with
a ``RequestLog`` (every request, then the status it got; 0 for a dropped connection) and a
``FaultQueue`` (``Fault``: a status with ``Retry-After``, a delay, a dropped connection, a
cut body, a raw body) consulted before the function is called. It knows no API.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from demo.core.messages import JSON_TYPE, ApiError, Headers, Reply, Request, json_reply

# --------------------------------------------------------------------------- log and faults


class RequestLog:
    """Every logged request, oldest first (thread-safe; `entries` is the live list)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entries: list[Request] = []

    def add(self, request: Request) -> None:
        with self._lock:
            self.entries.append(request)

    def answered(self, request: Request, status: int) -> None:
        with self._lock:
            request.status = status

    def snapshot(self) -> list[Request]:
        with self._lock:
            return list(self.entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self.entries)
            self.entries.clear()
            return count


@dataclass
class Fault:
    """What the next ``count`` requests whose path starts with ``path`` get instead.

    ``status`` (0: the normal answer) with an optional ``Retry-After``, ``headers`` and
    ``body`` (a JSON value, or str/bytes sent as is); ``drop`` closes the connection
    without an answer; ``cut`` sends half the body; ``delay`` waits first. ``hint`` holds
    vendor-specific values for the API's own error body (``ms_before_next``).
    """

    count: int = 1
    path: str | None = None
    status: int = 503
    retry_after: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    drop: bool = False
    cut: bool = False
    delay: float = 0.0
    hint: dict[str, Any] = field(default_factory=dict)

    def reply(self, default_body: Any = None) -> Reply:
        """The answer, with ``default_body`` (a JSON value) when no body was given."""
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers.setdefault("Retry-After", f"{self.retry_after:g}")
        if isinstance(self.body, (str, bytes)):
            return Reply(self.status, raw=self.body, headers=headers)
        body = self.body if self.body is not None else default_body
        if body is None:
            body = {"error": "injected fault", "status": self.status}
        return Reply(self.status, body=body, headers={"Content-Type": JSON_TYPE, **headers})


class FaultQueue:
    """Faults waiting for their requests, first added first used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, path: str) -> Fault | None:
        """The first fault for this (decoded) path, counted down; None if there is none."""
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and (not fault.path or path.startswith(fault.path)):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


# --------------------------------------------------------------------------- the server

App = Callable[[Request], Reply]
FaultReply = Callable[[Request, Fault], Reply]


class _Bound(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    core: HttpServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a timeout, a refused link) is not a server error."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Bound

    def setup(self) -> None:
        self.request.settimeout(self.server.core.timeout)  # an idle keep-alive ends in time
        super().setup()

    def version_string(self) -> str:
        return self.server.core.name

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.core.verbose:
            super().log_message(format, *args)

    def _serve(self) -> None:
        self.server.core.serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815


class HttpServer:
    """A threaded local HTTP server: ``app(request) -> Reply``, a request log and faults.

    It binds at construction (so ``url`` is known at once) and serves once started.
    ``logged(request)`` says which requests are logged and may get faults (default: all);
    ``fault_reply(request, fault)`` shapes a fault's answer (default: ``fault.reply()``).
    ``log`` and ``faults`` may be shared with a later server (the demo restarts on a port).
    An exception in ``app`` is a 500 (an ``ApiError`` is its own answer).
    """

    def __init__(
        self,
        app: App,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        logged: Callable[[Request], bool] | None = None,
        fault_reply: FaultReply | None = None,
        name: str = "DemoCore/1.0",
        verbose: bool = False,
        timeout: float | None = 60.0,
        log: RequestLog | None = None,
        faults: FaultQueue | None = None,
    ) -> None:
        self.app = app
        self.logged = logged or (lambda _request: True)
        self.fault_reply = fault_reply or (lambda _request, fault: fault.reply())
        self.name = name
        self.verbose = verbose
        self.timeout = timeout
        self.log = log if log is not None else RequestLog()
        self.faults = faults if faults is not None else FaultQueue()
        self._httpd = _Bound((host, port), _Handler)
        self._httpd.core = self
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> HttpServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._httpd.shutdown()
            thread.join(timeout=5)
        self._httpd.server_close()

    def wait(self) -> None:
        """Block until stopped (the demo's CLI)."""
        while (thread := self._thread) is not None and thread.is_alive():
            thread.join(timeout=0.5)

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int = 1, **fault: Any) -> Fault:
        """Queue a fault for the next ``count`` requests (see ``Fault``)."""
        queued = Fault(count=count, **fault)
        self.faults.add(queued)
        return queued

    # -- one request

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path, _, query = handler.path.partition("?")
        sent = dict(handler.headers.items())
        request = Request(
            handler.command,
            path,
            parse_qs(query, keep_blank_values=True),
            query,
            Headers(sent),
            body,
            host=handler.headers.get("Host") or "",
            sent_headers=sent,
        )
        logged = self.logged(request)
        if logged:
            self.log.add(request)
        fault = self.faults.take(request.route) if logged else None
        reply: Reply | None = None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                reply = Reply(drop=True)
            elif fault.status:
                reply = self.fault_reply(request, fault)
        if reply is None:
            reply = self._answer(request)
        if fault is not None and fault.cut:
            reply.cut = True
        if logged:  # before writing: a client that has its answer sees it logged
            self.log.answered(request, 0 if reply.drop else reply.status)
        self._write(handler, reply)

    def _answer(self, request: Request) -> Reply:
        try:
            return self.app(request)
        except ApiError as err:
            return err.reply
        except Exception:  # a bug in a handler: say so, keep serving
            traceback.print_exc()
            return json_reply({"error": "server error"}, 500)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = reply.payload()
        handler.send_response(reply.status)
        for key, value in {"Content-Type": "application/json", **reply.headers}.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        if reply.cut:
            handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            handler.wfile.write(payload[: len(payload) // 2] if reply.cut else payload)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if reply.cut:
            handler.close_connection = True
